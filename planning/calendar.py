"""Working-time arithmetic for the reform's deadlines (seed 五(一), 六(四); rules R6, R7).

Working days are the statutory working days (法定工作日) of the State Council's yearly
schedule (国务院办公厅关于XXXX年部分节假日安排的通知): Monday–Friday unless a holiday (放假),
plus the weekend days it makes working days (调休上班). The schedule comes from the package
:mod:`chinese_calendar` (2004–2026 in version 1.11) and from ``planning/data/holidays.yaml``,
which an operator extends with a new year (or an extra file passed as ``extra_files``). A date
in a year that neither describes follows the notice an administrator loaded into the service
(passed in as ``notices``, see :func:`use_notices`); without one, the year is **provisional**
(暂定): its working days are Monday–Friday except the statutory holidays of the national
regulations (全国年节及纪念日放假办法, ``planning/data/statutory_holidays.yaml``), with no 调休.
Every output of a deadline that depends on a provisional year says so
(:meth:`WorkCalendar.provisional_years`, :data:`PROVISIONAL_MARK`); from 1 November
:func:`missing_schedule_warning` tells administrators that next year's notice is missing.
A year beyond the statutory data is a :class:`~gis.errors.CalendarError` naming the year (and
no server path).

Office hours are the profile's ``office_hours`` (Jingmen: 08:30–12:00 and 14:30–18:00, i.e.
7 office hours a working day). The counting rules:

- **N working days** (:func:`add_working_days`): the start day is not counted (期间开始之日不计入,
  民法典 第二百零一条), whatever the start time; the period ends at the close of office hours
  (18:00) of the N-th working day after the start day (民法典 第二百零三条: 有业务时间的，停止
  业务活动的时间为截止时间).
- **office hours** (:func:`add_working_hours`): only time inside office hours on working days
  counts; a start outside them begins at the next opening. A result that uses up a period
  exactly is that period's close (12:00, 18:00), not the next opening.
- **0.5 working day** = half the day's office hours (3.5 h in Jingmen), counted as office hours
  (:func:`working_days_as_office_hours`).
- **24 hours** are clock hours (:func:`add_clock_hours`), holidays included.

All datetimes are **naive local China time** (UTC+8, 北京时间), which is what the seed's
office hours mean; a timezone-aware datetime is refused with a ``CalendarError`` rather than
silently converted.

Examples
--------
>>> from datetime import datetime
>>> add_working_days(datetime(2025, 9, 30, 10, 0), 3)  # 10-01..10-08 off; 10-11 is 调休
datetime.datetime(2025, 10, 11, 18, 0)
>>> deadline(datetime(2025, 9, 30, 16, 0), working_days=0.5)  # 2 h, then 1.5 h on 10-09
datetime.datetime(2025, 10, 9, 10, 0)
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar
import yaml

from gis.errors import CalendarError
from gis.profile import Profile, load_profile

__all__ = [
    "DEFAULT_PROFILE",
    "HOLIDAYS_FILE",
    "PROVISIONAL_MARK",
    "STATUTORY_FILE",
    "ApprovalPath",
    "HolidayYear",
    "WorkCalendar",
    "add_clock_hours",
    "add_working_days",
    "add_working_hours",
    "calendar_for",
    "deadline",
    "deadlines_for_path",
    "default_calendar",
    "is_working_day",
    "load_holiday_file",
    "loaded_notices",
    "missing_schedule_warning",
    "notice_year",
    "office_hours_between",
    "path_deadlines",
    "provisional_note",
    "statutory_holidays",
    "use_notices",
    "working_days_as_office_hours",
]

DEFAULT_PROFILE = "jingmen-2023"
"""Profile whose ``office_hours`` the module-level functions use when no calendar is given."""

HOLIDAYS_FILE = Path(__file__).with_name("data") / "holidays.yaml"
"""The shipped holiday file an operator extends with years chinese_calendar lacks."""

STATUTORY_FILE = Path(__file__).with_name("data") / "statutory_holidays.yaml"
"""Statutory holidays of 全国年节及纪念日放假办法 (rule and lunar dates) for provisional years."""

PROVISIONAL_MARK = "（暂定）"
"""Printed after a deadline that depends on a year whose State Council notice is not loaded."""

ApprovalPath = Literal["commitment", "joint"]
"""告知承诺制 (notify-and-commit, R3) or 联合审批 (joint approval, R4)."""

_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
_NOTICE = "国务院办公厅关于{year}年部分节假日安排的通知"


# --------------------------------------------------------------------------- holiday files


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
                days = [first + k * _ONE_DAY for k in range((last - first).days + 1)]
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
        out[year] = _year_entry(
            year, entry.get("notice"), entry.get("holidays"), entry.get("workdays"), where, path
        )
    return out


def _year_entry(
    year: int, notice: Any, holidays_in: Any, workdays_in: Any, where: str, source: Path | str
) -> HolidayYear:
    """Check one year's notice (days off, 调休 working days) and return it."""
    if not isinstance(notice, str) or not notice.strip():
        msg = f"{where}: 'notice' is missing; expected the State Council notice the dates come from, e.g. {_NOTICE.format(year=year)}（国办发明电〔…〕N号）"
        raise CalendarError(msg)
    holidays = _file_dates(holidays_in, year, f"{where}, holidays")
    if not holidays:
        msg = f"{where}: 'holidays' is empty; expected the days off (放假) of {_NOTICE.format(year=year)}"
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
    entry = _year_entry(
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


# --------------------------------------------------------------------------- statutory holidays


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
            f"{year} 年的节假日无法计算：未载入{_NOTICE.format(year=year)}，法定节假日的农历日期只列入 "
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
        out[moved["除夕"] + k * _ONE_DAY] = "春节"
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


# --------------------------------------------------------------------------- loaded notices

_loaded: tuple[HolidayYear, ...] = ()


def loaded_notices() -> tuple[HolidayYear, ...]:
    """Return the notices the service loaded (:func:`use_notices`).

    Calendars built without ``notices`` use them.
    """
    return _loaded


def use_notices(notices: Iterable[HolidayYear]) -> None:
    """Make ``notices`` the loaded State Council notices and drop cached calendars.

    The service calls it with the rows of ``holiday_notices`` at start and after an
    administrator loads a notice, so every deadline computed afterwards (documents, ledger,
    assessments) uses them: provisional deadlines are recomputed.
    """
    global _loaded
    _loaded = tuple(sorted(notices, key=lambda n: n.year))
    default_calendar.cache_clear()
    _calendar_for.cache_clear()


# --------------------------------------------------------------------------- office hours


def _parse_time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    msg = f"{where}: got {value!r}; expected a time 'HH:MM' (quoted in YAML)"
    raise CalendarError(msg)


def _parse_office_hours(value: Any) -> tuple[tuple[time, time], ...]:
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


def _naive(value: Any, what: str) -> datetime:
    if not isinstance(value, datetime):
        msg = f"{what}: got {value!r}; expected a datetime (naive, local China time)"
        raise CalendarError(msg)
    if value.utcoffset() is not None:
        msg = f"{what}: got timezone-aware {value.isoformat()}; expected a naive datetime in local China time (UTC+8)"
        raise CalendarError(msg)
    return value


def _duration(hours: float | timedelta, what: str) -> timedelta:
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


# --------------------------------------------------------------------------- the calendar


class WorkCalendar:
    """Statutory working days and office hours.

    Parameters
    ----------
    office_hours
        ``[[open, close], ...]`` as ``"HH:MM"`` strings or :class:`datetime.time`, in order,
        not overlapping (the profile's ``office_hours``).
    holiday_files
        Holiday files to read; ``None`` means the shipped :data:`HOLIDAYS_FILE`.
    extra_files
        More holiday files read after ``holiday_files``; for the same year a later file wins.
    use_package
        Use :mod:`chinese_calendar` for years no file describes (default ``True``).
    notices
        State Council notices loaded by an administrator (:func:`notice_year`); they win over
        the files and the package for their year. ``None`` means :func:`loaded_notices`.
    provisional
        Compute a year nothing describes from :func:`statutory_holidays` and weekends, marked
        provisional (default ``True``); ``False`` makes it a ``CalendarError``.

    Notes
    -----
    For a date ``d`` the answer comes from, in order: a notice or file that lists ``d`` itself
    (as a holiday or 调休 working day, from any year's notice); a notice or file entry for
    ``d.year`` (then Monday–Friday work); chinese_calendar if it covers ``d.year``; the
    statutory holidays and weekends (provisional); else ``CalendarError``.

    Examples
    --------
    >>> cal = WorkCalendar.from_profile("jingmen-2023")
    >>> cal.office_hours_per_day
    datetime.timedelta(seconds=25200)
    >>> cal.is_working_day(date(2025, 10, 11))  # Saturday, 调休上班
    True
    """

    def __init__(
        self,
        office_hours: Sequence[Sequence[str | time]],
        *,
        holiday_files: Iterable[str | Path] | None = None,
        extra_files: Iterable[str | Path] = (),
        use_package: bool = True,
        notices: Iterable[HolidayYear] | None = None,
        provisional: bool = True,
    ) -> None:
        self.office_hours = _parse_office_hours(office_hours)
        files = [HOLIDAYS_FILE] if holiday_files is None else [Path(f) for f in holiday_files]
        files += [Path(f) for f in extra_files]
        self.holiday_files: tuple[Path, ...] = tuple(files)
        years: dict[int, HolidayYear] = {}
        for path in files:
            years.update(load_holiday_file(path))
        self.notices: tuple[HolidayYear, ...] = tuple(
            loaded_notices() if notices is None else notices
        )
        years.update({n.year: n for n in self.notices})
        self.provisional = provisional
        self._statutory: dict[int, dict[date, str]] = {}
        self.years: Mapping[int, HolidayYear] = MappingProxyType(dict(sorted(years.items())))
        self._holidays: dict[date, HolidayYear] = {}
        self._workdays: dict[date, HolidayYear] = {}
        for entry in self.years.values():
            for day in entry.holidays:
                self._holidays[day] = entry
            for day in entry.workdays:
                self._workdays[day] = entry
        for day in sorted(self._holidays.keys() & self._workdays.keys()):
            off, on = self._holidays[day], self._workdays[day]
            msg = f"{day} is a holiday in the {off.year} entry of {off.source} but a working day in the {on.year} entry of {on.source}"
            raise CalendarError(msg)
        self.package_years = _PACKAGE_YEARS if use_package else range(0)

    @classmethod
    def from_profile(
        cls,
        profile: Profile | str = DEFAULT_PROFILE,
        *,
        holiday_files: Iterable[str | Path] | None = None,
        extra_files: Iterable[str | Path] = (),
        use_package: bool = True,
        notices: Iterable[HolidayYear] | None = None,
        provisional: bool = True,
    ) -> WorkCalendar:
        """Build a calendar with the profile's ``office_hours`` (see the class for the rest)."""
        prof = load_profile(profile) if isinstance(profile, str) else profile
        return cls(
            prof.office_hours,
            holiday_files=holiday_files,
            extra_files=extra_files,
            use_package=use_package,
            notices=notices,
            provisional=provisional,
        )

    def __repr__(self) -> str:
        hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.office_hours)
        files = ", ".join(str(p) for p in self.holiday_files)
        return f"WorkCalendar(office_hours=[{hours}], files=[{files}], years={list(self.years)}, package={self.package_years.start}-{self.package_years.stop - 1})"

    # ----------------------------------------------------------------- office hours

    @property
    def opening(self) -> time:
        """First opening of a working day (08:30)."""
        return self.office_hours[0][0]

    @property
    def closing(self) -> time:
        """Close of office hours of a working day (18:00): where N working days end."""
        return self.office_hours[-1][1]

    @property
    def office_hours_per_day(self) -> timedelta:
        """Office time of one working day (7 h for 08:30–12:00 and 14:30–18:00)."""
        day = date(2000, 1, 3)
        return sum(
            (datetime.combine(day, b) - datetime.combine(day, a) for a, b in self.office_hours),
            timedelta(0),
        )

    def working_days_as_office_hours(self, days: float) -> float:
        """Turn a fraction of a working day into office hours (0.5 → 3.5 in Jingmen).

        Parameters
        ----------
        days
            Strictly between 0 and 1; whole working days follow :meth:`add_working_days`.
        """
        if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days < 1:
            msg = f"working days as office hours: got {days!r}; expected a fraction of one working day strictly between 0 and 1 (whole working days end at {self.closing:%H:%M} of the N-th working day)"
            raise CalendarError(msg)
        return float(days) * (self.office_hours_per_day / _ONE_HOUR)

    # ----------------------------------------------------------------- working days

    def covers(self, year: int) -> bool:
        """Whether a loaded notice, a holiday file or chinese_calendar describes ``year``."""
        return year in self.years or year in self.package_years

    def is_provisional(self, year: int) -> bool:
        """Whether ``year`` is computed from the statutory holidays only (no notice: 暂定)."""
        return self.provisional and not self.covers(year)

    def provisional_years(self, *moments: date) -> tuple[int, ...]:
        """Provisional years a result spanning ``moments`` depends on (sorted, may be empty).

        A deadline walks every day from its start to its end, so it depends on every year
        between the earliest and the latest of ``moments``.

        Examples
        --------
        >>> cal = WorkCalendar.from_profile("jingmen-2023", notices=())
        >>> cal.provisional_years(datetime(2026, 12, 24, 10), datetime(2027, 1, 4, 18))
        (2027,)
        """
        if not moments:
            return ()
        years = [m.year for m in moments]
        return tuple(y for y in range(min(years), max(years) + 1) if self.is_provisional(y))

    def year_source(self, year: int) -> str:
        """Where ``year``'s working days come from, in Chinese (for administrators).

        One of 已载入通知 (a loaded notice), 节假日文件 (a holiday file), chinese_calendar,
        暂定 (statutory holidays and weekends) or 无法计算.
        """
        if year in self.years:
            entry = self.years[year]
            return "已载入通知" if isinstance(entry.source, str) else "节假日文件"
        if year in self.package_years:
            return f"chinese_calendar {chinese_calendar.__version__}"
        if not self.provisional:
            return "无法计算"
        try:
            statutory_holidays(year)
        except CalendarError:
            return "无法计算"
        return "暂定（法定节假日和周末）"

    def _undescribed(self, day: date) -> CalendarError:
        package = (
            f"chinese_calendar {chinese_calendar.__version__} covers {self.package_years.start}–{self.package_years.stop - 1}"
            if self.package_years
            else "chinese_calendar is not used"
        )
        described = ", ".join(map(str, self.years)) or "none"
        lunar = sorted(_statutory_data()[1])
        statutory = (
            f"the statutory holidays are listed for {lunar[0]}–{lunar[-1]}"
            if self.provisional
            else "provisional years are not computed"
        )
        msg = (
            f"{day.year} 年无节假日安排：请管理员载入{_NOTICE.format(year=day.year)} "
            f"(no statutory holiday schedule for {day.year}, needed for {day}: {package}; "
            f"loaded notices and holiday files describe years: {described}; {statutory})"
        )
        return CalendarError(msg)

    def _statutory_working_day(self, d: date) -> bool:
        if d.year not in self._statutory:
            try:
                self._statutory[d.year] = statutory_holidays(d.year)
            except CalendarError:
                raise self._undescribed(d) from None
        return d.weekday() < 5 and d not in self._statutory[d.year]

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a statutory working day (a datetime counts by its date).

        Raises
        ------
        CalendarError
            ``d`` is in a year nothing describes and (if provisional) beyond the statutory data.
        """
        if isinstance(d, datetime):
            d = _naive(d, "is_working_day").date()
        elif not isinstance(d, date):
            msg = f"is_working_day: got {d!r}; expected a date"
            raise CalendarError(msg)
        if d in self._workdays:
            return True
        if d in self._holidays:
            return False
        if d.year in self.years:
            return d.weekday() < 5
        if d.year in self.package_years:
            return bool(chinese_calendar.is_workday(d))
        if not self.provisional:
            raise self._undescribed(d)
        return self._statutory_working_day(d)

    def add_working_days(self, start: date, n: int) -> datetime:
        """Close of office hours of the ``n``-th working day after the start day.

        The start day is not counted, whatever the time (期间开始之日不计入).

        Parameters
        ----------
        start
            Start date or naive local datetime.
        n
            Whole number of working days, at least 1.
        """
        if isinstance(start, datetime):
            start = _naive(start, "add_working_days start").date()
        elif not isinstance(start, date):
            msg = f"add_working_days: got start {start!r}; expected a date or datetime"
            raise CalendarError(msg)
        try:
            count = operator.index(n)
        except TypeError:
            count = -1
        if isinstance(n, bool) or count < 1:
            msg = f"add_working_days: got n={n!r}; expected a whole number of working days ≥ 1 (fractions: use add_working_hours or deadline(working_days=0.5))"
            raise CalendarError(msg)
        day = start
        while count:
            day += _ONE_DAY
            if self.is_working_day(day):
                count -= 1
        return datetime.combine(day, self.closing)

    # ----------------------------------------------------------------- office-hour arithmetic

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office periods (clipped to start at ``moment``) from ``moment`` on, in order."""
        day = moment.date()
        while True:
            if self.is_working_day(day):
                for opening, closing in self.office_hours:
                    end = datetime.combine(day, closing)
                    if end > moment:
                        yield max(datetime.combine(day, opening), moment), end
            day += _ONE_DAY

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """Add office hours: only time inside office hours on working days counts.

        A start outside office hours begins at the next opening; lunch breaks, nights,
        weekends and holidays are skipped. Using up a period exactly ends at its close.
        """
        start = _naive(start, "add_working_hours start")
        remaining = _duration(hours, "add_working_hours hours")
        periods = self._periods_from(start)
        while True:
            begin, end = next(periods)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin

    def office_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours from ``start`` to ``end`` (negative if ``end`` is earlier).

        The inverse of :meth:`add_working_hours`; the e-ledger uses it for time left.
        """
        start = _naive(start, "office_hours_between start")
        end = _naive(end, "office_hours_between end")
        if end < start:
            return -self.office_hours_between(end, start)
        total = timedelta(0)
        for begin, close in self._periods_from(start):
            if begin >= end:
                break
            total += min(close, end) - begin
        return total / _ONE_HOUR


# --------------------------------------------------------------------------- module functions


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
    return _calendar_for(_parse_office_hours(prof.office_hours))


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
    cal = _cal(calendar)
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
    return _naive(start, "add_clock_hours start") + _duration(hours, "add_clock_hours hours")


def working_days_as_office_hours(days: float, *, calendar: WorkCalendar | None = None) -> float:
    """Office hours of a fraction of a working day: half of the day's office hours for 0.5.

    Examples
    --------
    >>> working_days_as_office_hours(0.5)
    3.5
    """
    return _cal(calendar).working_days_as_office_hours(days)


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
    cal = _cal(calendar)
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
    start = _naive(start, "deadlines_for_path start")
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
