"""The approval process: decision paths, the ledger's paths, steps and statuses, roles.

Labels with time limits take them from the profile (:func:`approval_path_label`); the roles are
those of seed 七、职责分工.
"""

from __future__ import annotations

from typing import Any

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "APPROVAL_PATHS",
    "AUDIT_ACTIONS",
    "DEPARTMENTS",
    "LEDGER_PATHS",
    "LEDGER_STATUSES",
    "LEDGER_STEPS",
    "OPINION_DECISIONS",
    "ROLES",
    "STAFF_ROLES",
    "approval_path_label",
]

APPROVAL_PATHS: Vocabulary[str | None] = Vocabulary(
    "approval path",
    "审批路径",
    (
        Term("commitment", "告知承诺制", ("告知承诺",)),
        Term("joint", "联合审批"),
        Term("not_applicable", "不适用联动接入", ("不适用",)),
        Term(None, "需提前布局管网", ("prelay",)),
    ),
)
"""The decision's paths (``None``: no network in reach, the network is laid first)."""

LEDGER_PATHS: Vocabulary[str | None] = Vocabulary(
    "ledger path",
    "审批路径",
    (
        Term("commitment", APPROVAL_PATHS.label("commitment"), ("告知承诺",)),
        Term("joint", APPROVAL_PATHS.label("joint")),
        Term(None, "路径未定", ("pending",)),
    ),
)
"""The path of a project in the ledger (``None``: not assessed yet)."""


def approval_path_label(path: str | None, profile: Any) -> str:
    """Return the path's label with its time limits from the profile (``联合审批（2+3 个工作日）``).

    Parameters
    ----------
    path
        An :data:`APPROVAL_PATHS` value.
    profile
        The policy profile: ``deadlines.submission_working_days`` and
        ``deadlines.approval_working_days`` give the joint path's two limits.
    """
    if path == "commitment":
        return f"{APPROVAL_PATHS.label(path)}（即时办结）"
    if path == "joint":
        submit = float(profile.deadlines.submission_working_days)
        approve = float(profile.deadlines.approval_working_days)
        return f"{APPROVAL_PATHS.label(path)}（{submit:g}+{approve:g} 个工作日）"
    return APPROVAL_PATHS.label(path, default="-")


ROLES: Vocabulary[str] = Vocabulary(
    "role",
    "角色",
    (
        Term("admin", "系统管理员"),
        Term("investment", "招商局（意向登记）"),
        Term("intake", "受理窗口（市场监管局、自然资源和规划局、行政审批局）"),
        Term("utility", "公用事业企业规划人员"),
        Term("survey", "联合踏勘组"),
        Term("planning", "自然资源和规划局（规划意见）"),
        Term("urban", "城管委（开挖审批意见）"),
        Term("approval", "行政审批局（审批意见、统一出件）"),
        Term("applicant", "申请企业（掌上办）"),
    ),
)
"""The users' roles (seed 七、职责分工; 四(二)2 and 附件3: the three departments' opinions;
三7 掌上办: the enterprise applying online sees only its own applications)."""

STAFF_ROLES: tuple[str, ...] = tuple(r for r in ROLES.values if r != "applicant")
"""The roles of the departments and utilities (every role but the applying enterprise)."""

DEPARTMENTS: Vocabulary[str] = Vocabulary(
    "department",
    "审批部门",
    (
        Term("planning", "市自然资源和规划局", ("自然资源和规划局", "规划局", "自规局")),
        Term("urban", "市城管委", ("城管委", "城管")),
        Term("approval", "市行政审批局", ("行政审批局", "审批局")),
    ),
)
"""The departments whose opinions the joint approval sheet (附件3) carries, in its order; each
value is also the role of the department's users (seed 四(二)2, 七, 附件3)."""

OPINION_DECISIONS: Vocabulary[str] = Vocabulary(
    "opinion decision",
    "审批意见",
    (
        Term("agree", "同意"),
        Term("conditional", "附条件同意", ("有条件同意",)),
        Term("return", "退回补正", ("退回", "补正")),
    ),
)
"""A department's decision on a joint approval (seed 四(二)2; 附件3)."""

LEDGER_STEPS: Vocabulary[str] = Vocabulary(
    "step",
    "办理环节",
    (
        Term("registered", "登记", ("意向登记",), {"limit": "登记"}),
        Term("form_complete", "采集单齐全", ("受理", "一窗受理", "采集单受理"), {"limit": "采集"}),
        Term("assessed", "研判", (), {"limit": "研判"}),
        Term("surveyed", "踏勘", ("联合踏勘", "现场踏勘"), {"limit": "踏勘"}),
        Term("submitted", "提交审批", ("提交资料",), {"limit": "资料提交"}),
        Term("approved", "审批办结", ("办结",), {"limit": "审批"}),
        Term("constructed", "施工完成", ("竣工",), {"limit": "施工"}),
        Term("connected", "接入完成", ("接通",), {"limit": "接入"}),
    ),
)
"""The ledger's time nodes. Form ``limit``: what the step's time limit is called (审批时限)."""

LEDGER_STATUSES: Vocabulary[str] = Vocabulary(
    "status",
    "办理状态",
    (
        Term("error", "无法计算"),
        Term("overdue", "已逾期"),
        Term("approaching", "临近时限"),
        Term("on_time", "正常"),
        Term("untimed", "无时限"),
        Term("done", "已办结"),
    ),
)

AUDIT_ACTIONS: Vocabulary[str] = Vocabulary(
    "audit action",
    "操作",
    (
        Term("create_project", "受理项目（一表申请）"),
        Term("submit_application", "提交申请"),
        Term("accept_application", "窗口受理"),
        Term("sign_opinion", "出具部门意见"),
        Term("issue_sheet", "统一出件"),
        Term("update_project", "修改需求信息采集单"),
        Term("record_node", "记录时间节点"),
        Term("assess_project", "研判"),
        Term("planning_opinion", "出具规划意见"),
        Term("import_layer", "导入图层"),
        Term("run_prelay", "提前布局规划"),
        Term("login", "登录"),
        Term("login_failed", "登录失败"),
        Term("create_user", "创建用户"),
        Term("set_password", "设置密码"),
        Term("revoke_user", "停用用户"),
        Term("disable_development_users", "停用开发用户"),
    ),
)
"""What an audit-trail entry records (:class:`~gis.storage.models.AuditEntry` ``action``), in
Chinese for the project page's 操作记录."""
