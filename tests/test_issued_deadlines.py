"""The issued sheet's 接入时限 is the ledger's (review F2 item 2, both backends).

Seed 四(二)2: 联合审批 — the utility submits within 2 working days, the departments finish
within 3; 四(一)2: 具备接入条件后 0.5 个工作日内完成接入. The path plan's connection limit
(受理 + 2 + 3 + 0.5 working days) is what a draft sheet shows; once the sheet is issued
(审批办结) the ledger counts the 0.5 working day from the approval, and so does the sheet.
"""

from __future__ import annotations

import datetime as dt
import re

from api.process.project_view import project_view
from api.schemas import as_china_time
from api.security import Principal
from tests.service import auth, client_fixture
from tests.web import signed_in

client = client_fixture()

PID = "JM-2026-002"


def _connection_limits(page: str) -> list[str]:
    return re.findall(r"接入时限：([^<（]*)", page)


def test_the_issued_sheet_page_and_ledger_agree_on_the_connection_limit(client):
    r = client.post(f"/projects/{PID}/assessment", headers=auth("intake"))
    assert r.status_code == 201 and r.json()["approval_path"] == "joint"
    w = signed_in(client, "intake")
    draft = w.get(f"/ui/projects/{PID}/documents/sheet.html").text
    planned = _connection_limits(draft)
    assert len(planned) == 1
    for dept in ("planning", "urban", "approval"):
        res = client.post(
            f"/projects/{PID}/opinions/{dept}", headers=auth(dept), json={"decision": "agree", "text": "同意"}
        )
        assert res.status_code == 200, res.text
    approval = client.get(f"/projects/{PID}/approval", headers=auth("survey")).json()
    issued_at = dt.datetime.fromisoformat(approval["final_sheet"]["issued_at"])
    # the ledger: 接入完成 is open, due 0.5 working day after the approval
    ledger = client.get("/ledger", params={"all": "true"}, headers=auth("survey")).json()
    entries = [e for items in ledger.values() for e in items if e["project_id"] == PID]
    assert {e["step"] for e in entries} == {"connected"}
    due = as_china_time(dt.datetime.fromisoformat(entries[0]["deadline"])).replace(tzinfo=None)
    assert due > issued_at
    # the project page says the same
    view = project_view(client.app.state.linkplan, Principal("intake", "intake"), PID)
    (open_step,) = [s for s in view.timeline if s.is_open]
    assert open_step.step == "connected" and open_step.deadline == due
    # and so does the issued sheet (no longer the plan's 受理 + 5.5 working days)
    sheet = w.get(f"/ui/projects/{PID}/documents/sheet.html").text
    zh = f"{due.year}年{due.month}月{due.day}日{due:%H:%M}前"
    assert _connection_limits(sheet) == [zh]
    assert planned != [zh]
