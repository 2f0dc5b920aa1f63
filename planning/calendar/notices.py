"""State Council notices an administrator loads into the service (seed 五(一), 六(四)).

When the State Council publishes next year's holiday schedule before chinese_calendar or the
shipped holiday file have it, an administrator loads the notice's dates (``linkplan holidays
load``, ``POST /admin/holidays/{year}``). :func:`notice_year` checks them like a holiday file
and also against 全国年节及纪念日放假办法 (a notice never makes a statutory holiday a working
day). The loaded notices are kept here, once per process: :func:`loaded_notices` returns them
and :func:`planning.calendar.use_notices` replaces them (and drops the cached calendars).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gis.errors import CalendarError
from planning.calendar.holidays import HolidayYear, year_entry
from planning.calendar.statutory import statutory_holidays

__all__ = ["loaded_notices", "notice_year"]


def notice_year(
    year: int,
    *,
    holidays: Iterable[Any],
    workdays: Iterable[Any] = (),
    source: str,
    origin: str = "database",
) -> HolidayYear:
    """Check a State Council notice loaded by an administrator and return it as a year entry.

    Parameters
    ----------
    year
        Year of the notice (2000–2100).
    holidays
        Days off (放假): ISO dates, dates, or ``{from, to}`` / ``{date}`` mappings as in
        ``planning/data/holidays.yaml``.
    workdays
        Saturdays and Sundays made working days (调休上班), in the same forms.
    source
        The notice (国务院办公厅关于XXXX年部分节假日安排的通知（国办发明电〔…〕N号）).
    origin
        Where the dates are kept (shown to administrators only).

    Raises
    ------
    CalendarError
        A malformed date, a date outside the notice's year (or the December before it), a
        weekday as 调休 working day, a date both off and working, or a statutory holiday of
        全国年节及纪念日放假办法 left a working day (a notice never takes one away: a notice
        listing only 元旦 would make 春节 working days); the message names the year, the list
        and the item, never a server path.

    Examples
    --------
    >>> entry = notice_year(
    ...     2027,
    ...     holidays=[d.isoformat() for d in statutory_holidays(2027)],
    ...     source="国务院办公厅关于2027年部分节假日安排的通知",
    ... )
    >>> len(entry.holidays)
    13
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"notice year: got {year!r}; expected a year 2000–2100"
        raise CalendarError(msg)
    entry = year_entry(
        year, source, list(holidays), list(workdays), f"{year} 年节假日安排 (notice {year})", origin
    )
    _require_statutory_days_off(entry)
    return entry


def _require_statutory_days_off(entry: HolidayYear) -> None:
    """Raise unless every statutory holiday of the year is a day off under the notice."""
    try:
        statutory = statutory_holidays(entry.year)
    except CalendarError:
        return  # a year without listed lunar dates: nothing to check against
    working = sorted(
        (d, name)
        for d, name in statutory.items()
        if d in entry.workdays or (d.weekday() < 5 and d not in entry.holidays)
    )
    if working:
        listed = "、".join(f"{d.isoformat()}（{name}）" for d, name in working)
        msg = (
            f"{entry.year} 年节假日安排不完整：法定节假日 {listed} 未列为放假 "
            f"(notice {entry.year}: the statutory holidays {listed} are working days in it; "
            "expected every day of 全国年节及纪念日放假办法 off)"
        )
        raise CalendarError(msg)


_loaded: tuple[HolidayYear, ...] = ()


def loaded_notices() -> tuple[HolidayYear, ...]:
    """Return the notices the service loaded (:func:`use_notices`).

    Calendars built without ``notices`` use them.
    """
    return _loaded


def store_notices(notices: Iterable[HolidayYear]) -> None:
    """Replace the loaded notices (sorted by year); :func:`planning.calendar.use_notices` calls it."""
    global _loaded
    _loaded = tuple(sorted(notices, key=lambda n: n.year))
