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
from api.deps import AssessedDep
from api.schemas import IsoDateTime
from api.security import CurrentUser, Principal, mask_id_number, mask_phone, sees_personal_data
from api.service import Assessed

router = APIRouter(prefix="/projects/{project_id}", tags=["文书与踏勘包 documents"])

StartQuery = Annotated[
    IsoDateTime | None,
    Query(description="受理时间（办理时限自此起算，默认当前时间），如 2025-09-30T10:00"),
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


def _now(start: dt.datetime | None) -> dt.datetime:
    return start or dt.datetime.now().replace(second=0, microsecond=0)


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
    p: CurrentUser,
    start: StartQuery = None,
    format: Annotated[Literal["html", "pdf"], Query(description="html 或 pdf")] = "html",
) -> Response:
    """Return one document of a project."""
    when = _now(start)
    done = _for(done, p)
    if format == "html":
        return HTMLResponse(service.document_html(done, project_id, kind, start=when))
    with tempfile.TemporaryDirectory() as tmp:
        path = service.document_pdf(done, project_id, kind, Path(tmp) / "doc.pdf", start=when)
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
