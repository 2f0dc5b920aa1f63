"""The project list: one page of projects, newest first, with state and approval path.

Paginated in SQL (a page reads its rows and their latest assessments only), so the list stays
fast on a database of many thousands of projects. An applicant sees only its own projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from api.security import Principal
from gis import vocabulary
from gis.storage.models import AssessmentRecord, ProjectRecord

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    from api.state import ServiceState

__all__ = ["ProjectPage", "ProjectRow", "list_projects", "project_state"]

PER_PAGE = 25
"""Projects per page of the list."""


@dataclass(frozen=True)
class ProjectRow:
    """One project of the list, as shown."""

    project_id: str
    name: str
    enterprise: str
    utilities: str
    accepted_at: str | None
    state: str
    approval_path: str


@dataclass(frozen=True)
class ProjectPage:
    """A page of the project list and where it is in the whole."""

    rows: list[ProjectRow]
    page: int
    pages: int
    total: int


def project_state(time_nodes: dict[str, Any], final_sheet: dict[str, Any] | None) -> str:
    """Return a project's state in words: 待受理, 已出件, or the last step reached.

    Examples
    --------
    >>> project_state({}, None), project_state({"form_complete": "2026-12-01T09:00"}, None)
    ('待受理', '采集单齐全')
    >>> project_state({"form_complete": "x", "assessed": "y"}, {"number": "1"})
    '已出件'
    """
    if "form_complete" not in (time_nodes or {}):
        return "待受理"
    if final_sheet:
        return "已出件"
    reached = [step for step in vocabulary.LEDGER_STEPS.values if step in time_nodes]
    return vocabulary.LEDGER_STEPS.label(reached[-1])


def _visible(query: Select[Any], user: Principal, q: str) -> Select[Any]:
    if user.role == "applicant":
        query = query.where(ProjectRecord.owner == user.name)
    if q:
        query = query.where(ProjectRecord.project_id.contains(q, autoescape=True))
    return query


def _paths(state: ServiceState, ids: list[str]) -> dict[str, str | None]:
    """Return the approval path of each project's latest assessment."""
    if not ids:
        return {}
    latest = (
        select(func.max(AssessmentRecord.id))
        .where(AssessmentRecord.project_id.in_(ids))
        .group_by(AssessmentRecord.project_id)
    )
    with state.store.session() as s:
        rows = s.execute(
            select(AssessmentRecord.project_id, AssessmentRecord.approval_path).where(
                AssessmentRecord.id.in_(latest)
            )
        ).all()
    return {pid: path for pid, path in rows}


def list_projects(
    state: ServiceState, user: Principal, *, page: int = 1, q: str = "", per_page: int = PER_PAGE
) -> ProjectPage:
    """Return one page of the projects ``user`` may see (newest first), filtered by id text."""
    with state.store.session() as s:
        total = int(s.scalar(_visible(select(func.count(ProjectRecord.project_id)), user, q)) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        records = s.scalars(
            _visible(select(ProjectRecord), user, q)
            .order_by(ProjectRecord.created_at.desc(), ProjectRecord.project_id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    paths = _paths(state, [r.project_id for r in records])
    rows = [_row(r, paths.get(r.project_id, "?")) for r in records]
    return ProjectPage(rows, page, pages, total)


def _row(r: ProjectRecord, path: str | None) -> ProjectRow:
    form = r.intake or {}
    utilities = [vocabulary.UTILITIES.label(u) for u in form.get("utilities") or []]
    accepted = (r.time_nodes or {}).get("form_complete")
    shown = "未研判" if path == "?" else vocabulary.APPROVAL_PATHS.label(path)
    return ProjectRow(
        project_id=r.project_id,
        name=str(form.get("project_name") or ""),
        enterprise=str(form.get("applicant") or ""),
        utilities="、".join(utilities),
        accepted_at=str(accepted) if accepted else None,
        state=project_state(r.time_nodes or {}, r.final_sheet),
        approval_path=shown,
    )
