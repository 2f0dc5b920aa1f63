"""``linkplan demo`` is assessed on the demo's fixed reference date, whatever day it runs."""

from __future__ import annotations

import datetime as dt

import yaml

from api.cli import _assess_and_report, _demo_assessment, demo_start
from data.demo_district import REFERENCE_DATE
from data.demo_intakes import demo_intakes


def test_demo_start_is_the_reference_date() -> None:
    assert demo_start() == dt.datetime(2026, 11, 29, 9, 0)
    assert demo_start().date().isoformat() == REFERENCE_DATE


def test_demo_table_is_the_same_on_any_day(demo_ws, tmp_path, capsys) -> None:
    forms = tmp_path / "demo_intakes.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")

    def table(today: dt.date) -> list[str]:
        _demo_assessment(demo_ws, forms, today=today)
        out = capsys.readouterr().out.splitlines()
        shown = f"研判基准日 (reference date of the demo): {REFERENCE_DATE}"
        assert any(line.startswith(shown) and today.isoformat() in line for line in out)
        return [line for line in out if today.isoformat() not in line]

    first, later = table(dt.date(2026, 12, 7)), table(dt.date(2032, 6, 1))
    assert first == later
    # the two days are far enough apart to matter: on the later day the dig-once protection of
    # 天鹅路 (2024-09-28 to 2029-09-28) has lapsed, so an assessment on that day differs
    _assess_and_report(
        demo_ws,
        site_ids=None,
        demand_file=forms,
        profile_name="jingmen-2023",
        start=dt.datetime(2032, 6, 1, 9, 0),
        as_json=False,
    )
    on_later_day = capsys.readouterr().out.splitlines()
    assert set(on_later_day) - set(first)
