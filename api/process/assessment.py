"""Assessing a stored project and its acceptance time (受理时间), for the API and the workbench.

The window's services (:mod:`api.process.applications`) and the routes run the same code; the
acceptance time lives with the other record helpers (:mod:`api.process.records`).
"""

from __future__ import annotations

import datetime as dt

from api.process.records import ACCEPTANCE_NODE, acceptance_time, accepted_at
from api.report import assessment_to_dict, path_deadlines_json
from api.schemas import china_now
from api.security import Principal
from api.state import ServiceState
from gis.storage.models import AssessmentRecord, AuditEntry, ProjectRecord

__all__ = ["ACCEPTANCE_NODE", "acceptance_time", "accepted_at", "decide_project", "run_assessment"]

def run_assessment(
    state: ServiceState,
    project_id: str,
    *,
    as_of: dt.date | None = None,
    by: Principal | None = None,
) -> AssessmentRecord:
    """Assess one project on the current layer versions and store the result.

    The deadlines count from the project's recorded acceptance time (:func:`accepted_at`), not
    from when it is assessed: assessing again gives the same deadlines. ``by`` given: the
    研判 is written to the audit trail (``assess_project``, with the path and the check day),
    in the same transaction as the assessment.
    """
    done = state.assessed(as_of=as_of)
    a = done.one(project_id)
    now = china_now()
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
        if by is not None:
            detail = {"path": a.approval_path, "as_of": done.as_of.isoformat()}
            s.add(AuditEntry(user=by.name, action="assess_project", target=project_id, detail=detail))
    return rec


def decide_project(
    state: ServiceState, project_id: str, p: Principal, *, as_of: dt.date | None = None
) -> AssessmentRecord:
    """Assess a project and, on the commitment path, finish it at once (即时办结).

    Seed 三5 and 四(二)1: what notify-and-commit allows is decided immediately, citing the
    utilities' annual commitment (:func:`api.process.opinions.finish_commitment`); a joint
    project waits for the departments' opinions.
    """
    from api.process.opinions import finish_commitment

    # (1) the assessment, counted from the recorded 受理时间, stored
    rec = run_assessment(state, project_id, as_of=as_of, by=p)
    # (2) the commitment path: the sheet is issued now (once; assessing again keeps its number)
    if rec.approval_path == "commitment":
        finish_commitment(state, project_id, p)
    return rec
