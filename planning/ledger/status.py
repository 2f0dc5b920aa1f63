"""The e-ledger at ``now`` and its early warning (seed 六(二)1, 八(三)).

:func:`ledger_status` gives, for every project and responsible department, the open step, its
time limit, the share of the allowed working time used and the status (on time, approaching,
overdue …); the steps done late are kept for the record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from gis.errors import CalendarError, ProfileError
from gis.profile import Profile, load_profile
from planning.calendar import PROVISIONAL_MARK, WorkCalendar
from planning.ledger.departments import Departments
from planning.ledger.limits import Clock, Limit, NoAcceptance
from planning.ledger.records import LateStep, LedgerEntry, LedgerProject
from planning.ledger.steps import (
    LIMIT_NAMES,
    PATH_LABELS,
    SEVERITY,
    STATUS_LABELS,
    STEP_LABELS,
    STEPS,
    Status,
    Step,
    TimeNodes,
    check_moment,
    open_step,
)

__all__ = ["ledger_status"]


def _percent(share: float) -> str:
    """Format a share of time as a whole percentage, rounding half up.

    Examples
    --------
    >>> _percent(0.75), _percent(0.745), _percent(0.8), _percent(1.25)
    ('75%', '75%', '80%', '125%')
    """
    return f"{math.floor(share * 100 + 0.5 + 1e-9)}%"


def _when(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def _hours(h: float) -> str:
    return f"{h:.2f}".rstrip("0").rstrip(".")


def _warn_share(prof: Profile, warn_share: float | None) -> float:
    if warn_share is None:
        value = prof.ledger.warn_share
        where = f"profile {prof.name!r}, ledger.warn_share"
    else:
        value, where = warn_share, "ledger_status warn_share"
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        msg = f"{where}: got {value!r}; expected a share of the allowed time, above 0 and at most 1 (0.75 = 75 %)"
        raise (ProfileError(msg) if warn_share is None else ValueError(msg))
    return float(value)


_NO_LIMIT: dict[str, Any] = {
    "start": None,
    "deadline": None,
    "share": None,
    "used_hours": None,
    "allowed_hours": None,
}
"""The fields of an entry whose open step has no time limit (or none that can be computed)."""


def _late_steps(
    project: LedgerProject, nodes: TimeNodes, *, clock: Clock, depts: Departments
) -> tuple[LateStep, ...]:
    """Return the steps completed after their time limit, in process order."""
    late: list[LateStep] = []
    for done in STEPS:
        done_at = nodes.get(done)
        limit = clock.limit(done) if done_at is not None else None
        if done_at is not None and limit is not None and done_at > limit.deadline:
            late.append(
                LateStep(
                    step=done,
                    label=STEP_LABELS[done],
                    deadline=limit.deadline,
                    done_at=done_at,
                    overrun_hours=clock.cal.office_hours_between(limit.deadline, done_at),
                    departments=depts.expand(done, project),
                )
            )
    return tuple(late)


def _timed_fields(
    step: Step, limit: Limit, *, now: datetime, cal: WorkCalendar, warn: float, lead: str
) -> dict[str, Any]:
    """Return the fields of an entry whose open step has a time limit (``lead``: path label)."""
    used = max(0.0, cal.office_hours_between(limit.start, now))
    allowed = max(0.0, cal.office_hours_between(limit.start, limit.deadline))
    share = used / allowed if allowed > 0 else 1.0
    provisional = bool(cal.provisional_years(limit.start, limit.deadline))
    mark = PROVISIONAL_MARK if provisional else ""
    head = f"{lead}：{LIMIT_NAMES[step]}时限 {_when(limit.deadline)}{mark}"
    status: Status
    if now > limit.deadline:
        status = "overdue"
        over = cal.office_hours_between(limit.deadline, now)
        tail = f"，已逾期 {_hours(over)} 个工作小时" if over > 0 else "，已逾期"
    else:
        status = "approaching" if share >= warn else "on_time"
        tail = f"，已用 {_percent(share)} 工作时间"
    return {
        "status": status,
        "start": limit.start,
        "deadline": limit.deadline,
        "share": share,
        "used_hours": used,
        "allowed_hours": allowed,
        "message": head + tail,
        "basis": limit.basis,
        "provisional": provisional,
    }


def _entry_for(
    project: LedgerProject,
    *,
    now: datetime,
    prof: Profile,
    cal: WorkCalendar,
    depts: Departments,
    warn: float,
) -> list[LedgerEntry]:
    """Return the entries of one project at ``now``, one per responsible department.

    1. the nodes recorded at ``now``, the open step and the skipped steps;
    2. the steps done late;
    3. the open step's status: done, untimed, or timed against its limit;
    4. a limit that cannot be computed makes an ``error`` entry saying why.
    """
    nodes = project.nodes.as_of(now)
    step, skipped = open_step(nodes, not_required=project.not_required)
    path_label = PATH_LABELS[project.path]
    who = depts.expand(step or STEPS[-1], project)
    common: dict[str, Any] = {
        "project_id": project.project_id,
        "name": project.name,
        "path": project.path,
        "step": step,
        "step_label": STEP_LABELS[step] if step else STATUS_LABELS["done"],
        "skipped": skipped,
    }
    clock = Clock(project, nodes, prof=prof, cal=cal)
    try:
        common["late"] = _late_steps(project, nodes, clock=clock, depts=depts)
        late_text = (
            "；逾期环节：" + "、".join(x.label for x in common["late"]) if common["late"] else ""
        )
        fields_: dict[str, Any]
        if step is None:  # connected
            connected = nodes.connected or now
            fields_ = {
                **_NO_LIMIT,
                "status": "done",
                "message": f"{path_label}：{STEP_LABELS['connected']} {_when(connected)}{late_text}",
            }
        elif (limit := clock.limit(step)) is None:
            fields_ = {
                **_NO_LIMIT,
                "status": "untimed",
                "message": f"{path_label}：待{STEP_LABELS[step]}，未设办理时限{late_text}",
            }
        else:
            fields_ = _timed_fields(step, limit, now=now, cal=cal, warn=warn, lead=path_label)
            fields_["message"] += late_text
    except (CalendarError, NoAcceptance) as exc:
        label = STEP_LABELS[step] if step else STEP_LABELS["connected"]
        fields_ = {
            **_NO_LIMIT,
            "status": "error",
            "message": f"{path_label}：{label}时限无法计算：{exc}",
            "late": (),
            "error": str(exc),
        }
    return [LedgerEntry(department=d, **{**common, **fields_}) for d in who]


def ledger_status(
    projects: Iterable[LedgerProject],
    *,
    now: datetime,
    profile: Profile | str,
    warn_share: float | None = None,
    calendar: WorkCalendar | None = None,
) -> list[LedgerEntry]:
    """Return the e-ledger at ``now``: each project's open step, deadline and status.

    Parameters
    ----------
    projects
        The projects with their recorded time nodes.
    now
        The ledger's clock (naive local China time); nodes recorded after it are ignored.
    profile
        Policy profile (or its name) with ``deadlines.*``, ``office_hours``,
        ``ledger.warn_share``, ``ledger.departments`` and ``ledger.utility_units``.
    warn_share
        Share of the allowed working time from which a step is ``approaching``; default the
        profile's ``ledger.warn_share`` (0.75).
    calendar
        Working-day calendar; default one with the profile's office hours and the shipped
        holiday file.

    Returns
    -------
    list of LedgerEntry
        One entry per project and responsible department of its open step, sorted by
        department (in process order of ``ledger.departments``), then most urgent status
        first (:data:`Status`), then deadline, then project id. A project whose limits cannot
        be computed (a year without a holiday schedule, no acceptance time) gets an
        ``error`` entry saying why; it never stops the ledger.

    Raises
    ------
    CalendarError
        ``now`` is not a naive datetime.
    ProfileError
        A ``ledger.*`` key is missing or malformed.
    ValueError
        ``warn_share`` is not in (0, 1].
    """
    checked = check_moment(now, "ledger_status now")
    if checked is None:
        msg = "ledger_status now: got None; expected the ledger's clock as a naive datetime"
        raise CalendarError(msg)
    prof = load_profile(profile) if isinstance(profile, str) else profile
    warn = _warn_share(prof, warn_share)
    depts = Departments.of(prof)
    cal = calendar if calendar is not None else WorkCalendar.from_profile(prof)
    entries: list[LedgerEntry] = []
    for project in projects:
        entries += _entry_for(project, now=checked, prof=prof, cal=cal, depts=depts, warn=warn)
    rank = {d: i for i, d in enumerate(depts.order)}

    def key(e: LedgerEntry) -> tuple[Any, ...]:
        return (
            rank.get(e.department, len(rank)),
            e.department,
            SEVERITY[e.status],
            e.deadline or datetime.max,
            e.project_id,
        )

    return sorted(entries, key=key)
