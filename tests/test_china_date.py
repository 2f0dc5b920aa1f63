"""The service's "today" is China's date (review F2 item 4): at 05:30 in China (21:30 UTC the
day before) the assessment's 核查日 is China's day, as every other time of the project."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from sqlalchemy import select

from gis.storage.models import AssessmentRecord
from tests.service import auth, client_fixture

client = client_fixture()

CHINA_NOW = dt.datetime(2026, 12, 21, 5, 30)  # never the date of the machine running the test


def _freeze(monkeypatch: pytest.MonkeyPatch, now: dt.datetime) -> None:
    for name, module in list(sys.modules.items()):
        if name.startswith("api.") and getattr(module, "china_now", None) is not None:
            monkeypatch.setattr(module, "china_now", lambda: now)


def test_the_check_day_is_chinas_date(client, monkeypatch):
    assert dt.date.today() != CHINA_NOW.date()
    _freeze(monkeypatch, CHINA_NOW)
    r = client.post("/projects/JM-2026-002/assessment", headers=auth("intake"))
    assert r.status_code == 201, r.text
    with client.app.state.linkplan.store.session() as s:
        rec = s.scalars(
            select(AssessmentRecord)
            .where(AssessmentRecord.project_id == "JM-2026-002")
            .order_by(AssessmentRecord.id.desc())
        ).first()
        assert rec.as_of.date() == CHINA_NOW.date()
    sheet = client.get("/projects/JM-2026-002/documents/approval_sheet", headers=auth("survey"))
    assert sheet.status_code == 200
    assert "核查日 2026-12-21" in sheet.text
