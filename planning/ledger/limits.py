"""The time limit of each step on the approval paths (seed 一, 四(一)2, 四(二), 四(三)).

:class:`Clock` computes, for one project, when the clock of a step's limit starts and when the
limit ends, on the working-day calendar of :mod:`planning.calendar` with the profile's
``deadlines.*`` (the rules are listed in :mod:`planning.ledger`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gis.profile import Profile
from planning.calendar import ApprovalPath, WorkCalendar, deadline, deadlines_for_path
from planning.ledger.records import LedgerProject
from planning.ledger.steps import STEP_LABELS, STEPS, Step, TimeNodes

__all__ = ["Clock", "Limit", "NoAcceptance"]

_PRE_SUBMISSION: frozenset[Step] = frozenset({"assessed", "surveyed", "submitted"})


@dataclass(frozen=True)
class Limit:
    """When the clock of a step's limit starts, when the limit ends, and the rule behind it."""

    start: datetime
    deadline: datetime
    basis: str


class Clock:
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
        """Return the acceptance (受理) time every limit counts from; raise if not recorded."""
        accepted = self.nodes.form_complete
        if accepted is None:
            msg = f"未记录「{STEP_LABELS['form_complete']}」（受理）时间，时限无从起算"
            raise NoAcceptance(msg)
        return accepted

    @property
    def path_nodes(self) -> dict[str, datetime]:
        """Return the time nodes of the path (the commitment path while not assessed), cached."""
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

    def limit(self, step: Step) -> Limit | None:
        """Return the clock start and deadline of ``step``, ``None`` when it has no limit."""
        if step in ("registered", "form_complete"):
            return None
        path = self.project.path
        working_days = "个工作日"
        if step == "constructed":
            due = self.project.construction_due
            if due is None:
                return None
            return Limit(
                self.opened(step),
                due,
                "实施方案 四(三)：在规定时限内完成施工、竣工验收（项目约定的完工时限）",
            )
        if step == "connected":
            days = self.prof.deadlines.connection_working_days
            start = self.opened(step)
            return Limit(
                start,
                deadline(start, working_days=days, calendar=self.cal),
                f"实施方案 四(一)2：具备接入条件后 {days} {working_days}内完成接入",
            )
        if path == "joint" and step in _PRE_SUBMISSION:
            days = self.prof.deadlines.submission_working_days
            note = "" if step == "submitted" else f"，{STEP_LABELS[step]}须在此前完成"
            return Limit(
                self.acceptance,
                self.path_nodes["submission"],
                f"实施方案 四(二)2：受理后公用事业单位 {days} {working_days}内提交资料{note}",
            )
        if path == "joint" and step == "approved":
            days = self.prof.deadlines.approval_working_days
            due = self.path_nodes["submission"]
            submitted = self.nodes.submitted
            if submitted is None or submitted <= due:
                return Limit(
                    due,
                    self.path_nodes["approval"],
                    f"实施方案 四(二)2：{days} {working_days}办结（自资料提交时限起算）",
                )
            return Limit(
                submitted,
                deadline(submitted, working_days=days, calendar=self.cal),
                f"实施方案 四(二)2：{days} {working_days}办结（资料逾期提交，自实际提交起算）",
            )
        # commitment (or not yet assessed: the stricter commitment bound)
        days = self.prof.deadlines.connection_working_days
        what = "即时办结，" if step == "approved" else ""
        unknown = "路径未定，从严按" if path is None else ""
        return Limit(
            self.acceptance,
            self.path_nodes["connection"],
            f"实施方案 一、四(二)1：{unknown}告知承诺制{what}受理后 {days} {working_days}内完成接入，{STEP_LABELS[step]}须在此前完成",
        )


class NoAcceptance(Exception):
    """The acceptance time a limit counts from is not recorded (kept as the entry's error)."""
