"""Projects: the intake form (附件2), its assessment, its time nodes and opinions.

Every change of a project is atomic: its row is read, changed and written in one locked
transaction (:meth:`gis.storage.store.Store.write`) and its ``row_version`` raised by one. The
``row_version`` is the project's ETag: ``PUT`` replaces the intake form only with ``If-Match``
naming the current ETag (428 without it, 412 when someone changed the project since it was read);
time nodes and opinions change one key each and need no ``If-Match``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response, status
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import select

from api.deps import StateDep
from api.process.applications import register_project
from api.process.assessment import decide_project
from api.process.nodes import NODE_ROLES as NODE_ROLES
from api.process.nodes import record_time_node
from api.process.opinions import sign_opinion
from api.process.records import ACCEPTANCE_NODE as ACCEPTANCE_NODE
from api.process.records import accepted_at as accepted_at
from api.process.records import (
    change_project,
    check_version,
    etag,
    project_record,
)
from api.process.records import latest_assessment as stored_assessment
from api.schemas import AwareUTC, IsoDate, IsoDateTime
from api.security import CurrentUser, Principal, mask_intake, require_roles
from api.state import ServiceState
from gis import vocabulary
from gis.errors import (
    NotFoundError,
    PreconditionRequiredError,
    Problem,
    ValidationError,
)
from gis.storage.models import AssessmentRecord, ProjectRecord
from planning.intake import parse_intake
from planning.ledger import Step

router = APIRouter(prefix="/projects", tags=["项目 projects"])


class ProjectPublic(BaseModel):
    """A project as the API shows it (personal data masked for roles that do not need it)."""

    project_id: str
    intake: dict[str, Any]
    created_at: AwareUTC
    updated_at: AwareUTC
    created_by: str | None
    time_nodes: dict[str, Any] = Field(default_factory=dict)
    opinions: dict[str, Any] = Field(default_factory=dict)
    approval_path: str | None = None
    assessed_at: AwareUTC | None = None
    links: dict[str, str] = Field(default_factory=dict)
    """Where its map, documents and survey package are rendered (relative URLs)."""
    row_version: int = 1
    """Raised by one at every change; the ``ETag`` header is it in quotes, e.g. ``"3"``."""


class AssessmentPublic(BaseModel):
    """A stored assessment: the versions it used and its result (routes in WGS84 GeoJSON)."""

    id: int
    project_id: str
    created_at: AwareUTC
    as_of: dt.date
    profile: str
    versions: dict[str, int]
    approval_path: str | None
    result: dict[str, Any]


class OpinionCreate(BaseModel):
    """A department's opinion on a project (e.g. 自然资源和规划局 的规划意见)."""

    text: str = Field(min_length=1, max_length=4000, description="意见内容")


class NodeCreate(BaseModel):
    """A time node of the e-ledger (电子台账)."""

    at: IsoDateTime | None = Field(default=None, description="发生时间（默认当前时间）")


IntakeBody = Annotated[
    dict[str, Any],
    Body(
        description="需求信息采集单（附件2）全部字段；site_id 为工作空间 sites 图层中的地块编号。"
        "全部问题一次性告知（422，含字段路径）。",
    ),
]


def _public(r: ProjectRecord, p: Principal, latest: AssessmentRecord | None) -> ProjectPublic:
    return ProjectPublic(
        project_id=r.project_id,
        intake=mask_intake(r.intake, p),
        created_at=r.created_at,
        updated_at=r.updated_at,
        created_by=r.created_by,
        time_nodes=r.time_nodes or {},
        opinions=r.opinions or {},
        approval_path=latest.approval_path if latest else None,
        assessed_at=latest.created_at if latest else None,
        links=_links(r.project_id),
        row_version=r.row_version or 1,
    )


def _answer(state: ServiceState, project_id: str, p: Principal, response: Response) -> ProjectPublic:
    """Return a project as stored now, with its ETag header."""
    r = project_record(state, project_id)
    response.headers["ETag"] = etag(r)
    return _public(r, p, stored_assessment(state, project_id))


def _links(pid: str) -> dict[str, str]:
    return {
        "assessment": f"/projects/{pid}/assessment",
        "map": f"/maps/projects/{pid}",
        "intake_form": f"/projects/{pid}/documents/intake_form",
        "approval_sheet_pdf": f"/projects/{pid}/documents/approval_sheet?format=pdf",
        "planning_opinion_pdf": f"/projects/{pid}/documents/planning_opinion?format=pdf",
        "survey_package": f"/projects/{pid}/survey-package",
    }




def _validated(state: ServiceState, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Check an intake form completely (one 422 listing every problem) and its site."""
    form = parse_intake(data, require_identity=True)
    ws, _ = state.workspace()
    sites = set(ws.layer("sites")["project_id"].astype(str))
    if not form.site_id or form.site_id not in sites:
        problem = Problem(
            "intake",
            form.project_code,
            "site_id",
            repr(form.site_id),
            "the project_id of a site polygon in the sites layer",
            code="unknown_site",
        )
        raise ValidationError(problems=[problem], summary="intake form refused")
    return str(form.site_id), form.model_dump(mode="json", exclude_none=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    summary="受理项目（一表申请）",
    description="受理窗口提交需求信息采集单；校验全部字段，问题一次性告知；记录“采集单齐全”时间节点。",
)
def create_project(
    data: IntakeBody,
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("intake"))],
    response: Response,
) -> ProjectPublic:
    """Create a project from its intake form (on a stored site), accepted now."""
    pid = register_project(state, p, data)
    return _answer(state, pid, p, response)


@router.put(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="修改项目采集单",
    description="以新的需求信息采集单替换原表；校验全部字段，问题一次性告知。"
    "须在 If-Match 请求头中给出查看项目时得到的 ETag：缺少时 428，项目已被他人修改时 412（请重新获取）。",
    responses={
        412: {"description": "项目已被他人修改（If-Match 不是当前 ETag）"},
        428: {"description": "缺少 If-Match 请求头"},
    },
)
def update_project(
    project_id: str,
    data: IntakeBody,
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("intake"))],
    response: Response,
    if_match: Annotated[
        str | None, Header(description="查看项目时得到的 ETag，如 \"3\"（乐观并发控制）")
    ] = None,
) -> ProjectPublic:
    """Replace a project's intake form, if nobody changed it since the client read it."""
    # (1) the project exists and the client says which version it changed
    current = project_record(state, project_id)
    if if_match is None:
        msg = (
            f"修改项目 {project_id} 须在 If-Match 请求头中给出其当前 ETag {etag(current)} "
            "(If-Match with the ETag from GET is required to change a project)"
        )
        raise PreconditionRequiredError(msg)
    check_version(current, if_match)
    # (2) the new form is complete and keeps the site
    pid, form = _validated(state, {**data, "site_id": data.get("site_id", project_id)})
    if pid != project_id:
        problem = Problem("intake", project_id, "site_id", pid, project_id, code="site_changed")
        raise ValidationError(problems=[problem], summary="a project keeps its site")
    # (3) stored only if still the version the client read
    audit: tuple[Principal, str, dict[str, Any]] = (p, "update_project", {})
    change_project(state, project_id, lambda r: setattr(r, "intake", form), audit=audit, if_match=if_match)
    return _answer(state, project_id, p, response)


@router.get(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="查看项目",
    description="项目采集单、时间节点、意见与最新研判结论；身份证号、电话按角色脱敏。",
)
def read_project(project_id: str, state: StateDep, p: CurrentUser, response: Response) -> ProjectPublic:
    """Return one project, with its ETag (send it as ``If-Match`` to change it)."""
    return _answer(state, project_id, p, response)


@router.get(
    "",
    response_model=list[ProjectPublic],
    summary="项目列表",
    description="按审批路径、申请专业或名称筛选项目。",
)
def list_projects(
    state: StateDep,
    p: CurrentUser,
    approval_path: Annotated[
        str | None, Query(description="commitment（告知承诺）、joint（联合审批）、not_applicable")
    ] = None,
    utility: Annotated[str | None, Query(description="water、gas、heat、power、telecom")] = None,
    q: Annotated[str | None, Query(description="项目名称或申请单位包含的文字")] = None,
) -> list[ProjectPublic]:
    """List projects with filters."""
    with state.store.session() as s:
        rows = list(s.scalars(select(ProjectRecord).order_by(ProjectRecord.project_id)))
    out = []
    for r in rows:
        latest = stored_assessment(state, r.project_id)
        if approval_path is not None and (latest is None or latest.approval_path != approval_path):
            continue
        if utility is not None and utility not in (r.intake.get("utilities") or []):
            continue
        text = f"{r.intake.get('project_name', '')} {r.intake.get('applicant', '')}"
        if q and q not in text:
            continue
        out.append(_public(r, p, latest))
    return out


def _assessment_public(rec: AssessmentRecord) -> AssessmentPublic:
    return AssessmentPublic(
        id=rec.id,
        project_id=rec.project_id,
        created_at=rec.created_at,
        as_of=rec.as_of.date() if isinstance(rec.as_of, dt.datetime) else rec.as_of,
        profile=rec.profile,
        versions=rec.versions,
        approval_path=rec.approval_path,
        result=rec.result,
    )


@router.post(
    "/{project_id}/assessment",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic,
    summary="研判项目",
    description="按当前管网版本研判：覆盖、外线路由与长度、穿越、审批路径与时限；记录所用管网版本。",
)
def assess_project(
    project_id: str,
    state: StateDep,
    p: CurrentUser,
    as_of: Annotated[IsoDate | None, Query(description="研判日期（默认今天）")] = None,
) -> AssessmentPublic:
    """Run and store the assessment of one project; a commitment path is finished at once.

    Seed 四(二)1: on the commitment path the decision is immediate (即时办结): the sheet is
    issued by whoever assessed it, citing the utilities' annual commitment
    (:func:`api.process.opinions.finish_commitment`).
    """
    project_record(state, project_id)
    return _assessment_public(decide_project(state, project_id, p, as_of=as_of))


class ReassessPublic(BaseModel):
    """Projects re-assessed because a layer they were assessed on has a newer version."""

    versions: dict[str, int]
    reassessed: list[AssessmentPublic]
    unchanged: list[str]
    without_site: list[str] = Field(
        default_factory=list,
        description="用地已不在 sites 图层中、无法研判的项目（请恢复其地块或更正项目）",
    )


@router.post(
    "/reassess",
    response_model=ReassessPublic,
    summary="管网变更后重新研判",
    description="找出最新研判所用管网版本已过时的项目（或从未研判的项目），按当前版本重新研判并记录。",
)
def reassess(state: StateDep, p: CurrentUser) -> ReassessPublic:
    """Re-assess every project whose latest assessment used an older layer version."""
    _, versions = state.workspace()
    with state.store.session() as s:
        ids = [r.project_id for r in s.scalars(select(ProjectRecord).order_by(ProjectRecord.project_id))]
    # a project whose site a confirmed sites upload removed is named, not a 404 for everyone
    assessable = state.assessed().assessments
    redone, unchanged, without_site = [], [], []
    for pid in ids:
        latest = stored_assessment(state, pid)
        if latest is not None and latest.versions == versions:
            unchanged.append(pid)
        elif pid not in assessable:
            without_site.append(pid)
        else:
            redone.append(_assessment_public(decide_project(state, pid, p)))
    return ReassessPublic(
        versions=versions, reassessed=redone, unchanged=unchanged, without_site=without_site
    )


@router.get(
    "/{project_id}/assessment",
    response_model=AssessmentPublic,
    summary="最新研判结果",
    description="项目最近一次研判的结果与所用管网版本。",
)
def latest_assessment(project_id: str, state: StateDep, p: CurrentUser) -> AssessmentPublic:
    """Return the latest stored assessment of a project."""
    project_record(state, project_id)
    rec = stored_assessment(state, project_id)
    if rec is None:
        msg = f"project {project_id!r} has not been assessed yet: POST its assessment"
        raise NotFoundError(msg)
    return _assessment_public(rec)


def _step_code(text: Any) -> Any:
    """Return the step a Chinese name names (踏勘 → ``surveyed``, 受理 → ``form_complete``)."""
    if not isinstance(text, str):
        return text
    return vocabulary.LEDGER_STEPS.lookup(text) or text


StepWord = Annotated[Step, BeforeValidator(_step_code)]
"""A time node's step, by its code or by its Chinese name or alias (:data:`LEDGER_STEPS`)."""


@router.post(
    "/{project_id}/nodes/{step}",
    response_model=ProjectPublic,
    summary="记录时间节点",
    description="电子台账：记录登记、采集单齐全（受理）、研判、踏勘、提交审批、审批办结、施工完成、接入完成的时间"
    "（环节可写英文代码或中文名称）；"
    "各节点由负责该环节的部门记录（如提交审批、施工、接入由公用事业企业记录）。",
)
def record_node(
    project_id: str,
    step: StepWord,
    body: NodeCreate,
    state: StateDep,
    p: CurrentUser,
    response: Response,
) -> ProjectPublic:
    """Record when a step of a project happened (by the department answering for it)."""
    record_time_node(state, p, project_id, step, at=body.at)
    return _answer(state, project_id, p, response)


@router.post(
    "/{project_id}/planning-opinion",
    response_model=ProjectPublic,
    summary="出具规划意见",
    description="市自然资源和规划局对项目外线工程出具规划意见（可参考系统草拟的规划意见），"
    "即以该意见内容签批“同意”（同 POST /projects/{project_id}/opinions/planning）。",
)
def planning_opinion(
    project_id: str,
    body: OpinionCreate,
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("planning"))],
    response: Response,
) -> ProjectPublic:
    """Store 自然资源和规划局's planning opinion of a project: its 同意 with that text.

    The same as ``POST /projects/{project_id}/opinions/planning`` with ``decision`` agree (it
    completes the joint approval like any signature; refused once the sheet is issued).
    """
    sign_opinion(state, project_id, "planning", p, decision="agree", text=body.text)
    return _answer(state, project_id, p, response)
