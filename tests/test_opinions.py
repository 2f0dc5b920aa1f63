"""The departments' opinions close the loop (issue 15 item 5): sign, return, 统一出件, numbers.

Through the JSON API on both backends: a department signs only its own opinion; the three
opinions of a joint project issue its sheet (number, 签批时间 on the 附件3 PDF); a 退回补正
stops the issuance until the department signs again; a commitment project is finished when it
is assessed; two sheets issued at the same moment get different numbers.
"""

from __future__ import annotations

import re
import threading

from sqlalchemy import select

from api.process.assessment import run_assessment
from api.process.opinions import finish_commitment, opinions_of
from api.security import Principal
from gis.storage.models import AuditEntry, ProjectRecord
from tests.pdf import pdf_text, zh_minute
from tests.service import auth, client_fixture

client = client_fixture()

NUMBER = re.compile(r"荆联审〔(\d{4})〕(\d{4})号")


def _assess(client, pid: str) -> dict:
    r = client.post(f"/projects/{pid}/assessment", headers=auth("intake"))
    assert r.status_code == 201, r.text
    return r.json()


def _sign(client, pid: str, department: str, who: str | None = None, **body: str):
    return client.post(
        f"/projects/{pid}/opinions/{department}", headers=auth(who or department), json=body
    )


def _approval(client, pid: str) -> dict:
    r = client.get(f"/projects/{pid}/approval", headers=auth("survey"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_department_cannot_sign_another_departments_opinion(client):
    pid = "JM-2026-011"  # joint
    _assess(client, pid)
    for who, department in (("urban", "planning"), ("planning", "approval"), ("approval", "urban")):
        r = _sign(client, pid, department, who, decision="agree", text="同意")
        assert r.status_code == 403, (who, department, r.text)
        assert r.json()["detail"].startswith("只有市"), r.text
    r = _sign(client, pid, "urban", "intake", decision="agree", text="同意")
    assert r.status_code == 403, r.text  # not a department at all: the role matrix
    assert _approval(client, pid)["given"] == []


def test_a_joint_project_is_issued_when_its_three_opinions_agree(client):
    pid = "JM-2026-002"  # joint (exactly 300 m)
    _assess(client, pid)
    state = _approval(client, pid)
    assert (state["state"], state["waiting"]) == ("waiting", ["planning", "urban", "approval"])
    assert _sign(client, pid, "planning", decision="agree", text="同意规划路由。").status_code == 200
    r = _sign(client, pid, "urban", decision="附条件同意", text="同意开挖人行道。", conditions="夜间施工，完工恢复")
    assert r.json()["state"] == "waiting" and r.json()["final_sheet"] is None
    r = _sign(client, pid, "approval", decision="agree", text="同意联合审批。")
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "complete" and done["waiting"] == []
    sheet = done["final_sheet"]
    assert NUMBER.fullmatch(sheet["number"]), sheet
    assert sheet["by"] == "approval" and sheet["path"] == "joint"
    project = client.get(f"/projects/{pid}", headers=auth("survey")).json()
    assert project["time_nodes"]["approved"].startswith(sheet["issued_at"])
    assert done["opinions"]["urban"]["conditions"] == "夜间施工，完工恢复"
    # 附件3: every signed opinion with its 签批时间, the number, the time of issue
    pdf = client.get(
        f"/projects/{pid}/documents/approval_sheet", params={"format": "pdf"}, headers=auth("survey")
    )
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content, squeeze=True)
    for department in ("planning", "urban", "approval"):
        signed_at = zh_minute(done["opinions"][department]["at"])
        assert f"签批时间：{signed_at}" in text, (department, signed_at)
    assert text.count("签批时间：年月日") == 0  # no blank signature line left
    assert sheet["number"] in text and "同意规划路由。" in text and "附加条件：夜间施工，完工恢复" in text
    # the sheet is issued: opinions are final
    r = _sign(client, pid, "planning", decision="return", text="退回", reasons="补充材料")
    assert r.status_code == 409, r.text
    assert sheet["number"] in r.json()["detail"]


def test_a_return_for_correction_stops_issuance_until_signed_again(client):
    pid = "JM-2026-003"  # joint (450 m)
    _assess(client, pid)
    _sign(client, pid, "planning", decision="agree", text="同意。")
    missing = _sign(client, pid, "urban", decision="return", text="")
    assert missing.status_code == 422
    assert {p["field"] for p in missing.json()["problems"]} == {"text", "reasons"}
    r = _sign(client, pid, "urban", decision="return", text="退回补正。", reasons="缺少施工组织方案")
    assert r.status_code == 200, r.text
    r = _sign(client, pid, "approval", decision="agree", text="同意。")
    assert (r.json()["state"], r.json()["returned_by"]) == ("returned", ["urban"])
    assert r.json()["final_sheet"] is None
    assert "退回补正" in r.json()["state_label"]
    # the department replaces its opinion: the sheet is issued, both signatures audited
    r = _sign(client, pid, "urban", decision="agree", text="同意开挖。")
    assert r.json()["state"] == "complete" and NUMBER.fullmatch(r.json()["final_sheet"]["number"])
    with client.app.state.linkplan.store.session() as s:
        entries = list(
            s.scalars(select(AuditEntry).where(AuditEntry.target == pid, AuditEntry.action == "sign_opinion"))
        )
    urban = [e.detail for e in entries if e.detail["department"] == "urban"]
    assert [d["decision"] for d in urban] == ["return", "agree"]
    assert urban[1]["replaced"]["reasons"] == "缺少施工组织方案"


def test_a_commitment_project_is_finished_when_assessed(client):
    pid = "JM-2026-009"  # commitment (power)
    assert _assess(client, pid)["approval_path"] == "commitment"
    state = _approval(client, pid)
    assert state["state"] == "immediate" and state["required"] == []
    sheet = state["final_sheet"]
    assert NUMBER.fullmatch(sheet["number"]) and sheet["path"] == "commitment"
    assert "供电企业年度承诺" in sheet["basis"] and "四(二)1" in sheet["basis"]
    again = _assess(client, pid)  # assessing again issues no second number
    assert again["approval_path"] == "commitment"
    assert _approval(client, pid)["final_sheet"] == sheet
    pdf = client.get(
        f"/projects/{pid}/documents/approval_sheet", params={"format": "pdf"}, headers=auth("survey")
    )
    text = pdf_text(pdf.content, squeeze=True)
    assert sheet["number"] in text and "供电企业年度承诺" in text


def test_the_old_planning_opinion_is_read_and_kept(client):
    pid = "JM-2026-004"
    store = client.app.state.linkplan.store
    with store.write() as s:
        r = s.get(ProjectRecord, pid)
        r.opinions = {"市自然资源和规划局": {"text": "旧的规划意见", "by": "planning", "at": "2026-03-02T10:11:12"}}
    state = _approval(client, pid)
    assert state["given"] == ["planning"]
    assert state["opinions"]["planning"]["text"] == "旧的规划意见"
    # the planning-opinion route signs planning's 同意, stored under the department's value
    r = client.post(f"/projects/{pid}/planning-opinion", headers=auth("planning"), json={"text": "新的规划意见"})
    assert r.status_code == 200, r.text
    assert set(r.json()["opinions"]) == {"planning"}
    assert r.json()["opinions"]["planning"]["decision"] == "agree"
    assert r.json()["opinions"]["planning"]["text"] == "新的规划意见"


def test_sheet_numbers_are_unique_when_issued_at_the_same_moment(client):
    state = client.app.state.linkplan
    pids = ["JM-2026-010", "JM-2026-012", "JM-2026-015"]  # commitment
    for pid in pids:
        assert run_assessment(state, pid).approval_path == "commitment"  # not finished yet
    barrier = threading.Barrier(len(pids))
    numbers: dict[str, str] = {}
    errors: list[BaseException] = []

    def issue(pid: str) -> None:
        try:
            barrier.wait()
            numbers[pid] = finish_commitment(state, pid, Principal("intake", "intake")).number
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(pid,)) for pid in pids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with state.store.session() as s:
        issued = [sheet["number"] for sheet in s.scalars(select(ProjectRecord.final_sheet)) if sheet]
    assert len(issued) == len(set(issued)), issued
    seqs = sorted(int(NUMBER.fullmatch(n).group(2)) for n in issued)
    assert seqs == list(range(1, len(issued) + 1))
    assert set(numbers.values()) <= set(issued) and len(set(numbers.values())) == len(pids)


def test_opinions_of_reads_the_old_key_only_when_no_new_one():
    raw = {
        "市自然资源和规划局": {"text": "旧", "by": "p", "at": "2026-01-01T09:00:00"},
        "planning": {"decision": "return", "text": "新", "reasons": "缺", "at": "2026-01-02T09:00"},
    }
    assert opinions_of(raw)["planning"].text == "新"
    assert opinions_of(raw)["planning"].reasons == "缺"
