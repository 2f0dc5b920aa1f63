"""Assessing a stored project and its acceptance time (受理时间), for the API and the workbench.

Moved from ``api/routes/projects.py`` (which imports them from here) so that the window's
services (:mod:`api.process.applications`) and the routes run the same code.
"""

from __future__ import annotations

import datetime as dt

from api.report import assessment_to_dict, path_deadlines_json
from api.schemas import CHINA, as_utc
from api.state import ServiceState
from gis.storage.models import AssessmentRecord, ProjectRecord

__all__ = ["ACCEPTANCE_NODE", "acceptance_time", "accepted_at", "run_assessment"]

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


def run_assessment(state: ServiceState, project_id: str, *, as_of: dt.date | None = None) -> AssessmentRecord:
    """Assess one project on the current layer versions and store the result.

    The deadlines count from the project's recorded acceptance time (:func:`accepted_at`), not
    from when it is assessed: assessing again gives the same deadlines.
    """
    done = state.assessed(as_of=as_of)
    a = done.one(project_id)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    start = acceptance_time(state, project_id) or now
    # provisional (暂定) where a year's notice is not loaded; an error text names no server path
    deadlines = path_deadlines_json(start, profile=done.profile)
    result = assessment_to_dict(a, crs=done.ws.crs, deadlines=deadlines)
    result["accepted_at"] = start.isoformat(timespec="minutes")
    with state.store.write() as s:
        # the project row first: an assessment row's foreign key would otherwise take a share
        # lock on it that two concurrent assessments then both wait to upgrade (a deadlock)
        r = s.get(ProjectRecord, project_id, with_for_update=True)
        if r is not None:
            r.time_nodes = {**(r.time_nodes or {}), "assessed": now.isoformat()}
            r.row_version = (r.row_version or 1) + 1
        rec = AssessmentRecord(
            project_id=project_id,
            as_of=dt.datetime.combine(done.as_of, dt.time()),
            profile=done.profile.name,
            versions=done.versions,
            approval_path=a.approval_path,
            result=result,
        )
        s.add(rec)
    return rec
