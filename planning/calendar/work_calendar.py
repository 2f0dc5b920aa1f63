"""The working-day calendar and its office-hour arithmetic (seed 五(一), 六(四); rules R6, R7).

:class:`WorkCalendar` answers whether a day is a statutory working day (a loaded notice, a
holiday file, chinese_calendar, else the provisional statutory holidays) and counts time the
way the seed's limits are meant: N working days end at the close of office hours of the N-th
working day after the start day (民法典 第二百零一条: the start day is not counted;
第二百零三条: the period ends when business stops), office hours skip lunch breaks, nights and
days off. See :mod:`planning.calendar` for the full counting rules.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType

import chinese_calendar

from gis.errors import CalendarError
from gis.profile import Profile, load_profile
from planning.calendar._checks import ONE_DAY, ONE_HOUR, duration, naive, parse_office_hours
from planning.calendar.holidays import HOLIDAYS_FILE, HolidayYear, load_holiday_file
from planning.calendar.notices import loaded_notices
from planning.calendar.statutory import NOTICE, _statutory_data, statutory_holidays

__all__ = ["DEFAULT_PROFILE", "WorkCalendar"]

DEFAULT_PROFILE = "jingmen-2023"
"""Profile whose ``office_hours`` the module-level functions use when no calendar is given."""

_PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


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
        self.office_hours = parse_office_hours(office_hours)
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
        self._package_days: dict[date, bool] = {}

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
        return float(days) * (self.office_hours_per_day / ONE_HOUR)

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
            f"{day.year} 年无节假日安排：请管理员载入{NOTICE.format(year=day.year)} "
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
            d = naive(d, "is_working_day").date()
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
            # chinese_calendar validates every date against its whole table: remember answers
            known = self._package_days.get(d)
            if known is None:
                known = self._package_days[d] = bool(chinese_calendar.is_workday(d))
            return known
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
            start = naive(start, "add_working_days start").date()
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
            day += ONE_DAY
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
            day += ONE_DAY

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """Add office hours: only time inside office hours on working days counts.

        A start outside office hours begins at the next opening; lunch breaks, nights,
        weekends and holidays are skipped. Using up a period exactly ends at its close.
        """
        start = naive(start, "add_working_hours start")
        remaining = duration(hours, "add_working_hours hours")
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
        start = naive(start, "office_hours_between start")
        end = naive(end, "office_hours_between end")
        if end < start:
            return -self.office_hours_between(end, start)
        total = timedelta(0)
        for begin, close in self._periods_from(start):
            if begin >= end:
                break
            total += min(close, end) - begin
        return total / ONE_HOUR
