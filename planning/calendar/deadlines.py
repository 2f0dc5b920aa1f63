"""Deadlines of the approval paths and the warning that a year's notice is missing.

:func:`deadline` turns one time limit as the seed states it (N working days, office hours, a
fraction of a working day, clock hours) into a moment; :func:`deadlines_for_path` gives the
time nodes of a request on its approval path — 告知承诺制 即时办结 (seed 四(二)1, R3) or 联合审批
2 + 3 working days (四(二)2, R4), then 0.5 working day to connect (四(一)2, 五(一)) and the
reply limits of 六(四) — and :func:`path_deadlines` the provisional years they depend on.
:func:`missing_schedule_warning` asks administrators for next year's State Council notice.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Literal

from gis.errors import CalendarError
from gis.profile import Profile, load_profile
from planning.calendar._checks import naive
from planning.calendar.active import add_clock_hours, calendar_for, default_calendar
from planning.calendar.work_calendar import WorkCalendar

__all__ = [
    "SCHEDULE_WARNING_FROM",
    "ApprovalPath",
    "deadline",
    "deadlines_for_path",
    "missing_schedule_warning",
    "path_deadlines",
]

ApprovalPath = Literal["commitment", "joint"]
"""告知承诺制 (notify-and-commit, R3) or 联合审批 (joint approval, R4)."""


SCHEDULE_WARNING_FROM = (11, 1)
"""(month, day) from which :func:`missing_schedule_warning` asks for next year's notice."""


def missing_schedule_warning(today: date, *, calendar: WorkCalendar | None = None) -> str | None:
    """Warning for administrators that a year's State Council notice is missing, or ``None``.

    From 1 November the next year is checked (deadlines reach into it from late December);
    the current year always. A year is missing when nothing but the statutory holidays
    describes it (:meth:`WorkCalendar.is_provisional`).

    Examples
    --------
    >>> cal = WorkCalendar.from_profile("jingmen-2023", notices=())
    >>> missing_schedule_warning(date(2026, 10, 31), calendar=cal) is None
    True
    >>> missing_schedule_warning(date(2026, 11, 1), calendar=cal)[:25]
    '2027年节假日安排通知尚未载入：涉及2027年的'
    """
    cal = default_calendar() if calendar is None else calendar
    years = [today.year]
    if (today.month, today.day) >= SCHEDULE_WARNING_FROM:
        years.append(today.year + 1)
    missing = [y for y in years if cal.is_provisional(y)]
    if not missing:
        return None
    ys = "、".join(map(str, missing))
    return (
        f"{ys}年节假日安排通知尚未载入：涉及{ys}年的办理时限按法定节假日和周末暂定计算（不含调休），"
        f"请在国务院办公厅通知发布后载入（linkplan holidays load FILE --year {missing[-1]}，"
        f"或 POST /admin/holidays/{missing[-1]}）"
    )


def deadline(
    start: datetime,
    *,
    working_days: float | None = None,
    working_hours: float | None = None,
    hours: float | None = None,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """Deadline from ``start`` given exactly one of the three ways the seed states a time limit.

    Parameters
    ----------
    start
        Naive local China datetime.
    working_days
        Whole working days (:meth:`WorkCalendar.add_working_days`) or a fraction below one,
        counted as that share of the day's office hours (0.5 → 3.5 office hours).
    working_hours
        Office hours (:meth:`WorkCalendar.add_working_hours`).
    hours
        Clock hours (:func:`add_clock_hours`).
    calendar
        Defaults to :func:`default_calendar`.

    Examples
    --------
    >>> deadline(datetime(2025, 9, 30, 10, 0), hours=24)
    datetime.datetime(2025, 10, 1, 10, 0)
    >>> deadline(datetime(2025, 9, 30, 10, 0), working_days=2)
    datetime.datetime(2025, 10, 10, 18, 0)
    """
    given = {
        name: value
        for name, value in (
            ("working_days", working_days),
            ("working_hours", working_hours),
            ("hours", hours),
        )
        if value is not None
    }
    if len(given) != 1:
        msg = f"deadline: got {sorted(given) or 'none'}; expected exactly one of working_days, working_hours, hours"
        raise TypeError(msg)
    cal = default_calendar() if calendar is None else calendar
    if hours is not None:
        return add_clock_hours(start, hours)
    if working_hours is not None:
        return cal.add_working_hours(start, working_hours)
    days = working_days
    if isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days):
        msg = f"deadline: got working_days={days!r}; expected a number"
        raise CalendarError(msg)
    if days >= 1 and float(days).is_integer():
        return cal.add_working_days(start, int(days))
    if 0 < days < 1:
        return cal.add_working_hours(start, cal.working_days_as_office_hours(days))
    msg = f"deadline: got working_days={days!r}; expected a whole number ≥ 1 (ends at {cal.closing:%H:%M} of the N-th working day) or a fraction below 1 (share of the day's office hours)"
    raise CalendarError(msg)


def deadlines_for_path(
    start: datetime,
    path: ApprovalPath,
    *,
    profile: Profile | str,
    calendar: WorkCalendar | None = None,
) -> dict[str, datetime]:
    """Time nodes of one request on its approval path (seed 四(一)2, 四(二), 五(一)).

    Parameters
    ----------
    start
        When the request was received (naive local China time).
    path
        ``"commitment"`` (告知承诺制, 即时办结) or ``"joint"`` (联合审批).
    profile
        Policy profile (or its name) with ``deadlines.*`` and ``office_hours``.
    calendar
        Defaults to a calendar with the profile's office hours and the shipped holiday file.

    Returns
    -------
    dict
        ``submission`` (joint only): the utility submits its documents within
        ``deadlines.submission_working_days`` (2) working days of ``start``.
        ``approval``: joint — ``deadlines.approval_working_days`` (3) working days counted
        from the submission deadline (read as 2 + 3 working days: the approval clock starts
        when submission is due, the submission day itself not counted); commitment — ``start``
        itself (即时办结).
        ``connection``: ``deadlines.connection_working_days`` (0.5 working day = 3.5 office
        hours) after ``approval``.
        ``general_reply``: ``deadlines.general_reply_hours`` (24) clock hours after ``start``.
        ``complex_reply``: ``deadlines.complex_reply_working_days`` (3) working days after
        ``start``.

    Examples
    --------
    >>> nodes = deadlines_for_path(datetime(2025, 9, 30, 10, 0), "joint", profile="jingmen-2023")
    >>> nodes["submission"], nodes["approval"], nodes["connection"]  # doctest: +NORMALIZE_WHITESPACE
    (datetime.datetime(2025, 10, 10, 18, 0), datetime.datetime(2025, 10, 14, 18, 0),
     datetime.datetime(2025, 10, 15, 12, 0))
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    cal = calendar if calendar is not None else calendar_for(prof)
    start = naive(start, "deadlines_for_path start")
    limits = prof.deadlines

    nodes: dict[str, datetime] = {}
    if path == "joint":
        nodes["submission"] = deadline(
            start, working_days=limits.submission_working_days, calendar=cal
        )
        approval = deadline(
            nodes["submission"], working_days=limits.approval_working_days, calendar=cal
        )
    elif path == "commitment":
        approval = start
    else:
        msg = f"deadlines_for_path: got path {path!r}; expected 'commitment' or 'joint'"
        raise ValueError(msg)
    nodes["approval"] = approval
    nodes["connection"] = deadline(
        approval, working_days=limits.connection_working_days, calendar=cal
    )
    nodes["general_reply"] = deadline(start, hours=limits.general_reply_hours, calendar=cal)
    nodes["complex_reply"] = deadline(
        start, working_days=limits.complex_reply_working_days, calendar=cal
    )
    return nodes


def path_deadlines(
    start: datetime,
    path: ApprovalPath,
    *,
    profile: Profile | str,
    calendar: WorkCalendar | None = None,
) -> tuple[dict[str, datetime], tuple[int, ...]]:
    """:func:`deadlines_for_path` and the provisional years its nodes depend on.

    Returns
    -------
    tuple
        The named deadlines, and the years (sorted) computed without a State Council notice:
        non-empty means every node is to be shown as 暂定.

    Examples
    --------
    >>> cal = WorkCalendar.from_profile("jingmen-2023", notices=())
    >>> nodes, years = path_deadlines(
    ...     datetime(2026, 12, 24, 10, 0), "joint", profile="jingmen-2023", calendar=cal
    ... )
    >>> nodes["approval"], nodes["connection"], years  # 2027-01-01..03 off (元旦, weekend)
    (datetime.datetime(2026, 12, 31, 18, 0), datetime.datetime(2027, 1, 4, 12, 0), (2027,))
    """
    cal = calendar if calendar is not None else calendar_for(profile)
    nodes = deadlines_for_path(start, path, profile=profile, calendar=cal)
    return nodes, cal.provisional_years(start, *nodes.values())
