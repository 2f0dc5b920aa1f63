"""Argument checks shared by the calendar modules: office hours, naive datetimes, durations.

Private helpers of :mod:`planning.calendar`; the rules they check are stated in its docstring
(naive local China time, office hours ``[[open, close], ...]`` in order, durations ≥ 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from gis.errors import CalendarError

ONE_DAY = timedelta(days=1)
ONE_HOUR = timedelta(hours=1)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _parse_time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    msg = f"{where}: got {value!r}; expected a time 'HH:MM' (quoted in YAML)"
    raise CalendarError(msg)


def parse_office_hours(value: Any) -> tuple[tuple[time, time], ...]:
    """Return the profile's ``office_hours`` as ordered, non-overlapping ``(open, close)`` times."""
    where = "office_hours"
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        msg = f"{where}: got {value!r}; expected a list of [open, close] periods like [['08:30', '12:00'], ['14:30', '18:00']]"
        raise CalendarError(msg)
    periods: list[tuple[time, time]] = []
    for index, period in enumerate(value):
        at = f"{where}[{index}]"
        if isinstance(period, str) or not isinstance(period, Sequence) or len(period) != 2:
            msg = f"{at}: got {period!r}; expected [open, close]"
            raise CalendarError(msg)
        opening, closing = _parse_time(period[0], at), _parse_time(period[1], at)
        if closing <= opening:
            msg = f"{at}: closes at {closing:%H:%M}, not after it opens at {opening:%H:%M}"
            raise CalendarError(msg)
        if periods and opening < periods[-1][1]:
            msg = f"{at}: opens at {opening:%H:%M}, before the previous period closes at {periods[-1][1]:%H:%M}; expected periods in order without overlap"
            raise CalendarError(msg)
        periods.append((opening, closing))
    return tuple(periods)


def naive(value: Any, what: str) -> datetime:
    """Return ``value`` if it is a naive datetime (local China time), else raise naming ``what``."""
    if not isinstance(value, datetime):
        msg = f"{what}: got {value!r}; expected a datetime (naive, local China time)"
        raise CalendarError(msg)
    if value.utcoffset() is not None:
        msg = f"{what}: got timezone-aware {value.isoformat()}; expected a naive datetime in local China time (UTC+8)"
        raise CalendarError(msg)
    return value


def duration(hours: float | timedelta, what: str) -> timedelta:
    """Return a number of hours (or a timedelta) ≥ 0 as a timedelta, else raise naming ``what``."""
    if isinstance(hours, timedelta):
        span = hours
    elif isinstance(hours, bool) or not isinstance(hours, int | float):
        msg = f"{what}: got {hours!r}; expected a number of hours"
        raise CalendarError(msg)
    elif not math.isfinite(hours):
        msg = f"{what}: got {hours!r}; expected a finite number of hours"
        raise CalendarError(msg)
    else:
        span = timedelta(hours=hours)
    if span < timedelta(0):
        msg = f"{what}: got {hours!r}; expected zero or more hours"
        raise CalendarError(msg)
    return span
