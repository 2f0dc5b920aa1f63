"""The project page (项目详情): everything the workbench shows of one project, and its actions.

:func:`project_view` gathers, from the services the JSON API uses, what the page shows:

1. the project's record (an applicant: only its own, else 404) and its latest assessment;
2. the 七个一 timeline: each step (:data:`gis.vocabulary.LEDGER_STEPS`) with who answers for it
   (profile ``ledger.departments``), when it was done and its deadline counted from the
   recorded 受理时间; the open step's state and count-down are the e-ledger's
   (:func:`planning.ledger.ledger_status`: amber from 75 % of the limit, red when overdue), so
   the page and ``GET /ledger`` agree;
3. each utility's decision: approval path, reasons, lengths (红线引入段 + 沿道路 = 外线长度) and
   the route alternative where there is one;
4. the documents (附件2, 附件3, planning opinion), the time nodes the user may record, and the
   audit trail (newest first); personal data masked per role.

:func:`record_node` and :func:`assess` are the page's two actions; they call the JSON API's
own handlers, so a node recorded or a project assessed from the page is the same change (checks,
audit entry) as through the API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from api.process.assessment import decide_project
from api.process.dashboard import NOT_REQUIRED, ledger_project
from api.process.nodes import NODE_ROLES, issued_by_sheet, record_time_node
from api.process.records import accepted_at, latest_assessment
from api.roles import ASSESSED_NODE_ROLES
from api.schemas import CHINA, as_utc, china_now
from api.security import (
    Principal,
    check_roles,
    mask_id_number,
    mask_intake,
    mask_phone,
    sees_personal_data,
)
from api.security.ownership import see_project
from gis import vocabulary
from gis.errors import NotFoundError
from gis.storage.models import AuditEntry, ProjectRecord, User
from planning.calendar import WorkCalendar, calendar_for
from planning.ledger import (
    STEPS,
    LedgerEntry,
    LedgerProject,
    Step,
    TimeNodes,
    countdown_text,
    departments_for,
    ledger_status,
    open_step,
)
from planning.ledger.limits import Clock, NoAcceptance

if TYPE_CHECKING:
    from api.service import Assessed
    from api.state import ServiceState

__all__ = [
    "DOCUMENT_KINDS",
    "Decision",
    "DocumentLink",
    "NodeAction",
    "ProjectView",
    "StepView",
    "assess",
    "for_user",
    "project_view",
    "record_node",
]


DOCUMENT_KINDS: dict[str, str] = {
    "form": "intake_form",
    "sheet": "approval_sheet",
    "opinion": "planning_opinion",
}
"""The page's document names (``/documents/{kind}.html``) → :data:`api.service.DOCUMENTS`."""

STEP_STATES: dict[str, str] = {
    **vocabulary.LEDGER_STATUSES.labels(),
    "done": "已完成",
    "late": "逾期完成",
    "pending": "未到",
    "skipped": "未记录",
    "not_required": "无需办理",
}
"""The state of a step on the timeline, in Chinese (the open step's: the ledger's statuses)."""

BADGES: dict[str, str] = {
    "on_time": "ok",
    "done": "ok",
    "approaching": "warn",
    "late": "warn",
    "overdue": "overdue",
    "error": "overdue",
}
"""The badge colour of a state (``ok`` green, ``warn`` amber, ``overdue`` red; others plain)."""


@dataclass(frozen=True)
class StepView:
    """One step of the timeline."""

    step: str
    label: str
    departments: tuple[str, ...]
    done_at: dt.datetime | None
    deadline: dt.datetime | None
    state: str
    state_label: str
    badge: str
    countdown: str
    basis: str
    is_open: bool


@dataclass(frozen=True)
class Route:
    """A route's lengths: 红线引入段 + 沿道路 = 外线长度 (from the red line, seed 二)."""

    lead_in_m: float
    corridor_m: float
    red_line_m: float
    tap: str


@dataclass(frozen=True)
class Decision:
    """One utility's decision: its path and reasons, its route and the alternative, if any."""

    utility: str
    label: str
    requirement: str
    covered: bool
    path_label: str
    reasons: tuple[str, ...]
    route: Route | None
    alternative: Route | None
    why_not_chosen: tuple[str, ...]


@dataclass(frozen=True)
class DocumentLink:
    """A document of the project, in HTML and PDF."""

    kind: str
    label: str
    html: str
    pdf: str


@dataclass(frozen=True)
class NodeAction:
    """A time node the user may record, with when it was last recorded."""

    step: str
    label: str
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class AuditRow:
    """One entry of the audit trail, as shown."""

    at: dt.datetime
    user: str
    action: str
    detail: str


@dataclass(frozen=True)
class ProjectView:
    """Everything the project page shows of one project for one user."""

    project_id: str
    name: str
    enterprise: str
    contact: str
    phone: str
    id_number: str
    address: str
    utilities: str
    accepted_at: dt.datetime
    assessed_at: dt.datetime | None
    approval_path: str | None
    path_label: str
    overall_reasons: tuple[str, ...]
    timeline: tuple[StepView, ...]
    ledger_message: str
    decisions: tuple[Decision, ...]
    documents: tuple[DocumentLink, ...]
    actions: tuple[NodeAction, ...]
    can_assess: bool
    audit: tuple[AuditRow, ...]
    missing_items: tuple[str, ...] = ()
    """What the applicant still owes under 容缺受理 (chosen at acceptance; empty: complete)."""


# --------------------------------------------------------------------------- reading


def _record(state: ServiceState, user: Principal, project_id: str) -> ProjectRecord:
    """Return a stored project the user may see (404 otherwise, without saying it exists)."""
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
    if r is None:
        msg = f"项目 {project_id} 不存在 (no project {project_id!r})"
        raise NotFoundError(msg)
    see_project(user, project_id, r.owner)
    return r




# --------------------------------------------------------------------------- the timeline


def _countdown(entry: LedgerEntry, prof: Any) -> str:
    """Return the open step's count-down, as the ledger shows it (:func:`countdown_text`)."""
    per_day = calendar_for(prof).office_hours_per_day.total_seconds() / 3600
    return countdown_text(entry, hours_per_day=per_day)


def _step_state(
    step: Step, *, nodes: TimeNodes, current: Step | None, skipped: tuple[Step, ...]
) -> str:
    """Return the state of a step that is not the open one."""
    if nodes.get(step) is not None:
        return "done"
    if step in skipped:
        return "skipped"
    if step in NOT_REQUIRED:
        return "not_required"
    return "pending"


_COUNTED_FROM_PREVIOUS: frozenset[Step] = frozenset({"constructed", "connected"})
"""Steps whose limit counts from the step before them: no deadline before that is done."""


def _limit(clock: Clock, step: Step) -> tuple[dt.datetime | None, str]:
    try:
        limit = clock.limit(step)
    except (NoAcceptance, ValueError, LookupError):
        return None, ""
    return (limit.deadline, limit.basis) if limit is not None else (None, "")


def timeline(
    state: ServiceState, project: LedgerProject, *, now: dt.datetime
) -> tuple[tuple[StepView, ...], str]:
    """Return the 七个一 timeline of a project at ``now``, and the ledger's message.

    The open step's deadline, state and count-down are :func:`planning.ledger.ledger_status`'s;
    the other steps' deadlines come from the same limits (:class:`planning.ledger.limits.Clock`).
    """
    state.sync_calendar()  # loaded holiday notices (else 暂定 deadlines), as GET /ledger
    prof = state.profile
    entry = ledger_status([project], now=now, profile=prof)[0]
    nodes = project.nodes.as_of(now)
    current, skipped = open_step(nodes, not_required=project.not_required)
    clock = Clock(project, nodes, prof=prof, cal=WorkCalendar.from_profile(prof))
    late = {x.step for x in entry.late}
    steps = []
    for step in STEPS:
        deadline, basis = _limit(clock, step)
        if step == current:
            deadline, basis = entry.deadline, entry.basis or basis
            status, countdown = str(entry.status), _countdown(entry, prof)
        else:
            status = _step_state(step, nodes=nodes, current=current, skipped=skipped)
            status = "late" if step in late else status
            countdown = ""
            if status == "pending" and step in _COUNTED_FROM_PREVIOUS:
                deadline = None  # its clock starts when the step before it is done
        steps.append(
            StepView(
                step=step,
                label=vocabulary.LEDGER_STEPS.label(step),
                departments=departments_for(step, project, profile=prof),
                done_at=nodes.get(step),
                deadline=deadline,
                state=status,
                state_label=STEP_STATES[status],
                badge=BADGES.get(status, ""),
                countdown=countdown,
                basis=basis,
                is_open=step == current,
            )
        )
    return tuple(steps), entry.message


# --------------------------------------------------------------------------- decisions


def _route(data: dict[str, Any] | None) -> Route | None:
    if not data or data.get("red_line_m") is None:
        return None
    return Route(
        lead_in_m=float(data.get("lead_in_m") or 0.0),
        corridor_m=float(data.get("length_m") or 0.0),
        red_line_m=float(data["red_line_m"]),
        tap=str((data.get("tap") or {}).get("asset_id") or ""),
    )


def decisions(result: dict[str, Any]) -> tuple[Decision, ...]:
    """Return each utility's decision from a stored assessment result (``GET .../assessment``)."""
    out = []
    for utility, data in (result.get("utilities") or {}).items():
        approval = data.get("approval") or {}
        shortest = data.get("shortest")
        out.append(
            Decision(
                utility=utility,
                label=vocabulary.UTILITIES.label(utility),
                requirement=str(data.get("requirement") or ""),
                covered=bool(data.get("covered")),
                path_label=vocabulary.APPROVAL_PATHS.label(approval.get("path")),
                reasons=tuple(str(r["text"]) for r in approval.get("reasons") or ()),
                route=_route(data),
                alternative=_route(shortest),
                why_not_chosen=tuple(
                    str(r["text"]) for r in (shortest or {}).get("why_not_chosen") or ()
                ),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- actions, audit


def may_record(user: Principal, step: str, utilities: list[str]) -> bool:
    """Whether ``user`` may record time node ``step`` (NODE_ROLES; a utility: its own project)."""
    roles = NODE_ROLES.get(step)
    if roles is None or (user.role != "admin" and user.role not in roles):
        return False
    return user.role != "utility" or user.utility in utilities


def _actions(user: Principal, r: ProjectRecord, path: str | None) -> tuple[NodeAction, ...]:
    """Return the nodes ``user`` may record (not 审批办结 of a joint project: 统一出件 does)."""
    utilities = list((r.intake or {}).get("utilities") or [])
    nodes = r.time_nodes or {}
    return tuple(
        NodeAction(
            step=step,
            label=vocabulary.LEDGER_STEPS.label(step),
            recorded_at=dt.datetime.fromisoformat(nodes[step]) if nodes.get(step) else None,
        )
        for step in STEPS
        if may_record(user, step, utilities) and not issued_by_sheet(step, path)
    )


def _node_summary(detail: dict[str, Any]) -> str:
    at = dt.datetime.fromisoformat(str(detail["at"])) if detail.get("at") else None
    when = f" {at:%Y-%m-%d %H:%M}" if at else ""
    return f"{vocabulary.LEDGER_STEPS.label(detail['step'])}{when}"


def _missing_summary(detail: dict[str, Any]) -> str:
    items = [str(x) for x in detail.get("missing_items") or ()]
    return f"容缺受理，待补正：{'、'.join(items)}" if items else "材料齐全"


def _opinion_summary(detail: dict[str, Any]) -> str:
    dept = vocabulary.DEPARTMENTS.label(detail.get("department"), default=str(detail.get("department") or ""))
    decision = vocabulary.OPINION_DECISIONS.label(detail.get("decision"), default=str(detail.get("decision") or ""))
    again = "（更正此前意见）" if detail.get("replaced") else ""
    return f"{dept}：{decision}{again}"


def _sheet_summary(detail: dict[str, Any]) -> str:
    path = vocabulary.APPROVAL_PATHS.label(detail.get("path"), default="")
    return f"编号 {detail.get('number', '')}" + (f"，{path}" if path else "")


def _assessment_summary(detail: dict[str, Any]) -> str:
    path = vocabulary.APPROVAL_PATHS.label(detail.get("path"), default="未定")
    return f"审批路径：{path}" + (f"（核查日 {detail['as_of']}）" if detail.get("as_of") else "")


def _submission_summary(detail: dict[str, Any]) -> str:
    return "窗口代填并受理，" + _missing_summary(detail) if "missing_items" in detail else "申请人网上提交"


_SUMMARIES = {
    "record_node": _node_summary,
    "accept_application": _missing_summary,
    "submit_application": _submission_summary,
    "sign_opinion": _opinion_summary,
    "issue_sheet": _sheet_summary,
    "assess_project": _assessment_summary,
}
"""How each action's detail reads in the 操作记录's 内容 column (Chinese)."""


def _audit_detail(e: AuditEntry) -> str:
    """Return the Chinese summary of an audit entry's detail ("" when there is nothing to say)."""
    detail = e.detail or {}
    summary = _SUMMARIES.get(e.action)
    if summary is None or (e.action == "record_node" and not detail.get("step")):
        return ""
    try:
        return summary(detail)
    except (KeyError, TypeError, ValueError):  # an entry written by an older version
        return ""


def _display_names(s: Any, logins: set[str]) -> dict[str, str]:
    """Return the people's names (``users.display_name``) of the login names, where set."""
    rows = s.execute(select(User.name, User.display_name).where(User.name.in_(logins))).all()
    return {name: shown for name, shown in rows if shown}


def audit_trail(state: ServiceState, project_id: str, *, limit: int = 50) -> tuple[AuditRow, ...]:
    """Return the audit entries whose target is the project, newest first, in Chinese.

    Each row: the time (China), the person's name (the login name where none is set), the
    action's Chinese label and a summary of its detail (:data:`_SUMMARIES`).
    """
    with state.store.session() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == project_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        ).all()
        names = _display_names(s, {e.user for e in rows if e.user})
    return tuple(
        AuditRow(
            at=as_utc(e.at).astimezone(CHINA).replace(tzinfo=None),
            user=names.get(e.user or "", e.user or ""),
            action=vocabulary.AUDIT_ACTIONS.label(e.action, default="其他操作"),
            detail=_audit_detail(e),
        )
        for e in rows
    )


def _documents(project_id: str) -> tuple[DocumentLink, ...]:
    base = f"/ui/projects/{project_id}/documents"
    return tuple(
        DocumentLink(
            kind=kind,
            label=vocabulary.DOCUMENT_KINDS.label(name),
            html=f"{base}/{kind}.html",
            pdf=f"{base}/{kind}.pdf",
        )
        for kind, name in DOCUMENT_KINDS.items()
    )


# --------------------------------------------------------------------------- the page


def project_view(
    state: ServiceState, user: Principal, project_id: str, *, now: dt.datetime | None = None
) -> ProjectView:
    """Return what the project page shows of ``project_id`` to ``user`` at ``now``.

    Parameters
    ----------
    state
        The service state (store, profile).
    user
        Who looks: personal data are masked unless the role needs them; an applicant sees
        only its own project.
    project_id
        The project.
    now
        The clock of the count-down (naive local China time); default now.

    Raises
    ------
    NotFoundError
        No such project, or an applicant's look at another's project.
    """
    # (1) the record, the user may see it, and its latest assessment
    r = _record(state, user, project_id)
    latest = latest_assessment(state, project_id)
    result = latest.result if latest is not None else {}
    form = mask_intake(r.intake or {}, user)
    # (2) the timeline, counted from the recorded 受理时间 as the e-ledger counts it
    clock_now = now or china_now()
    project = ledger_project(
        r.project_id, r.intake, r.time_nodes, latest.approval_path if latest else None
    )
    steps, message = timeline(state, project, now=clock_now)
    # (3) decisions, documents, actions, audit trail
    return ProjectView(
        project_id=project_id,
        name=str(form.get("project_name") or ""),
        enterprise=str(form.get("applicant") or ""),
        contact=str(form.get("contact") or ""),
        phone=str(form.get("phone") or ""),
        id_number=str(form.get("id_number") or ""),
        address=str(form.get("address") or ""),
        utilities="、".join(vocabulary.UTILITIES.label(u) for u in form.get("utilities") or []),
        accepted_at=accepted_at(r),
        assessed_at=as_utc(latest.created_at).astimezone(CHINA).replace(tzinfo=None)
        if latest
        else None,
        approval_path=latest.approval_path if latest else None,
        path_label=vocabulary.approval_path_label(latest.approval_path, state.profile)
        if latest
        else "未研判",
        overall_reasons=tuple(str(x["text"]) for x in result.get("reasons") or ()),
        timeline=steps,
        ledger_message=message,
        decisions=decisions(result),
        documents=_documents(project_id),
        actions=_actions(user, r, latest.approval_path if latest else None),
        can_assess=user.role in ASSESSED_NODE_ROLES,
        audit=audit_trail(state, project_id),
        missing_items=tuple(str(x) for x in (r.time_nodes or {}).get("missing_items") or ()),
    )


def for_user(done: Assessed, user: Principal) -> Assessed:
    """Return the assessments with ID numbers and phones masked for roles that do not need them."""
    if sees_personal_data(user):
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


def visible_record(state: ServiceState, user: Principal, project_id: str) -> ProjectRecord:
    """Return a project the user may see (its map, its documents); 404 otherwise."""
    return _record(state, user, project_id)


def record_node(
    state: ServiceState,
    user: Principal,
    project_id: str,
    step: str,
    *,
    at: dt.datetime | None = None,
) -> str:
    """Record time node ``step`` of a project (as ``POST /projects/{id}/nodes/{step}``).

    Returns the step's Chinese name. The JSON API's handler does the checks (the step, the
    role answering for it, a utility's own project) and writes the node with its audit entry.
    """
    _record(state, user, project_id)
    if step not in STEPS:
        msg = f"没有名为 {step} 的办理环节 (unknown time node {step!r})"
        raise NotFoundError(msg)
    record_time_node(state, user, project_id, step, at=at)
    return vocabulary.LEDGER_STEPS.label(step)


def assess(state: ServiceState, user: Principal, project_id: str) -> str:
    """Assess a project (研判) as ``POST /projects/{id}/assessment``; return the path's name."""
    _record(state, user, project_id)
    check_roles(user, ASSESSED_NODE_ROLES, action="研判 (assessing a project)")
    rec = decide_project(state, project_id, user)
    return vocabulary.APPROVAL_PATHS.label(rec.approval_path)
