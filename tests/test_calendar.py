"""Working-time arithmetic (planning.calendar): seed 五(一), 六(四); rules R6, R7.

The worked examples run across the 2025 National Day + Mid-Autumn holiday. From
国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）: "国庆节、中秋节：10月1日
（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。" chinese_calendar
1.11.0 agrees (checked in ``test_2025_national_day_schedule``). The days around it:

    Sat 09-27 rest   Sun 09-28 WORK (调休)   Mon 09-29 work   Tue 09-30 work
    Wed 10-01 … Wed 10-08 holiday (8 days)
    Thu 10-09 work   Fri 10-10 work   Sat 10-11 WORK (调休)   Sun 10-12 rest
    Mon 10-13 work   Tue 10-14 work   Wed 10-15 work

Office hours (profile jingmen-2023, seed 六(四)): 08:30–12:00 (3.5 h) and 14:30–18:00 (3.5 h),
7 h a working day, so 0.5 working day = 3.5 office hours.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.errors import CalendarError
from gis.profile import load_profile
from planning.calendar import (
    HOLIDAYS_FILE,
    WorkCalendar,
    add_clock_hours,
    add_working_days,
    add_working_hours,
    deadline,
    deadlines_for_path,
    default_calendar,
    is_working_day,
    load_holiday_file,
    office_hours_between,
    working_days_as_office_hours,
)

DT = datetime


# --------------------------------------------------------------------------- schedule and hours


def test_2025_national_day_schedule():
    rest = [date(2025, 9, 27)] + [date(2025, 10, d) for d in range(1, 9)] + [date(2025, 10, 12)]
    work = [date(2025, 9, d) for d in (28, 29, 30)] + [date(2025, 10, d) for d in (9, 10, 11, 13)]
    assert [is_working_day(d) for d in rest] == [False] * len(rest)
    assert [is_working_day(d) for d in work] == [True] * len(work)
    # a datetime counts by its date
    assert is_working_day(DT(2025, 10, 11, 23, 59)) is True


def test_office_hours_come_from_the_profile():
    cal = default_calendar()
    assert load_profile("jingmen-2023").office_hours == (
        ("08:30", "12:00"),
        ("14:30", "18:00"),
    )
    assert cal.office_hours == ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))
    assert (cal.opening, cal.closing) == (time(8, 30), time(18, 0))
    assert cal.office_hours_per_day == timedelta(hours=7)  # 3.5 h + 3.5 h
    assert working_days_as_office_hours(0.5) == 3.5  # half of 7 h
    assert working_days_as_office_hours(0.25) == 1.75


def test_other_office_hours_change_the_half_day():
    cal = WorkCalendar([["09:00", "12:00"], ["13:00", "17:00"]])  # 3 h + 4 h = 7 h
    assert cal.working_days_as_office_hours(0.5) == 3.5
    # 0.5 day from Mon 09-29 11:00: 1 h to 12:00, 2.5 h from 13:00 → 15:30
    assert cal.add_working_hours(DT(2025, 9, 29, 11), 3.5) == DT(2025, 9, 29, 15, 30)
    # N working days end at this calendar's close, 17:00
    assert cal.add_working_days(DT(2025, 9, 30, 10), 1) == DT(2025, 10, 9, 17)


@pytest.mark.parametrize(
    ("office_hours", "match"),
    [
        ([["12:00", "08:30"]], "not after it opens"),
        ([["08:30", "12:00"], ["11:00", "18:00"]], "without overlap"),
        ([[510, 720]], "HH:MM"),  # YAML 1.1 reads unquoted 08:30 as the number 510
        ([["8h30", "12:00"]], "HH:MM"),
        ([], "list of"),
        ("08:30-18:00", "list of"),
        ([["08:30"]], r"\[open, close\]"),
    ],
)
def test_bad_office_hours_are_refused(office_hours, match):
    with pytest.raises(CalendarError, match=match):
        WorkCalendar(office_hours)


# --------------------------------------------------------------------------- N working days


def test_three_working_days_across_national_day():
    # start Tue 09-30 10:00; the start day is not counted (期间开始之日不计入):
    # 10-01..10-08 holiday; 10-09 = day 1, 10-10 = day 2, Sat 10-11 (调休) = day 3 → 18:00
    assert add_working_days(DT(2025, 9, 30, 10), 3) == DT(2025, 10, 11, 18)
    assert add_working_days(DT(2025, 9, 30, 10), 1) == DT(2025, 10, 9, 18)
    assert add_working_days(DT(2025, 9, 30, 10), 2) == DT(2025, 10, 10, 18)
    # day 4: Sun 10-12 is rest, so Mon 10-13
    assert add_working_days(DT(2025, 9, 30, 10), 4) == DT(2025, 10, 13, 18)
    # a date works as well as a datetime
    assert add_working_days(date(2025, 9, 30), 3) == DT(2025, 10, 11, 18)


def test_start_time_does_not_count_the_start_day():
    # Mon 09-29 at 07:00 (before opening) or at 19:00 (after closing): day 1 is Tue 09-30 either way
    assert add_working_days(DT(2025, 9, 29, 7), 1) == DT(2025, 9, 30, 18)
    assert add_working_days(DT(2025, 9, 29, 19), 1) == DT(2025, 9, 30, 18)


def test_working_days_from_a_holiday_or_a_weekend():
    # start Fri 10-03 (holiday) 09:00: next working days 10-09 (1), 10-10 (2)
    assert add_working_days(DT(2025, 10, 3, 9), 1) == DT(2025, 10, 9, 18)
    assert add_working_days(DT(2025, 10, 3, 9), 2) == DT(2025, 10, 10, 18)
    # start Sat 09-27 (plain weekend): Sun 09-28 is 调休 → day 1
    assert add_working_days(DT(2025, 9, 27, 15), 1) == DT(2025, 9, 28, 18)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "3"])
def test_working_days_must_be_a_positive_whole_number(n):
    with pytest.raises(CalendarError, match="whole number"):
        add_working_days(DT(2025, 9, 30, 10), n)


# --------------------------------------------------------------------------- office hours


def test_half_working_day_across_national_day():
    # Tue 09-30 16:00: 2 h to 18:00; 1.5 h left; next opening Thu 10-09 08:30 → 10:00
    assert add_working_hours(DT(2025, 9, 30, 16), 3.5) == DT(2025, 10, 9, 10)
    assert deadline(DT(2025, 9, 30, 16), working_days=0.5) == DT(2025, 10, 9, 10)


def test_office_hours_from_a_holiday():
    # Fri 10-03 09:00 is a holiday: begin at Thu 10-09 08:30, + 3.5 h → 12:00 exactly
    assert add_working_hours(DT(2025, 10, 3, 9), 3.5) == DT(2025, 10, 9, 12)


def test_office_hours_after_closing_and_before_opening():
    # Mon 09-29 19:00: begin Tue 09-30 08:30 + 3.5 h → 12:00
    assert add_working_hours(DT(2025, 9, 29, 19), 3.5) == DT(2025, 9, 30, 12)
    # Tue 09-30 18:30: next working day is Thu 10-09 → 08:30 + 3.5 h = 12:00
    assert add_working_hours(DT(2025, 9, 30, 18, 30), 3.5) == DT(2025, 10, 9, 12)
    # Mon 09-29 07:00: begin 08:30, + 1 h → 09:30
    assert add_working_hours(DT(2025, 9, 29, 7), 1) == DT(2025, 9, 29, 9, 30)


def test_lunch_break_is_skipped():
    # Mon 09-29 11:00 + 3.5 h: 11:00–12:00 (1 h), 14:30 + 2.5 h → 17:00
    assert add_working_hours(DT(2025, 9, 29, 11), 3.5) == DT(2025, 9, 29, 17)
    # start inside the break, 12:30 + 1 h: begin 14:30 → 15:30
    assert add_working_hours(DT(2025, 9, 29, 12, 30), 1) == DT(2025, 9, 29, 15, 30)
    # using up the morning exactly ends at 12:00, not at the 14:30 reopening
    assert add_working_hours(DT(2025, 9, 29, 8, 30), 3.5) == DT(2025, 9, 29, 12)
    # a whole day's 7 h from the opening ends at 18:00 the same day
    assert add_working_hours(DT(2025, 9, 29, 8, 30), 7) == DT(2025, 9, 29, 18)
    # 7 h + 1 min: Tue 09-30 08:31
    assert add_working_hours(DT(2025, 9, 29, 8, 30), timedelta(hours=7, minutes=1)) == DT(
        2025, 9, 30, 8, 31
    )


def test_office_hours_on_a_tiaoxiu_sunday():
    # Sun 09-28 is a working day: 09:00–12:00 (3 h), then 14:30 + 0.5 h → 15:00
    assert add_working_hours(DT(2025, 9, 28, 9), 3.5) == DT(2025, 9, 28, 15)


def test_zero_office_hours_snaps_to_the_next_opening():
    assert add_working_hours(DT(2025, 9, 29, 10), 0) == DT(2025, 9, 29, 10)
    assert add_working_hours(DT(2025, 9, 29, 12), 0) == DT(2025, 9, 29, 14, 30)
    assert add_working_hours(DT(2025, 9, 30, 18), 0) == DT(2025, 10, 9, 8, 30)


def test_office_hours_between_is_the_inverse():
    # Tue 09-30 16:00 → Thu 10-09 10:00: 2 h + 1.5 h
    assert office_hours_between(DT(2025, 9, 30, 16), DT(2025, 10, 9, 10)) == 3.5
    assert office_hours_between(DT(2025, 10, 9, 10), DT(2025, 9, 30, 16)) == -3.5
    # a whole holiday in between adds nothing: 09-30 08:30 → 10-09 18:00 is 2 × 7 h
    assert office_hours_between(DT(2025, 9, 30, 8, 30), DT(2025, 10, 9, 18)) == 14.0


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf"), "3.5", True])
def test_bad_hours_are_refused(hours):
    with pytest.raises(CalendarError, match="hours"):
        add_working_hours(DT(2025, 9, 29, 10), hours)


# --------------------------------------------------------------------------- clock hours


def test_24_clock_hours_run_through_the_holiday():
    # seed 五(一) 一般事项 24 小时内反馈: clock hours, the holiday does not stop them
    assert add_clock_hours(DT(2025, 9, 30, 16), 24) == DT(2025, 10, 1, 16)
    assert deadline(DT(2025, 9, 30, 16), hours=24) == DT(2025, 10, 1, 16)
    # whereas 24 office hours from the same start: 2 h on 09-30, then 7 h on each of
    # 10-09, 10-10, 10-11 (= 23 h), then 1 h on Mon 10-13 → 09:30
    assert deadline(DT(2025, 9, 30, 16), working_hours=24) == DT(2025, 10, 13, 9, 30)


def test_timezone_aware_datetimes_are_refused():
    aware = DT(2025, 9, 30, 10, tzinfo=timezone(timedelta(hours=8)))
    for call in (
        lambda: add_working_hours(aware, 1),
        lambda: add_working_days(aware, 1),
        lambda: add_clock_hours(aware, 24),
        lambda: is_working_day(aware),
    ):
        with pytest.raises(CalendarError, match="naive datetime in local China time"):
            call()
    with pytest.raises(CalendarError, match="expected a datetime"):
        add_working_hours(date(2025, 9, 30), 1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- deadline()


def test_deadline_takes_exactly_one_option():
    with pytest.raises(TypeError, match="exactly one"):
        deadline(DT(2025, 9, 30, 10))
    with pytest.raises(TypeError, match="exactly one"):
        deadline(DT(2025, 9, 30, 10), working_days=1, hours=24)


def test_deadline_working_days():
    start = DT(2025, 9, 30, 10)
    assert deadline(start, working_days=3) == DT(2025, 10, 11, 18)
    assert deadline(start, working_days=3.0) == DT(2025, 10, 11, 18)
    assert deadline(start, working_days=0.5) == deadline(start, working_hours=3.5)
    for bad in (2.5, 0, -1):
        with pytest.raises(CalendarError, match="whole number"):
            deadline(start, working_days=bad)


# --------------------------------------------------------------------------- approval paths


def test_commitment_path_deadlines():
    nodes = deadlines_for_path(DT(2025, 9, 30, 16), "commitment", profile="jingmen-2023")
    assert nodes == {
        "approval": DT(2025, 9, 30, 16),  # 告知承诺制 即时办结
        "connection": DT(2025, 10, 9, 10),  # 0.5 wd: 2 h on 09-30, 1.5 h from 10-09 08:30
        "general_reply": DT(2025, 10, 1, 16),  # 24 clock hours
        "complex_reply": DT(2025, 10, 11, 18),  # 3 wd: 10-09, 10-10, 10-11 (调休)
    }


def test_joint_path_deadlines():
    nodes = deadlines_for_path(DT(2025, 9, 30, 10), "joint", profile=load_profile("jingmen-2023"))
    assert nodes == {
        # 2 wd after Tue 09-30: 10-09 (1), 10-10 (2)
        "submission": DT(2025, 10, 10, 18),
        # 3 wd after the submission day 10-10: Sat 10-11 调休 (1), Mon 10-13 (2), Tue 10-14 (3)
        "approval": DT(2025, 10, 14, 18),
        # 0.5 wd after Tue 10-14 18:00: Wed 10-15 08:30 + 3.5 h
        "connection": DT(2025, 10, 15, 12),
        "general_reply": DT(2025, 10, 1, 10),  # 24 clock hours, on a holiday
        "complex_reply": DT(2025, 10, 11, 18),  # 3 wd after 09-30
    }


def test_joint_path_from_the_tiaoxiu_sunday():
    nodes = deadlines_for_path(DT(2025, 9, 28, 9), "joint", profile="jingmen-2023")
    # 2 wd after Sun 09-28: 09-29 (1), 09-30 (2)
    assert nodes["submission"] == DT(2025, 9, 30, 18)
    # 3 wd after 09-30: 10-09, 10-10, Sat 10-11 (调休)
    assert nodes["approval"] == DT(2025, 10, 11, 18)
    # 0.5 wd after Sat 10-11 18:00: Sun 10-12 rest → Mon 10-13 08:30 + 3.5 h
    assert nodes["connection"] == DT(2025, 10, 13, 12)


def test_path_deadlines_are_read_from_the_profile():
    base = load_profile("jingmen-2023")
    other = base.with_value("deadlines.submission_working_days", 1, source="test").with_value(
        "deadlines.connection_working_days", 1, source="test"
    )
    nodes = deadlines_for_path(DT(2025, 9, 30, 10), "joint", profile=other)
    assert nodes["submission"] == DT(2025, 10, 9, 18)  # 1 wd
    assert nodes["approval"] == DT(2025, 10, 13, 18)  # 10-10, 10-11, 10-13
    assert nodes["connection"] == DT(2025, 10, 14, 18)  # 1 whole wd, not office hours


def test_unknown_path_is_refused():
    with pytest.raises(ValueError, match="'commitment' or 'joint'"):
        deadlines_for_path(DT(2025, 9, 30, 10), "fast", profile="jingmen-2023")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- undescribed years


def test_a_year_without_notice_is_provisional_and_one_beyond_the_data_an_error():
    # 2031: no notice, no file, not in the package -> statutory holidays and weekends (暂定)
    cal = WorkCalendar.from_profile("jingmen-2023", notices=())
    assert cal.is_provisional(2031) and not cal.is_provisional(2025)
    assert cal.is_working_day(date(2031, 10, 3)) is False  # 国庆 3rd day (Fri)
    assert cal.is_working_day(date(2031, 10, 8)) is True  # Wed: no 调休 guessed
    # beyond the statutory data: an error naming the year and the notice, no server path
    with pytest.raises(CalendarError) as info:
        is_working_day(date(2036, 10, 8))
    text = str(info.value)
    assert "2036" in text
    assert str(HOLIDAYS_FILE) not in text and "/" not in text
    assert "国务院办公厅关于2036年部分节假日安排的通知" in text  # where the dates come from
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    assert f"{first}–{last}" in text  # what the package covers (2004–2026 in 1.11.0)
    assert "2025–2035" in text  # what the statutory data covers
    with pytest.raises(CalendarError, match="no statutory holiday schedule for 2003"):
        is_working_day(date(2003, 5, 1))


FICTIONAL_2031 = """\
# TEST ONLY: fictional dates, not a State Council schedule
format: 1
years:
  2031:
    notice: 国务院办公厅关于2031年部分节假日安排的通知（test fixture, fictional）
    holidays:
      - {name: 元旦, from: 2031-01-01, to: 2031-01-03}   # Wed–Fri
    workdays:
      - 2031-01-04                                        # Sat made a working day
"""


def test_an_extra_file_describes_a_new_year(tmp_path):
    extra = tmp_path / "holidays-2031.yaml"
    extra.write_text(FICTIONAL_2031, encoding="utf-8")
    cal = WorkCalendar.from_profile("jingmen-2023", extra_files=[extra])
    assert sorted(cal.years) == [2031]
    assert cal.years[2031].source == extra
    assert [cal.is_working_day(date(2031, 1, d)) for d in range(1, 7)] == [
        False,  # Wed holiday
        False,  # Thu holiday
        False,  # Fri holiday
        True,  # Sat 调休
        False,  # Sun
        True,  # Mon
    ]
    assert cal.is_working_day(date(2031, 3, 1)) is False  # a plain Saturday
    assert cal.is_working_day(date(2031, 3, 3)) is True  # a plain Monday
    # start Wed 01-01 09:00 + 2 wd: Sat 01-04 (1), Mon 01-06 (2)
    assert add_working_days(DT(2031, 1, 1, 9), 2, calendar=cal) == DT(2031, 1, 6, 18)
    # 0.5 wd from the holiday: Sat 01-04 08:30 + 3.5 h
    assert deadline(DT(2031, 1, 1, 9), working_days=0.5, calendar=cal) == DT(2031, 1, 4, 12)
    # the package still answers for its years; 2032 has no notice: provisional (元旦 off)
    assert cal.is_working_day(date(2025, 10, 11)) is True
    assert not cal.is_provisional(2031) and cal.is_provisional(2032)
    assert cal.is_working_day(date(2032, 1, 1)) is False
    strict = WorkCalendar.from_profile("jingmen-2023", extra_files=[extra], provisional=False)
    with pytest.raises(CalendarError, match="schedule for 2032"):
        strict.is_working_day(date(2032, 1, 1))


def test_counting_into_an_undescribed_year_stops(tmp_path):
    # file-only calendar (no package), so the test does not depend on the package's last year
    extra = tmp_path / "holidays-2031.yaml"
    extra.write_text(FICTIONAL_2031, encoding="utf-8")
    cal = WorkCalendar.from_profile(
        "jingmen-2023", holiday_files=[extra], use_package=False, provisional=False
    )
    # Tue 2031-12-30 + 3 wd: Wed 12-31 (1), then 2032-01-01 is in no schedule
    with pytest.raises(CalendarError, match="schedule for 2032"):
        cal.add_working_days(DT(2031, 12, 30, 10), 3)
    # 1 h on 12-31 (17:00–18:00), the remaining 2.5 h would fall in 2032
    with pytest.raises(CalendarError, match="schedule for 2032"):
        cal.add_working_hours(DT(2031, 12, 31, 17), 3.5)
    assert cal.add_working_hours(DT(2031, 12, 31, 17), 1) == DT(2031, 12, 31, 18)


def test_a_file_entry_replaces_the_package_for_its_year(tmp_path):
    override = tmp_path / "override.yaml"
    override.write_text(
        "years:\n"
        "  2025:\n"
        "    notice: TEST ONLY — fictional correction of the 2025 notice\n"
        "    holidays: [{from: 2025-10-01, to: 2025-10-09}]\n"
        "    workdays: [2025-09-28, 2025-10-11]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar.from_profile("jingmen-2023", extra_files=[override])
    assert cal.is_working_day(date(2025, 10, 9)) is False  # the file says holiday
    assert cal.is_working_day(date(2025, 10, 11)) is True
    # 春节 2025-01-28 (Tue) is not in the file's 2025 entry: plain weekday rule
    assert cal.is_working_day(date(2025, 1, 28)) is True
    assert default_calendar().is_working_day(date(2025, 1, 28)) is False
    assert cal.add_working_days(DT(2025, 9, 30, 10), 1) == DT(2025, 10, 10, 18)


def test_a_later_file_wins_for_the_same_year(tmp_path):
    first = tmp_path / "a.yaml"
    first.write_text(FICTIONAL_2031, encoding="utf-8")
    second = tmp_path / "b.yaml"
    second.write_text(
        "years:\n  2031:\n    notice: TEST ONLY second\n    holidays: [2031-01-01]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar([["08:30", "12:00"]], holiday_files=[first], extra_files=[second])
    assert cal.years[2031].notice == "TEST ONLY second"
    assert cal.is_working_day(date(2031, 1, 2)) is True  # only the first file made it a holiday


def test_previous_december_dates_belong_to_the_next_notice(tmp_path):
    # like the 2019 notice (2018-12-29 Sat 上班, 2018-12-30/31 放假); chinese_calendar agrees
    assert chinese_calendar.is_workday(date(2018, 12, 29))
    assert not chinese_calendar.is_workday(date(2018, 12, 31))
    path = tmp_path / "h.yaml"
    path.write_text(
        "years:\n"
        "  2031:\n"
        "    notice: TEST ONLY\n"
        "    holidays: [{from: 2030-12-30, to: 2031-01-01}]\n"
        "    workdays: [2030-12-28]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(
        [["08:30", "18:00"]], holiday_files=[path], use_package=False, provisional=False
    )
    assert cal.is_working_day(date(2030, 12, 28)) is True  # Sat, listed
    assert cal.is_working_day(date(2030, 12, 31)) is False  # Tue, listed
    with pytest.raises(CalendarError, match="schedule for 2030"):
        cal.is_working_day(date(2030, 12, 27))  # not listed, and 2030 is not described


# --------------------------------------------------------------------------- holiday file format


def test_shipped_file_has_a_template_that_matches_the_package(tmp_path):
    # every active year loads; none merely repeats what chinese_calendar already says
    for year, shipped in load_holiday_file(HOLIDAYS_FILE).items():
        package = (
            {d for d in chinese_calendar.holidays if d.year == year},
            {d for d in chinese_calendar.workdays if d.year == year},
        )
        assert (shipped.holidays, shipped.workdays) != package, f"{year} duplicates the package"
    text = HOLIDAYS_FILE.read_text(encoding="utf-8")
    block = re.search(r"# --- example begin\n(.*?)# --- example end", text, re.S)
    assert block is not None
    # uncomment the example and read it with the real loader
    uncommented = "\n".join(line.removeprefix("#") for line in block[1].splitlines())
    path = tmp_path / "example.yaml"
    path.write_text("years:\n" + uncommented + "\n", encoding="utf-8")
    entry = load_holiday_file(path)[2025]
    assert entry.holidays == {d for d in chinese_calendar.holidays if d.year == 2025}
    assert entry.workdays == {d for d in chinese_calendar.workdays if d.year == 2025}
    assert "国务院办公厅关于2025年部分节假日安排的通知" in entry.notice


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("    notice: n\n    holidays: [2031-01-01]\n    workdays: [2031-01-06]\n", "is a weekday"),
        (
            "    notice: n\n    holidays: [2031-01-04]\n    workdays: [2031-01-04]\n",
            "both as holiday and as working day",
        ),
        ("    holidays: [2031-01-01]\n", "'notice' is missing"),
        ("    notice: n\n    holidays: []\n", "'holidays' is empty"),
        ("    notice: n\n    holidays: [2032-01-01]\n", "outside the 2031 notice"),
        ("    notice: n\n    holidays: [2030-11-30]\n", "outside the 2031 notice"),
        (
            "    notice: n\n    holidays: [{from: 2031-01-03, to: 2031-01-01}]\n",
            "ends before it starts",
        ),
        ("    notice: n\n    holidays: ['2031-02-30']\n", "expected a date"),
        ("    notice: n\n    holidays: [2031-01-01 09:00:00]\n", "without a time"),
        ("    notice: n\n    holidays: [{date: 2031-01-01, to: 2031-01-02}]\n", "either date"),
        ("    notice: n\n    holidays: 2031-01-01\n", "expected a list"),
        ("    notice: n\n    holidays: [2031-01-01]\n    extra: 1\n", "unknown key"),
    ],
)
def test_malformed_year_entries_name_file_year_and_item(tmp_path, body, match):
    path = tmp_path / "bad.yaml"
    path.write_text("years:\n  2031:\n" + body, encoding="utf-8")
    with pytest.raises(CalendarError, match=match) as info:
        load_holiday_file(path)
    assert str(path) in str(info.value)
    assert "2031" in str(info.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("years: [1, 2\n", "not valid YAML"),
        ("format: 1\n", "'years' key"),
        ("format: 2\nyears: {}\n", "format 2 is not supported"),
        ("years: [2031]\n", "expected a mapping YYYY"),
        ("years:\n  twenty: {notice: n, holidays: [2031-01-01]}\n", "not a year"),
    ],
)
def test_malformed_files(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match=match):
        WorkCalendar([["08:30", "18:00"]], extra_files=[path])


def test_missing_file_and_conflicts_across_years(tmp_path):
    with pytest.raises(CalendarError, match="cannot be read"):
        WorkCalendar([["08:30", "18:00"]], extra_files=[tmp_path / "missing.yaml"])
    path = tmp_path / "conflict.yaml"
    path.write_text(
        "years:\n"
        "  2030: {notice: a, holidays: [2030-12-28]}\n"
        "  2031: {notice: b, holidays: [2031-01-01], workdays: [2030-12-28]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CalendarError, match="2030-12-28 is a holiday in the 2030 entry"):
        WorkCalendar([["08:30", "18:00"]], extra_files=[path])


# --------------------------------------------------------------------------- properties

# starts whose results stay inside the package's years (2004–2026)
starts = st.datetimes(min_value=DT(2004, 1, 1), max_value=DT(2026, 10, 31, 23, 59))
office_spans = st.integers(min_value=0, max_value=7 * 60 * 15).map(lambda m: timedelta(minutes=m))
fast = settings(max_examples=150, deadline=None, database=None)


@fast
@given(start=starts, n=st.integers(min_value=1, max_value=20))
def test_more_working_days_end_later(start, n):
    assert add_working_days(start, n + 1) > add_working_days(start, n)


@fast
@given(start=starts, n=st.integers(min_value=1, max_value=20))
def test_working_days_end_at_closing_of_the_nth_working_day(start, n):
    end = add_working_days(start, n)
    assert end.time() == time(18, 0)
    assert is_working_day(end)
    days = [
        start.date() + timedelta(days=k) for k in range(1, (end.date() - start.date()).days + 1)
    ]
    assert sum(is_working_day(d) for d in days) == n  # the start day itself is never counted


def _inside_office_hours(moment, *, closed_end):
    if not is_working_day(moment):
        return False
    t = moment.time()
    periods = default_calendar().office_hours
    if closed_end:
        return any(a < t <= b for a, b in periods)
    return any(a <= t < b for a, b in periods)


@fast
@given(start=starts, span=office_spans)
def test_office_hours_results_lie_inside_office_hours(start, span):
    end = add_working_hours(start, span)
    assert end >= start
    # a positive span ends inside a period or at its close; zero snaps to an opening instant
    assert _inside_office_hours(end, closed_end=span > timedelta(0))
    assert office_hours_between(start, end) == pytest.approx(span / timedelta(hours=1))


@fast
@given(start=starts, a=office_spans, b=office_spans.filter(lambda s: s > timedelta(0)))
def test_office_hours_add_up(start, a, b):
    assert add_working_hours(add_working_hours(start, a), b) == add_working_hours(start, a + b)
