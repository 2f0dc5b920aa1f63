"""What waits for the user's department (待办): the home page of the workbench.

- the window (受理窗口): online applications waiting for acceptance (一窗受理);
- 市自然资源和规划局, 市城管委, 市行政审批局: joint-approval projects waiting for their
  opinion (四(二)2, 附件3), oldest acceptance first;
- a utility: accepted projects that asked for it and are not yet connected (接入完成).

Read in SQL with the columns needed only; at most :data:`SHOWN` of each list are returned with
the full count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from api.process.records import ACCEPTANCE_NODE
from api.security import Principal
from gis import vocabulary
from gis.storage.models import AssessmentRecord, ProjectRecord

if TYPE_CHECKING:
    from api.state import ServiceState

__all__ = ["SHOWN", "Task", "TaskList", "tasks_for"]

SHOWN = 10
"""Items shown per list (the count says how many there are)."""


@dataclass(frozen=True)
class Task:
    """One thing to do: on which project, and where to do it."""

    project_id: str
    name: str
    href: str
    since: str
    """When the project entered this state (受理时间 or 申请时间), ISO text."""


@dataclass(frozen=True)
class TaskList:
    """A list of things to do, its heading, and how many there are in all."""

    title: str
    tasks: list[Task]
    total: int
    more_href: str | None = None


def _rows(state: ServiceState, *, joint_open: bool = False) -> list[Any]:
    """Return (id, intake, time nodes, opinions, owner, path) of projects not yet issued."""
    latest = select(func.max(AssessmentRecord.id)).group_by(AssessmentRecord.project_id)
    query = (
        select(
            ProjectRecord.project_id,
            ProjectRecord.intake,
            ProjectRecord.time_nodes,
            ProjectRecord.opinions,
            ProjectRecord.owner,
            AssessmentRecord.approval_path,
        )
        .outerjoin(
            AssessmentRecord,
            (AssessmentRecord.project_id == ProjectRecord.project_id)
            & AssessmentRecord.id.in_(latest),
        )
        .where(ProjectRecord.final_sheet.is_(None))
    )
    if joint_open:
        query = query.where(AssessmentRecord.approval_path == "joint")
    with state.store.session() as s:
        return list(s.execute(query).all())


def _task(pid: str, intake: dict[str, Any], href: str, since: Any) -> Task:
    return Task(pid, str((intake or {}).get("project_name") or ""), href, str(since or ""))


def _listed(title: str, tasks: list[Task], more: str | None = None) -> TaskList:
    tasks.sort(key=lambda t: t.since)
    return TaskList(title, tasks[:SHOWN], len(tasks), more)


def _window(state: ServiceState) -> TaskList:
    tasks = [
        _task(pid, intake, "/ui/window", (nodes or {}).get("applied"))
        for pid, intake, nodes, _, owner, _ in _rows(state)
        if owner is not None and ACCEPTANCE_NODE not in (nodes or {})
    ]
    return _listed("待受理的网上申请", tasks, "/ui/window")


def _opinions(state: ServiceState, department: str) -> TaskList:
    from api.process.opinions import opinions_of

    tasks = [
        _task(
            pid,
            intake,
            f"/ui/projects/{pid}/opinions/{department}",
            (nodes or {}).get(ACCEPTANCE_NODE),
        )
        for pid, intake, nodes, opinions, _, _ in _rows(state, joint_open=True)
        if department not in opinions_of(opinions)
    ]
    return _listed(f"待{vocabulary.DEPARTMENTS.label(department)}签批意见的联合审批项目", tasks)


def _utility(state: ServiceState, utility: str) -> TaskList:
    tasks = [
        _task(pid, intake, f"/ui/projects/{pid}", (nodes or {}).get(ACCEPTANCE_NODE))
        for pid, intake, nodes, _, _, _ in _rows(state)
        if utility in ((intake or {}).get("utilities") or ())
        and ACCEPTANCE_NODE in (nodes or {})
        and "connected" not in (nodes or {})
    ]
    return _listed(f"申请{vocabulary.UTILITIES.label(utility)}、尚未接入完成的项目", tasks)


def tasks_for(state: ServiceState, user: Principal) -> list[TaskList]:
    """Return the to-do lists of the user's role (admin: the window's and every department's)."""
    role = user.role
    lists = []
    if role in ("intake", "admin"):
        lists.append(_window(state))
    for department in vocabulary.DEPARTMENTS.values:
        if role in (department, "admin"):
            lists.append(_opinions(state, department))
    if role == "utility" and user.utility:
        lists.append(_utility(state, user.utility))
    return lists
