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

Modules
-------
- :mod:`~planning.ledger.steps`: the steps, labels, statuses, :class:`TimeNodes`, :func:`open_step`;
- :mod:`~planning.ledger.records`: :class:`LedgerProject`, :class:`LateStep`, :class:`LedgerEntry`;
- :mod:`~planning.ledger.departments`: who answers for each step (seed 七), :func:`by_department`;
- :mod:`~planning.ledger.limits`: the time limit of each step (seed 一, 四);
- :mod:`~planning.ledger.status`: :func:`ledger_status`, the ledger at ``now`` (seed 六(二)1, 八(三));
- :mod:`~planning.ledger.countdown`: :func:`countdown_text`, the one count-down text every output shows.

Examples
--------
>>> from datetime import datetime
>>> nodes = TimeNodes(form_complete=datetime(2025, 9, 28, 10), assessed=datetime(2025, 9, 28, 10, 5))
>>> open_step(nodes)
('surveyed', ('registered',))
"""

from planning.ledger.countdown import countdown_text, working_time
from planning.ledger.departments import UTILITY_TOKEN, by_department, departments_for
from planning.ledger.records import LateStep, LedgerEntry, LedgerProject
from planning.ledger.status import ledger_status
from planning.ledger.steps import (
    ALERT_STATUSES,
    PATH_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    STEPS,
    Status,
    Step,
    TimeNodes,
    open_step,
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
    "countdown_text",
    "departments_for",
    "ledger_status",
    "open_step",
    "working_time",
]
