"""The e-ledger dashboard service (api.process.dashboard) against GET /ledger, on both backends."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections import Counter

import pytest
from openpyxl import load_workbook

from api.process.dashboard import (
    ALERT,
    XLSX_HEADERS,
    DashboardFilter,
    dashboard,
    dashboard_rows,
    export_xlsx,
)
from gis.errors import ValidationError
from tests.service import auth, client_fixture

client = client_fixture()

# JM-2026-004 accepted Sun 2025-09-28 10:00 (a 调休 working day), joint: submission due 09-30 18:00
ACCEPTED = "2025-09-28T10:00:00"
APPROACHING = dt.datetime(2025, 9, 30, 16, 30)  # 18 of 19.5 office hours used
OVERDUE = dt.datetime(2025, 10, 9, 9, 0)  # after the National Day holidays, 0.5 h late


@pytest.fixture(scope="module")
def state(client):
    """The service state, with JM-2026-004 accepted in 2025 and assessed (joint path)."""
    res = client.post(
        "/projects/JM-2026-004/nodes/form_complete",
        headers=auth("intake"),
        json={"at": ACCEPTED},
    )
    assert res.status_code == 200, res.text
    res = client.post("/projects/JM-2026-004/assessment", headers=auth("survey"))
    assert res.status_code == 201, res.text
    assert res.json()["approval_path"] == "joint"
    return client.app.state.linkplan


def _api(client, now: dt.datetime, **params: str) -> list[dict]:
    res = client.get("/ledger", params={"now": now.isoformat(), **params}, headers=auth("survey"))
    assert res.status_code == 200, res.text
    return [e for items in res.json().values() for e in items]


def _by_status(entries) -> dict[str, int]:
    return {k: v for k, v in Counter(entries).items() if v}


@pytest.mark.parametrize("now", [APPROACHING, OVERDUE, dt.datetime(2026, 12, 31, 17, 0)])
def test_counts_equal_get_ledger(client, state, now):
    api = _api(client, now, all="true")
    board = dashboard(state, DashboardFilter(), now=now)
    assert _by_status(e["status"] for e in api) == {k: v for k, v in board.counts.items() if v}
    assert board.total == len(api) == sum(board.counts.values())
    per_dept = {d.department: d.total for d in board.departments}
    assert per_dept == Counter(e["department"] for e in api)
    # the warnings GET /ledger lists by default are the dashboard's 预警 rows, same entries
    warned = _api(client, now)
    rows = dashboard_rows(state, DashboardFilter(status=ALERT), now=now)
    assert sorted((e["project_id"], e["department"]) for e in warned) == sorted(
        (r.entry.project_id, r.entry.department) for r in rows
    )


def test_counts_equal_get_ledger_for_a_filter(client, state):
    dept = "市行政审批局"
    api = _api(client, OVERDUE, all="true", department=dept)
    board = dashboard(state, DashboardFilter(department=dept), now=OVERDUE)
    assert api, "the filter must keep some entries"
    assert _by_status(e["status"] for e in api) == {k: v for k, v in board.counts.items() if v}
    assert [d.department for d in board.departments] == [dept]
    # utility and path: GET /ledger has no such filter; filter its answer by the projects' forms
    forms = {
        p["project_id"]: p["intake"] for p in client.get("/projects", headers=auth("survey")).json()
    }
    utility = forms["JM-2026-004"]["utilities"][-1]
    asking = {pid for pid, form in forms.items() if utility in form.get("utilities", [])}
    every = _api(client, OVERDUE, all="true")
    for path in (None, "joint"):
        want = [
            e for e in every if e["project_id"] in asking and (path is None or e["path"] == path)
        ]
        board = dashboard(state, DashboardFilter(utility=utility, path=path), now=OVERDUE)
        assert want and board.total == len(want) < len(every)
        assert _by_status(e["status"] for e in want) == {k: v for k, v in board.counts.items() if v}


def test_warnings_first_with_count_down(state):
    rows = dashboard_rows(state, DashboardFilter(), now=APPROACHING)
    mine = [r for r in rows if r.entry.project_id == "JM-2026-004"]
    assert mine and {r.entry.status for r in mine} == {"approaching"}
    # 1.5 office hours left of a 7-hour working day, in the words of the project page
    assert {(r.tone, r.countdown, r.status_label) for r in mine} == {
        ("amber", "剩余 1.5 个工作小时", "临近时限")
    }
    rank = ["error", "overdue", "approaching", "on_time", "untimed", "done"]
    assert [rank.index(r.entry.status) for r in rows] == sorted(
        rank.index(r.entry.status) for r in rows
    )
    late = dashboard_rows(state, DashboardFilter(status="overdue"), now=OVERDUE)
    mine = [r for r in late if r.entry.project_id == "JM-2026-004"]
    assert {(r.tone, r.countdown) for r in mine} == {("red", "已逾期 0.5 个工作小时")}
    assert {r.entry.status for r in late} == {"overdue"}


def test_the_project_page_counts_down_in_the_ledgers_words(state):
    from api.process.project_view import project_view
    from api.security import Principal

    for now, words in ((APPROACHING, "剩余 1.5 个工作小时"), (OVERDUE, "已逾期 0.5 个工作小时")):
        rows = [r for r in dashboard_rows(state, DashboardFilter(), now=now) if r.entry.project_id == "JM-2026-004"]
        view = project_view(state, Principal("admin", "admin"), "JM-2026-004", now=now)
        (open_step,) = [s for s in view.timeline if s.is_open]
        assert {r.countdown for r in rows} == {open_step.countdown} == {words}


def test_pages_cut_the_same_rows(state):
    every = dashboard_rows(state, DashboardFilter(), now=OVERDUE)
    assert len(every) > 5
    first = dashboard(state, DashboardFilter(per_page=5), now=OVERDUE)
    second = dashboard(state, DashboardFilter(per_page=5, page=2), now=OVERDUE)
    assert first.pages == -(-len(every) // 5)
    assert [r.entry for r in first.rows + second.rows] == [r.entry for r in every[:10]]


def test_every_wrong_filter_named_at_once(state):
    with pytest.raises(ValidationError) as err:
        dashboard(state, DashboardFilter(department="市教育局", status="late", page=0))
    fields = [p.field for p in err.value.problems]
    assert fields == ["department", "status", "page"]
    assert "市行政审批局" in err.value.problems[0].message_zh
    assert "临近时限" in err.value.problems[1].message_zh


def test_xlsx_has_the_same_rows(state):
    rows = dashboard_rows(state, DashboardFilter(status=ALERT), now=OVERDUE)
    data = export_xlsx(rows, now=OVERDUE)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0].startswith("电子台账（计算时刻 2025-10-09 09:00")
    assert values[1] == XLSX_HEADERS
    body = values[2:]
    assert len(body) == len(rows) > 0
    for got, row in zip(body, rows, strict=True):
        e = row.entry
        assert got[:7] == (
            e.project_id,
            e.name,
            e.department,
            row.utilities_label,
            row.path_label,
            e.step_label,
            row.status_label,
        )
        assert got[8] == e.deadline and got[10] == row.countdown and got[11] == e.message
    red = [i for i, r in enumerate(rows) if r.tone == "red"]
    assert red and sheet.cell(row=3 + red[0], column=1).fill.fgColor.rgb.endswith("F8D7DA")


def test_on_the_clock_the_last_minute_answers_while_the_next_is_computed(
    client, state, monkeypatch
):
    from api.process import dashboard as board_module
    from api.process import nodes as nodes_module

    t = dt.datetime(2026, 12, 31, 17, 0)
    monkeypatch.setattr(nodes_module, "china_now", lambda: t)  # a node is never in the future
    monkeypatch.setattr(board_module, "_clock", lambda: t)
    assert dashboard(state, DashboardFilter()).now == t
    monkeypatch.setattr(board_module, "_clock", lambda: t + dt.timedelta(minutes=1))
    assert dashboard(state, DashboardFilter()).now == t  # the last minute's, one computed aside
    for _ in range(600):
        if dashboard(state, DashboardFilter()).now == t + dt.timedelta(minutes=1):
            break
        time.sleep(0.05)
    assert dashboard(state, DashboardFilter()).now == t + dt.timedelta(minutes=1)
    # a change of the data is never answered from the kept ledger
    before = [
        r for r in dashboard_rows(state, DashboardFilter()) if r.entry.project_id == "JM-2026-002"
    ]
    assert {r.entry.step for r in before} == {"assessed"}
    res = client.post(
        "/projects/JM-2026-002/nodes/assessed",
        headers=auth("admin"),
        json={"at": "2026-12-31T16:00:00"},
    )
    assert res.status_code == 200, res.text
    monkeypatch.setattr(board_module, "_clock", lambda: t + dt.timedelta(minutes=2))
    board = dashboard(state, DashboardFilter())
    assert board.now == t + dt.timedelta(minutes=2)
    after = [
        r for r in dashboard_rows(state, DashboardFilter()) if r.entry.project_id == "JM-2026-002"
    ]
    assert after and {r.entry.step for r in after} == {"submitted"}  # 踏勘 optional


def test_a_node_recorded_now_counts_now_whatever_the_server_zone(client, state):
    # nodes are recorded on China's clock; the ledger's default clock must be China's too
    # (on a server in UTC the node was 8 hours "in the future" and ignored)
    res = client.post("/projects/JM-2026-006/nodes/assessed", headers=auth("admin"), json={})
    assert res.status_code == 200, res.text
    api = client.get("/ledger", params={"all": "true"}, headers=auth("survey")).json()
    steps = {e["step"] for items in api.values() for e in items if e["project_id"] == "JM-2026-006"}
    assert steps == {"submitted"}
    rows = dashboard_rows(state, DashboardFilter())
    assert {r.entry.step for r in rows if r.entry.project_id == "JM-2026-006"} == {"submitted"}
