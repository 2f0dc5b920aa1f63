"""The State Council holiday notices loaded by administrators (table ``holiday_notices``).

Until a year's notice is loaded, deadlines reaching into that year are provisional (暂定,
:mod:`planning.calendar`). An administrator loads the notice's dates (``linkplan holidays
load`` or ``POST /admin/holidays/{year}``); :func:`save_notice` stores them in one
transaction and :func:`sync_notices` hands every stored notice to the calendar, so each
deadline computed afterwards uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from gis.storage.models import HolidayNotice
from gis.storage.store import Store
from planning.calendar import HolidayYear, notice_year, use_notices

__all__ = ["notices_stamp", "read_notices", "save_notice", "sync_notices"]


def read_notices(store: Store) -> list[HolidayYear]:
    """Return the stored notices, checked as :func:`planning.calendar.notice_year` checks them."""
    with store.session() as s:
        rows = list(s.scalars(select(HolidayNotice).order_by(HolidayNotice.year)))
    return [
        notice_year(
            r.year,
            holidays=r.holidays or [],
            workdays=r.workdays or [],
            source=r.source or f"{r.year} notice",
        )
        for r in rows
    ]


def notices_stamp(store: Store) -> tuple[Any, ...]:
    """Return what changes whenever a notice is loaded (count, last load time)."""
    with store.session() as s:
        count, last = s.execute(
            select(func.count(), func.max(HolidayNotice.loaded_at))
        ).one()
    return (int(count), last)


def sync_notices(store: Store) -> list[HolidayYear]:
    """Give the calendar every stored notice (cached calendars are dropped) and return them."""
    notices = read_notices(store)
    use_notices(notices)
    return notices


def save_notice(
    store: Store,
    year: int,
    *,
    holidays: Iterable[Any],
    workdays: Iterable[Any],
    source: str,
    loaded_by: str | None,
) -> HolidayYear:
    """Check and store (or replace) the notice of ``year``, then hand the notices to the calendar.

    Raises
    ------
    gis.errors.CalendarError
        The dates do not form a valid notice of ``year`` (nothing is stored).
    """
    entry = notice_year(year, holidays=holidays, workdays=workdays, source=source)
    with store.session.begin() as s:
        row = s.get(HolidayNotice, year) or HolidayNotice(year=year)
        row.holidays = sorted(d.isoformat() for d in entry.holidays)
        row.workdays = sorted(d.isoformat() for d in entry.workdays)
        row.source = entry.notice
        row.loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored naive UTC
        row.loaded_by = loaded_by
        s.add(row)
    sync_notices(store)
    return entry
