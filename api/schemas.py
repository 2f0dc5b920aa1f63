"""Types shared by the API's response models: timestamps that always carry their offset.

The database stores naive UTC (``gis/storage/models.py``, ``_now``); the calendar and the
ledger work in naive local China time (UTC+8, ``planning/calendar.py``). A response says which:
:data:`AwareUTC` reads a naive value as UTC, :data:`ChinaTime` as 北京时间; both serialise as
RFC 3339 with an offset, as the OpenAPI ``date-time`` format requires.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator

__all__ = ["CHINA", "AwareUTC", "ChinaTime", "as_china_time", "as_utc"]

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (UTC+8, no daylight saving)."""


def _with_zone(value: Any, zone: dt.tzinfo) -> Any:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value  # pydantic reports it
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return value


def as_utc(value: Any) -> Any:
    """Return a datetime in UTC: a naive one is read as UTC (as the database stores them).

    Examples
    --------
    >>> as_utc(dt.datetime(2026, 1, 2, 3, 4)).isoformat()
    '2026-01-02T03:04:00+00:00'
    >>> as_utc(dt.datetime(2026, 1, 2, 11, 4, tzinfo=CHINA)).isoformat()
    '2026-01-02T03:04:00+00:00'
    """
    return _with_zone(value, dt.UTC)


def as_china_time(value: Any) -> Any:
    """Return a datetime in China time: a naive one is read as local China time (UTC+8).

    Examples
    --------
    >>> as_china_time(dt.datetime(2026, 1, 2, 9, 0)).isoformat()
    '2026-01-02T09:00:00+08:00'
    """
    return _with_zone(value, CHINA)


AwareUTC = Annotated[AwareDatetime, BeforeValidator(as_utc)]
"""A stored timestamp (naive UTC in the database), answered in UTC with its offset."""

ChinaTime = Annotated[AwareDatetime, BeforeValidator(as_china_time)]
"""A calendar or ledger time (naive 北京时间), answered with its +08:00 offset."""
