"""The calendars in use: the default one, one per profile, and loading notices into them.

The module-level functions of :mod:`planning.calendar` (:func:`is_working_day`,
:func:`add_working_days`, …) use :func:`default_calendar` unless given a calendar;
:func:`calendar_for` caches one calendar per profile's office hours. Both are built with the
notices loaded at the time (:mod:`planning.calendar.notices`); :func:`use_notices` replaces
those notices and drops the cached calendars, so every deadline computed afterwards uses them
(seed 五(一), 六(四)).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from gis.profile import Profile, load_profile
from planning.calendar._checks import duration, naive, parse_office_hours
from planning.calendar.holidays import HolidayYear
from planning.calendar.notices import store_notices
from planning.calendar.work_calendar import DEFAULT_PROFILE, WorkCalendar

__all__ = [
    "add_clock_hours",
    "add_working_days",
    "add_working_hours",
    "calendar_for",
    "default_calendar",
    "is_working_day",
    "office_hours_between",
    "use_notices",
    "working_days_as_office_hours",
]


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """Calendar of :data:`DEFAULT_PROFILE` and the shipped holiday file (cached).

    Call ``default_calendar.cache_clear()`` after editing the holiday file in a running process.
    """
    return WorkCalendar.from_profile(DEFAULT_PROFILE)


@lru_cache(maxsize=16)
def _calendar_for(office_hours: tuple[tuple[time, time], ...]) -> WorkCalendar:
    return WorkCalendar(office_hours)


def calendar_for(profile: Profile | str) -> WorkCalendar:
    """Calendar of the profile's office hours, the shipped file and the loaded notices (cached).

    :func:`use_notices` drops the cache, so a calendar taken after a load has the new notice.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    return _calendar_for(parse_office_hours(prof.office_hours))


def use_notices(notices: Iterable[HolidayYear]) -> None:
    """Make ``notices`` the loaded State Council notices and drop cached calendars.

    The service calls it with the rows of ``holiday_notices`` at start and after an
    administrator loads a notice, so every deadline computed afterwards (documents, ledger,
    assessments) uses them: provisional deadlines are recomputed.
    """
    store_notices(notices)
    default_calendar.cache_clear()
    _calendar_for.cache_clear()


def _cal(calendar: WorkCalendar | None) -> WorkCalendar:
    return default_calendar() if calendar is None else calendar


def is_working_day(d: date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``d`` is a statutory working day.

    Examples
    --------
    >>> is_working_day(date(2025, 9, 28)), is_working_day(date(2025, 10, 1))  # 调休 Sunday; 国庆
    (True, False)
    """
    return _cal(calendar).is_working_day(d)


def add_working_days(start: date, n: int, *, calendar: WorkCalendar | None = None) -> datetime:
    """End (18:00) of the ``n``-th working day after the start day (start day not counted).

    Examples
    --------
    >>> add_working_days(datetime(2025, 9, 29, 7, 0), 1)  # even before opening: day 1 is 09-30
    datetime.datetime(2025, 9, 30, 18, 0)
    """
    return _cal(calendar).add_working_days(start, n)


def add_working_hours(
    start: datetime, hours: float | timedelta, *, calendar: WorkCalendar | None = None
) -> datetime:
    """Add office hours (lunch break, nights and non-working days skipped).

    Examples
    --------
    >>> add_working_hours(datetime(2025, 9, 29, 11, 0), 3.5)  # 1 h to 12:00, 2.5 h from 14:30
    datetime.datetime(2025, 9, 29, 17, 0)
    """
    return _cal(calendar).add_working_hours(start, hours)


def office_hours_between(
    start: datetime, end: datetime, *, calendar: WorkCalendar | None = None
) -> float:
    """Office hours between two naive local datetimes.

    Examples
    --------
    >>> office_hours_between(datetime(2025, 9, 30, 16, 0), datetime(2025, 10, 9, 10, 0))
    3.5
    """
    return _cal(calendar).office_hours_between(start, end)


def add_clock_hours(start: datetime, hours: float | timedelta) -> datetime:
    """Add clock hours, holidays and nights included (seed 五(一) "24 小时内反馈").

    Examples
    --------
    >>> add_clock_hours(datetime(2025, 9, 30, 16, 0), 24)
    datetime.datetime(2025, 10, 1, 16, 0)
    """
    return naive(start, "add_clock_hours start") + duration(hours, "add_clock_hours hours")


def working_days_as_office_hours(days: float, *, calendar: WorkCalendar | None = None) -> float:
    """Office hours of a fraction of a working day: half of the day's office hours for 0.5.

    Examples
    --------
    >>> working_days_as_office_hours(0.5)
    3.5
    """
    return _cal(calendar).working_days_as_office_hours(days)
