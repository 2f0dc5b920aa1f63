"""Holiday notices (节假日安排): which years' State Council notices are loaded, and loading one.

Until a year's notice is loaded, deadlines reaching into it are computed from the statutory
holidays and weekends and marked 暂定; loading it recomputes them (admin only).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import StateDep
from api.holidays import save_notice
from api.schemas import IsoDate, china_now
from api.security import AdminUser
from gis.errors import CalendarError, Problem, ValidationError
from planning.calendar import calendar_for, missing_schedule_warning

router = APIRouter(prefix="/admin/holidays", tags=["节假日安排 holidays"])


class NoticeIn(BaseModel):
    """The dates of a State Council notice (国务院办公厅关于XXXX年部分节假日安排的通知)."""

    holidays: list[dt.date] = Field(
        min_length=1, max_length=366, description="放假日期（含调休并入的周末），ISO 日期"
    )
    workdays: list[dt.date] = Field(
        default_factory=list, max_length=366, description="调休上班的周六、周日，ISO 日期"
    )
    source: str = Field(
        min_length=1, max_length=300, description="通知名称与文号，如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）"
    )


class YearStatus(BaseModel):
    """Where one year's working days come from."""

    year: int
    source: str
    provisional: bool
    notice: str | None = None


class HolidaysStatus(BaseModel):
    """The years around today and the warning for administrators (None when nothing is missing)."""

    years: list[YearStatus]
    warning: str | None


def _status(state: StateDep, today: dt.date) -> HolidaysStatus:
    state.sync_calendar()
    cal = calendar_for(state.profile)
    years = []
    for year in range(today.year - 1, today.year + 3):
        entry = cal.years.get(year)
        years.append(
            YearStatus(
                year=year,
                source=cal.year_source(year),
                provisional=cal.is_provisional(year),
                notice=entry.notice if entry is not None else None,
            )
        )
    return HolidaysStatus(years=years, warning=missing_schedule_warning(today, calendar=cal))


@router.get(
    "",
    response_model=HolidaysStatus,
    summary="节假日安排载入情况",
    description="列出去年至后年各年的工作日依据（已载入通知、chinese_calendar 或暂定），"
    "自 11 月 1 日起提示次年通知尚未载入。仅系统管理员。",
)
def holidays_status(
    state: StateDep,
    _user: AdminUser,
    today: Annotated[IsoDate | None, Query(description="按此日期判断（默认今天）")] = None,
) -> HolidaysStatus:
    """Return the years' sources and the missing-notice warning."""
    return _status(state, today or china_now().date())


@router.post(
    "/{year}",
    response_model=HolidaysStatus,
    summary="载入国务院节假日安排通知",
    description="载入某年的放假日期与调休上班日期；此后该年的办理时限按通知计算，不再暂定。仅系统管理员。",
)
def load_notice(
    state: StateDep,
    user: AdminUser,
    year: Annotated[int, Path(ge=2000, le=2100, description="通知所属年份")],
    body: NoticeIn,
) -> HolidaysStatus:
    """Store the notice of ``year`` and rebuild the calendar (deadlines are recomputed)."""
    try:
        save_notice(
            state.store,
            year,
            holidays=body.holidays,
            workdays=body.workdays,
            source=body.source,
            loaded_by=user.name,
        )
    except CalendarError as exc:
        problem = Problem(
            "holiday_notices", str(year), "holidays/workdays", str(exc), "a valid notice of the year"
        )
        raise ValidationError(
            problems=[problem], summary=f"{year} 年节假日安排未载入 (notice {year} not loaded)"
        ) from exc
    return _status(state, china_now().date())
