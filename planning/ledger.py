"""The e-ledger (电子台账) of time nodes and its early warning (预警): seed 六(二)1, 八(三).

Seed 六(二)1 asks the windows and departments to keep an electronic ledger "详细记录…各环节的
时间节点及办理时限"; 八(三) asks for "全过程监控和预警机制". This module is the pure part of
it: given each project's recorded time nodes, its approval path and a clock ``now``, it says
which step is open, who is responsible for it, when it is due on the working-day calendar,
how much of the allowed **working** time is used, and whether it is approaching its deadline
or overdue. No database, no web, and no ``datetime.now()``: the clock is an argument.

The steps
---------
In order (:data:`STEPS`, Chinese labels in :data:`STEP_LABELS`):

================  ============  ==================================================================
step              label         seed
================  ============  ==================================================================
``registered``    登记          三1, 四(一)1 一口登记 (招商部门意向登记)
``form_complete`` 采集单齐全    三2, 三3, 四(一)1 一表采集, 一窗受理: the **acceptance** (受理) that
                                starts every time limit of the path
``assessed``      研判          四(二): which path, 告知承诺制 or 联合审批 (Linkplan's assessment)
``surveyed``      踏勘          三4, 四(一)2 一同踏勘 and 方案设计
``submitted``     提交审批      四(二)1 分项目告知 (commitment), 四(二)2 报批 (joint)
``approved``      审批办结      四(二)1 即时办结, 四(二)2 3个工作日办结
``constructed``   施工完成      四(三) 施工、竣工验收
``connected``     接入完成      一, 四(一)2 0.5个工作日内完成接入
================  ============  ==================================================================

Which departments answer for each step is the profile's ``ledger.departments`` (step → list
of departments; ``utility`` stands for the companies of the project's utilities, named by
``ledger.utility_units``), from seed 七 职责分工 and 四.

Time limits
-----------
Every limit is computed by :mod:`planning.calendar` (:func:`~planning.calendar.deadlines_for_path`
from the acceptance, and :func:`~planning.calendar.deadline`) with the profile's ``deadlines.*``:

- ``registered``, ``form_complete``: no limit (the seed sets none; the acceptance starts the
  clock).
- ``assessed``, ``surveyed``, ``submitted``: joint — the path's ``submission`` node (2 working
  days after the acceptance, 四(二)2: the survey and design go into the utility's submission);
  commitment — the path's ``connection`` node (acceptance + 0.5 working day: the whole "1.5"
  promise, 一, 四(一)2, since 踏勘、审批 are 前置); path not yet known — the commitment bound,
  the stricter.
- ``approved``: joint — ``deadlines.approval_working_days`` (3) working days counted from the
  later of the submission deadline and the actual submission: the path's ``approval`` node
  when the utility submitted in time, and never fewer than 3 working days after a late
  submission reached the departments; commitment — 即时办结, held to the ``connection`` node
  like the steps before it (``deadlines_for_path`` puts ``approval`` at the acceptance itself,
  which would leave no time at all).
- ``constructed``: the project's own ``construction_due`` (四(三) "在规定时限内完成…施工、竣工
  验收": the seed leaves the limit to each project), else no limit.
- ``connected``: ``deadlines.connection_working_days`` (0.5 working day = 3.5 office hours)
  after the conditions were met, i.e. after the last earlier node.

The share of time used is measured in office hours on working days
(:meth:`~planning.calendar.WorkCalendar.office_hours_between`) from the start of the limit's
clock to ``now``, over the office hours from that start to the deadline. A step is
``approaching`` at ``ledger.warn_share`` (0.75) of it, ``overdue`` once ``now`` is past the
deadline.

Examples
--------
>>> from datetime import datetime
>>> nodes = TimeNodes(form_complete=datetime(2025, 9, 28, 10), assessed=datetime(2025, 9, 28, 10, 5))
>>> open_step(nodes)
('surveyed', ('registered',))
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast, get_args

from gis import vocabulary
from gis.errors import CalendarError, ProfileError
from gis.profile import Profile, load_profile
from gis.schema import UTILITIES
from planning.calendar import (
    PROVISIONAL_MARK,
    ApprovalPath,
    WorkCalendar,
    deadline,
    deadlines_for_path,
)

__all__ = [
    "ALERT_STATUSES",
    "PATH_LABELS",
    "STATUS_LABELS",
    "STEPS",
    "STEP_LABELS",
    "UTILITY_TOKEN",
    "LateStep",
    "LedgerEntry",
    "LedgerProject",
    "Status",
    "Step",
    "TimeNodes",
    "by_department",
    "departments_for",
    "ledger_status",
    "open_step",
]

Step = Literal[
    "registered",
    "form_complete",
    "assessed",
    "surveyed",
    "submitted",
    "approved",
    "constructed",
    "connected",
]
"""A time node of a project, in the order of :data:`STEPS`."""

STEPS: tuple[Step, ...] = get_args(Step)
"""The steps in process order."""

STEP_LABELS: dict[Step, str] = cast("dict[Step, str]", vocabulary.LEDGER_STEPS.labels())
"""Chinese labels of the steps, as the ledger shows them."""

_LIMIT_NAMES: dict[Step, str] = cast(
    "dict[Step, str]", vocabulary.LEDGER_STEPS.labels(form="limit")
)
"""What the time limit of a step is called in a message: 审批时限, 接入时限 …"""

PATH_LABELS: dict[ApprovalPath | None, str] = cast(
    "dict[ApprovalPath | None, str]", vocabulary.LEDGER_PATHS.labels()
)
"""Chinese names of the approval paths (``None``: not yet assessed)."""

Status = Literal["error", "overdue", "approaching", "on_time", "untimed", "done"]
"""State of a project's open step at ``now``, most urgent first.

``error``: the limit cannot be computed (the text says why); ``overdue``: ``now`` is past the
deadline; ``approaching``: at least the warning share of the allowed working time is used;
``on_time``: less; ``untimed``: the open step has no time limit; ``done``: connected.
"""

STATUS_LABELS: dict[Status, str] = cast("dict[Status, str]", vocabulary.LEDGER_STATUSES.labels())
"""Chinese labels of the statuses."""

ALERT_STATUSES: frozenset[Status] = frozenset({"error", "overdue", "approaching"})
"""Statuses an early warning lists (an ``error`` is listed: its deadline is unknown)."""

UTILITY_TOKEN = "utility"
"""In ``ledger.departments``, stands for the companies of the project's utilities."""

_SEVERITY: dict[Status, int] = {status: rank for rank, status in enumerate(get_args(Status))}
_PATHS: tuple[str, ...] = get_args(ApprovalPath)
_PRE_SUBMISSION: frozenset[Step] = frozenset({"assessed", "surveyed", "submitted"})
_OPTIONAL: frozenset[str] = frozenset({"registered", "surveyed", "constructed"})


def _check_moment(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        msg = f"{where}: got {value!r}; expected a datetime (naive, local China time) or None"
        raise CalendarError(msg)
    if value.utcoffset() is not None:
        msg = f"{where}: got timezone-aware {value.isoformat()}; expected a naive datetime in local China time (UTC+8)"
        raise CalendarError(msg)
    return value


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class TimeNodes:
    """When each step of one project was completed (``None``: not recorded).

    All times are naive local China time, as :mod:`planning.calendar` expects; a date without
    a time or a timezone-aware datetime is a :class:`~gis.errors.CalendarError`.

    Parameters
    ----------
    registered
        登记: 招商部门 registered the investment's demand (三1); absent for an enterprise
        already settled that asks for more capacity (四(一)1 第二段).
    form_complete
        采集单齐全: the 附件2 form reached the 行政审批局 complete (受理, 三2/三3); every
        time limit of the path counts from it.
    assessed
        研判: the approval path was decided.
    surveyed
        踏勘: joint survey and design done (三4; only where there are external works).
    submitted
        提交审批: the utility notified (告知承诺制) or submitted its documents (联合审批).
    approved
        审批办结: the permits were issued (综合审批意见单).
    constructed
        施工完成: external works built and accepted (竣工验收); absent when nothing was built.
    connected
        接入完成: water, gas, heat, power and network connected.
    """

    registered: datetime | None = None
    form_complete: datetime | None = None
    assessed: datetime | None = None
    surveyed: datetime | None = None
    submitted: datetime | None = None
    approved: datetime | None = None
    constructed: datetime | None = None
    connected: datetime | None = None

    def __post_init__(self) -> None:
        for step in STEPS:
            _check_moment(getattr(self, step), f"time node {step} ({STEP_LABELS[step]})")

    def get(self, step: Step) -> datetime | None:
        """Return the time of ``step``, ``None`` when not recorded."""
        if step not in STEP_LABELS:
            msg = f"unknown step {step!r}; expected one of {', '.join(STEPS)}"
            raise ValueError(msg)
        value: datetime | None = getattr(self, step)
        return value

    def as_of(self, now: datetime) -> TimeNodes:
        """Return the nodes recorded at ``now``: a time after ``now`` has not happened yet."""
        kept = {step: t for step in STEPS if (t := self.get(step)) is not None and t <= now}
        return TimeNodes(**kept)


@dataclass(frozen=True)
class LedgerProject:
    """One project of the ledger.

    Parameters
    ----------
    project_id
        The project's id (the sites layer's ``project_id``).
    utilities
        Requested utilities (names of :data:`gis.schema.UTILITIES`), at least one: their
        companies answer for the utility steps.
    nodes
        The recorded time nodes.
    path
        ``"commitment"`` or ``"joint"`` from the assessment, ``None`` before it.
    name
        Project name, for the messages.
    construction_due
        Time limit of the external works (四(三) 规定时限), e.g. the site's
        ``construction_end``; ``None``: the construction step has no limit.
    units
        Utility → the company actually serving the project (e.g. the chosen telecom
        operator), overriding the profile's ``ledger.utility_units``.
    not_required
        Steps that do not apply to the project, so never open: ``registered`` for an
        enterprise already settled (四(一)1 第二段: 包联服务干部 collect its needs),
        ``surveyed`` and ``constructed`` where there are no external works or the line was
        pre-laid (三4 "有外线工程的"; 一 "提前布局周边管网期间即完成直接接入"). A step left
        unrecorded before a recorded one is skipped anyway.
    """

    project_id: str
    utilities: Sequence[str]
    nodes: TimeNodes = field(default_factory=TimeNodes)
    path: ApprovalPath | None = None
    name: str = ""
    construction_due: datetime | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    not_required: frozenset[Step] = frozenset()

    def __post_init__(self) -> None:
        where = f"ledger project {self.project_id!r}"
        bad = sorted(set(self.not_required) - _OPTIONAL)
        if bad:
            msg = f"{where}: not_required {bad}; expected some of {', '.join(s for s in STEPS if s in _OPTIONAL)} (the others always apply)"
            raise ValueError(msg)
        object.__setattr__(self, "not_required", frozenset(self.not_required))
        if self.path is not None and self.path not in _PATHS:
            msg = f"{where}: path {self.path!r}; expected 'commitment', 'joint' or None (not yet assessed)"
            raise ValueError(msg)
        utilities = (self.utilities,) if isinstance(self.utilities, str) else self.utilities
        unknown = [u for u in [*utilities, *self.units] if u not in UTILITIES]
        if unknown or not utilities:
            msg = f"{where}: utilities {list(utilities)} (units {dict(self.units)}); expected at least one of {', '.join(UTILITIES)}"
            raise ValueError(msg)
        object.__setattr__(self, "utilities", tuple(u for u in UTILITIES if u in utilities))
        _check_moment(self.construction_due, f"{where}: construction_due")


@dataclass(frozen=True)
class LateStep:
    """A step completed after its time limit (kept for the record, 八(五) 考核).

    Attributes
    ----------
    step, label
        The step and its Chinese label.
    deadline
        Its time limit.
    done_at
        When it was completed.
    overrun_hours
        Office hours from the deadline to completion (0.0 when it was completed late but
        outside office hours).
    departments
        Who answered for it.
    """

    step: Step
    label: str
    deadline: datetime
    done_at: datetime
    overrun_hours: float
    departments: tuple[str, ...]


@dataclass(frozen=True)
class LedgerEntry:
    """The state of one project for one responsible department at ``now``.

    A project whose open step has several responsible departments (审批办结: 行政审批局,
    自然资源和规划局, 城管委; a utility step of a water + gas project: both companies) has
    one entry per department, alike but for ``department``.

    Attributes
    ----------
    project_id, name
        The project.
    department
        The department answering for the open step (for a finished project: for the last).
    path
        Approval path, ``None`` while not assessed.
    step
        The open step; ``None`` when the project is connected.
    step_label
        Its Chinese label (``已办结`` when done).
    status
        See :data:`Status`.
    start
        When the clock of the open step's limit started (``None`` without a limit).
    deadline
        The open step's time limit (``None`` without one).
    share
        Share of the allowed office hours used at ``now`` (may exceed 1 when overdue; ``None``
        without a limit).
    used_hours, allowed_hours
        Office hours used at ``now`` and allowed, from ``start``.
    message
        One line in Chinese for the user, e.g. ``联合审批：审批时限 2025-10-11 18:00，已用 80% 工作时间``.
    basis
        The rule behind the time limit, with its seed section.
    late
        Completed steps that were late.
    skipped
        Earlier steps without a recorded time (not required, or not recorded).
    error
        Why the limit cannot be computed (a year beyond the holiday data, a missing
        acceptance time), else ``None``.
    provisional
        The deadline depends on a year whose State Council notice is not loaded (暂定: the
        message says so).
    """

    project_id: str
    name: str
    department: str
    path: ApprovalPath | None
    step: Step | None
    step_label: str
    status: Status
    start: datetime | None
    deadline: datetime | None
    share: float | None
    used_hours: float | None
    allowed_hours: float | None
    message: str
    basis: str = ""
    late: tuple[LateStep, ...] = ()
    skipped: tuple[Step, ...] = ()
    error: str | None = None
    provisional: bool = False


# --------------------------------------------------------------------------- pure helpers


def open_step(
    nodes: TimeNodes, *, now: datetime | None = None, not_required: Iterable[Step] = ()
) -> tuple[Step | None, tuple[Step, ...]]:
    """Return the open step (the one after the last recorded step) and the steps skipped.

    A step without a time before a recorded one is taken as skipped (not required, e.g.
    登记 for an enterprise already settled, 施工完成 where nothing is built), not as open.

    Parameters
    ----------
    nodes
        The project's time nodes.
    now
        If given, times after ``now`` do not count as recorded yet.
    not_required
        Steps that do not apply (never open, never listed as skipped) unless recorded.

    Returns
    -------
    tuple
        The open step (``None`` when ``connected`` is recorded) and the skipped steps, in order.

    Examples
    --------
    >>> from datetime import datetime
    >>> open_step(TimeNodes())
    ('registered', ())
    >>> t = datetime(2025, 9, 30, 10)
    >>> open_step(TimeNodes(form_complete=t, submitted=t))
    ('approved', ('registered', 'assessed', 'surveyed'))
    >>> open_step(TimeNodes(form_complete=t, connected=t), now=datetime(2025, 9, 30, 9))
    ('registered', ())
    >>> open_step(TimeNodes(form_complete=t, approved=t), not_required={"constructed"})
    ('connected', ('registered', 'assessed', 'surveyed', 'submitted'))
    >>> open_step(TimeNodes(form_complete=t, connected=t))[0] is None
    True
    """
    if now is not None:
        nodes = nodes.as_of(now)
    absent = frozenset(not_required)
    recorded = [i for i, step in enumerate(STEPS) if nodes.get(step) is not None]
    last = recorded[-1] if recorded else -1
    skipped = tuple(STEPS[i] for i in range(last) if i not in recorded and STEPS[i] not in absent)
    after = [s for s in STEPS[last + 1 :] if s not in absent]
    return (after[0] if after else None), skipped


def departments_for(
    step: Step, project: LedgerProject, *, profile: Profile | str
) -> tuple[str, ...]:
    """Return the departments answering for ``step`` of ``project``, lead first.

    ``ledger.departments`` names them per step; its ``utility`` stands for the companies of
    the project's utilities (``project.units``, else ``ledger.utility_units``), in
    :data:`gis.schema.UTILITIES` order.

    Raises
    ------
    ProfileError
        ``ledger.departments`` or ``ledger.utility_units`` is missing or malformed.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    return _Departments.of(prof).expand(step, project)


def by_department(
    entries: Iterable[LedgerEntry], *, statuses: Iterable[Status] | None = None
) -> dict[str, list[LedgerEntry]]:
    """Group entries by department, keeping their order (that of :func:`ledger_status`).

    Parameters
    ----------
    entries
        Ledger entries.
    statuses
        Keep only these statuses, e.g. :data:`ALERT_STATUSES` for the early warning.

    Examples
    --------
    >>> e = LedgerEntry("JM-1", "", "市城管委", "joint", "approved", "审批办结", "overdue",
    ...                 None, None, None, None, None, "")
    >>> {d: [x.project_id for x in xs] for d, xs in by_department([e], statuses={"overdue"}).items()}
    {'市城管委': ['JM-1']}
    >>> by_department([e], statuses=ALERT_STATUSES - {"overdue"})
    {}
    """
    keep = None if statuses is None else frozenset(statuses)
    out: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        if keep is None or entry.status in keep:
            out.setdefault(entry.department, []).append(entry)
    return out


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


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class _Departments:
    steps: Mapping[Step, tuple[str, ...]]
    units: Mapping[str, str]
    order: tuple[str, ...]

    @classmethod
    def of(cls, prof: Profile) -> _Departments:
        raw = prof.ledger.departments
        where = f"profile {prof.name!r}, ledger.departments"
        if not isinstance(raw, Mapping):
            msg = f"{where}: got {raw!r}; expected a mapping step → list of departments"
            raise ProfileError(msg)
        unknown = sorted(map(str, set(raw) - set(STEPS)))
        missing = [s for s in STEPS if s not in raw]
        if unknown or missing:
            msg = f"{where}: unknown steps {unknown}, missing steps {missing}; expected exactly {', '.join(STEPS)}"
            raise ProfileError(msg)
        steps: dict[Step, tuple[str, ...]] = {}
        for step in STEPS:
            value = raw[step]
            if (
                isinstance(value, str)
                or not isinstance(value, Sequence)
                or not value
                or not all(isinstance(d, str) and d.strip() for d in value)
            ):
                msg = f"{where}.{step}: got {value!r}; expected a non-empty list of department names (or '{UTILITY_TOKEN}')"
                raise ProfileError(msg)
            steps[step] = tuple(d.strip() for d in value)
        units = prof.ledger.utility_units
        where = f"profile {prof.name!r}, ledger.utility_units"
        if not isinstance(units, Mapping) or any(
            not isinstance(units.get(u), str) or not units[u].strip() for u in UTILITIES
        ):
            msg = f"{where}: got {units!r}; expected a company name for each of {', '.join(UTILITIES)}"
            raise ProfileError(msg)
        order: list[str] = []
        for step in STEPS:
            for d in steps[step]:
                names = [units[u] for u in UTILITIES] if d == UTILITY_TOKEN else [d]
                order += [n for n in names if n not in order]
        return cls(steps, {u: str(units[u]).strip() for u in UTILITIES}, tuple(order))

    def expand(self, step: Step, project: LedgerProject) -> tuple[str, ...]:
        out: list[str] = []
        for d in self.steps[step]:
            if d == UTILITY_TOKEN:
                names = [project.units.get(u) or self.units[u] for u in project.utilities]
            else:
                names = [d]
            out += [n for n in names if n not in out]
        return tuple(out)


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


# --------------------------------------------------------------------------- time limits


@dataclass(frozen=True)
class _Limit:
    start: datetime
    deadline: datetime
    basis: str


class _Clock:
    """The time limits of one project's steps (computed on demand, calendar errors raised)."""

    def __init__(
        self, project: LedgerProject, nodes: TimeNodes, *, prof: Profile, cal: WorkCalendar
    ) -> None:
        self.project = project
        self.nodes = nodes
        self.prof = prof
        self.cal = cal
        self._path_nodes: dict[str, datetime] | None = None

    @property
    def acceptance(self) -> datetime:
        accepted = self.nodes.form_complete
        if accepted is None:
            msg = f"未记录「{STEP_LABELS['form_complete']}」（受理）时间，时限无从起算"
            raise _NoAcceptance(msg)
        return accepted

    @property
    def path_nodes(self) -> dict[str, datetime]:
        if self._path_nodes is None:
            path: ApprovalPath = self.project.path or "commitment"
            self._path_nodes = deadlines_for_path(
                self.acceptance, path, profile=self.prof, calendar=self.cal
            )
        return self._path_nodes

    def opened(self, step: Step) -> datetime:
        """Return when ``step`` could start: the latest earlier node (the acceptance at least)."""
        earlier = [t for s in STEPS[: STEPS.index(step)] if (t := self.nodes.get(s)) is not None]
        return max([self.acceptance, *earlier])

    def limit(self, step: Step) -> _Limit | None:
        """Return the clock start and deadline of ``step``, ``None`` when it has no limit."""
        if step in ("registered", "form_complete"):
            return None
        path = self.project.path
        working_days = "个工作日"
        if step == "constructed":
            due = self.project.construction_due
            if due is None:
                return None
            return _Limit(
                self.opened(step),
                due,
                "实施方案 四(三)：在规定时限内完成施工、竣工验收（项目约定的完工时限）",
            )
        if step == "connected":
            days = self.prof.deadlines.connection_working_days
            start = self.opened(step)
            return _Limit(
                start,
                deadline(start, working_days=days, calendar=self.cal),
                f"实施方案 四(一)2：具备接入条件后 {days} {working_days}内完成接入",
            )
        if path == "joint" and step in _PRE_SUBMISSION:
            days = self.prof.deadlines.submission_working_days
            note = "" if step == "submitted" else f"，{STEP_LABELS[step]}须在此前完成"
            return _Limit(
                self.acceptance,
                self.path_nodes["submission"],
                f"实施方案 四(二)2：受理后公用事业单位 {days} {working_days}内提交资料{note}",
            )
        if path == "joint" and step == "approved":
            days = self.prof.deadlines.approval_working_days
            due = self.path_nodes["submission"]
            submitted = self.nodes.submitted
            if submitted is None or submitted <= due:
                return _Limit(
                    due,
                    self.path_nodes["approval"],
                    f"实施方案 四(二)2：{days} {working_days}办结（自资料提交时限起算）",
                )
            return _Limit(
                submitted,
                deadline(submitted, working_days=days, calendar=self.cal),
                f"实施方案 四(二)2：{days} {working_days}办结（资料逾期提交，自实际提交起算）",
            )
        # commitment (or not yet assessed: the stricter commitment bound)
        days = self.prof.deadlines.connection_working_days
        what = "即时办结，" if step == "approved" else ""
        unknown = "路径未定，从严按" if path is None else ""
        return _Limit(
            self.acceptance,
            self.path_nodes["connection"],
            f"实施方案 一、四(二)1：{unknown}告知承诺制{what}受理后 {days} {working_days}内完成接入，{STEP_LABELS[step]}须在此前完成",
        )


class _NoAcceptance(Exception):
    """The acceptance time a limit counts from is not recorded (kept as the entry's error)."""


# --------------------------------------------------------------------------- the ledger


def _entry_for(
    project: LedgerProject,
    *,
    now: datetime,
    prof: Profile,
    cal: WorkCalendar,
    depts: _Departments,
    warn: float,
) -> list[LedgerEntry]:
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
    clock = _Clock(project, nodes, prof=prof, cal=cal)
    try:
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
                        overrun_hours=cal.office_hours_between(limit.deadline, done_at),
                        departments=depts.expand(done, project),
                    )
                )
        common["late"] = tuple(late)
        late_text = "；逾期环节：" + "、".join(x.label for x in late) if late else ""
        if step is None:  # connected
            connected = nodes.connected or now
            fields_: dict[str, Any] = {
                "status": "done",
                "start": None,
                "deadline": None,
                "share": None,
                "used_hours": None,
                "allowed_hours": None,
                "message": f"{path_label}：{STEP_LABELS['connected']} {_when(connected)}{late_text}",
            }
        elif (limit := clock.limit(step)) is None:
            fields_ = {
                "status": "untimed",
                "start": None,
                "deadline": None,
                "share": None,
                "used_hours": None,
                "allowed_hours": None,
                "message": f"{path_label}：待{STEP_LABELS[step]}，未设办理时限{late_text}",
            }
        else:
            used = max(0.0, cal.office_hours_between(limit.start, now))
            allowed = max(0.0, cal.office_hours_between(limit.start, limit.deadline))
            share = used / allowed if allowed > 0 else 1.0
            provisional = bool(cal.provisional_years(limit.start, limit.deadline))
            mark = PROVISIONAL_MARK if provisional else ""
            head = f"{path_label}：{_LIMIT_NAMES[step]}时限 {_when(limit.deadline)}{mark}"
            status: Status
            if now > limit.deadline:
                status = "overdue"
                over = cal.office_hours_between(limit.deadline, now)
                tail = f"，已逾期 {_hours(over)} 个工作小时" if over > 0 else "，已逾期"
            else:
                status = "approaching" if share >= warn else "on_time"
                tail = f"，已用 {_percent(share)} 工作时间"
            fields_ = {
                "status": status,
                "start": limit.start,
                "deadline": limit.deadline,
                "share": share,
                "used_hours": used,
                "allowed_hours": allowed,
                "message": head + tail + late_text,
                "basis": limit.basis,
                "provisional": provisional,
            }
    except (CalendarError, _NoAcceptance) as exc:
        label = STEP_LABELS[step] if step else STEP_LABELS["connected"]
        fields_ = {
            "status": "error",
            "start": None,
            "deadline": None,
            "share": None,
            "used_hours": None,
            "allowed_hours": None,
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
    checked = _check_moment(now, "ledger_status now")
    if checked is None:
        msg = "ledger_status now: got None; expected the ledger's clock as a naive datetime"
        raise CalendarError(msg)
    prof = load_profile(profile) if isinstance(profile, str) else profile
    warn = _warn_share(prof, warn_share)
    depts = _Departments.of(prof)
    cal = calendar if calendar is not None else WorkCalendar.from_profile(prof)
    entries: list[LedgerEntry] = []
    for project in projects:
        entries += _entry_for(project, now=checked, prof=prof, cal=cal, depts=depts, warn=warn)
    rank = {d: i for i, d in enumerate(depts.order)}

    def key(e: LedgerEntry) -> tuple[Any, ...]:
        return (
            rank.get(e.department, len(rank)),
            e.department,
            _SEVERITY[e.status],
            e.deadline or datetime.max,
            e.project_id,
        )

    return sorted(entries, key=key)
