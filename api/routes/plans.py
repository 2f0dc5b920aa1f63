"""Pre-lay plans (提前布局) and coordination packages (协同施工): run, store, read."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import StateDep
from api.report import feature_collection
from api.schemas import AwareUTC, IsoDate
from api.security import CurrentUser, Principal, require_roles
from api.service import construction_period
from gis.errors import NotFoundError
from gis.schema import UTILITIES
from gis.storage.models import AuditEntry, PlanRecord
from planning.coordination import coordinate_works, packages_to_gdf
from planning.prelay import plan_prelay
from planning.works import works_from_assessments

router = APIRouter(prefix="/plans", tags=["规划 plans"])

Kind = Literal["prelay", "coordination"]


class PlanPublic(BaseModel):
    """A stored plan: its summary, its lines (GeoJSON, CRS84) and the versions it used."""

    id: int
    kind: str
    created_at: AwareUTC
    created_by: str | None
    utility: str | None
    versions: dict[str, int]
    summary: dict[str, Any]
    features: dict[str, Any]



def _public(r: PlanRecord) -> PlanPublic:
    return PlanPublic(
        id=r.id,
        kind=r.kind,
        created_at=r.created_at,
        created_by=r.created_by,
        utility=r.utility,
        versions=r.versions,
        summary=r.summary,
        features=r.features,
    )


@router.post(
    "/prelay",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanPublic,
    summary="编制提前布局方案",
    description="按已登记的招商意向项目，规划各专业需提前布局的管线（可指定专业）；专业规划人员只能编制本专业方案。",
)
def run_prelay(
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("utility"))],
    utility: Annotated[str | None, Query(description="专业：water、gas、heat、power、telecom")] = None,
) -> PlanPublic:
    """Plan main extensions for the registered intents and store the plan."""
    if p.role == "utility":
        utility = p.utility  # a utility's planners plan their own network
    ws, versions = state.workspace()
    plan = plan_prelay(ws, profile=state.profile, utilities=[utility] if utility else UTILITIES)
    layers = plan.layers()
    summary = {
        "utilities": plan.summary(state.profile),
        "conflicts": plan.conflicts,
        "unreachable": plan.unreachable,
    }
    with state.store.session.begin() as s:
        rec = PlanRecord(
            kind="prelay",
            created_by=p.name,
            utility=utility,
            versions=versions,
            summary=summary,
            features=feature_collection(layers["prelay_extensions"]),
        )
        s.add(rec)
        s.add(AuditEntry(user=p.name, action="run_prelay", target=utility or "all", detail={}))
    return _public(rec)


@router.post(
    "/coordination",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanPublic,
    summary="编制协同施工方案",
    description="把各项目外线工程按时间窗与道路合并为联合施工包，避免同一道路重复开挖。",
)
def run_coordination(
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("planning", "utility"))],
    date_from: Annotated[IsoDate | None, Query(description="起始日期")] = None,
    date_to: Annotated[IsoDate | None, Query(description="截止日期")] = None,
) -> PlanPublic:
    """Group the planned works of all projects into construction packages and store them."""
    done = state.assessed()
    ws = done.ws
    windows = {
        pid: period
        for pid in done.assessments
        if (period := construction_period(ws, pid)) is not None
    }
    works = works_from_assessments(done.assessments.values(), ws.corridor_graph(), windows)
    result = coordinate_works(works, profile=state.profile, date_from=date_from, date_to=date_to)
    packages = packages_to_gdf(result, works)
    summary = {
        "packages": len(packages),
        "works": len(works),
        "window_days": result.window_days,
        "projects_with_window": len(windows),
        "excavations_without": result.excavations_without,
        "excavations_with": result.excavations_with,
        "metres_without": round(result.metres_without, 1),
        "metres_with": round(result.metres_with, 1),
    }
    with state.store.session.begin() as s:
        rec = PlanRecord(
            kind="coordination",
            created_by=p.name,
            versions=done.versions,
            summary=summary,
            features=feature_collection(packages) if len(packages) else {"type": "FeatureCollection", "features": []},
        )
        s.add(rec)
    return _public(rec)


@router.get(
    "/{kind}/latest",
    response_model=PlanPublic,
    summary="最新方案",
    description="最近一次提前布局方案（prelay）或协同施工方案（coordination）。",
)
def latest_plan(kind: Kind, state: StateDep, p: CurrentUser) -> PlanPublic:
    """Return the latest stored plan of a kind."""
    with state.store.session() as s:
        rec = s.scalars(
            select(PlanRecord).where(PlanRecord.kind == kind).order_by(PlanRecord.id.desc()).limit(1)
        ).first()
    if rec is None:
        msg = f"no {kind} plan has been made yet: POST /plans/{kind}"
        raise NotFoundError(msg)
    return _public(rec)
