"""Bounded and checked (issue 12, item 8): the per-date assessment cache is bounded, dates
outside 2000–2100 and over-long texts are refused with 422 naming field and value, and a bad
``--start`` on the command line is a usage error, not a traceback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from typer.testing import CliRunner

import api.state
from api.cli import app as cli
from data.demo_intakes import demo_intakes
from tests.service import auth, serve


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A development service on SQLite."""
    with serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}") as c:
        yield c


# --------------------------------------------------------------------------- the cache


def test_assessment_cache_stays_bounded_after_ten_dates(client, monkeypatch):
    state = client.app.state.linkplan
    computed: list[dt.date] = []

    class Done:  # stands in for an assessment of ~1.5 MB
        versions: dict[str, int] | None = None

    def fake_assess(ws, *, profile, forms, as_of):
        computed.append(as_of)
        return Done()

    monkeypatch.setattr(api.state, "assess", fake_assess)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(10)]
    for day in days:
        state.assessed(as_of=day)
    assert computed == days
    assert len(state._assessed) == state.ASSESSED_KEEP == 4
    # the most recent dates are kept (no new computation), the oldest is computed again
    state.assessed(as_of=days[-1])
    state.assessed(as_of=days[-4])
    assert computed == days
    state.assessed(as_of=days[0])
    assert computed == [*days, days[0]]
    assert len(state._assessed) == 4


# --------------------------------------------------------------------------- dates


def _field(problem: dict[str, Any]) -> str:
    """The last part of the field a 422 problem names (``at`` of ``body.at``)."""
    return str(problem["field"]).split(".")[-1]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_dates_outside_the_sane_range_are_refused(client, value):
    checks = [
        ("get", "/maps/projects/JM-2026-005", {"params": {"as_of": value}}, "as_of"),
        ("post", "/projects/JM-2026-005/assessment", {"params": {"as_of": value}}, "as_of"),
        ("post", "/projects/JM-2026-005/nodes/surveyed", {"json": {"at": f"{value}T10:00"}}, "at"),
        ("post", "/plans/coordination", {"params": {"date_from": value}}, "date_from"),
        (
            "post",
            "/intents",
            {
                "json": {
                    "intent_id": "I-1",
                    "name": "试验意向",
                    "expected_start": value,
                    "utilities": ["water"],
                    "geometry": {"type": "Point", "coordinates": [112.2, 31.0]},
                }
            },
            "expected_start",
        ),
    ]
    for method, url, kw, field in checks:
        who = {"/intents": "investment"}.get(
            url, "survey" if "nodes" in url or "assessment" in url else "planning"
        )
        res = getattr(client, method)(url, headers=auth(who), **kw)
        assert res.status_code == 422, (url, res.text)
        (err,) = [p for p in res.json()["problems"] if _field(p) == field]
        assert value in err["expected"] and "2000–2100" in err["expected"], (url, err)
    res = client.get(
        "/projects/JM-2026-005/documents/approval_sheet",
        headers=auth("survey"),
        params={"start": f"{value}T10:00"},
    )
    assert res.status_code == 422 and _field(res.json()["problems"][0]) == "start"
    res = client.get("/ledger", headers=auth("planning"), params={"now": f"{value}T10:00"})
    assert res.status_code == 422 and _field(res.json()["problems"][0]) == "now"


def test_a_date_inside_the_range_is_still_accepted(client):
    res = client.get(
        "/maps/projects/JM-2026-005", headers=auth("survey"), params={"as_of": "2026-12-07"}
    )
    assert res.status_code == 200


# --------------------------------------------------------------------------- text lengths


@pytest.mark.parametrize(
    ("field", "limit"), [("project_name", 200), ("applicant", 200), ("address", 500)]
)
def test_over_long_intake_text_is_refused_naming_the_field(client, field, limit):
    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-001")
    ok = client.post(
        "/projects", headers=auth("intake"), json={**form, field: "荆" * limit, "site_id": "X-1"}
    )
    assert not any(p["field"] == field for p in ok.json().get("problems", []))
    res = client.post("/projects", headers=auth("intake"), json={**form, field: "荆" * (limit + 1)})
    assert res.status_code == 422
    problems = [p for p in res.json()["problems"] if p["field"] == field]
    assert problems and str(limit) in problems[0]["expected"]


def test_over_long_opinion_text_is_refused(client):
    res = client.post(
        "/projects/JM-2026-001/planning-opinion",
        headers=auth("planning"),
        json={"text": "意" * 4001},
    )
    assert res.status_code == 422
    assert _field(res.json()["problems"][0]) == "text"


# --------------------------------------------------------------------------- the command line


def test_deadline_with_an_impossible_date_is_a_usage_error():
    res = CliRunner().invoke(cli, ["deadline", "--start", "2025-02-30T10:00", "--working-days", "2"])
    assert res.exit_code == 2
    assert "2025-02-30T10:00" in res.output and "YYYY-MM-DDTHH:MM" in res.output
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)
    res = CliRunner().invoke(cli, ["deadline", "--start", "9999-01-04T10:00", "--hours", "1"])
    assert res.exit_code == 2 and "2000–2100" in res.output
