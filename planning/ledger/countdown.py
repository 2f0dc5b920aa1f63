"""The count-down of an open step, in words: the one text every output shows (seed 六(二)1).

The project page, the ledger dashboard and its export all show :func:`countdown_text` of the
same :class:`~planning.ledger.LedgerEntry`, so they never disagree (「剩余 21 个工作小时」 on one
page and 「剩余 3 个工作日」 on another). Time is counted in office hours on working days, as the
ledger measures it, and said in working days with the hours left over.
"""

from __future__ import annotations

import math

from planning.ledger.records import LedgerEntry

__all__ = ["countdown_text", "working_time"]


def _tenths(hours: float) -> str:
    return f"{hours:.1f}".removesuffix(".0")


def working_time(hours: float, *, hours_per_day: float) -> str:
    """Say a span of office hours in working days and hours (to 0.1 h).

    Parameters
    ----------
    hours
        Office hours (negative counts as 0).
    hours_per_day
        Office hours of one working day (the calendar's; 7 in Jingmen).

    Examples
    --------
    >>> [working_time(h, hours_per_day=7) for h in (21, 10.5, 3.5, 0.04, 14.0000001)]
    ['3 个工作日', '1 个工作日 3.5 个工作小时', '3.5 个工作小时', '0 个工作小时', '2 个工作日']
    """
    if hours_per_day <= 0:
        msg = f"hours_per_day: got {hours_per_day!r}; expected the office hours of a day (> 0)"
        raise ValueError(msg)
    tenths = math.floor(max(hours, 0.0) * 10 + 0.5)
    per_day = round(hours_per_day * 10)
    days, rest = divmod(tenths, per_day) if per_day else (0, tenths)
    parts = [f"{days} 个工作日"] if days else []
    if rest or not days:
        parts.append(f"{_tenths(rest / 10)} 个工作小时")
    return " ".join(parts)


def countdown_text(entry: LedgerEntry, *, hours_per_day: float) -> str:
    """Return the count-down of an entry's open step: 「剩余 …」 or 「已逾期 …」 ("" if untimed).

    Examples
    --------
    >>> from datetime import datetime
    >>> e = LedgerEntry(project_id="JM-1", name="", department="市城管委", path="joint",
    ...     step="submitted", step_label="提交审批", status="on_time", start=datetime(2026, 12, 1, 9),
    ...     deadline=datetime(2026, 12, 2, 18), share=0.5, used_hours=10.25, allowed_hours=20.5,
    ...     message="")
    >>> countdown_text(e, hours_per_day=7)
    '剩余 1 个工作日 3.3 个工作小时'
    """
    used, allowed = entry.used_hours, entry.allowed_hours
    if used is None or allowed is None or math.isnan(used) or math.isnan(allowed):
        return ""
    if entry.status == "overdue":
        return f"已逾期 {working_time(used - allowed, hours_per_day=hours_per_day)}"
    return f"剩余 {working_time(allowed - used, hours_per_day=hours_per_day)}"
