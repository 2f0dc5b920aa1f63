"""A fixed clock: a project's deadlines count from its recorded acceptance time (受理时间).

The 附件3 of a project printed at 16:22 and at 16:26 (or next week) shows the same time limits;
the stored assessment's deadlines are those of the acceptance too, whenever it is assessed.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.seed import DEV_TOKENS
from api.settings import Settings

PID = "JM-2026-004"  # a demo project on the joint path (资料提交、办理、接入 time limits)
ACCEPTED = "2025-09-28T10:00"  # a Sunday 调休 working day: submission due 09-30 18:00


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}"
    app = create_app(Settings(database_url=url, env="development"))
    with TestClient(app) as c:
        res = c.post(f"/projects/{PID}/nodes/form_complete", headers=_auth("intake"), json={"at": ACCEPTED})
        assert res.status_code == 200, res.text
        yield c
    app.state.linkplan.store.engine.dispose()


def _auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEV_TOKENS[who]}"}


def _freeze(monkeypatch: pytest.MonkeyPatch, now: dt.datetime) -> None:
    """Make the service's clock (``china_now`` wherever the service imported it) read ``now``."""
    for name, module in list(sys.modules.items()):
        if name.startswith("api.") and getattr(module, "china_now", None) is not None:
            monkeypatch.setattr(module, "china_now", lambda: now)


def _limits(page: str) -> list[str]:
    """Return the time-limit lines of a document (资料提交、办理、接入时限 and the 受理 time)."""
    return re.findall(r"(?:资料提交|办理|接入)时限：[^<]*", page)


def _print_at(client, monkeypatch, now: dt.datetime, url: str) -> str:
    _freeze(monkeypatch, now)
    res = client.get(url, headers=_auth("survey"))
    assert res.status_code == 200, res.text
    return res.text


def test_the_approval_sheet_printed_twice_shows_the_same_deadlines(client, monkeypatch):
    url = f"/projects/{PID}/documents/approval_sheet"
    first = _limits(_print_at(client, monkeypatch, dt.datetime(2025, 10, 20, 16, 22), url))
    later = _limits(_print_at(client, monkeypatch, dt.datetime(2025, 10, 20, 16, 26), url))
    next_week = _limits(_print_at(client, monkeypatch, dt.datetime(2025, 10, 27, 9, 5), url))
    assert first == later == next_week
    # counted from the recorded acceptance (Sun 09-28 10:00, a working day), not from the print
    assert first == [
        "办理时限：2025年10月11日18:00前",  # 市自然资源和规划局
        "办理时限：2025年10月11日18:00前",  # 市城管委
        "资料提交时限：2025年9月30日18:00前",  # 市行政审批局
        "办理时限：2025年10月11日18:00前",
        "接入时限：2025年10月13日12:00前",
    ]


def test_the_planning_opinion_counts_from_the_acceptance(client, monkeypatch):
    url = f"/projects/{PID}/documents/planning_opinion"
    page = _print_at(client, monkeypatch, dt.datetime(2025, 11, 3, 8, 0), url)
    assert "2025-09-28 10:00" in page  # 受理时间 in the overview
    assert "2025-11-03 08:00" not in page


def test_assessing_again_gives_the_same_deadlines(client, monkeypatch):
    answers = []
    for now in (dt.datetime(2025, 10, 20, 16, 22), dt.datetime(2025, 10, 21, 9, 40)):
        _freeze(monkeypatch, now)
        res = client.post(f"/projects/{PID}/assessment", headers=_auth("survey"))
        assert res.status_code == 201, res.text
        answers.append(res.json()["result"])
    first, second = answers
    assert first["accepted_at"] == second["accepted_at"] == ACCEPTED
    assert first["deadlines"] == second["deadlines"]
    assert first["deadlines"]["submission"].startswith("2025-09-30T18:00")
    # the time node "assessed" is when it was assessed, the deadlines do not move with it
    nodes = client.get(f"/projects/{PID}", headers=_auth("survey")).json()["time_nodes"]
    assert nodes["assessed"].startswith("2025-10-21T09:40")
    assert nodes["form_complete"].startswith(ACCEPTED)


def test_a_start_other_than_the_recorded_acceptance_is_refused(client):
    url = f"/projects/{PID}/documents/approval_sheet"
    res = client.get(url, params={"start": "2025-10-20T16:22"}, headers=_auth("survey"))
    assert res.status_code == 422
    assert "已记录受理时间 2025-09-28 10:00" in res.text
    same = client.get(url, params={"start": ACCEPTED}, headers=_auth("survey"))
    assert same.status_code == 200
    assert "资料提交时限：2025年9月30日18:00前" in same.text


def test_correcting_the_acceptance_moves_every_deadline(client, monkeypatch):
    """Recording the acceptance node again (audited) is how a wrong acceptance is corrected."""
    res = client.post(
        f"/projects/{PID}/nodes/form_complete", headers=_auth("intake"), json={"at": "2025-09-30T10:00"}
    )
    assert res.status_code == 200, res.text
    try:
        url = f"/projects/{PID}/documents/approval_sheet"
        page = _print_at(client, monkeypatch, dt.datetime(2025, 10, 20, 16, 22), url)
        # 09-30 10:00 + two working days over the National Day holiday: 10-10 18:00
        assert "资料提交时限：2025年10月10日18:00前" in _limits(page)
    finally:
        client.post(
            f"/projects/{PID}/nodes/form_complete", headers=_auth("intake"), json={"at": ACCEPTED}
        )
