"""The project page's 操作记录 (review F2 item 5): every action labelled in Chinese, a Chinese
内容 summary of its detail, people's names instead of login names, and 研判 audited (both backends)."""

from __future__ import annotations

import re

from sqlalchemy import select

from api.process.project_view import audit_trail
from api.seed import DEV_DISPLAY_NAMES
from gis.storage.models import AuditEntry
from tests.service import auth, client_fixture
from tests.web import csrf_of, signed_in

client = client_fixture()

PID = "JM-2026-012"


def test_the_audit_trail_reads_in_chinese_with_peoples_names(client):
    state = client.app.state.linkplan
    # 研判 from the page leaves an entry
    w = signed_in(client, "intake")
    token = csrf_of(w, f"/ui/projects/{PID}")
    r = w.post(f"/ui/projects/{PID}/assessment", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with state.store.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.target == PID, AuditEntry.action == "assess_project")
        ).one()
        path = entry.detail["path"]
        assert entry.user == "intake" and path in ("commitment", "joint")
    if path == "joint":  # the departments sign; the last one issues the sheet
        for dept in ("planning", "urban", "approval"):
            res = client.post(
                f"/projects/{PID}/opinions/{dept}",
                headers=auth(dept),
                json={"decision": "agree", "text": "同意"},
            )
            assert res.status_code == 200, res.text
    rows = audit_trail(state, PID)
    by_action = {row.action: row for row in reversed(rows)}
    assert "其他操作" not in by_action
    assessed = by_action["研判"]
    assert assessed.user == DEV_DISPLAY_NAMES["intake"] == "一窗受理 李受理"
    assert assessed.detail.startswith("审批路径：") and "核查日" in assessed.detail
    issued = by_action["统一出件"]
    assert re.fullmatch(r"编号 荆联审〔\d{4}〕\d{4}号，(告知承诺制|联合审批)", issued.detail)
    if path == "joint":
        signed = [row for row in rows if row.action == "出具部门意见"]
        assert {row.detail for row in signed} == {
            "市自然资源和规划局：同意",
            "市城管委：同意",
            "市行政审批局：同意",
        }
        assert {row.user for row in signed} == {DEV_DISPLAY_NAMES[d] for d in ("planning", "urban", "approval")}
    # the page shows them: no empty 内容, no login names
    page = w.get(f"/ui/projects/{PID}").text
    table = re.search(r'<table class="list audit">(.*?)</table>', page, re.S)
    assert table and "一窗受理 李受理" in table.group(1) and "审批路径：" in table.group(1)
    assert "其他操作" not in table.group(1) and ">intake<" not in table.group(1)


def test_window_actions_have_labels_and_summaries(client):
    """The window's entries (as applications.py writes them) read in Chinese."""
    state = client.app.state.linkplan
    with state.store.write() as s:
        s.add(AuditEntry(user="applicant", action="submit_application", target="X-1", detail={}))
        s.add(
            AuditEntry(
                user="intake",
                action="accept_application",
                target="X-1",
                detail={"missing_items": ["营业执照", "用地证明"]},
            )
        )
    rows = {row.action: row for row in audit_trail(state, "X-1")}
    assert rows["提交申请"].detail == "申请人网上提交"
    assert rows["窗口受理"].detail == "容缺受理，待补正：营业执照、用地证明"
    assert rows["窗口受理"].user == DEV_DISPLAY_NAMES["intake"]
