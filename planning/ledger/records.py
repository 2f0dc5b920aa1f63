"""The ledger's records: a project, a late step and one entry of the ledger (seed 六(二)1).

:class:`LedgerProject` is what the ledger is given about a project (utilities, time nodes,
approval path, construction limit, steps that do not apply); :class:`LedgerEntry` is what it
says about it for one responsible department at ``now``; :class:`LateStep` keeps a step done
after its limit for the record (seed 八(五) 考核).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args

from gis.schema import UTILITIES
from planning.calendar import ApprovalPath
from planning.ledger.steps import STEPS, Status, Step, TimeNodes, check_moment

__all__ = ["LateStep", "LedgerEntry", "LedgerProject"]

_PATHS: tuple[str, ...] = get_args(ApprovalPath)
_OPTIONAL: frozenset[str] = frozenset({"registered", "surveyed", "constructed"})


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
        check_moment(self.construction_due, f"{where}: construction_due")


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
