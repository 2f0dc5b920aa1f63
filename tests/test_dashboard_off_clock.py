"""Projects not on a connection clock (review F2 item 3, both backends): assessed as 需提前布局管网
(stored path ``None``) or 不适用联动接入, they are not 「路径未定」 with a 0.5-day deadline — the
ledger lists them apart and its path filter offers them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from api.process.dashboard import DashboardFilter, dashboard
from gis.storage.models import AssessmentRecord
from tests.service import auth, client_fixture
from tests.web import signed_in

client = client_fixture()

PRELAY, NOT_APPLICABLE = "JM-2026-013", "JM-2026-014"
NOW = dt.datetime(2026, 12, 8, 10, 0)


@pytest.fixture(scope="module")
def state(client):
    state = client.app.state.linkplan
    with state.store.write() as s:  # as run_assessment stores these outcomes
        for pid, path in ((PRELAY, None), (NOT_APPLICABLE, "not_applicable")):
            s.add(
                AssessmentRecord(
                    project_id=pid,
                    as_of=dt.datetime(2026, 12, 8),
                    profile=state.profile.name,
                    versions={},
                    approval_path=path,
                    result={},
                )
            )
    return state


def test_off_clock_projects_are_not_on_the_ledger(client, state):
    ledger = client.get("/ledger", params={"all": "true"}, headers=auth("survey")).json()
    listed = {e["project_id"] for items in ledger.values() for e in items}
    assert PRELAY not in listed and NOT_APPLICABLE not in listed
    assert "JM-2026-015" in listed  # a project not yet assessed stays on the (pending) clock
    board = dashboard(state, DashboardFilter(per_page=500), now=NOW)
    assert {r.entry.project_id for r in board.rows}.isdisjoint({PRELAY, NOT_APPLICABLE})
    apart = {p.project_id: p.path_label for p in board.off_clock}
    assert apart == {PRELAY: "需提前布局管网", NOT_APPLICABLE: "不适用联动接入"}
    pending = dashboard(state, DashboardFilter(path="pending", per_page=500), now=NOW)
    assert PRELAY not in {r.entry.project_id for r in pending.rows} and not pending.off_clock


def test_the_path_filter_offers_them(client, state):
    board = dashboard(state, DashboardFilter(path="prelay"), now=NOW)
    assert board.total == 0 and [p.project_id for p in board.off_clock] == [PRELAY]
    page = signed_in(client, "survey").get("/ui/ledger", params={"path": "not_applicable"})
    assert page.status_code == 200
    assert '<option value="prelay">需提前布局管网</option>' in page.text
    assert '<option value="not_applicable" selected>不适用联动接入</option>' in page.text
    table = re.search(r'<table class="list" id="off-clock-projects">(.*?)</table>', page.text, re.S)
    assert table and NOT_APPLICABLE in table.group(1) and PRELAY not in table.group(1)
