"""Recording a time node (review F2 item 1): 审批办结 of a joint project only by 统一出件, and
node times between the 受理时间 and now (both backends; the JSON API and the page alike)."""

from __future__ import annotations

import datetime as dt

import pytest

import api.process.nodes as nodes
from gis.storage.models import ProjectRecord
from tests.service import auth, client_fixture
from tests.web import csrf_of, signed_in

client = client_fixture()

NOW = dt.datetime(2026, 12, 8, 10, 0)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr(nodes, "china_now", lambda: NOW)
    return NOW


def _nodes(client, pid: str) -> dict[str, str]:
    with client.app.state.linkplan.store.session() as s:
        return dict(s.get(ProjectRecord, pid).time_nodes or {})


def _accept(client, pid: str, at: str) -> None:
    r = client.post(f"/projects/{pid}/nodes/form_complete", headers=auth("intake"), json={"at": at})
    assert r.status_code == 200, r.text


def test_approval_of_a_joint_project_is_not_recorded_by_hand(client, frozen):
    r = client.post("/projects/JM-2026-002/assessment", headers=auth("intake"))
    assert r.status_code == 201 and r.json()["approval_path"] == "joint"
    before = _nodes(client, "JM-2026-002")
    for who in ("intake", "admin"):
        r = client.post("/projects/JM-2026-002/nodes/approved", headers=auth(who), json={})
        assert r.status_code == 409, r.text
        assert "联合审批" in r.text and "统一出件" in r.text
    assert "approved" not in _nodes(client, "JM-2026-002") and _nodes(client, "JM-2026-002") == before
    # the page does not offer it, and posting the form anyway is refused the same way
    w = signed_in(client, "intake")
    page = w.get("/ui/projects/JM-2026-002").text
    assert 'action="/ui/projects/JM-2026-002/nodes/approved"' not in page
    assert 'action="/ui/projects/JM-2026-002/nodes/surveyed"' in page
    token = csrf_of(w, "/ui/projects/JM-2026-002")
    r = w.post("/ui/projects/JM-2026-002/nodes/approved", data={"csrf_token": token, "at": ""})
    assert r.status_code == 409 and "统一出件" in r.text
    assert "approved" not in _nodes(client, "JM-2026-002")


def test_a_node_before_the_acceptance_or_in_the_future_is_refused(client, frozen):
    _accept(client, "JM-2026-007", "2026-12-01T09:00")
    for at in ("2020-01-01T00:00", "2026-12-09T09:00"):
        r = client.post("/projects/JM-2026-007/nodes/surveyed", headers=auth("survey"), json={"at": at})
        assert r.status_code == 422, r.text
        text = r.text
        assert "踏勘" in text and at.replace("T", " ") in text
        assert "受理时间 2026-12-01 09:00" in text and "2026-12-08 10:00" in text
    assert "surveyed" not in _nodes(client, "JM-2026-007")
    # in range: stored; 登记 may be before the acceptance, not in the future
    ok = client.post(
        "/projects/JM-2026-007/nodes/surveyed", headers=auth("survey"), json={"at": "2026-12-02T15:00"}
    )
    assert ok.status_code == 200, ok.text
    early = client.post(
        "/projects/JM-2026-007/nodes/registered",
        headers=auth("investment"),
        json={"at": "2026-11-20T09:00"},
    )
    assert early.status_code == 200, early.text
    late = client.post(
        "/projects/JM-2026-007/nodes/registered",
        headers=auth("investment"),
        json={"at": "2026-12-08T10:01"},
    )
    assert late.status_code == 422 and "登记" in late.text
    stored = _nodes(client, "JM-2026-007")
    assert stored["surveyed"] == "2026-12-02T15:00:00"
    assert stored["registered"] == "2026-11-20T09:00:00"


def test_the_page_names_the_step_the_time_and_the_range(client, frozen):
    _accept(client, "JM-2026-008", "2026-12-01T09:00")
    w = signed_in(client, "survey")
    token = csrf_of(w, "/ui/projects/JM-2026-008")
    r = w.post(
        "/ui/projects/JM-2026-008/nodes/surveyed",
        data={"csrf_token": token, "at": "2020-01-01T00:00"},
    )
    assert r.status_code == 422
    assert "「踏勘」的时间 2020-01-01 00:00 超出允许范围" in r.text
    assert "受理时间 2026-12-01 09:00 至当前时间 2026-12-08 10:00" in r.text
    assert "surveyed" not in _nodes(client, "JM-2026-008")
