"""The e-ledger (电子台账): every project's open step, its deadline and the early warning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import StateDep
from api.process.dashboard import ledger_projects
from api.schemas import ChinaTime, IsoDateTime, as_china_time, china_now
from api.security import CurrentUser
from planning.ledger import (
    ALERT_STATUSES,
    by_department,
    ledger_status,
)

router = APIRouter(prefix="/ledger", tags=["电子台账 ledger"])


class LedgerEntryPublic(BaseModel):
    """One project's open step for one department."""

    project_id: str
    name: str
    department: str
    path: str | None
    step: str | None
    step_label: str
    status: str
    start: ChinaTime | None
    deadline: ChinaTime | None
    share: float | None
    message: str
    error: str | None = None
    provisional: bool = False


@router.get(
    "",
    response_model=dict[str, list[LedgerEntryPublic]],
    summary="电子台账与预警",
    description="按部门列出各项目当前环节、办理时限与已用工作时间；默认只列临近时限（已用 75% 以上）"
    "或已超时的项目（预警），all=true 列出全部。",
)
def ledger(
    state: StateDep,
    p: CurrentUser,
    now: Annotated[IsoDateTime | None, Query(description="计算时刻（默认当前时间）")] = None,
    all_entries: Annotated[
        bool, Query(alias="all", description="列出全部项目，而不只是预警")
    ] = False,
    department: Annotated[str | None, Query(description="只看某部门，如 市行政审批局")] = None,
) -> dict[str, list[LedgerEntryPublic]]:
    """Return the ledger by department (warnings only by default)."""
    # the ledger counts in naive China time: an instant given with an offset is read in it
    at = as_china_time(now).replace(tzinfo=None) if now else china_now()
    state.sync_calendar()  # loaded holiday notices (else 暂定 deadlines)
    entries = ledger_status(ledger_projects(state), now=at, profile=state.profile)
    groups = by_department(entries, statuses=None if all_entries else ALERT_STATUSES)
    return {
        dept: [
            LedgerEntryPublic(
                project_id=e.project_id,
                name=e.name,
                department=e.department,
                path=e.path,
                step=e.step,
                step_label=e.step_label,
                status=e.status,
                start=e.start,
                deadline=e.deadline,
                share=e.share,
                message=e.message,
                error=e.error,
                provisional=e.provisional,
            )
            for e in items
        ]
        for dept, items in groups.items()
        if department is None or dept == department
    }
