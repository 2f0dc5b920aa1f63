"""The project page (issue 15 item 4): timeline and deadlines, decisions, documents, actions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.process.project_view import project_view
from api.schemas import as_china_time
from api.security import Principal
from gis.storage.models import AuditEntry, ProjectRecord
from tests.browser import browser, open_offline
from tests.service import auth, client_fixture
from tests.web import csrf_of, live_server, signed_in

client = client_fixture()

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "project-page.png"


def _state(client: TestClient):
    return client.app.state.linkplan


def _assess(client: TestClient, pid: str) -> str:
    r = client.post(f"/projects/{pid}/assessment", headers=auth("intake"))
    assert r.status_code == 201, r.text
    return str(r.json()["approval_path"])


def _record(w: TestClient, pid: str, step: str, at: str = "") -> object:
    token = csrf_of(w, f"/ui/projects/{pid}")
    return w.post(
        f"/ui/projects/{pid}/nodes/{step}",
        data={"csrf_token": token, "at": at},
        follow_redirects=False,
    )


def _step_block(page: str, step: str) -> str:
    found = re.search(rf'<li class="step ([^"]*)" data-step="{step}">(.*?)</li>', page, re.S)
    assert found, f"no step {step} on the page"
    return found.group(1) + " " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2)))


def test_the_timeline_deadlines_are_the_ledgers(client):
    assert _assess(client, "JM-2026-002") == "joint"
    ledger = client.get("/ledger", params={"all": "true"}, headers=auth("survey")).json()
    entries = [e for items in ledger.values() for e in items if e["project_id"] == "JM-2026-002"]
    assert {e["step"] for e in entries} == {"submitted"}
    deadline = as_china_time(dt.datetime.fromisoformat(entries[0]["deadline"])).replace(tzinfo=None)
    view = project_view(_state(client), Principal("survey", "survey"), "JM-2026-002")
    (open_step,) = [s for s in view.timeline if s.is_open]
    assert open_step.step == "submitted" and open_step.deadline == deadline
    assert set(open_step.departments) == {e["department"] for e in entries}
    # the 2 working days of the joint path, the 3 of its approval after the submission deadline
    assert [s.step for s in view.timeline if s.deadline is not None] == [
        "assessed",
        "surveyed",
        "submitted",
        "approved",
    ]
    page = signed_in(client, "survey").get("/ui/projects/JM-2026-002").text
    block = _step_block(page, "submitted")
    assert "open" in block and f"时限：{deadline:%Y-%m-%d %H:%M}" in block
    assert entries[0]["department"] in block and "剩余" in block
    # the decision with its reasons and lengths (lead-in + along the road = from the red line)
    assert "外线长度 304.5 m = 红线引入段 4.5 m + 沿道路 300.0 m" in page
    assert "四(二)2 超 300 米实行联合审批" in page
    assert "联合审批（2+3 个工作日）" in page


def test_amber_and_red_from_an_old_acceptance(client):
    assert _assess(client, "JM-2026-003") == "joint"
    w = signed_in(client, "intake")
    # accepted Monday 2026-11-30 09:00, assessed at 10:00: the utility submits within 2 whole
    # working days after the day of acceptance (Tuesday, Wednesday), by Wednesday 18:00. Office
    # hours 8:30-12:00 and 14:30-18:00: allowed Monday 6.5 h + Tuesday 7 h + Wednesday 7 h = 20.5 h
    assert _record(w, "JM-2026-003", "form_complete", "2026-11-30T09:00").status_code == 303
    assert _record(w, "JM-2026-003", "assessed", "2026-11-30T10:00").status_code == 303
    state, who = _state(client), Principal("intake", "intake")

    def submitted(now: dt.datetime):
        view = project_view(state, who, "JM-2026-003", now=now)
        (step,) = [s for s in view.timeline if s.is_open]
        assert step.step == "submitted"
        assert step.deadline == dt.datetime(2026, 12, 2, 18, 0)
        return step

    # Tuesday 12:00: 6.5 + 3.5 = 10 of 20.5 office hours (49 %): on time
    early = submitted(dt.datetime(2026, 12, 1, 12, 0))
    assert (early.state, early.badge) == ("on_time", "ok")
    assert early.countdown == "剩余 1 个工作日 3.5 个工作小时"  # the ledger's words (7 h a day)
    # Wednesday 10:00: 6.5 + 7 + 1.5 = 15 of 20.5 (73 %, below 75 %): still on time
    assert submitted(dt.datetime(2026, 12, 2, 10, 0)).state == "on_time"
    # Wednesday 11:00: 16 of 20.5 (78 % ≥ 75 %): amber
    amber = submitted(dt.datetime(2026, 12, 2, 11, 0))
    assert (amber.state, amber.state_label, amber.badge) == ("approaching", "临近时限", "warn")
    assert amber.countdown == "剩余 4.5 个工作小时"
    # Thursday 10:00: 1.5 office hours (8:30-10:00) past the deadline: red
    red = submitted(dt.datetime(2026, 12, 3, 10, 0))
    assert (red.state, red.state_label, red.badge) == ("overdue", "已逾期", "overdue")
    assert red.countdown == "已逾期 1.5 个工作小时"
    # the page counts on today's clock: long overdue, in red
    block = _step_block(w.get("/ui/projects/JM-2026-003").text, "submitted")
    assert "state-overdue" in block and "已逾期" in block and "时限：2026-12-02 18:00" in block


def test_recording_a_node_in_the_form_changes_the_page_and_is_audited(client):
    accepted = {"at": "2026-12-07T14:00"}  # a node is not recorded before the 受理时间
    res = client.post("/projects/JM-2026-005/nodes/form_complete", headers=auth("intake"), json=accepted)
    assert res.status_code == 200, res.text
    w = signed_in(client, "survey")
    before = w.get("/ui/projects/JM-2026-005").text
    assert "完成：" not in _step_block(before, "surveyed")
    assert 'action="/ui/projects/JM-2026-005/nodes/surveyed"' in before
    assert 'action="/ui/projects/JM-2026-005/nodes/submitted"' not in before  # the utility's
    r = _record(w, "JM-2026-005", "surveyed", "2026-12-07T15:10")
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/projects/JM-2026-005?recorded=surveyed#timeline"
    after = w.get(r.headers["location"]).text
    assert "已记录时间节点「踏勘」" in after
    block = _step_block(after, "surveyed")
    assert "完成：2026-12-07 15:10" in block and "已完成" in block
    audit = re.search(r'<table class="list audit">(.*?)</table>', after, re.S)
    assert audit and "记录时间节点" in audit.group(1) and "踏勘 2026-12-07 15:10" in audit.group(1)
    with _state(client).store.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.target == "JM-2026-005",
                AuditEntry.action == "record_node",
                AuditEntry.user == "survey",
            )
        ).one()
        assert entry.user == "survey" and entry.detail == {
            "step": "surveyed",
            "at": "2026-12-07T15:10:00",
        }
        assert s.get(ProjectRecord, "JM-2026-005").time_nodes["surveyed"] == "2026-12-07T15:10:00"


def test_a_node_form_without_its_csrf_token_is_refused(client):
    w = signed_in(client, "intake")
    r = w.post(
        "/ui/projects/JM-2026-006/nodes/assessed",
        data={"at": "2026-12-07T10:00"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "CSRF" in r.text
    with _state(client).store.session() as s:
        assert "assessed" not in (s.get(ProjectRecord, "JM-2026-006").time_nodes or {})
    # and a step another department answers for is refused even with the token
    r = _record(w, "JM-2026-006", "submitted", "2026-12-07T10:00")
    assert r.status_code == 403


def test_an_applicant_sees_only_its_own_project(client):
    a = signed_in(client, "applicant")
    for url in (
        "/ui/projects/JM-2026-002",
        "/ui/projects/JM-2026-002/map",
        "/ui/projects/JM-2026-002/documents/form.html",
        "/ui/projects/JM-2026-002/documents/sheet.pdf",
    ):
        r = a.get(url)
        assert r.status_code == 404, url
        assert "赵丽华" not in r.text  # nothing of the other project
    own = a.get("/ui/projects/JM-2026-001")
    assert own.status_code == 200 and "荆门精工机械零部件项目" in own.text
    assert "nodes/" not in own.text  # it records no time node
    assert a.get("/ui/projects/JM-2026-001/map").status_code == 200


def test_personal_data_are_masked_for_roles_that_do_not_need_them(client):
    phone = client.get("/projects/JM-2026-002", headers=auth("intake")).json()["intake"]["phone"]
    masked = phone[:3] + "****" + phone[-4:]
    assert phone in signed_in(client, "intake").get("/ui/projects/JM-2026-002").text
    planning = signed_in(client, "planning")
    page = planning.get("/ui/projects/JM-2026-002").text
    assert phone not in page and masked in page
    form = planning.get("/ui/projects/JM-2026-002/documents/form.html").text
    assert phone not in form and masked in form


def test_a_project_not_assessed_offers_assessment_to_who_may_assess(client):
    planning = signed_in(client, "planning").get("/ui/projects/JM-2026-004").text
    assert "该项目尚未研判" in planning
    assert 'action="/ui/projects/JM-2026-004/assessment"' not in planning
    w = signed_in(client, "intake")
    page = w.get("/ui/projects/JM-2026-004").text
    assert "该项目尚未研判" in page and 'action="/ui/projects/JM-2026-004/assessment"' in page
    token = csrf_of(w, "/ui/projects/JM-2026-004")
    r = w.post(
        "/ui/projects/JM-2026-004/assessment", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    page = w.get(r.headers["location"]).text
    assert "研判完成" in page and "该项目尚未研判" not in page
    assert "联合审批（2+3 个工作日）" in page and 'data-utility="water"' in page
    # 自然资源和规划局 does not assess (ASSESSED_NODE_ROLES)
    p = signed_in(client, "planning")
    r = p.post(
        "/ui/projects/JM-2026-004/assessment",
        data={"csrf_token": csrf_of(p, "/ui/projects/JM-2026-004")},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_the_route_alternative_is_shown(client):
    _assess(client, "JM-2026-008")
    page = signed_in(client, "gas").get("/ui/projects/JM-2026-008").text
    gas = re.search(r'data-utility="gas">(.*?)</article>', page, re.S)
    assert gas and "备选路由（最短）" in gas.group(1) and "未采用原因" in gas.group(1)


def test_the_pdf_link_answers_a_pdf(client, tmp_path):
    _assess(client, "JM-2026-007")
    w = signed_in(client, "approval")
    page = w.get("/ui/projects/JM-2026-007").text
    assert 'href="/ui/projects/JM-2026-007/documents/sheet.pdf"' in page
    r = w.get("/ui/projects/JM-2026-007/documents/sheet.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(r.content)
    pdf = pdfium.PdfDocument(path)
    text = pdf[0].get_textpage().get_text_range()
    assert len(pdf) >= 1 and "综合审批意见单" in text and "2026-12" in text
    html = w.get("/ui/projects/JM-2026-007/documents/opinion.html")
    assert html.status_code == 200 and "规划意见" in html.text
    assert w.get("/ui/projects/JM-2026-007/documents/other.html").status_code in (404, 422)


@pytest.mark.browser
def test_the_project_page_in_chromium(client):
    _assess(client, "JM-2026-011")
    w = signed_in(client, "planning")
    cookie = w.cookies["linkplan_session"]
    with live_server(client.app) as base, browser() as b:
        for width in (375, 1280):
            visit = open_offline(b, f"{base}/ui/login", local=base)
            page = visit.page
            page.context.add_cookies([{"name": "linkplan_session", "value": cookie, "url": base}])
            page.set_viewport_size({"width": width, "height": 1000})
            page.goto(f"{base}/ui/projects/JM-2026-011")
            page.wait_for_load_state("networkidle")
            assert page.inner_text("h1").startswith("JM-2026-011")
            steps = page.locator("ol.timeline > li")
            assert steps.count() == 8 and "研判" in steps.nth(2).inner_text()
            assert "联合审批" in page.inner_text(".decisions")
            assert "外线长度" in page.inner_text(".decisions")
            frame = page.frame_locator("#project-map")
            frame.locator(".leaflet-overlay-pane path").first.wait_for(state="attached")
            inner = next(f for f in page.frames if f.url.endswith("/ui/projects/JM-2026-011/map"))
            drawn = inner.evaluate(
                "() => ({map: !!Object.values(window).find(v => v instanceof L.Map),"
                " paths: document.querySelectorAll('.leaflet-overlay-pane path').length})"
            )
            assert drawn["map"] and drawn["paths"] > 0
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if width == 375:  # the timeline stacks: one step under the other
                boxes = [steps.nth(i).bounding_box() for i in range(2)]
                assert boxes[1]["y"] > boxes[0]["y"] and boxes[1]["x"] == boxes[0]["x"]
            else:
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT))
            assert visit.errors == [] and visit.blocked == []
            page.close()
    assert SCREENSHOT.stat().st_size > 10_000
