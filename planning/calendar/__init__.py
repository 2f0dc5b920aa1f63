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

Modules
-------
One concern per module; everything is re-exported here, so ``from planning.calendar import X``
is the way to use them:

- :mod:`~planning.calendar.statutory`: statutory holidays of 全国年节及纪念日放假办法 and the
  provisional marks;
- :mod:`~planning.calendar.holidays`: holiday files (``planning/data/holidays.yaml``);
- :mod:`~planning.calendar.notices`: State Council notices an administrator loads, and the
  loaded notices of the process;
- :mod:`~planning.calendar.work_calendar`: :class:`WorkCalendar`, working days and office hours
  (民法典 第二百零一、二百零三条);
- :mod:`~planning.calendar.active`: the default and per-profile calendars, :func:`use_notices`
  and the module-level arithmetic;
- :mod:`~planning.calendar.deadlines`: :func:`deadline`, the time nodes of the approval paths
  (seed 四(二), 五(一), 六(四)) and :func:`missing_schedule_warning`.

Examples
--------
>>> from datetime import datetime
>>> add_working_days(datetime(2025, 9, 30, 10, 0), 3)  # 10-01..10-08 off; 10-11 is 调休
datetime.datetime(2025, 10, 11, 18, 0)
>>> deadline(datetime(2025, 9, 30, 16, 0), working_days=0.5)  # 2 h, then 1.5 h on 10-09
datetime.datetime(2025, 10, 9, 10, 0)
"""

from planning.calendar.active import (
    add_clock_hours,
    add_working_days,
    add_working_hours,
    calendar_for,
    default_calendar,
    is_working_day,
    office_hours_between,
    use_notices,
    working_days_as_office_hours,
)
from planning.calendar.deadlines import (
    SCHEDULE_WARNING_FROM,
    ApprovalPath,
    deadline,
    deadlines_for_path,
    missing_schedule_warning,
    path_deadlines,
)
from planning.calendar.holidays import HOLIDAYS_FILE, HolidayYear, load_holiday_file
from planning.calendar.notices import loaded_notices, notice_year
from planning.calendar.statutory import (
    PROVISIONAL_MARK,
    STATUTORY_FILE,
    provisional_note,
    statutory_holidays,
)
from planning.calendar.work_calendar import DEFAULT_PROFILE, WorkCalendar

__all__ = [
    "DEFAULT_PROFILE",
    "HOLIDAYS_FILE",
    "PROVISIONAL_MARK",
    "SCHEDULE_WARNING_FROM",
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
