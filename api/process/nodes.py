"""Recording a time node of the e-ledger (电子台账) by the department answering for its step."""

from __future__ import annotations

import datetime as dt

from api.process.records import change_project, project_record
from api.schemas import china_now
from api.security import Principal, check_roles
from api.state import ServiceState
from gis import vocabulary
from gis.errors import PermissionDeniedError, Problem, ValidationError
from planning.ledger import STEPS

__all__ = ["NODE_ROLES", "record_time_node"]

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
(:mod:`api.process.opinions`)."""


def record_time_node(
    state: ServiceState, p: Principal, project_id: str, step: str, *, at: dt.datetime | None = None
) -> dt.datetime:
    """Record when ``step`` of a project happened (default: now, China time); return the time.

    Raises
    ------
    ValidationError
        An unknown step (the Chinese names listed).
    PermissionDeniedError
        The user's department does not answer for the step, or a utility records a node of a
        project that did not ask for it.
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
    if p.role == "utility" and p.utility not in (
        project_record(state, project_id).intake.get("utilities") or []
    ):
        msg = f"{p.describe()}: project {project_id} did not ask for {p.utility}"
        raise PermissionDeniedError(msg)
    # (3) stored with its audit entry
    when = (at or china_now()).replace(microsecond=0)
    change_project(
        state,
        project_id,
        lambda r: setattr(r, "time_nodes", {**(r.time_nodes or {}), step: when.isoformat()}),
        audit=(p, "record_node", {"step": step, "at": when.isoformat()}),
    )
    return when
