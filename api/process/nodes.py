"""Recording a time node of the e-ledger (电子台账) by the department answering for its step."""

from __future__ import annotations

import datetime as dt

from api.process.records import (
    ACCEPTANCE_NODE,
    accepted_at,
    change_project,
    latest_assessment,
    project_record,
)
from api.schemas import CHINA, china_now
from api.security import Principal, check_roles
from api.state import ServiceState
from gis import vocabulary
from gis.errors import ConflictError, PermissionDeniedError, Problem, ValidationError
from gis.storage.models import ProjectRecord
from planning.ledger import STEPS

__all__ = ["BEFORE_ACCEPTANCE", "NODE_ROLES", "issued_by_sheet", "record_time_node"]

NODE_ROLES: dict[str, tuple[str, ...]] = {
    "registered": ("investment",),
    "form_complete": ("intake",),
    "assessed": ("intake", "survey"),
    "surveyed": ("survey", "intake"),
    "submitted": ("utility",),
    "approved": ("intake", "planning", "approval"),
    "constructed": ("utility",),
    "connected": ("utility",),
}
"""Who records each time node: the department that answers for the step (seed 七, 四; the
ledger's ``ledger.departments``), and admin. 审批办结 is also recorded by 统一出件 itself
(:mod:`api.process.opinions`); on the joint path only by it (:func:`issued_by_sheet`)."""

BEFORE_ACCEPTANCE: frozenset[str] = frozenset({"registered", ACCEPTANCE_NODE})
"""Steps that may be recorded before the acceptance (受理时间): 登记 and the acceptance itself."""


def issued_by_sheet(step: str, path: str | None) -> bool:
    """Whether ``step`` is recorded only by 统一出件 on ``path`` (审批办结 of a joint project).

    On the joint path the approval ends when the last department's opinion is signed and the
    sheet is issued (seed 四(二)2, :mod:`api.process.opinions`); recording it by hand would move
    the ledger on while the departments have not signed.

    Examples
    --------
    >>> issued_by_sheet("approved", "joint"), issued_by_sheet("approved", "commitment")
    (True, False)
    """
    return step == "approved" and path == "joint"


def _minute(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def _check_moment(r: ProjectRecord, step: str, when: dt.datetime, now: dt.datetime) -> None:
    """Refuse a time in the future, or (but for 登记 and 受理) before the recorded 受理时间."""
    label = vocabulary.LEDGER_STEPS.label(step)
    if when.tzinfo is not None:
        when = when.astimezone(CHINA).replace(tzinfo=None)
    when = when.replace(second=0)
    recorded = step not in BEFORE_ACCEPTANCE and (r.time_nodes or {}).get(ACCEPTANCE_NODE)
    accepted = accepted_at(r) if recorded else None  # none recorded: no lower bound to hold
    if when <= now and (accepted is None or when >= accepted):
        return
    if accepted is not None:
        allowed = f"在受理时间 {_minute(accepted)} 至当前时间 {_minute(now)} 之间"
        why = "（不能早于受理，不能在将来）"
    else:
        allowed, why = f"不晚于当前时间 {_minute(now)}", "（不能在将来）"
    problem = Problem(
        "request",
        r.project_id,
        "at",
        _minute(when),
        f"{step} between {_minute(accepted) if accepted else 'any time'} and now ({_minute(now)})",
        code="out_of_range",
        expected_zh=f"「{label}」的发生时间应{allowed}{why}",
    )
    summary = f"「{label}」的时间 {_minute(when)} 超出允许范围：应{allowed} (time node out of range)"
    raise ValidationError(problems=[problem], summary=summary)


def record_time_node(
    state: ServiceState, p: Principal, project_id: str, step: str, *, at: dt.datetime | None = None
) -> dt.datetime:
    """Record when ``step`` of a project happened (default: now, China time); return the time.

    Raises
    ------
    ValidationError
        An unknown step (the Chinese names listed).
        A time in the future, or (but for 登记 and 受理) before the 受理时间.
    PermissionDeniedError
        The user's department does not answer for the step, or a utility records a node of a
        project that did not ask for it.
    ConflictError
        审批办结 of a joint project: only 统一出件 records it.
    NotFoundError
        No such project.
    """
    # (1) a known step, recorded by the department answering for it
    if step not in STEPS:
        problem = Problem(
            "ledger",
            project_id,
            "step",
            step,
            f"one of {', '.join(STEPS)}",
            code="unknown_step",
            expected_zh="、".join(vocabulary.LEDGER_STEPS.labels().values()),
        )
        raise ValidationError(problems=[problem], summary="unknown time node")
    check_roles(p, NODE_ROLES[step], action=f"recording the time node {step!r}")
    # (2) a utility only on a project that asked for it
    r = project_record(state, project_id)
    if p.role == "utility" and p.utility not in ((r.intake or {}).get("utilities") or []):
        msg = f"{p.describe()}: project {project_id} did not ask for {p.utility}"
        raise PermissionDeniedError(msg)
    # (3) 审批办结 of a joint project only by 统一出件
    latest = latest_assessment(state, project_id)
    if issued_by_sheet(step, latest.approval_path if latest else None):
        msg = (
            f"项目 {project_id} 走联合审批：「审批办结」在各部门出具意见后由统一出件记录，"
            "不能手工记录 (the approval of a joint project is recorded by issuing the sheet)"
        )
        raise ConflictError(msg)
    # (4) a time between the 受理时间 and now
    now = china_now()
    when = (at or now).replace(microsecond=0)
    _check_moment(r, step, when, now)
    # (5) stored with its audit entry
    change_project(
        state,
        project_id,
        lambda r: setattr(r, "time_nodes", {**(r.time_nodes or {}), step: when.isoformat()}),
        audit=(p, "record_node", {"step": step, "at": when.isoformat()}),
    )
    return when
