"""Holiday files: the State Council's yearly schedules copied into YAML (seed 五(一), 六(四)).

``planning/data/holidays.yaml`` (and any extra file an operator passes) lists, per year, the
notice (国务院办公厅关于XXXX年部分节假日安排的通知), its days off (放假) and the weekend days it
makes working days (调休上班), for years the package :mod:`chinese_calendar` lacks. This module
reads and checks such a file; :mod:`planning.calendar.notices` checks a notice an administrator
loads with the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from gis.errors import CalendarError
from planning.calendar._checks import ONE_DAY
from planning.calendar.statutory import NOTICE

__all__ = ["HOLIDAYS_FILE", "HolidayYear", "load_holiday_file"]

HOLIDAYS_FILE = Path(__file__).parents[1] / "data" / "holidays.yaml"
"""The shipped holiday file an operator extends with years chinese_calendar lacks."""


@dataclass(frozen=True)
class HolidayYear:
    """One year's schedule from a holiday file.

    Parameters
    ----------
    year
        Year of the State Council notice.
    notice
        The notice it was copied from (国务院办公厅关于XXXX年部分节假日安排的通知 …).
    holidays
        Days off (放假), weekends inside a holiday included.
    workdays
        Saturdays and Sundays that are working days (调休上班).
    source
        File the entry was read from, or where a loaded notice came from (``"database"``).
    """

    year: int
    notice: str
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: Path | str


def _as_file_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        msg = f"{where}: got {value!r}; expected a date YYYY-MM-DD without a time"
        raise CalendarError(msg)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    msg = f"{where}: got {value!r}; expected a date YYYY-MM-DD"
    raise CalendarError(msg)


def _file_dates(items: Any, year: int, where: str) -> set[date]:
    if items is None:
        return set()
    if not isinstance(items, list):
        msg = f"{where}: got {type(items).__name__}; expected a list of dates or ranges"
        raise CalendarError(msg)
    out: set[date] = set()
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        if isinstance(item, Mapping):
            unknown = set(item) - {"name", "date", "from", "to"}
            if unknown:
                msg = f"{at}: unknown key(s) {sorted(map(str, unknown))}; expected date, or from and to, and an optional name"
                raise CalendarError(msg)
            if "date" in item and not {"from", "to"} & set(item):
                days = [_as_file_date(item["date"], f"{at}.date")]
            elif {"from", "to"} <= set(item) and "date" not in item:
                first = _as_file_date(item["from"], f"{at}.from")
                last = _as_file_date(item["to"], f"{at}.to")
                if last < first:
                    msg = f"{at}: range from {first} to {last} ends before it starts"
                    raise CalendarError(msg)
                days = [first + k * ONE_DAY for k in range((last - first).days + 1)]
            else:
                msg = f"{at}: got keys {sorted(map(str, item))}; expected either date or both from and to"
                raise CalendarError(msg)
        else:
            days = [_as_file_date(item, at)]
        for day in days:
            if not (day.year == year or (day.year == year - 1 and day.month == 12)):
                msg = f"{at}: {day} is outside the {year} notice; expected a date in {year} or in December {year - 1}"
                raise CalendarError(msg)
        out.update(days)
    return out


def load_holiday_file(path: str | Path) -> dict[int, HolidayYear]:
    """Read and check a holiday file (format: the comments of ``planning/data/holidays.yaml``).

    Parameters
    ----------
    path
        YAML file with ``years: {YYYY: {notice, holidays, workdays}}``.

    Returns
    -------
    dict
        Year → :class:`HolidayYear`.

    Raises
    ------
    CalendarError
        The file is missing, not YAML, or an entry is malformed; the message names the file,
        year and item.

    Examples
    --------
    >>> years = load_holiday_file(HOLIDAYS_FILE)  # years the package lacks, if any
    >>> all(entry.notice for entry in years.values())
    True
    """
    path = Path(path)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"holiday file {path} cannot be read: {exc}"
        raise CalendarError(msg) from exc
    except yaml.YAMLError as exc:
        msg = f"holiday file {path} is not valid YAML: {exc}"
        raise CalendarError(msg) from exc
    if not isinstance(loaded, Mapping) or "years" not in loaded:
        msg = f"holiday file {path}: expected a mapping with a 'years' key (see {HOLIDAYS_FILE})"
        raise CalendarError(msg)
    if loaded.get("format", 1) != 1:
        msg = (
            f"holiday file {path}: format {loaded['format']!r} is not supported; expected format: 1"
        )
        raise CalendarError(msg)
    years = loaded["years"] or {}
    if not isinstance(years, Mapping):
        msg = f"holiday file {path}: 'years' is a {type(years).__name__}; expected a mapping YYYY: {{notice, holidays, workdays}}"
        raise CalendarError(msg)
    out: dict[int, HolidayYear] = {}
    for key, entry in years.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            year = -1
        if not 1949 < year < 10000 or isinstance(key, bool):
            msg = f"holiday file {path}: year key {key!r} is not a year YYYY"
            raise CalendarError(msg)
        where = f"holiday file {path}, year {year}"
        if not isinstance(entry, Mapping):
            msg = f"{where}: expected a mapping with notice, holidays and workdays"
            raise CalendarError(msg)
        unknown = set(entry) - {"notice", "holidays", "workdays"}
        if unknown:
            msg = f"{where}: unknown key(s) {sorted(map(str, unknown))}; expected notice, holidays, workdays"
            raise CalendarError(msg)
        out[year] = year_entry(
            year, entry.get("notice"), entry.get("holidays"), entry.get("workdays"), where, path
        )
    return out


def year_entry(
    year: int, notice: Any, holidays_in: Any, workdays_in: Any, where: str, source: Path | str
) -> HolidayYear:
    """Check one year's notice (days off, 调休 working days) and return it."""
    if not isinstance(notice, str) or not notice.strip():
        msg = f"{where}: 'notice' is missing; expected the State Council notice the dates come from, e.g. {NOTICE.format(year=year)}（国办发明电〔…〕N号）"
        raise CalendarError(msg)
    holidays = _file_dates(holidays_in, year, f"{where}, holidays")
    if not holidays:
        msg = f"{where}: 'holidays' is empty; expected the days off (放假) of {NOTICE.format(year=year)}"
        raise CalendarError(msg)
    workdays = _file_dates(workdays_in, year, f"{where}, workdays")
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        msg = f"{where}, workdays: {', '.join(map(str, weekdays))} is a weekday; expected only Saturdays and Sundays made working days (调休上班)"
        raise CalendarError(msg)
    both = sorted(holidays & workdays)
    if both:
        msg = f"{where}: {', '.join(map(str, both))} is listed both as holiday and as working day"
        raise CalendarError(msg)
    return HolidayYear(
        year=year,
        notice=notice.strip(),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        source=source,
    )
