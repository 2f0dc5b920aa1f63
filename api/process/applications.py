"""Applications (一窗受理, 掌上办): submitted, accepted, registered at the window.

One orchestrating function per use case, each reading as numbered steps:

- :func:`submit_application` — an applicant's 附件2 form and red line: the site is added to the
  sites layer (keeping every other site) and the project stored with its owner, not yet
  accepted (待受理: no 受理时间).
- :func:`accept_application` — the clerk accepts it: 受理时间 (the ``form_complete`` node) is
  recorded now, with the items missing under 容缺受理, and the assessment runs.
- :func:`register_at_window` — the clerk enters form and red line and accepts at once.
- :func:`register_project` — the JSON API's ``POST /projects``: a form on a stored site.

Every problem of the form and of the red line is reported at once
(:class:`~gis.errors.ValidationError`, Chinese text in each problem); nothing is stored then.
The items missing under 容缺受理 are kept in the time nodes as ``missing_items`` (the intake
form takes no key that is not on 附件2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.process.assessment import ACCEPTANCE_NODE, decide_project
from api.process.parcels import ParcelInput, add_site, check_parcel, read_parcel
from api.schemas import china_now
from api.security import Principal
from api.security.ownership import can_see_project
from api.state import ServiceState
from gis.errors import NotFoundError, Problem, ValidationError
from gis.storage.models import AssessmentRecord, AuditEntry, ProjectRecord
from planning.intake import parse_intake

__all__ = [
    "APPLIED_NODE",
    "MISSING_ITEMS",
    "Application",
    "accept_application",
    "applications_of",
    "next_project_id",
    "pending",
    "register_at_window",
    "register_project",
    "state_of",
    "submit_application",
    "visible_project",
]

APPLIED_NODE = "applied"
"""When an applicant submitted online (not a ledger step: time limits count from 受理)."""

MISSING_ITEMS = "missing_items"
"""The time nodes' key of the items missing under 容缺受理 (a list of texts)."""

_PROJECT_ID = re.compile(r"^JM-(\d{4})-(\d{3,})$")


@dataclass
class Application:
    """What a submitted or accepted application answers: its id, warnings, assessment."""

    project_id: str
    warnings: list[Problem] = field(default_factory=list)
    assessment: AssessmentRecord | None = None


def _now() -> str:
    return china_now().isoformat()


def state_of(r: ProjectRecord) -> str:
    """Return an application's state in Chinese: 待受理, 已受理（容缺）, 已受理, 已出件."""
    nodes = r.time_nodes or {}
    if r.final_sheet:
        return "已出件"
    if ACCEPTANCE_NODE not in nodes:
        return "待受理"
    return "已受理（容缺）" if nodes.get(MISSING_ITEMS) else "已受理"


def next_project_id(taken: set[str], *, year: int) -> str:
    """Return the next free ``JM-YYYY-NNN`` id of ``year`` after every taken one.

    Examples
    --------
    >>> next_project_id({"JM-2026-001", "JM-2026-007", "JM-2025-044"}, year=2026)
    'JM-2026-008'
    """
    numbers = [int(m[2]) for t in taken if (m := _PROJECT_ID.match(t)) and int(m[1]) == year]
    return f"JM-{year}-{max(numbers, default=0) + 1:03d}"


def _taken_ids(state: ServiceState) -> set[str]:
    ws, _ = state.workspace()
    with state.store.session() as s:
        stored = set(s.scalars(select(ProjectRecord.project_id)))
    return stored | set(ws.layer("sites")["project_id"].astype(str))


def _checked(
    data: dict[str, Any], source: ParcelInput, *, working_crs: Any, taken: set[str]
) -> tuple[dict[str, Any], Any]:
    """Parse the form and read the red line, reporting every problem of both at once.

    A project id (``site_id``) already in ``taken`` is one of these problems.
    """
    problems: list[Problem] = []
    form: dict[str, Any] = {}
    parcel = None
    wanted = str(data.get("site_id") or "").strip()
    if wanted in taken:
        problems.append(_exists(wanted).problems[0])
    try:
        form = parse_intake(data, require_identity=True).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        problems += exc.problems
    try:
        parcel = read_parcel(source, working_crs=working_crs)
    except ValidationError as exc:
        problems += exc.problems
    if problems:
        raise ValidationError(problems=problems, summary="application refused")
    return form, parcel


def _store(
    state: ServiceState,
    p: Principal,
    data: dict[str, Any],
    source: ParcelInput,
    *,
    enterprise_type: str,
    owner: str | None,
    accepted: list[str] | None,
) -> Application:
    """Store a new project and its site in one transaction (accepted now if ``accepted``)."""
    # (1) the form, the red line and a project id in use: every problem at once
    ws, _ = state.workspace()
    taken = _taken_ids(state)
    form, parcel = _checked(data, source, working_crs=ws.crs, taken=taken)
    # (2) its id: the form's site id, or the next free one
    pid = str(form.get("site_id") or next_project_id(taken, year=china_now().year))
    form["site_id"] = pid
    warnings = check_parcel(state, parcel, reveal_names=owner is None)
    nodes: dict[str, Any] = {APPLIED_NODE: _now()}
    if accepted is not None:
        nodes |= {ACCEPTANCE_NODE: _now(), MISSING_ITEMS: accepted}

    def project(s: Session) -> None:
        if s.get(ProjectRecord, pid) is not None:
            raise _exists(pid)
        s.add(ProjectRecord(project_id=pid, intake=form, created_by=p.name, owner=owner, time_nodes=nodes))
        detail = {"missing_items": accepted or []} if accepted is not None else {}
        s.add(AuditEntry(user=p.name, action="submit_application", target=pid, detail=detail))

    # (3) the site added to the sites layer and the project stored: all or nothing
    try:
        add_site(
            state,
            parcel,
            project_id=pid,
            name=str(form["project_name"]),
            enterprise_type=enterprise_type,
            user=p.name,
            then=project,
        )
    except IntegrityError as exc:  # stored by a request at the same moment (PostgreSQL)
        raise _exists(pid) from exc
    return Application(pid, warnings)


def _exists(pid: str) -> ValidationError:
    problem = Problem(
        "intake", pid, "site_id", pid, "a project id not yet used", code="exists",
        expected_zh=f"项目编号 {pid} 已被使用，请换一个编号或留空自动编号",
    )
    return ValidationError(problems=[problem], summary=f"project {pid} exists")


def submit_application(
    state: ServiceState,
    p: Principal,
    data: dict[str, Any],
    source: ParcelInput,
    *,
    enterprise_type: str,
) -> Application:
    """Store an applicant's online application (掌上申请) as 待受理, owned by the applicant.

    Raises
    ------
    ValidationError
        With every problem of the form and of the red line; nothing is stored.
    """
    return _store(state, p, data, source, enterprise_type=enterprise_type, owner=p.name, accepted=None)


def _missing(items: Sequence[str]) -> list[str]:
    return [t.strip() for t in items if t and t.strip()]


def accept_application(
    state: ServiceState, p: Principal, project_id: str, *, missing_items: Sequence[str] = ()
) -> Application:
    """Accept an application (the clerk): record 受理时间 now, then run the assessment.

    Parameters
    ----------
    missing_items
        What the applicant still owes under 容缺受理 (empty: the application is complete).

    Raises
    ------
    NotFoundError
        If there is no such project.
    ValidationError
        If it was accepted already.
    """
    items = _missing(missing_items)
    # (1) 受理时间 and the missing items, once
    with state.store.write() as s:
        r = s.get(ProjectRecord, project_id, with_for_update=True)
        if r is None:
            msg = f"没有项目 {project_id} (no project {project_id!r})"
            raise NotFoundError(msg)
        if ACCEPTANCE_NODE in (r.time_nodes or {}):
            problem = Problem(
                "intake", project_id, "state", state_of(r), "an application not yet accepted",
                code="already_accepted", expected_zh="待受理的申请（该项目已受理）",
            )
            raise ValidationError(problems=[problem], summary="already accepted")
        r.time_nodes = {**(r.time_nodes or {}), ACCEPTANCE_NODE: _now(), MISSING_ITEMS: items}
        r.row_version = (r.row_version or 1) + 1
        s.add(AuditEntry(user=p.name, action="accept_application", target=project_id, detail={"missing_items": items}))
    # (2) the assessment, counted from 受理时间; a commitment path is finished at once
    return Application(project_id, assessment=decide_project(state, project_id, p))


def register_at_window(
    state: ServiceState,
    p: Principal,
    data: dict[str, Any],
    source: ParcelInput,
    *,
    enterprise_type: str,
    missing_items: list[str] = (),  # type: ignore[assignment]
) -> Application:
    """Register and accept at once the form and red line a clerk enters (一窗受理).

    Raises
    ------
    ValidationError
        With every problem of the form and of the red line; nothing is stored.
    """
    # (1) stored and accepted in one transaction
    done = _store(
        state, p, data, source, enterprise_type=enterprise_type, owner=None,
        accepted=_missing(missing_items),
    )
    # (2) the assessment; a commitment path is finished at once
    done.assessment = decide_project(state, done.project_id, p)
    return done


def register_project(state: ServiceState, p: Principal, data: dict[str, Any]) -> str:
    """Store a project on a site already in the sites layer, accepted now (``POST /projects``).

    Raises
    ------
    ValidationError
        With every problem of the form, an unknown site, or an existing project.
    """
    # (1) the form complete and its site stored
    form = parse_intake(data, require_identity=True)
    pid = str(form.site_id or "")
    ws, _ = state.workspace()
    if not pid or pid not in set(ws.layer("sites")["project_id"].astype(str)):
        problem = Problem(
            "intake", form.project_code, "site_id", repr(form.site_id),
            "the project_id of a site polygon in the sites layer", code="unknown_site",
        )
        raise ValidationError(problems=[problem], summary="intake form refused")
    gone = Problem(
        "intake", pid, "site_id", repr(pid), "a site of the current sites layer", code="unknown_site"
    )
    stored = form.model_dump(mode="json", exclude_none=True)
    # (2) stored with its 受理时间; the sites layer is locked: nobody removes the site meanwhile
    try:
        with state.store.write(layers=["sites"]) as s:
            if not state.store.has_feature(s, "sites", pid):
                raise ValidationError(problems=[gone], summary="intake form refused")
            if s.get(ProjectRecord, pid) is not None:
                raise _exists(pid)
            s.add(
                ProjectRecord(
                    project_id=pid, intake=stored, created_by=p.name, time_nodes={ACCEPTANCE_NODE: _now()}
                )
            )
            s.add(AuditEntry(user=p.name, action="create_project", target=pid, detail={}))
    except IntegrityError as exc:  # created by a request at the same moment (PostgreSQL)
        raise _exists(pid) from exc
    return pid


def pending(state: ServiceState) -> list[ProjectRecord]:
    """Return the applications waiting for acceptance (submitted online, no 受理时间 yet)."""
    with state.store.session() as s:
        rows = list(s.scalars(select(ProjectRecord).where(ProjectRecord.owner.is_not(None))))
    return sorted(
        (r for r in rows if ACCEPTANCE_NODE not in (r.time_nodes or {})),
        key=lambda r: str((r.time_nodes or {}).get(APPLIED_NODE, "")),
    )


def applications_of(state: ServiceState, p: Principal) -> list[ProjectRecord]:
    """Return an applicant's own applications, newest first."""
    with state.store.session() as s:
        rows = list(s.scalars(select(ProjectRecord).where(ProjectRecord.owner == p.name)))
    return sorted(rows, key=lambda r: r.created_at, reverse=True)


def visible_project(state: ServiceState, p: Principal, project_id: str) -> ProjectRecord:
    """Return a project ``p`` may see; 404 for an applicant's view of another's project.

    Raises
    ------
    NotFoundError
        If there is none, or it is another applicant's (not told apart: no id probing).
    """
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
    if r is None or not can_see_project(p, r.owner):
        msg = f"没有项目 {project_id} (no project {project_id!r})"
        raise NotFoundError(msg)
    return r
