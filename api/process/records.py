"""A project's stored row: read it, and change it atomically with its audit entry.

Every change of a project is atomic: its row is read, changed and written in one locked
transaction (:meth:`gis.storage.store.Store.write`) and its ``row_version`` raised by one. The
``row_version`` is the project's ETag (``"3"``); a change given ``if_match`` is refused (412)
when someone changed the project since the client read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from api.schemas import CHINA, as_utc
from api.security import Principal
from api.state import ServiceState
from gis.errors import NotFoundError, PreconditionFailedError
from gis.storage.models import AssessmentRecord, AuditEntry, ProjectRecord

__all__ = [
    "ACCEPTANCE_NODE",
    "acceptance_time",
    "accepted_at",
    "change_project",
    "check_version",
    "etag",
    "project_record",
]


def etag(r: ProjectRecord) -> str:
    """Return the ETag of a project: its row version, quoted (``"3"``)."""
    return f'"{r.row_version or 1}"'


def _matches(if_match: str, r: ProjectRecord) -> bool:
    """Whether ``If-Match`` (``*`` or a list of ETags; ``W/`` ignored) names ``r``'s version."""
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    return "*" in tags or etag(r) in tags


def check_version(r: ProjectRecord, if_match: str) -> None:
    """Raise 412 when ``If-Match`` does not name the project's current version."""
    if not _matches(if_match, r):
        msg = (
            f"项目 {r.project_id} 已被他人修改（当前版本 {etag(r)}，您提交所依据的版本 {if_match}），"
            "请重新获取后再提交 (project changed since it was read: current ETag "
            f"{etag(r)}, If-Match {if_match}; GET it again and resubmit)"
        )
        raise PreconditionFailedError(msg)


def project_record(state: ServiceState, project_id: str) -> ProjectRecord:
    """Return a stored project, or raise :class:`NotFoundError` (404)."""
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
    if r is None:
        msg = f"no project {project_id!r}"
        raise NotFoundError(msg)
    return r


def change_project(
    state: ServiceState,
    project_id: str,
    change: Callable[[ProjectRecord], None],
    *,
    audit: tuple[Principal, str, dict[str, Any]],
    if_match: str | None = None,
) -> None:
    """Apply ``change`` to a stored project atomically, with its audit entry.

    The row is locked while it is read, changed and written (nobody's change is lost), its
    ``row_version`` raised; 404 if there is no such project, 412 if ``if_match`` is given and
    does not name the stored version.
    """
    p, action, detail = audit
    with state.store.write() as s:
        r = s.get(ProjectRecord, project_id, with_for_update=True)
        if r is None:
            msg = f"no project {project_id!r}"
            raise NotFoundError(msg)
        if if_match is not None:
            check_version(r, if_match)
        change(r)
        r.row_version = (r.row_version or 1) + 1
        s.add(AuditEntry(user=p.name, action=action, target=project_id, detail=detail))


ACCEPTANCE_NODE = "form_complete"
"""The time node of the acceptance (受理, 采集单齐全): every time limit counts from it."""


def accepted_at(r: ProjectRecord) -> dt.datetime:
    """Return a project's recorded acceptance time (受理时间), local China time, to the minute.

    It is the ``form_complete`` time node, stored when the application is accepted (and
    corrected, with an audit entry, by recording that node again); a project stored without it
    counts from when its row was created. So every document and answer of a project shows the
    same deadlines, whenever it is printed.
    """
    text = (r.time_nodes or {}).get(ACCEPTANCE_NODE)
    when = dt.datetime.fromisoformat(str(text)) if text else as_utc(r.created_at)
    if when.tzinfo is not None:
        when = when.astimezone(CHINA).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


def acceptance_time(state: ServiceState, project_id: str) -> dt.datetime | None:
    """Return the acceptance time of a stored project, or None for a site without a project."""
    with state.store.session() as s:
        r = s.get(ProjectRecord, project_id)
    return accepted_at(r) if r is not None else None


def latest_assessment(state: ServiceState, project_id: str) -> AssessmentRecord | None:
    """Return a project's latest stored assessment, or ``None`` before its first."""
    with state.store.session() as s:
        return s.scalars(
            select(AssessmentRecord)
            .where(AssessmentRecord.project_id == project_id)
            .order_by(AssessmentRecord.id.desc())
            .limit(1)
        ).first()
