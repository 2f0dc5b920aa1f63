"""Statutory holidays of 全国年节及纪念日放假办法, for years without a State Council notice.

A year that neither chinese_calendar, a holiday file nor a loaded notice describes is
**provisional** (暂定): its working days are Monday–Friday except the 13 statutory days off of
the national regulations (as amended, in force from 2025; ``planning/data/statutory_holidays.yaml``
lists the fixed dates and each year's lunar dates), with no 调休. Seed 五(一), 六(四): every
deadline shown from such a year carries :data:`PROVISIONAL_MARK` or :func:`provisional_note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from gis.errors import CalendarError
from planning.calendar._checks import ONE_DAY

__all__ = ["PROVISIONAL_MARK", "STATUTORY_FILE", "provisional_note", "statutory_holidays"]

STATUTORY_FILE = Path(__file__).parents[1] / "data" / "statutory_holidays.yaml"
"""Statutory holidays of 全国年节及纪念日放假办法 (rule and lunar dates) for provisional years."""

PROVISIONAL_MARK = "（暂定）"
"""Printed after a deadline that depends on a year whose State Council notice is not loaded."""

NOTICE = "国务院办公厅关于{year}年部分节假日安排的通知"
"""Title of a year's State Council holiday notice (for messages)."""


@lru_cache(maxsize=1)
def _statutory_data() -> tuple[dict[str, list[str]], dict[int, dict[str, date]]]:
    loaded = yaml.safe_load(STATUTORY_FILE.read_text(encoding="utf-8"))
    fixed = {str(k): [str(d) for d in v] for k, v in loaded["fixed"].items()}
    lunar = {int(y): {str(k): v for k, v in days.items()} for y, days in loaded["lunar"].items()}
    return fixed, lunar


def statutory_holidays(year: int) -> dict[date, str]:
    """Days off of 全国年节及纪念日放假办法 (as amended, in force from 2025) in ``year``.

    元旦 1 day, 春节 4 days (除夕 to 正月初三), 清明节, 劳动节 2 days (5月1日、2日), 端午节,
    中秋节, 国庆节 3 days (10月1日至3日): 13 days. No 调休 and no 补假: those only a notice
    fixes.

    Raises
    ------
    CalendarError
        ``year`` has no lunar dates in the statutory data (they are listed from 2025 on).

    Examples
    --------
    >>> days = statutory_holidays(2027)
    >>> len(days), days[date(2027, 2, 5)], days[date(2027, 10, 3)]
    (13, '春节', '国庆节')
    """
    fixed, lunar = _statutory_data()
    if year not in lunar:
        msg = (
            f"{year} 年的节假日无法计算：未载入{NOTICE.format(year=year)}，法定节假日的农历日期只列入 "
            f"{min(lunar)}–{max(lunar)} 年 (no holiday schedule for {year}: the notice is not "
            f"loaded and the statutory lunar dates cover {min(lunar)}–{max(lunar)})"
        )
        raise CalendarError(msg)
    out: dict[date, str] = {}
    for name, days in fixed.items():
        for mmdd in days:
            out[date.fromisoformat(f"{year}-{mmdd}")] = name
    moved = lunar[year]
    for k in range(4):
        out[moved["除夕"] + k * ONE_DAY] = "春节"
    for name, key in (("清明节", "清明"), ("端午节", "端午"), ("中秋节", "中秋")):
        out.setdefault(moved[key], name)
    return out


def provisional_note(years: Iterable[int]) -> str:
    """Chinese note for a result that depends on provisional years (empty if none).

    Examples
    --------
    >>> provisional_note([2027])
    '暂定：2027年节假日安排通知尚未载入，按法定节假日和周末计算，载入后重新计算'
    """
    ys = sorted(set(years))
    if not ys:
        return ""
    return f"暂定：{'、'.join(map(str, ys))}年节假日安排通知尚未载入，按法定节假日和周末计算，载入后重新计算"
