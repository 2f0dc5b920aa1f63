"""Documents and the survey package of a project: 附件2, 附件3, the planning opinion, the zip."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api import service
from api.deps import AssessedDep, StateDep
from api.process.opinions import signed_of
from api.process.records import acceptance_time
from api.schemas import IsoDateTime, as_china_time, china_now
from api.security import CurrentUser, Principal, mask_id_number, mask_phone, sees_personal_data
from api.service import Assessed
from api.state import ServiceState
from gis.errors import Problem, ValidationError

router = APIRouter(prefix="/projects/{project_id}", tags=["文书与踏勘包 documents"])

StartQuery = Annotated[
    IsoDateTime | None,
    Query(
        description="受理时间（办理时限自此起算），如 2025-09-30T10:00；仅用于尚未受理（无项目记录）的地块，"
        "已受理项目一律按记录的受理时间（时间节点“采集单齐全”）起算"
    ),
]


def _for(done: Assessed, p: Principal) -> Assessed:
    """Return the assessments with ID numbers and phones masked for roles that do not need them."""
    if sees_personal_data(p):
        return done
    forms = {
        pid: f.model_copy(
            update={
                "id_number": mask_id_number(f.id_number) if f.id_number else f.id_number,
                "phone": mask_phone(f.phone) if f.phone else f.phone,
            }
        )
        for pid, f in done.forms.items()
    }
    return dataclasses.replace(done, forms=forms)


def _start(state: ServiceState, project_id: str, start: dt.datetime | None) -> dt.datetime:
    """Return when the time limits count from: the project's recorded acceptance time.

    ``start`` serves only a site without a project record (default: now); for a project it
    must be its recorded acceptance time, if given at all (422 otherwise).
    """
    accepted = acceptance_time(state, project_id)
    if accepted is None:
        return start or china_now()
    if start is not None and as_china_time(start).replace(tzinfo=None) != accepted:
        problem = Problem(
            "projects",
            project_id,
            "start",
            start.isoformat(timespec="minutes"),
            f"项目 {project_id} 已记录受理时间 {accepted:%Y-%m-%d %H:%M}，办理时限自此起算；"
            "如受理时间有误，请重新记录时间节点“采集单齐全” (the project's recorded acceptance "
            f"time {accepted.isoformat(timespec='minutes')}, or no start)",
            code="acceptance_recorded",
        )
        raise ValidationError(problems=[problem], summary="受理时间已记录 (acceptance recorded)")
    return accepted


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get(
    "/documents/{kind}",
    summary="审批文书",
    description="intake_form：需求信息采集单（附件2，HTML 或 A4 单页 PDF）；approval_sheet：联合服务事项综合审批意见单"
    "（附件3，HTML 或 PDF）；planning_opinion：规划意见（草拟，HTML 或 PDF）。PDF 内嵌中文字体。",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def document(
    project_id: str,
    kind: Literal["intake_form", "approval_sheet", "planning_opinion"],
    done: AssessedDep,
    state: StateDep,
    p: CurrentUser,
    start: StartQuery = None,
    format: Annotated[Literal["html", "pdf"], Query(description="html 或 pdf")] = "html",
) -> Response:
    """Return one document of a project."""
    when = _start(state, project_id, start)
    done = _for(done, p)
    signed = signed_of(state, project_id)  # 附件3 shows the opinions signed and the issued sheet
    if format == "html":
        return HTMLResponse(service.document_html(done, project_id, kind, start=when, signed=signed))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "doc.pdf"
        path = service.document_pdf(done, project_id, kind, out, start=when, signed=signed)
        body = path.read_bytes()
    name = f"{project_id}_{service.FILE_NAMES[kind]}.pdf"
    return Response(body, media_type="application/pdf", headers=_attachment(name))


@router.get(
    "/survey-package",
    summary="踏勘包",
    description="GeoPackage（红线、外线、接驳点、穿越点、同沟段、踏勘核查表）+ 离线地图 + 说明，"
    "一个 zip，QGIS/QField 可直接打开。",
    responses={200: {"content": {"application/zip": {}}}},
)
def survey_package(project_id: str, done: AssessedDep, p: CurrentUser) -> Response:
    """Return the survey package of a project as a zip."""
    with tempfile.TemporaryDirectory() as tmp:
        path = service.survey_pack(done, project_id, Path(tmp) / "survey.zip")
        body = path.read_bytes()
    return Response(
        body, media_type="application/zip", headers=_attachment(f"{project_id}_踏勘包.zip")
    )
