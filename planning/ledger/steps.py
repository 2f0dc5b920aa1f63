"""The steps of a project, their time nodes and the open step (seed 三, 四; 六(二)1).

A project passes the steps of :data:`STEPS` in order (登记 … 接入完成, seed 三1–4, 四(一)–(三));
:class:`TimeNodes` records when each was completed and :func:`open_step` says which one is
open now. The Chinese labels of steps, paths and statuses come from :mod:`gis.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

from gis import vocabulary
from gis.errors import CalendarError
from planning.calendar import ApprovalPath

__all__ = [
    "ALERT_STATUSES",
    "PATH_LABELS",
    "STATUS_LABELS",
    "STEPS",
    "STEP_LABELS",
    "Status",
    "Step",
    "TimeNodes",
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

LIMIT_NAMES: dict[Step, str] = cast("dict[Step, str]", vocabulary.LEDGER_STEPS.labels(form="limit"))
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


SEVERITY: dict[Status, int] = {status: rank for rank, status in enumerate(get_args(Status))}
"""Rank of each status, most urgent first (the ledger's sort order)."""


def check_moment(value: Any, where: str) -> datetime | None:
    """Return ``value`` if it is ``None`` or a naive datetime, else raise naming ``where``."""
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
            check_moment(getattr(self, step), f"time node {step} ({STEP_LABELS[step]})")

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
