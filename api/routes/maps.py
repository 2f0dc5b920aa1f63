"""Maps: the project map, the district map and the pre-lay plan map, as offline HTML pages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api import service
from api.deps import AssessedDep, StateDep
from api.security import CurrentUser

router = APIRouter(prefix="/maps", tags=["地图 maps"])

BasemapQuery = Annotated[
    Literal["none", "tianditu", "osm", "gaode"] | None,
    Query(description="底图：none（离线，默认）、tianditu（需密钥）、osm、gaode（叠加层转 GCJ-02）"),
]


@router.get(
    "/projects/{project_id}",
    response_class=HTMLResponse,
    summary="项目研判图",
    description="项目红线、五类管网、外线路由与接驳点、穿越点、同沟段、受保护道路、300 m 参考范围；"
    "离线可用的单个 HTML 页面。",
)
def project_map(
    project_id: str, done: AssessedDep, p: CurrentUser, basemap: BasemapQuery = None
) -> HTMLResponse:
    """Return the project map page."""
    return HTMLResponse(service.project_map_html(done, project_id, basemap=basemap))


@router.get(
    "/district",
    response_class=HTMLResponse,
    summary="项目研判总图",
    description="全部项目按审批路径（告知承诺/联合审批/不适用/需提前布局）着色。",
)
def district_map(done: AssessedDep, p: CurrentUser, basemap: BasemapQuery = None) -> HTMLResponse:
    """Return the district map page."""
    return HTMLResponse(service.district_map_html(done, basemap=basemap))


@router.get(
    "/prelay",
    response_class=HTMLResponse,
    summary="提前布局规划图",
    description="现状与规划管线对比，招商意向项目布局前后的接入条件。",
)
def prelay_map(
    state: StateDep, done: AssessedDep, p: CurrentUser, basemap: BasemapQuery = None
) -> HTMLResponse:
    """Return the pre-lay plan map page."""
    return HTMLResponse(
        service.prelay_map_html(done.ws, profile=state.profile, as_of=done.as_of, basemap=basemap)
    )
