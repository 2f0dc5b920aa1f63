"""The departments' opinions on a project and its issued sheet (统一出件, seed 四(二), 附件3).

* :func:`sign_opinion` — a department (planning 市自然资源和规划局, urban 市城管委, approval
  市行政审批局; only its own role, or admin) signs its opinion: 同意, 附条件同意 with conditions,
  退回补正 with reasons. 签批时间 is now, China time to the minute. A signed opinion may be
  replaced by its department until the sheet is issued (an audit entry each time). When every
  opinion the path needs approves, the sheet is issued in the same transaction.
* :func:`finish_commitment` — a project on the commitment path is decided at once (即时办结):
  its sheet is issued citing the utilities' annual commitment. The assessment route calls it
  when an assessment decides the commitment path.
* :func:`approval_of` — the state: required, given, waiting, the opinions, the issued sheet.
* :func:`drafted_text` — the drafted opinion (the starting text of the form).
* :func:`final_sheet_pdf` — 附件3 with the signed opinions and the document number.

Opinions are stored in ``projects.opinions`` keyed by the department's value; the key
``市自然资源和规划局`` written before (``{text, by, at}``, the planning-opinion route) is read as
planning's 同意 and rewritten under ``planning`` at the next signature, so nothing is lost.

Numbers are unique per year: they are assigned under a lock every issuing transaction takes
(SQLite: the database's one writer; PostgreSQL: the advisory lock :data:`NUMBER_LOCK`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.documents import drafting
from api.process.records import accepted_at
from api.schemas import china_now
from api.security import Principal
from api.state import ServiceState
from gis import vocabulary
from gis.errors import ConflictError, NotFoundError, PermissionDeniedError, Problem, ValidationError
from gis.storage.models import AssessmentRecord, AuditEntry, ProjectRecord, User
from planning.joint_approval import (
    ApprovalState,
    FinalSheet,
    Opinion,
    Signed,
    approval_state,
    commitment_basis,
    next_sheet_number,
)

__all__ = [
    "NUMBER_LOCK",
    "Approval",
    "approval_of",
    "approval_path",
    "check_opinion",
    "check_signer",
    "china_now",
    "department_of",
    "drafted_text",
    "final_sheet_pdf",
    "finish_commitment",
    "opinions_of",
    "sign_opinion",
    "signed_of",
]

NUMBER_LOCK = "统一出件编号"
"""The name of the lock every transaction issuing a sheet takes (a PostgreSQL advisory lock
through :meth:`~gis.storage.store.Store.write`; SQLite has one writer anyway)."""

MAX_TEXT = 4000
"""Longest opinion, conditions or reasons text (characters)."""


@dataclass(frozen=True)
class Approval:
    """A project's approval: the state, the opinions signed and the issued sheet."""

    project_id: str
    state: ApprovalState
    opinions: dict[str, Opinion]
    final_sheet: FinalSheet | None


def opinions_of(raw: Mapping[str, Any] | None) -> dict[str, Opinion]:
    """Return the signed opinions stored in ``projects.opinions``, by department value.

    A key naming a department by its Chinese name (the planning-opinion route's
    ``市自然资源和规划局``: ``{text, by, at}``) is read as that department's 同意.

    Examples
    --------
    >>> old = {"市自然资源和规划局": {"text": "同意", "by": "planning", "at": "2026-03-02T10:11:12"}}
    >>> o = opinions_of(old)["planning"]
    >>> o.decision, o.text, o.at
    ('agree', '同意', '2026-03-02T10:11')
    """
    out: dict[str, Opinion] = {}
    for key, value in (raw or {}).items():
        department = vocabulary.DEPARTMENTS.lookup(key)
        if department is None or not isinstance(value, Mapping):
            continue
        if key != department and department in (raw or {}):
            continue  # the department's own key is newer than the old name
        out[department] = Opinion(
            department=department,
            decision=value.get("decision", "agree"),
            text=str(value.get("text", "")),
            conditions=str(value.get("conditions") or ""),
            reasons=str(value.get("reasons") or ""),
            by=str(value.get("by", "")),
            signer=str(value.get("signer") or value.get("by", "")),
            at=str(value.get("at", ""))[:16],
        )
    return out


def _stored_path(s: Session, project_id: str) -> str | None:
    return s.scalars(
        select(AssessmentRecord.approval_path)
        .where(AssessmentRecord.project_id == project_id)
        .order_by(AssessmentRecord.id.desc())
        .limit(1)
    ).first()


def approval_path(state: ServiceState, project_id: str) -> str | None:
    """Return the approval path of a project's latest stored assessment (``None``: none)."""
    with state.store.session() as s:
        return _stored_path(s, project_id)


def approval_of(state: ServiceState, project_id: str) -> Approval:
    """Return a project's approval state, its opinions and its issued sheet (404 if none)."""
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
        if r is None:
            msg = f"项目 {project_id} 不存在 (no project {project_id!r})"
            raise NotFoundError(msg)
        path = _stored_path(s, project_id)
    opinions = opinions_of(r.opinions)
    final = FinalSheet.from_json(r.final_sheet) if r.final_sheet else None
    return Approval(project_id, approval_state(path, opinions), opinions, final)


def drafted_text(state: ServiceState, project_id: str, department: str) -> str:
    """Return the drafted opinion of ``department`` on a project (its lines, one per line).

    The texts of 附件3's boxes (:mod:`api.documents.drafting`): 市自然资源和规划局's short
    planning opinion, 市城管委's roads opinion, 市行政审批局's approval opinion.
    """
    done = state.assessed()
    a = done.one(project_id)
    if department == "planning":
        lines = drafting.planning_opinion_short(a, profile=done.profile)
    elif department == "urban":
        lines = drafting.roads_opinion(a, done.ws.corridor_graph(), profile=done.profile)
    else:
        lines = drafting.approval_opinion(a, profile=done.profile)
    return "\n".join(lines)


# ------------------------------------------------------------------------------ signing


def department_of(project_id: str, text: str) -> str:
    """Return the department named by ``text`` (value or Chinese name), else a 422 naming them."""
    department = vocabulary.DEPARTMENTS.lookup(text)
    if department is None:
        problem = Problem(
            "opinions",
            project_id,
            "department",
            text,
            vocabulary.DEPARTMENTS.expected(),
            code="invalid_enum",
            expected_zh="、".join(vocabulary.DEPARTMENTS.labels().values()),
        )
        raise ValidationError(problems=[problem], summary="unknown department")
    return department


def check_signer(p: Principal, department: str, project_id: str) -> None:
    """Only the department's own users (its role) or admin sign its opinion."""
    if p.role in (department, "admin"):
        return
    name = vocabulary.DEPARTMENTS.label(department)
    msg = (
        f"只有{name}可以签批其对项目 {project_id} 的意见（当前用户 {p.name} 的角色为"
        f"{vocabulary.ROLES.label(p.role, default=p.role)}） "
        f"(signing the {department} opinion needs the role {department} or admin; {p.describe()})"
    )
    raise PermissionDeniedError(msg)


def _problem(project_id: str, field: str, value: str, expected: str, zh: str, code: str) -> Problem:
    return Problem("opinions", project_id, field, value, expected, code=code, expected_zh=zh)


def check_opinion(
    project_id: str, *, decision: str, text: str, conditions: str, reasons: str
) -> list[Problem]:
    """Return every problem of an opinion's fields at once (empty when it can be signed).

    Examples
    --------
    >>> [p.field for p in check_opinion("P", decision="return", text="", conditions="", reasons="")]
    ['text', 'reasons']
    >>> check_opinion("P", decision="同意", text="同意", conditions="", reasons="")
    []
    """
    out = []
    code = vocabulary.OPINION_DECISIONS.lookup(decision) if decision else None
    if code is None:
        labels = "、".join(vocabulary.OPINION_DECISIONS.labels().values())
        out.append(
            _problem(project_id, "decision", decision, vocabulary.OPINION_DECISIONS.expected(),
                     f"请选择审批意见：{labels}", "invalid_enum")
        )
    if not text.strip():
        out.append(_problem(project_id, "text", text, "the opinion's text", "请填写意见内容", "missing"))
    if code == "conditional" and not conditions.strip():
        out.append(
            _problem(project_id, "conditions", conditions, "the conditions of a conditional agreement",
                     "附条件同意须写明所附条件", "missing")
        )
    if code == "return" and not reasons.strip():
        out.append(
            _problem(project_id, "reasons", reasons, "the reasons for returning the application",
                     "退回补正须写明退回理由和需补正的材料", "missing")
        )
    for name, value in (("text", text), ("conditions", conditions), ("reasons", reasons)):
        if len(value) > MAX_TEXT:
            out.append(
                _problem(project_id, name, f"{len(value)} 字", f"at most {MAX_TEXT} characters",
                         f"不超过 {MAX_TEXT} 字", "too_long")
            )
    return out


def _signer_name(s: Session, p: Principal) -> str:
    user = s.scalars(select(User).where(User.name == p.name)).first()
    return (user.display_name if user is not None else None) or p.name


def _locked_project(s: Session, project_id: str) -> ProjectRecord:
    r = s.get(ProjectRecord, project_id, with_for_update=True)
    if r is None:
        msg = f"项目 {project_id} 不存在 (no project {project_id!r})"
        raise NotFoundError(msg)
    if r.final_sheet:
        sheet = FinalSheet.from_json(r.final_sheet)
        msg = (
            f"项目 {project_id} 已于 {sheet.issued_at.replace('T', ' ')} 统一出件（{sheet.number}），"
            f"意见不能再修改 (the sheet {sheet.number} was issued: opinions are final)"
        )
        raise ConflictError(msg)
    return r


def _issue(s: Session, r: ProjectRecord, p: Principal, *, path: str, basis: str = "") -> FinalSheet:
    """Issue the sheet of ``r`` (number under :data:`NUMBER_LOCK`), set ``approved``, audit."""
    now = china_now()
    issued = [
        str(sheet["number"])
        for sheet in s.scalars(select(ProjectRecord.final_sheet))
        if isinstance(sheet, Mapping) and sheet.get("number")
    ]
    at = now.isoformat(timespec="minutes")
    sheet = FinalSheet(next_sheet_number(issued, now.year), at, p.name, path, basis)
    r.final_sheet = sheet.as_json()
    r.time_nodes = {**(r.time_nodes or {}), "approved": now.isoformat()}
    s.add(AuditEntry(user=p.name, action="issue_sheet", target=r.project_id, detail=sheet.as_json()))
    return sheet


def sign_opinion(
    state: ServiceState,
    project_id: str,
    department: str,
    p: Principal,
    *,
    decision: str,
    text: str,
    conditions: str = "",
    reasons: str = "",
) -> Approval:
    """Sign (or replace) a department's opinion; issue the sheet when it completes the approval.

    Parameters
    ----------
    state
        The service.
    project_id
        The project.
    department
        ``planning``, ``urban`` or ``approval`` (or its Chinese name).
    p
        The signer: the department's role, or admin.
    decision
        ``agree`` 同意, ``conditional`` 附条件同意 or ``return`` 退回补正 (or the Chinese word).
    text
        The opinion (the drafted text, edited).
    conditions
        Required for 附条件同意.
    reasons
        Required for 退回补正.

    Returns
    -------
    Approval
        The approval after the signature (with the sheet if this signature completed it).

    Raises
    ------
    ValidationError
        Every problem of the fields at once (422).
    PermissionDeniedError
        The user is not of that department (403).
    ConflictError
        The sheet is issued: opinions are final (409).
    NotFoundError
        No such project (404).
    """
    # (1) who signs what, every problem of the fields at once
    dept = department_of(project_id, department)
    check_signer(p, dept, project_id)
    problems = check_opinion(
        project_id, decision=decision, text=text, conditions=conditions, reasons=reasons
    )
    if problems:
        raise ValidationError(problems=problems, summary="意见不完整 (opinion refused)")
    code = vocabulary.OPINION_DECISIONS.parse(decision)
    # (2) stored with its 签批时间 and audit entry; (3) the sheet issued if it completes it
    with state.store.write(layers=[NUMBER_LOCK]) as s:
        r = _locked_project(s, project_id)
        opinions = opinions_of(r.opinions)
        opinion = Opinion(
            dept,
            code,  # type: ignore[arg-type]  # parsed from OPINION_DECISIONS
            text.strip(),
            conditions.strip() if code == "conditional" else "",
            reasons.strip() if code == "return" else "",
            by=p.name,
            signer=_signer_name(s, p),
            at=china_now().isoformat(timespec="minutes"),
        )
        replaced = opinions.get(dept)
        opinions[dept] = opinion
        kept = {k: v for k, v in (r.opinions or {}).items() if vocabulary.DEPARTMENTS.lookup(k) is None}
        r.opinions = {**kept, **{d: o.as_json() for d, o in opinions.items()}}
        detail = {"department": dept, "decision": code, "replaced": replaced.as_json() if replaced else None}
        s.add(AuditEntry(user=p.name, action="sign_opinion", target=project_id, detail=detail))
        if approval_state(_stored_path(s, project_id), opinions).state == "complete":
            _issue(s, r, p, path="joint")
        r.row_version = (r.row_version or 1) + 1
    return approval_of(state, project_id)


def finish_commitment(state: ServiceState, project_id: str, p: Principal) -> FinalSheet:
    """Issue the sheet of a commitment-path project at once (即时办结), citing the annual commitment.

    Already issued: the issued sheet is returned (no second number).

    Raises
    ------
    ConflictError
        The project's latest assessment is not on the commitment path (409).
    """
    with state.store.write(layers=[NUMBER_LOCK]) as s:
        r = s.get(ProjectRecord, project_id, with_for_update=True)
        if r is None:
            msg = f"项目 {project_id} 不存在 (no project {project_id!r})"
            raise NotFoundError(msg)
        if r.final_sheet:
            return FinalSheet.from_json(r.final_sheet)
        path = _stored_path(s, project_id)
        if path != "commitment":
            label = vocabulary.APPROVAL_PATHS.label(path, default="未研判")
            msg = (
                f"项目 {project_id} 的审批路径为{label}，不是告知承诺制，不能即时办结 "
                f"(only a commitment-path project is finished at once; path {path!r})"
            )
            raise ConflictError(msg)
        names = [vocabulary.UTILITIES.label(u) for u in (r.intake.get("utilities") or [])]
        sheet = _issue(s, r, p, path="commitment", basis=commitment_basis(names))
        r.row_version = (r.row_version or 1) + 1
    return sheet


# ------------------------------------------------------------------------------ the sheet


def can_read_final_sheet(p: Principal, r: ProjectRecord) -> bool:
    """Whether ``p`` may download the project's issued sheet: staff, and its own applicant."""
    return p.role != "applicant" or (r.owner is not None and r.owner == p.name)


def signed_of(state: ServiceState, project_id: str) -> Signed | None:
    """Return what the departments signed on a project for 附件3 (``None``: no project yet)."""
    try:
        approval = approval_of(state, project_id)
    except NotFoundError:
        return None
    return Signed(approval.opinions, approval.final_sheet)


def final_sheet_pdf(state: ServiceState, project_id: str, out: Path) -> Path:
    """Write the issued 附件3 (signed opinions, 签批时间, number) of a project as PDF.

    Who may read it is the caller's check (staff, and the owning applicant: the workbench's
    :func:`api.web.access.see_project`).

    Raises
    ------
    ConflictError
        The sheet is not issued yet (409): the message says what the approval waits for.
    """
    from api.service import document_pdf

    approval = approval_of(state, project_id)
    if approval.final_sheet is None:
        msg = (
            f"项目 {project_id} 尚未统一出件：{approval.state.label} "
            f"(the sheet of {project_id} is not issued yet: {approval.state.state})"
        )
        raise ConflictError(msg)
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
    assert r is not None  # approval_of found it
    signed = Signed(approval.opinions, approval.final_sheet)
    done = state.assessed()
    return document_pdf(done, project_id, "approval_sheet", out, start=accepted_at(r), signed=signed)
