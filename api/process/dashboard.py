"""The e-ledger dashboard (电子台账看板: 限时办结, 预警), issue 15 item 7; seed 六(二)1, 八(三).

The same ledger as ``GET /ledger`` (:func:`ledger_projects` → :func:`planning.ledger.ledger_status`),
filtered by department, utility, approval path and state, the warnings first (error, overdue,
at ≥ ``ledger.warn_share`` of the allowed working time, then the rest), counted per status and
per department, paginated, and exported to xlsx with Chinese headers.

The ledger of every stored project is computed once per minute and per change of the data
(projects, assessments, holiday notices): a page within the same minute reuses it, so a page
costs a filter and a slice, not a deadline computation per project. On the clock, when the
minute turns, the last minute's ledger (at most :data:`STALE` old, its 计算时刻 shown) answers
while the new one is computed in a thread; a change of the data is computed before the answer.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import func, select

from api.schemas import china_now
from api.state import ServiceState
from gis import vocabulary
from gis.errors import Problem, ValidationError
from gis.schema import UTILITIES
from gis.storage.models import AssessmentRecord, ProjectRecord
from planning.calendar import calendar_for
from planning.ledger import (
    ALERT_STATUSES,
    PATH_LABELS,
    STATUS_LABELS,
    STEPS,
    LedgerEntry,
    LedgerProject,
    Status,
    Step,
    TimeNodes,
    countdown_text,
    ledger_status,
)
from planning.ledger.departments import Departments

__all__ = [
    "ALERT",
    "NOT_REQUIRED",
    "OFF_CLOCK_PATHS",
    "Dashboard",
    "DashboardFilter",
    "DashboardRow",
    "OffClock",
    "dashboard",
    "dashboard_rows",
    "export_xlsx",
    "ledger_entries",
    "ledger_project",
    "ledger_projects",
    "off_clock_projects",
]

STATUSES: tuple[Status, ...] = get_args(Status)
"""Every status, most urgent first (the order of the counters and of the rows)."""

ALERT = "alert"
"""The state filter of the early warning: error, overdue and approaching (≥ 75 %)."""

PENDING_PATH = "pending"
"""The path filter of projects not assessed yet (路径未定)."""

Tone = Literal["red", "amber", ""]

NOT_REQUIRED: frozenset[Step] = frozenset({"registered", "surveyed", "constructed"})
"""Steps a stored project may go without (as ``GET /ledger`` counts them)."""


def ledger_project(
    project_id: str, intake: dict[str, Any] | None, time_nodes: dict[str, Any] | None, path: Any
) -> LedgerProject:
    """Return a stored project as the e-ledger counts it (the one reading of its time nodes)."""
    nodes = {k: dt.datetime.fromisoformat(v) for k, v in (time_nodes or {}).items() if k in STEPS and v}
    return LedgerProject(
        project_id=project_id,
        utilities=tuple((intake or {}).get("utilities") or ()),
        nodes=TimeNodes(**nodes),
        path=path if path in ("commitment", "joint") else None,
        name=str((intake or {}).get("project_name", "")),
        not_required=NOT_REQUIRED,
    )


@dataclass(frozen=True)
class DashboardFilter:
    """What the dashboard lists (``None``: no filter).

    Parameters
    ----------
    department
        A department of ``ledger.departments`` (utility companies included).
    utility
        One of :data:`gis.schema.UTILITIES`: projects asking for it.
    path
        ``commitment``, ``joint`` or :data:`PENDING_PATH`.
    status
        A :data:`planning.ledger.Status` or :data:`ALERT`.
    page, per_page
        The page (from 1) and its size.
    """

    department: str | None = None
    utility: str | None = None
    path: str | None = None
    status: str | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class DashboardRow:
    """One ledger entry as the dashboard shows it."""

    entry: LedgerEntry
    utilities: tuple[str, ...]
    status_label: str
    path_label: str
    utilities_label: str
    countdown: str
    """:func:`planning.ledger.countdown_text`: 剩余 / 已逾期 x 个工作日 y 个工作小时 ("" untimed)."""
    tone: Tone
    """``red`` overdue (or no computable limit), ``amber`` at ≥ the warning share, else empty."""


@dataclass(frozen=True)
class DepartmentCount:
    """The entries of one department by status (for the per-department counters)."""

    department: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Return the number of entries of the department."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Dashboard:
    """One page of the dashboard with its counters."""

    now: dt.datetime
    filters: DashboardFilter
    counts: dict[str, int]
    """Entries by status over the department, utility and path filters (not the state)."""
    departments: list[DepartmentCount]
    rows: list[DashboardRow]
    total: int
    """Entries matching every filter (all pages)."""
    pages: int
    warn_percent: int
    """The warning share of the profile in percent (75: amber at ≥ 75 % of the limit)."""
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """The filter form's options: field → (value, Chinese label)."""
    off_clock: list[OffClock] = field(default_factory=list)
    """Assessed projects not on a connection clock (需提前布局管网, 不适用联动接入) passing the
    utility and path filters (none when a department or a state is chosen): listed apart."""


# --------------------------------------------------------------------------- the data


OFF_CLOCK_PATHS: dict[str, str] = {
    "prelay": vocabulary.APPROVAL_PATHS.label(None),
    "not_applicable": vocabulary.APPROVAL_PATHS.label("not_applicable"),
}
"""The assessed outcomes that are not on a connection clock, by filter value → Chinese label:
the network is to be laid first (需提前布局管网, stored path ``None``) or the request is outside
the linked connection (不适用联动接入). The ledger lists them apart, without a deadline."""


@dataclass(frozen=True)
class OffClock:
    """An assessed project not on a connection clock (see :data:`OFF_CLOCK_PATHS`)."""

    project_id: str
    name: str
    path: str
    """A key of :data:`OFF_CLOCK_PATHS`."""
    path_label: str
    utilities: tuple[str, ...]
    utilities_label: str


def _stored(state: ServiceState) -> tuple[list[Any], dict[str, Any]]:
    """Return the projects' ledger columns and each assessed project's latest path."""
    with state.store.session() as s:
        rows = s.execute(
            select(
                ProjectRecord.project_id, ProjectRecord.intake, ProjectRecord.time_nodes
            ).order_by(ProjectRecord.project_id)
        ).all()
        paths: dict[str, Any] = dict(
            s.execute(
                select(AssessmentRecord.project_id, AssessmentRecord.approval_path).order_by(
                    AssessmentRecord.id
                )
            ).all()
        )
    return list(rows), paths


def _off_clock_path(pid: str, paths: dict[str, Any]) -> str | None:
    """Return the off-clock outcome of a project (``None``: on the clock, or not assessed)."""
    if pid not in paths:
        return None
    path = paths[pid]
    return "prelay" if path is None else path if path in OFF_CLOCK_PATHS else None


def ledger_projects(state: ServiceState) -> list[LedgerProject]:
    """Return the stored projects on a connection clock, with their nodes and approval paths.

    Reads only the columns the ledger needs (not the stored assessment results); a project's
    path is that of its latest assessment. Projects assessed as 需提前布局管网 or 不适用联动接入
    are not on the clock (:func:`off_clock_projects`).
    """
    rows, paths = _stored(state)
    return [
        ledger_project(pid, intake, nodes, paths.get(pid))
        for pid, intake, nodes in rows
        if _off_clock_path(pid, paths) is None
    ]


def off_clock_projects(state: ServiceState) -> list[OffClock]:
    """Return the assessed projects not on a connection clock (:data:`OFF_CLOCK_PATHS`)."""
    rows, paths = _stored(state)
    out = []
    for pid, intake, _nodes in rows:
        path = _off_clock_path(pid, paths)
        if path is not None:
            utilities = tuple((intake or {}).get("utilities") or ())
            out.append(
                OffClock(
                    project_id=pid,
                    name=str((intake or {}).get("project_name", "")),
                    path=path,
                    path_label=OFF_CLOCK_PATHS[path],
                    utilities=utilities,
                    utilities_label="、".join(vocabulary.UTILITIES.label(u) for u in utilities),
                )
            )
    return out


def _stamp(state: ServiceState) -> tuple[Any, ...]:
    """Return what changes whenever a project, an assessment or a holiday notice changes."""
    from api.holidays import notices_stamp

    with state.store.session() as s:
        projects = s.execute(select(func.count(), func.max(ProjectRecord.updated_at))).one()
        assessed = s.execute(select(func.count(), func.max(AssessmentRecord.id))).one()
    return (tuple(projects), tuple(assessed), notices_stamp(state.store))


@dataclass
class _Computed:
    data: tuple[Any, ...]
    """The stored data it was computed from (state, database, profile, :func:`_stamp`)."""
    now: dt.datetime
    entries: list[LedgerEntry]
    """In the order of ``GET /ledger``."""
    utilities: dict[str, tuple[str, ...]]
    ordered: list[LedgerEntry]
    """The same, warnings first (the dashboard's order)."""
    off_clock: list[OffClock] = field(default_factory=list)
    """The assessed projects not on a connection clock, listed apart."""


STALE = dt.timedelta(minutes=2)
"""How old a ledger on the clock may be shown while the next minute's is computed aside."""

_LOCK = threading.Lock()
_LAST: list[_Computed] = []
"""The last ledger computed (one slot: the next minute or change replaces it)."""
_REFRESHING: list[dt.datetime] = []
"""The minute being computed aside (at most one at a time)."""


def _clock() -> dt.datetime:
    """Return the current minute, naive China time (the clock the time nodes are recorded on)."""
    return china_now()


def ledger_entries(
    state: ServiceState, *, now: dt.datetime
) -> tuple[list[LedgerEntry], dict[str, tuple[str, ...]]]:
    """Return the ledger at ``now`` (naive China time) and each project's utilities.

    The result is that of ``GET /ledger?all=true&now=…``; it is kept until another ``now``
    is asked or the stored data change.
    """
    found = _computed(state, now, exact=True)
    return found.entries, found.utilities


def _compute(state: ServiceState, now: dt.datetime, data: tuple[Any, ...]) -> _Computed:
    projects = ledger_projects(state)
    entries = ledger_status(
        projects, now=now, profile=state.profile, calendar=calendar_for(state.profile)
    )
    rank = {d: i for i, d in enumerate(Departments.of(state.profile).order)}
    utilities = {p.project_id: tuple(p.utilities) for p in projects}
    ordered = sorted(entries, key=_sort_key(rank))
    return _Computed(data, now, entries, utilities, ordered, off_clock_projects(state))


def _refresh_aside(state: ServiceState, now: dt.datetime, data: tuple[Any, ...]) -> None:
    """Compute the ledger at ``now`` in a thread and keep it unless the data changed meanwhile."""
    with _LOCK:
        if _REFRESHING:
            return
        _REFRESHING.append(now)

    def run() -> None:
        try:
            found = _compute(state, now, data)
            with _LOCK:
                if _LAST and _LAST[0].data == data and _LAST[0].now < now:
                    _LAST[:] = [found]
        finally:
            with _LOCK:
                _REFRESHING.clear()

    threading.Thread(target=run, name="ledger-refresh", daemon=True).start()


def _computed(state: ServiceState, now: dt.datetime, *, exact: bool) -> _Computed:
    """Return the ledger at ``now``, kept or computed.

    A ledger of the same stored data at ``now`` is reused; on the clock (not ``exact``), one
    at most :data:`STALE` older is shown while the ledger at ``now`` is computed aside. A
    change of the data (a time node, an assessment, a holiday notice) is always computed
    before the answer.
    """
    state.sync_calendar()
    data = (id(state), str(state.store.engine.url), state.profile.name, _stamp(state))
    with _LOCK:
        last = _LAST[0] if _LAST else None
    if last is not None and last.data == data:
        if last.now == now:
            return last
        if not exact and dt.timedelta(0) < now - last.now <= STALE:
            _refresh_aside(state, now, data)
            return last
    found = _compute(state, now, data)
    with _LOCK:
        _LAST[:] = [found]
    return found


# --------------------------------------------------------------------------- filters


def _choices(state: ServiceState) -> dict[str, list[tuple[str, str]]]:
    """Return the filter form's options (value, Chinese label)."""
    status_choices = [(ALERT, "预警（临近时限、已逾期、无法计算）")]
    status_choices += [(s, STATUS_LABELS[s]) for s in STATUSES]
    return {
        "department": [(d, d) for d in Departments.of(state.profile).order],
        "utility": [(u, vocabulary.UTILITIES.label(u)) for u in UTILITIES],
        "path": [
            ("commitment", PATH_LABELS["commitment"]),
            ("joint", PATH_LABELS["joint"]),
            (PENDING_PATH, PATH_LABELS[None]),
            *OFF_CLOCK_PATHS.items(),
        ],
        "status": status_choices,
    }


def check_filter(state: ServiceState, filters: DashboardFilter) -> None:
    """Raise :class:`ValidationError` naming every filter value that is not an option.

    Raises
    ------
    ValidationError
        Each unknown department, utility, path or state, and a page below 1, all at once.
    """
    problems = []
    for name, options in _choices(state).items():
        value = getattr(filters, name)
        if value is not None and value not in {v for v, _ in options}:
            problems.append(
                Problem(
                    "request",
                    "ledger",
                    name,
                    str(value),
                    "one of " + ", ".join(v for v, _ in options),
                    code="invalid_enum",
                    expected_zh="、".join(label for _, label in options),
                )
            )
    if filters.page < 1 or not 1 <= filters.per_page <= 500:
        problems.append(
            Problem(
                "request",
                "ledger",
                "page",
                f"{filters.page} (per page {filters.per_page})",
                "page ≥ 1, 1 to 500 rows per page",
                expected_zh="页码不小于 1，每页 1 至 500 行",
            )
        )
    if problems:
        raise ValidationError(problems=problems, summary="invalid ledger filter")


def _keep(e: LedgerEntry, utilities: dict[str, tuple[str, ...]], f: DashboardFilter) -> bool:
    """Whether ``e`` passes the department, utility and path filters (not the state)."""
    if f.department is not None and e.department != f.department:
        return False
    if f.utility is not None and f.utility not in utilities.get(e.project_id, ()):
        return False
    path = e.path or PENDING_PATH
    return f.path is None or path == f.path


def _off_clock_kept(projects: list[OffClock], f: DashboardFilter) -> list[OffClock]:
    """Return the off-clock projects passing the utility and path filters.

    They have no responsible department on a clock and no state: a department or a state
    filter lists none of them.
    """
    if f.department is not None or f.status is not None:
        return []
    return [
        p
        for p in projects
        if (f.utility is None or f.utility in p.utilities) and (f.path in (None, p.path))
    ]


def _status_kept(status: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == ALERT:
        return status in ALERT_STATUSES
    return status == wanted


# --------------------------------------------------------------------------- rows


def _row(e: LedgerEntry, utilities: tuple[str, ...], per_day: float) -> DashboardRow:
    countdown = countdown_text(e, hours_per_day=per_day)
    tone: Tone = (
        "red" if e.status in ("overdue", "error") else "amber" if e.status == "approaching" else ""
    )
    return DashboardRow(
        entry=e,
        utilities=utilities,
        status_label=STATUS_LABELS[e.status],
        path_label=PATH_LABELS[e.path],
        utilities_label="、".join(vocabulary.UTILITIES.label(u) for u in utilities),
        countdown=countdown,
        tone=tone,
    )


def _sort_key(rank: dict[str, int]) -> Any:
    severity = {s: i for i, s in enumerate(STATUSES)}

    def key(e: LedgerEntry) -> tuple[Any, ...]:
        return (
            severity[e.status],
            e.deadline or dt.datetime.max,
            rank.get(e.department, len(rank)),
            e.project_id,
        )

    return key


def _filtered(
    state: ServiceState, filters: DashboardFilter, now: dt.datetime | None
) -> tuple[list[LedgerEntry], _Computed]:
    """Return the entries passing the department, utility and path filters, warnings first.

    ``now`` given: the ledger at that minute; ``None``: on the clock (see :func:`_computed`).
    """
    check_filter(state, filters)
    at = _clock() if now is None else now.replace(second=0, microsecond=0)
    found = _computed(state, at, exact=now is not None)
    return [e for e in found.ordered if _keep(e, found.utilities, filters)], found


def _rows(
    state: ServiceState,
    entries: Sequence[LedgerEntry],
    utilities: dict[str, tuple[str, ...]],
) -> list[DashboardRow]:
    """Return ``entries`` as the dashboard shows them."""
    per_day = calendar_for(state.profile).office_hours_per_day.total_seconds() / 3600
    return [_row(e, utilities.get(e.project_id, ()), per_day) for e in entries]


def dashboard_rows(
    state: ServiceState, filters: DashboardFilter, *, now: dt.datetime | None = None
) -> list[DashboardRow]:
    """Return every row matching ``filters`` (all pages), warnings first.

    Parameters
    ----------
    state
        The service state.
    filters
        What to list; ``page`` and ``per_page`` are ignored.
    now
        The ledger's clock, naive China time, to the minute; default the current minute
        (or the ledger of up to :data:`STALE` before, while the current one is computed).

    Raises
    ------
    ValidationError
        A filter value is not one of the options.
    """
    kept, found = _filtered(state, filters, now)
    chosen = [e for e in kept if _status_kept(e.status, filters.status)]
    return _rows(state, chosen, found.utilities)


def _per_department(state: ServiceState, kept: list[LedgerEntry]) -> list[DepartmentCount]:
    """Return the entries of each department by status, departments in process order."""
    per_dept: dict[str, Counter[str]] = {}
    for e in kept:
        per_dept.setdefault(e.department, Counter())[e.status] += 1
    order = Departments.of(state.profile).order
    return [
        DepartmentCount(d, {s: per_dept[d][s] for s in STATUSES})
        for d in sorted(per_dept, key=lambda d: (order.index(d) if d in order else len(order), d))
    ]


def dashboard(
    state: ServiceState, filters: DashboardFilter, *, now: dt.datetime | None = None
) -> Dashboard:
    """Return one page of the dashboard with its counters.

    1. check the filters (every wrong value named at once);
    2. the ledger at ``now`` (to the minute; computed once per minute and data change; on
       the clock, the last minute's is shown while the current one is computed aside);
    3. keep the department, utility and path filters; count by status and by department;
    4. keep the state filter and cut the page (the entries are kept warnings first).

    Raises
    ------
    ValidationError
        A filter value is not one of the options.
    """
    kept, found = _filtered(state, filters, now)
    counts = Counter(e.status for e in kept)
    chosen = [e for e in kept if _status_kept(e.status, filters.status)]
    pages = max(1, math.ceil(len(chosen) / filters.per_page))
    start = (filters.page - 1) * filters.per_page
    return Dashboard(
        now=found.now,
        filters=filters,
        counts={s: counts[s] for s in STATUSES},
        departments=_per_department(state, kept),
        rows=_rows(state, chosen[start : start + filters.per_page], found.utilities),
        total=len(chosen),
        pages=pages,
        warn_percent=round(state.profile.ledger.warn_share * 100),
        choices=_choices(state),
        off_clock=_off_clock_kept(found.off_clock, filters),
    )


# --------------------------------------------------------------------------- export

XLSX_HEADERS: tuple[str, ...] = (
    "项目编号",
    "项目名称",
    "责任部门",
    "申请专业",
    "审批路径",
    "当前环节",
    "状态",
    "受理起算",
    "办理时限",
    "已用工作时间",
    "倒计时",
    "说明",
)
"""The columns of the exported ledger, in Chinese."""

_FILLS = {"red": "F8D7DA", "amber": "FFE8B3"}


def _cells(r: DashboardRow) -> list[Any]:
    e = r.entry
    return [
        e.project_id,
        e.name,
        e.department,
        r.utilities_label,
        r.path_label,
        e.step_label,
        r.status_label,
        e.start,
        e.deadline,
        None if e.share is None else round(e.share, 4),
        r.countdown,
        e.message,
    ]


def export_xlsx(rows: Sequence[DashboardRow], *, now: dt.datetime) -> bytes:
    """Return the rows as an xlsx workbook (one sheet 电子台账, Chinese headers, coloured states).

    Parameters
    ----------
    rows
        The rows, as :func:`dashboard_rows` gives them.
    now
        The ledger's clock, written in the sheet's title row.
    """
    wb = Workbook()
    ws = cast("Any", wb.active)
    ws.title = "电子台账"
    ws.append([f"电子台账（计算时刻 {now:%Y-%m-%d %H:%M}，共 {len(rows)} 条）"])
    ws.append(list(XLSX_HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(_cells(r))
        if r.tone:
            fill = PatternFill("solid", fgColor=_FILLS[r.tone])
            for cell in ws[ws.max_row]:
                cell.fill = fill
    for col in ("H", "I"):
        for cell in ws[col][2:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    for cell in ws["J"][2:]:
        cell.number_format = "0%"
    for col, width in zip(
        "ABCDEFGHIJKL", (14, 24, 18, 14, 12, 10, 10, 17, 17, 12, 18, 60), strict=True
    ):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
