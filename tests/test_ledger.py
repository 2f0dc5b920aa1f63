"""The e-ledger and early warning (planning.ledger): seed 六(二)1, 八(三); rules R6, R7.

Every expected time and share is worked out by hand on the 2025 National Day schedule
(国办发明电〔2024〕12号, see tests/test_calendar.py):

    Sun 09-28 WORK (调休)   Mon 09-29 work   Tue 09-30 work
    Wed 10-01 … Wed 10-08 holiday
    Thu 10-09 work   Fri 10-10 work   Sat 10-11 WORK (调休)   Sun 10-12 rest   Mon 10-13 work

Office hours 08:30–12:00 and 14:30–18:00: 7 office hours a working day, 0.5 working day =
3.5 office hours.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import planning  # noqa: F401  (registers the planning profiles)
from gis.errors import CalendarError, ProfileError
from gis.profile import Profile, load_profile
from planning.calendar import deadlines_for_path
from planning.ledger import (
    ALERT_STATUSES,
    STEP_LABELS,
    STEPS,
    LedgerEntry,
    LedgerProject,
    TimeNodes,
    by_department,
    departments_for,
    ledger_status,
    open_step,
)

DT = datetime

# The ledger keys proposed for planning/profiles/jingmen-2023.yaml; supplied here only while
# the profile lacks them, so that once they are added the tests check the real profile.
WATER, GAS, POWER = "荆门市城市水务集团", "中石油昆仑燃气有限公司", "市供电公司"
# in the ledger, departments come in the order they first answer for a step (市自然资源和规划局
# already for the form, seed 七), so the approval entries are listed in this order
APPROVERS = ["市自然资源和规划局", "市行政审批局", "市城管委"]


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("jingmen-2023")


def joint_at_approval(**extra: Any) -> LedgerProject:
    """Accepted on the 调休 Sunday 09-28 10:00, submitted in time on 09-30 10:00.

    Submission is due 2 working days later, 09-30 18:00 (09-29, 09-30); approval 3 working
    days after that, 10-11 18:00 (10-09, 10-10, 10-11): 21 office hours from 09-30 18:00.
    """
    nodes = TimeNodes(
        registered=DT(2025, 9, 1, 9),
        form_complete=DT(2025, 9, 28, 10),
        assessed=DT(2025, 9, 28, 10, 5),
        surveyed=DT(2025, 9, 29, 15),
        submitted=DT(2025, 9, 30, 10),
        **extra,
    )
    return LedgerProject("JM-J1", ("gas", "water"), nodes, path="joint", name="联合审批项目")


def status(
    projects: list[LedgerProject], now: datetime, profile: Profile, **kw: Any
) -> list[LedgerEntry]:
    return ledger_status(projects, now=now, profile=profile, **kw)


# --------------------------------------------------------------------------- the model


def test_steps_and_labels():
    assert STEPS == (
        "registered",
        "form_complete",
        "assessed",
        "surveyed",
        "submitted",
        "approved",
        "constructed",
        "connected",
    )
    assert [STEP_LABELS[s] for s in STEPS] == [
        "登记",
        "采集单齐全",
        "研判",
        "踏勘",
        "提交审批",
        "审批办结",
        "施工完成",
        "接入完成",
    ]


def test_open_step_is_after_the_last_recorded_one():
    t = DT(2025, 9, 30, 10)
    assert open_step(TimeNodes()) == ("registered", ())
    assert open_step(TimeNodes(registered=t)) == ("form_complete", ())
    # an enterprise already settled has no 登记; a pre-built line has no 施工完成
    assert open_step(TimeNodes(form_complete=t, assessed=t)) == ("surveyed", ("registered",))
    assert open_step(TimeNodes(form_complete=t, approved=t, connected=t)) == (
        None,
        ("registered", "assessed", "surveyed", "submitted", "constructed"),
    )
    # a node after the clock has not happened yet
    assert open_step(TimeNodes(form_complete=t, assessed=t), now=t - timedelta(minutes=1)) == (
        "registered",
        (),
    )


def test_project_model_is_checked():
    with pytest.raises(CalendarError, match="surveyed"):
        TimeNodes(surveyed=DT(2025, 9, 30, 10, tzinfo=timezone(timedelta(hours=8))))
    with pytest.raises(CalendarError, match="expected a datetime"):
        TimeNodes(approved="2025-09-30")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'commitment', 'joint' or None"):
        LedgerProject("X", ("water",), path="instant")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expected at least one of water, gas"):
        LedgerProject("X", ())
    with pytest.raises(ValueError, match="sewer"):
        LedgerProject("X", ("water", "sewer"))
    with pytest.raises(ValueError, match="not_required"):
        LedgerProject("X", ("water",), not_required=frozenset({"approved"}))
    # utilities are kept in the schema's order, each once
    assert LedgerProject("X", ("power", "water", "power")).utilities == ("water", "power")


def test_departments_per_step(profile):
    p = LedgerProject("X", ("power", "water"), units={"water": "东宝水厂"})
    assert departments_for("registered", p, profile=profile) == ("市招商局",)
    # lead first, as listed in ledger.departments
    assert departments_for("approved", p, profile=profile) == (
        "市行政审批局",
        "市自然资源和规划局",
        "市城管委",
    )
    # the utility steps go to the companies of the requested utilities, in schema order
    assert departments_for("submitted", p, profile=profile) == ("东宝水厂", POWER)
    assert departments_for("connected", p, profile=profile) == ("东宝水厂", POWER)


# --------------------------------------------------------------------------- joint approval


def test_joint_approval_across_national_day(profile):
    # 10-11 11:18: 7 (10-09) + 7 (10-10) + 2.8 (08:30–11:18) = 16.8 of 21 office hours = 80 %
    entries = status([joint_at_approval()], DT(2025, 10, 11, 11, 18), profile)
    assert [e.department for e in entries] == APPROVERS
    e = entries[0]
    assert (e.project_id, e.step, e.step_label, e.path) == (
        "JM-J1",
        "approved",
        "审批办结",
        "joint",
    )
    assert e.status == "approaching"
    assert e.start == DT(2025, 9, 30, 18)
    assert e.deadline == DT(2025, 10, 11, 18)
    # the same node as the calendar's path, and as the documents print
    assert (
        e.deadline == deadlines_for_path(DT(2025, 9, 28, 10), "joint", profile=profile)["approval"]
    )
    assert e.allowed_hours == pytest.approx(21.0)
    assert e.used_hours == pytest.approx(16.8)
    assert e.share == pytest.approx(0.8, abs=1e-3)
    assert e.message == "联合审批：审批时限 2025-10-11 18:00，已用 80% 工作时间"
    assert "四(二)2" in e.basis
    assert (e.late, e.skipped, e.error) == ((), (), None)


@pytest.mark.parametrize(
    ("now", "share", "expected"),
    [
        # 0.75 × 21 h = 15.75 h = 14 h (10-09, 10-10) + 1.75 h from 08:30 → 10:15
        (DT(2025, 10, 11, 10, 15), 0.75, "approaching"),
        # 0.74 × 21 h = 15.54 h = 14 h + 1.54 h (1 h 32 min 24 s) → 10:02:24
        (DT(2025, 10, 11, 10, 2, 24), 0.74, "on_time"),
        # before the submission deadline the approval clock has not started
        (DT(2025, 9, 30, 17), 0.0, "on_time"),
        # at the deadline itself: all time used, not yet overdue
        (DT(2025, 10, 11, 18), 1.0, "approaching"),
    ],
)
def test_warning_at_75_percent_of_working_time(profile, now, share, expected):
    e = status([joint_at_approval()], now, profile)[0]
    assert e.share == pytest.approx(share, abs=1e-3)
    assert e.status == expected


def test_submission_step_at_exactly_75_percent(profile):
    # accepted 09-30 10:00; submission due 10-10 18:00 (10-09, 10-10):
    # 5.5 h (09-30) + 7 + 7 = 19.5 office hours; 75 % = 14.625 h = 12.5 h + 2.125 h → 10-10 10:37:30
    nodes = TimeNodes(form_complete=DT(2025, 9, 30, 10), assessed=DT(2025, 9, 30, 10, 1))
    p = LedgerProject("JM-S", ("water", "gas"), nodes, path="joint")
    entries = status([p], DT(2025, 10, 10, 10, 37, 30), profile)
    # the survey is open, and held to the utility's submission deadline
    assert [(e.department, e.step) for e in entries] == [("市行政审批局", "surveyed")]
    e = entries[0]
    assert (e.start, e.deadline) == (DT(2025, 9, 30, 10), DT(2025, 10, 10, 18))
    assert (e.used_hours, e.allowed_hours) == (pytest.approx(14.625), pytest.approx(19.5))
    assert e.share == pytest.approx(0.75, abs=1e-9)
    assert e.status == "approaching"
    assert e.message == "联合审批：踏勘时限 2025-10-10 18:00，已用 75% 工作时间"
    # 14.43 h = 74 %: on time
    e74 = status([p], DT(2025, 10, 10, 10, 25, 48), profile)[0]
    assert e74.share == pytest.approx(0.74, abs=1e-3)
    assert e74.status == "on_time"
    # once surveyed, the utilities must submit by the same deadline: one entry per company
    surveyed = LedgerProject(
        "JM-S", ("water", "gas"), replace(nodes, surveyed=DT(2025, 10, 9, 9)), path="joint"
    )
    entries = status([surveyed], DT(2025, 10, 10, 10, 37, 30), profile)
    assert [(e.department, e.step, e.deadline) for e in entries] == [
        (WATER, "submitted", DT(2025, 10, 10, 18)),
        (GAS, "submitted", DT(2025, 10, 10, 18)),
    ]
    assert entries[0].message == "联合审批：资料提交时限 2025-10-10 18:00，已用 75% 工作时间"


def test_overdue_by_one_minute(profile):
    e = status([joint_at_approval()], DT(2025, 10, 11, 18, 1), profile)[0]
    assert e.status == "overdue"
    assert e.deadline == DT(2025, 10, 11, 18)
    # no office time after 18:00: all of the time is used, none beyond it yet
    assert e.share == pytest.approx(1.0, abs=1e-3)
    assert e.message == "联合审批：审批时限 2025-10-11 18:00，已逾期"
    # Monday 10-13 09:00 (Sunday off): 0.5 office hours past the deadline
    e = status([joint_at_approval()], DT(2025, 10, 13, 9), profile)[0]
    assert e.status == "overdue"
    assert e.share == pytest.approx(21.5 / 21, abs=1e-3)
    assert e.message == "联合审批：审批时限 2025-10-11 18:00，已逾期 0.5 个工作小时"


def test_late_submission_is_recorded_and_extends_the_approval(profile):
    # submission was due 09-30 18:00 and came on 10-09 09:00: 0.5 office hours late
    late = LedgerProject(
        "JM-L",
        ("water", "gas"),
        TimeNodes(form_complete=DT(2025, 9, 28, 10), submitted=DT(2025, 10, 9, 9)),
        path="joint",
    )
    entries = status([late], DT(2025, 10, 10, 9), profile)
    assert [e.department for e in entries] == APPROVERS
    e = entries[0]
    assert [(x.step, x.deadline, x.done_at) for x in e.late] == [
        ("submitted", DT(2025, 9, 30, 18), DT(2025, 10, 9, 9))
    ]
    assert e.late[0].overrun_hours == pytest.approx(0.5)
    assert e.late[0].departments == (WATER, GAS)
    assert e.skipped == ("registered", "assessed", "surveyed")
    # the departments still get 3 working days from the late submission: 10-10, 10-11, 10-13
    assert (e.start, e.deadline) == (DT(2025, 10, 9, 9), DT(2025, 10, 13, 18))
    # used 3 + 3.5 (10-09) + 0.5 (10-10) = 7 of 6.5 + 7 + 7 + 7 = 27.5 office hours
    assert e.share == pytest.approx(7 / 27.5, abs=1e-3)
    assert e.status == "on_time"
    assert "自实际提交起算" in e.basis
    assert e.message == "联合审批：审批时限 2025-10-13 18:00，已用 25% 工作时间；逾期环节：提交审批"


def test_construction_is_untimed_unless_the_project_sets_a_limit(profile):
    approved = joint_at_approval(approved=DT(2025, 10, 10, 10))
    [water, gas] = status([approved], DT(2025, 10, 13, 9), profile)
    assert (water.department, gas.department) == (WATER, GAS)
    assert (water.step, water.status, water.deadline, water.share) == (
        "constructed",
        "untimed",
        None,
        None,
    )
    assert water.message == "联合审批：待施工完成，未设办理时限"
    due = LedgerProject(
        "JM-J1",
        ("gas", "water"),
        approved.nodes,
        path="joint",
        construction_due=DT(2025, 10, 13, 18),
    )
    e = status([due], DT(2025, 10, 13, 9), profile)[0]
    # from approval 10-10 10:00: 2 + 3.5 + 7 (10-11) + 7 (10-13) = 19.5 h allowed,
    # 2 + 3.5 + 7 + 0.5 (10-13 08:30–09:00) = 13 h used
    assert (e.status, e.start, e.deadline) == (
        "on_time",
        DT(2025, 10, 10, 10),
        DT(2025, 10, 13, 18),
    )
    assert e.share == pytest.approx(13 / 19.5, abs=1e-3)


def test_connection_counts_from_when_the_conditions_were_met(profile):
    built = joint_at_approval(approved=DT(2025, 10, 10, 10), constructed=DT(2025, 10, 11, 16))
    e = status([built], DT(2025, 10, 13, 9), profile)[0]
    # 0.5 working day = 3.5 office hours from 10-11 16:00: 2 h to 18:00, 1.5 h from 08:30 on 10-13
    assert (e.step, e.start, e.deadline) == (
        "connected",
        DT(2025, 10, 11, 16),
        DT(2025, 10, 13, 10),
    )
    assert e.share == pytest.approx(2.5 / 3.5, abs=1e-3)
    assert e.status == "on_time"
    assert e.message == "联合审批：接入时限 2025-10-13 10:00，已用 71% 工作时间"


# --------------------------------------------------------------------------- commitment


def commitment(**extra: Any) -> LedgerProject:
    t = DT(2025, 9, 30, 16)  # accepted, assessed, notified and permitted at once (即时办结)
    nodes = TimeNodes(form_complete=t, assessed=t, surveyed=t, submitted=t, approved=t, **extra)
    # the line was pre-laid: nothing to build before connecting (一 提前布局周边管网)
    return LedgerProject(
        "JM-C1",
        ("power",),
        nodes,
        path="commitment",
        name="告知承诺项目",
        not_required=frozenset({"constructed"}),
    )


def test_commitment_connection_within_half_a_working_day(profile):
    # 3.5 office hours from 09-30 16:00: 2 h to 18:00, 1.5 h on 10-09 → 10:00
    deadline = deadlines_for_path(DT(2025, 9, 30, 16), "commitment", profile=profile)
    assert deadline["approval"] == DT(2025, 9, 30, 16)  # instant
    assert deadline["connection"] == DT(2025, 10, 9, 10)
    e = status([commitment()], DT(2025, 10, 9, 9), profile)[0]
    assert (e.department, e.step, e.start, e.deadline) == (
        POWER,
        "connected",
        DT(2025, 9, 30, 16),
        DT(2025, 10, 9, 10),
    )
    assert (e.used_hours, e.allowed_hours) == (pytest.approx(2.5), pytest.approx(3.5))
    assert e.share == pytest.approx(0.714, abs=1e-3)
    assert e.status == "on_time"
    e = status([commitment()], DT(2025, 10, 9, 9, 15), profile)[0]
    assert e.share == pytest.approx(2.75 / 3.5, abs=1e-3)
    assert e.status == "approaching"
    assert e.message == "告知承诺制：接入时限 2025-10-09 10:00，已用 79% 工作时间"


def test_commitment_steps_before_connection_share_its_deadline(profile):
    t = DT(2025, 9, 30, 16)
    p = LedgerProject(
        "JM-C2", ("power",), TimeNodes(form_complete=t, assessed=t), path="commitment"
    )
    e = status([p], DT(2025, 10, 9, 8, 45), profile)[0]
    assert (e.department, e.step, e.deadline) == ("市行政审批局", "surveyed", DT(2025, 10, 9, 10))
    assert e.share == pytest.approx(2.25 / 3.5, abs=1e-3)
    assert e.status == "on_time"
    # not assessed yet: the path is unknown, and the stricter commitment bound applies
    unknown = LedgerProject("JM-U", ("power",), TimeNodes(form_complete=t))
    e = status([unknown], DT(2025, 10, 9, 8, 45), profile)[0]
    assert (e.step, e.deadline, e.path) == ("assessed", DT(2025, 10, 9, 10), None)
    assert e.message == "路径未定：研判时限 2025-10-09 10:00，已用 64% 工作时间"
    assert e.basis == (
        "实施方案 一、四(二)1：路径未定，从严按告知承诺制受理后 0.5 个工作日内完成接入，研判须在此前完成"
    )


def test_completed_late_connection(profile):
    done = commitment(connected=DT(2025, 10, 9, 11))
    [e] = status([done], DT(2025, 10, 20, 9), profile)
    assert (e.department, e.step, e.step_label, e.status) == (POWER, None, "已办结", "done")
    assert (e.deadline, e.share) == (None, None)
    [late] = e.late
    assert (late.step, late.deadline, late.done_at) == (
        "connected",
        DT(2025, 10, 9, 10),
        DT(2025, 10, 9, 11),
    )
    assert late.overrun_hours == pytest.approx(1.0)
    assert e.message == "告知承诺制：接入完成 2025-10-09 11:00；逾期环节：接入完成"
    # in time: nothing late
    [e] = status([commitment(connected=DT(2025, 10, 9, 9, 59))], DT(2025, 10, 20, 9), profile)
    assert (e.status, e.late) == ("done", ())


# --------------------------------------------------------------------------- the ledger


def test_grouped_by_department_most_urgent_first(profile):
    t = DT(2025, 9, 30, 10)
    t2 = DT(2025, 10, 10, 8, 30)
    fresh = TimeNodes(form_complete=t2, assessed=t2, submitted=t2, approved=t2)
    projects = [
        # 供电, pre-laid: connection due 10-10 12:00, 0.5 of 3.5 h used at 09:00
        LedgerProject("JM-C0", ("power",), fresh, path="commitment", not_required={"constructed"}),
        # 供电: connection due 10-09 10:00; at 10-10 09:00 overdue by 2 + 3.5 + 0.5 = 6 h
        commitment(),
        joint_at_approval(),  # approval due 10-11 18:00
        LedgerProject("JM-R", ("water",), TimeNodes(registered=t)),  # form not in: untimed
        LedgerProject(
            "JM-A",
            ("water",),
            TimeNodes(form_complete=DT(2025, 10, 9, 8, 30), assessed=DT(2025, 10, 9, 8, 30)),
            path="joint",
        ),  # survey due 10-11 18:00 (10-10, 10-11)
        LedgerProject("JM-D", ("water",), TimeNodes(form_complete=t, connected=t)),  # done
    ]
    now = DT(2025, 10, 10, 9)
    entries = status(projects, now, profile)
    rows = [(e.department, e.project_id, e.status) for e in entries]
    assert rows == [
        ("市市场监管局", "JM-R", "untimed"),
        ("市自然资源和规划局", "JM-J1", "on_time"),
        ("市自然资源和规划局", "JM-R", "untimed"),
        ("市行政审批局", "JM-A", "on_time"),  # same status and deadline: by project id
        ("市行政审批局", "JM-J1", "on_time"),
        (WATER, "JM-D", "done"),
        (POWER, "JM-C1", "overdue"),  # most urgent first
        (POWER, "JM-C0", "on_time"),
        ("市城管委", "JM-J1", "on_time"),  # first answers for a step after the utilities
    ]
    # 市行政审批局 at 10-10 09:00: the survey of JM-A (clock from 10-09 08:30, due 10-11 18:00)
    # and the approval of JM-J1 (clock from 09-30 18:00, due 10-11 18:00) have each used
    # 7 (10-09) + 0.5 (10-10 08:30–09:00) = 7.5 of 21 office hours
    groups = by_department(entries)
    assert [(e.project_id, e.deadline, round(e.share or 0, 3)) for e in groups["市行政审批局"]] == [
        ("JM-A", DT(2025, 10, 11, 18), 0.357),
        ("JM-J1", DT(2025, 10, 11, 18), 0.357),
    ]
    # the early warning lists only what needs attention
    alerts = by_department(entries, statuses=ALERT_STATUSES)
    assert {d: [e.project_id for e in es] for d, es in alerts.items()} == {POWER: ["JM-C1"]}
    assert alerts[POWER][0].message == "告知承诺制：接入时限 2025-10-09 10:00，已逾期 6 个工作小时"


def test_warn_share_can_be_set_per_call(profile):
    now = DT(2025, 10, 11, 11, 18)  # 80 % used
    assert status([joint_at_approval()], now, profile, warn_share=0.9)[0].status == "on_time"
    assert status([joint_at_approval()], now, profile, warn_share=0.8)[0].status == "approaching"
    with pytest.raises(ValueError, match="above 0 and at most 1"):
        status([joint_at_approval()], now, profile, warn_share=1.5)
    lower = profile.with_value("ledger.warn_share", 0.5, source="test")
    assert status([commitment()], DT(2025, 10, 9, 8, 45), lower)[0].status == "approaching"


def test_nodes_after_the_clock_are_not_yet_recorded(profile):
    done = commitment(connected=DT(2025, 10, 9, 9))
    e = status([done], DT(2025, 10, 9, 8, 45), profile)[0]
    assert (e.step, e.status) == ("connected", "on_time")


def test_undescribed_year_gives_an_error_entry_not_an_exception(profile):
    year_2099 = LedgerProject(
        "JM-2099",
        ("water",),
        TimeNodes(form_complete=DT(2099, 3, 2, 10), assessed=DT(2099, 3, 2, 10, 5)),
        path="joint",
    )
    done_2025 = commitment(connected=DT(2025, 10, 9, 9))
    entries = status([year_2099, done_2025], DT(2099, 3, 3, 9), profile)
    assert [(e.project_id, e.status) for e in entries] == [
        ("JM-2099", "error"),
        ("JM-C1", "done"),
    ]
    e = entries[0]
    assert (e.department, e.step, e.deadline, e.share) == ("市行政审批局", "surveyed", None, None)
    assert e.error is not None
    assert "no statutory holiday schedule for 2099" in e.error
    assert "holidays.yaml" not in e.error and "/" not in e.error  # no server path for users
    assert e.message.startswith("联合审批：踏勘时限无法计算：2099 年无节假日安排")
    assert by_department(entries, statuses=ALERT_STATUSES) == {"市行政审批局": [e]}


def test_missing_acceptance_time_is_an_error_entry(profile):
    p = LedgerProject(
        "JM-N", ("gas",), TimeNodes(registered=DT(2025, 9, 1), assessed=DT(2025, 9, 30, 10))
    )
    [e] = status([p], DT(2025, 9, 30, 11), profile)
    assert (e.status, e.step, e.skipped) == ("error", "surveyed", ("form_complete",))
    assert e.error == "未记录「采集单齐全」（受理）时间，时限无从起算"


def test_bad_clock_and_profile_are_refused(profile):
    with pytest.raises(CalendarError, match="timezone-aware"):
        ledger_status([], now=DT(2025, 10, 9, tzinfo=timezone(timedelta(0))), profile=profile)
    broken = profile.with_value("ledger.departments", {"registered": ["市招商局"]}, source="test")
    with pytest.raises(ProfileError, match="missing steps"):
        ledger_status([], now=DT(2025, 10, 9), profile=broken)
    no_units = profile.with_value("ledger.utility_units", {"water": "水务"}, source="test")
    with pytest.raises(ProfileError, match="utility_units"):
        ledger_status([], now=DT(2025, 10, 9), profile=no_units)
