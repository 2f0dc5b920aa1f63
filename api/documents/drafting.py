"""Drafted texts from an assessment, shared by the approval sheet and the planning opinion.

Everything a document says about a site comes from here: its external lines, where each
leaves the site (详细路段地址, :mod:`gis.address`), what each digs and crosses, the drafted
opinions of 市自然资源和规划局, 市城管委 and 市行政审批局, and the time limits of the approval
path (:func:`planning.calendar.deadlines_for_path`). Reasons cite the seed's clauses and the
national rules (never the assessment's internal rule codes); thresholds are read from the profile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from api.documents.render import metres, number, zh_date, zh_datetime
from api.report import UTILITY_ZH
from gis import vocabulary
from gis.address import road_section, road_section_address, site_access_address
from gis.errors import CalendarError, Problem, ValidationError
from gis.profile import Profile
from gis.schema import OPERATOR_NAMES_ZH
from planning.approval import CLASS_ZH, Reason
from planning.assess import Assessment, Route
from planning.calendar import (
    PROVISIONAL_MARK,
    calendar_for,
    deadline,
    path_deadlines,
    provisional_note,
)
from planning.capacity import describe
from planning.intake import Intake
from planning.shared_trench import TrenchSegment, trench_segments

__all__ = [
    "PATH_NAME_ZH",
    "Line",
    "TimeLimits",
    "access_addresses",
    "approval_opinion",
    "capacity_sentences",
    "check_pair",
    "check_period",
    "cited_reasons",
    "crossing_texts",
    "dig_once_texts",
    "joined",
    "line_summary",
    "lines_of",
    "period_text",
    "planning_conclusion",
    "planning_opinion_short",
    "policy_title",
    "reason_text",
    "roads_opinion",
    "stretches",
    "surface_text",
    "time_limits",
]

PATH_NAME_ZH: dict[str | None, str] = vocabulary.APPROVAL_PATHS.labels()
"""The approval path as the documents name it."""

_SURFACE_ZH: dict[str, str] = vocabulary.SURFACES.labels(form="works")


@dataclass(frozen=True)
class Line:
    """One external line of a site: a utility's route (or its backup, or an operator's)."""

    utility: str
    label: str
    route: Route
    approval_path: str | None
    reasons: tuple[Reason, ...]


def lines_of(assessment: Assessment) -> list[Line]:
    """Return the external lines of the covered utilities, backup supplies included."""
    out: list[Line] = []
    for u, r in assessment.utilities.items():
        if not r.covered or r.route is None:
            continue
        name = UTILITY_ZH.get(u, u)
        if u == "telecom" and r.route.operator:
            name += f"（{OPERATOR_NAMES_ZH.get(r.route.operator, r.route.operator)}）"
        main = f"{name}（主供）" if r.backup is not None else name
        out.append(Line(u, main, r.route, r.approval_path, tuple(r.reasons)))
        if r.backup is not None:
            out.append(Line(u, f"{name}（备供）", r.backup, r.approval_path, tuple(r.reasons)))
    return out


def check_pair(assessment: Assessment, intake: Intake | None) -> None:
    """Refuse an intake form that belongs to another site than the assessment.

    Raises
    ------
    ValidationError
        If the form's ``site_id`` names another site.
    """
    if intake is None or not intake.site_id or intake.site_id == assessment.project_id:
        return
    problem = Problem(
        "intake",
        intake.feature,
        "site_id",
        intake.site_id,
        f"the assessed site {assessment.project_id}",
        code="site_mismatch",
    )
    summary = f"the intake form is for site {intake.site_id}, not for {assessment.project_id}"
    raise ValidationError(problems=[problem], summary=summary)


def check_period(period: tuple[dt.date, dt.date] | None) -> None:
    """Refuse a construction period that ends before it starts.

    Raises
    ------
    CalendarError
        If ``period[1] < period[0]``.
    """
    if period is not None and period[1] < period[0]:
        msg = (
            f"construction period {period[0].isoformat()}..{period[1].isoformat()}: "
            "expected the end on or after the start"
        )
        raise CalendarError(msg)


def access_addresses(assessment: Assessment, G: nx.Graph) -> list[tuple[str, tuple[str, ...]]]:
    """Return each distinct 报装接入地点 and the lines that leave the site there.

    The address is the road section and side of each line's first node (the frontage),
    :func:`gis.address.site_access_address`; lines leaving at the same address are listed
    together, in the order of the assessment's utilities.
    """
    grouped: dict[str, list[str]] = {}
    for line in lines_of(assessment):
        grouped.setdefault(site_access_address(G, line.route.nodes), []).append(line.label)
    return [(address, tuple(labels)) for address, labels in grouped.items()]


def _operator_of(text: str) -> str | None:
    """Return the telecom operator a reason's text opens with (``中国移动外线…``), if any."""
    return next((op for op, zh in OPERATOR_NAMES_ZH.items() if text.startswith(zh)), None)


def _chosen_operator_only(assessment: Assessment, reasons: Sequence[Reason]) -> list[Reason]:
    """Drop the reasons about telecom operators other than the one whose line is drawn.

    Kept when nothing would be left of the telecom line's case (another operator's route
    then decides the path and must be cited).
    """
    telecom = assessment.utilities.get("telecom")
    chosen = telecom.route.operator if telecom is not None and telecom.route is not None else None
    if chosen is None:
        return list(reasons)
    kept = [r for r in reasons if _operator_of(r.text) in (None, chosen)]
    about_telecom = telecom.reasons if telecom is not None else []
    if about_telecom and not any(r in kept for r in about_telecom):
        return list(reasons)
    return kept


def cited_reasons(assessment: Assessment) -> list[str]:
    """Return the site's reasons as the documents cite them, each once.

    A telecom line is cited for the chosen operator only (:func:`lines_of` draws that one);
    a reason several lines share (the same carriageway crossing, the same dig-once road) is
    stated once, naming the lines it concerns: ``燃气、通信（中国移动）外线需开挖横穿…``.
    """
    owners: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], Reason] = {}
    for r in _chosen_operator_only(assessment, assessment.reasons):
        op = _operator_of(r.text)
        text = r.text[len(OPERATOR_NAMES_ZH[op]) :] if op is not None else r.text
        key = (r.rule, text)
        first.setdefault(key, r)
        who = owners.setdefault(key, [])
        for u, result in assessment.utilities.items():
            if r in result.reasons and _line_name(assessment, u) not in who:
                who.append(_line_name(assessment, u))
    out = []
    for (rule, text), r in first.items():
        who = owners[(rule, text)]
        if text.startswith("外线") and len(who) > 1:
            text = "、".join(who) + text
        elif text != r.text:
            text = r.text
        out.append(reason_text(Reason(rule, r.code, text)))
    return out


def _line_name(assessment: Assessment, utility: str) -> str:
    """Return a utility as its line is named: ``通信（中国移动）`` for the chosen operator."""
    name = UTILITY_ZH.get(utility, utility)
    route = assessment.utilities[utility].route
    if utility == "telecom" and route is not None and route.operator:
        name += f"（{OPERATOR_NAMES_ZH.get(route.operator, route.operator)}）"
    return name


def policy_title(profile: Profile) -> str:
    """Return the policy a document cites: the seed's title (the profile's description)."""
    return profile.description or "联动接入实施方案"


def reason_text(reason: Reason) -> str:
    """Return a reason as a document cites it: its text, which names the seed's clause."""
    return reason.text


def surface_text(route: Route) -> str:
    """Return what a line digs, with lengths: ``挖掘人行道 120.0 m、红线至人行道引入段 4.0 m``."""
    parts = []
    for key in ("sidewalk", "green"):
        if route.surfaces.get(key, 0.0) > 0:
            parts.append(f"{_SURFACE_ZH[key]} {metres(route.surfaces[key])} m")
    for key, value in sorted(route.surfaces.items()):
        if key.startswith("carriageway:") and value > 0:
            cls = key.split(":", 1)[1]
            parts.append(f"横穿{CLASS_ZH.get(cls, cls)}车行道 {metres(value)} m")
    if route.surfaces.get("lead_in", 0.0) > 0:
        parts.append(f"{_SURFACE_ZH['lead_in']} {metres(route.surfaces['lead_in'])} m")
    return "、".join(parts) or "不开挖"


def crossing_texts(route: Route, *, profile: Profile) -> list[str]:
    """Return the line's crossings of major lines and of carriageways, named."""
    trenchless = set(profile.commitment.trenchless_road_classes)
    out = [f"穿(跨)越{c.kind_zh}「{c.name}」" for c in route.crossings]
    for cw in route.carriageways:
        how = "顶管/定向钻穿越" if cw.road_class in trenchless else "开挖横穿"
        out.append(
            f"{how}{CLASS_ZH.get(cw.road_class, cw.road_class)}「{cw.name}」车行道 "
            f"{number(cw.width_m)} m"
        )
    return out


def dig_once_texts(route: Route) -> list[str]:
    """Return the dig-once conflicts and any detour taken to avoid them."""
    out = [
        f"「{d.name}」{d.why}，禁挖保护期至 {d.until.isoformat()}，开挖须经特别批准"
        "（城市道路管理条例 第三十三条）"
        for d in route.dig_once
    ]
    if route.detour is not None:
        avoided = "、".join(f"「{n}」" for n in route.detour.get("avoided_roads", []))
        out.append(
            f"为避开禁挖保护期内的{avoided}，改走绕行路由：较最短路由 "
            f"{metres(float(route.detour['shortest_m']))} m 长 {metres(float(route.detour['extra_m']))} m"
            f"（绕行不超过最短路由的 {float(route.detour['allowance']):.0%}）"
        )
    return out


def line_summary(line: Line, *, profile: Profile) -> str:
    """Return one line's facts with numbers: length vs threshold, straight line, digs, crossings."""
    limit = profile.commitment.max_length_m
    r = line.route
    compare = "小于" if round(r.red_line_m, 3) < limit else "不小于"
    crossings = crossing_texts(r, profile=profile)
    crossed = "；".join(crossings) if crossings else "不穿(跨)越重大管(线、路)及车行道"
    digs = dig_once_texts(r)
    tail = ("；" + "；".join(digs)) if digs else ""
    if r.length_m <= 0:
        return (
            f"{line.label}：接驳管线 {r.tap_asset} 在门前经过，外线沿道路 0.0 m，直接接驳；"
            f"{surface_text(r)}；{crossed}{tail}。"
        )
    measured = f"外线沿道路 {metres(r.length_m)} m"
    if r.lead_in_m > 0:  # from the red line (seed 二): the lead-in to the corridor counts
        measured = (
            f"外线长度 {metres(r.red_line_m)} m（红线引入段 {metres(r.lead_in_m)} m + 沿道路 "
            f"{metres(r.length_m)} m）"
        )
    return (
        f"{line.label}：{measured}，{compare}告知承诺限值 {limit:g} m，"
        f"直线距离 {metres(r.straight_line_m)} m；{surface_text(r)}；{crossed}{tail}。"
    )


def planning_conclusion(assessment: Assessment) -> str:
    """Return the drafted planning conclusion for the overall approval path."""
    path = assessment.approval_path
    if path == "not_applicable":
        why = "；".join(reason_text(r) for r in assessment.reasons)
        return f"不适用联动接入（{why}），按常规程序办理。"
    if path == "commitment":
        return "符合告知承诺制条件（实施方案 四(二)1），拟同意按上述路由即时办理，施工后及时恢复路面。"
    if path == "joint":
        return (
            "涉及上述须联合审批的情形，实行联合审批（实施方案 四(二)2）；拟同意上述路由方案，"
            "待联合审批意见办结。"
        )
    return "暂不具备接入条件：需提前布局周边管网（实施方案 三1）。"


def capacity_sentences(assessment: Assessment) -> list[str]:
    """Return one sentence per utility whose tap was checked by simulation, with the numbers."""
    return [
        f"{UTILITY_ZH.get(u, u)}{describe(r.capacity)}。"
        for u, r in assessment.utilities.items()
        if r.capacity is not None and r.capacity.method == "simulation"
    ]


def planning_opinion_short(assessment: Assessment, *, profile: Profile) -> list[str]:
    """Return the 市自然资源和规划局 opinion of the approval sheet: per line, then conclusion."""
    out = [line_summary(line, profile=profile) for line in lines_of(assessment)]
    out += capacity_sentences(assessment)
    for u in assessment.needs_prelay:
        result = assessment.utilities[u]
        why = "；".join(reason_text(r) for r in result.reasons) or "无满足需求的管线"
        out.append(f"{UTILITY_ZH.get(u, u)}：{why}。")
    plan = assessment.shared_trench
    if plan is not None and plan.saved_m > 0:
        shared = [s for s in plan.segments if s.shared and s.kind == "sidewalk"]
        fits = all(s.section is None or bool(getattr(s.section, "fits", True)) for s in shared)
        out.append(
            f"建议同沟敷设、联合施工（实施方案 三6）：开挖 {metres(plan.total_trench_m)} m，较分别开挖少挖 "
            f"{metres(plan.saved_m)} m；断面校核（GB 50289）"
            + ("满足同槽敷设。" if fits else "部分路段需分沟敷设，详见规划意见。")
        )
    out.append(planning_conclusion(assessment))
    return out


def stretches(assessment: Assessment, G: nx.Graph) -> list[TrenchSegment]:
    """Return the stretches of road dug for the site's lines (each stretch once)."""
    paths = {line.label: line.route.nodes for line in lines_of(assessment)}
    return trench_segments(G, paths) if paths else []


def roads_opinion(assessment: Assessment, G: nx.Graph, *, profile: Profile) -> list[str]:
    """Return the 市城管委 opinion: roads dug, carriageway crossings, occupation, dig-once."""
    if assessment.approval_path == "not_applicable":
        return ["不适用联动接入，不涉及本方案外线工程占挖道路。"]
    lines = lines_of(assessment)
    if not lines:
        return ["暂无外线工程（需提前布局管网），不涉及占挖道路。"]
    trenchless = set(profile.commitment.trenchless_road_classes)
    out: list[str] = []
    for s in stretches(assessment, G):
        who = "、".join(s.utilities)
        if s.kind == "sidewalk":
            place = road_section_address(G, s.nodes[0])
            out.append(f"挖掘人行道：{place} {metres(s.length_m)} m（{who}）")
        elif s.kind == "crossing":
            edge = G.edges[s.nodes[0], s.nodes[1]]
            cls = str(edge.get("road_class", ""))
            how = "顶管/定向钻穿越" if cls in trenchless else "开挖横穿"
            out.append(
                f"{how}车行道：{road_section(G, s.seg)}{CLASS_ZH.get(cls, cls)}车行道 "
                f"{number(float(edge.get('width_m', s.length_m)))} m（{who}）"
            )
    if not out:
        out.append("外线自红线直接接入门前管线，不沿道路开挖。")
    green = max((line.route.surfaces.get("green", 0.0) for line in lines), default=0.0)
    lead = max((line.route.surfaces.get("lead_in", 0.0) for line in lines), default=0.0)
    if green > 0:
        out.append(f"临时占用绿地 {metres(green)} m（红线至人行道引入段）")
    if lead > 0:
        out.append(f"开挖红线至人行道引入段 {metres(lead)} m")
    out.append("施工期间临时占用上述道路，须设置围挡和安全警示，完工后按原标准恢复。")
    conflicts: dict[str, str] = {}
    for line in lines:
        for text in dig_once_texts(line.route):
            conflicts.setdefault(text, line.label)
    if conflicts:
        out += [f"{text}（{label}）" for text, label in conflicts.items()]
    else:
        out.append(f"途经道路均不在禁挖保护期内（核查日 {assessment.as_of.isoformat()}，城市道路管理条例 第三十三条）。")
    plan = assessment.shared_trench
    if plan is not None and plan.saved_m > 0:
        out.append(
            f"同沟开挖 {metres(plan.total_trench_m)} m，较分别开挖 {metres(plan.separate_trench_m)} m "
            f"少挖 {metres(plan.saved_m)} m（实施方案 三6 协同施工，一次开挖）。"
        )
    return out


def approval_opinion(assessment: Assessment, *, profile: Profile) -> list[str]:
    """Return the 市行政审批局 opinion: the approval path, its reasons and time limits."""
    path = assessment.approval_path
    reasons = cited_reasons(assessment)
    if path == "not_applicable":
        return ["不适用联动接入：" + "；".join(reasons) + "。"]
    if path is None:
        return ["需提前布局周边管网，暂不进入联动接入审批（实施方案 三1）：" + "；".join(reasons) + "。"]
    connect = number(profile.deadlines.connection_working_days)
    if path == "commitment":
        out = [
            "审批路径：告知承诺制，即时办结（实施方案 四(二)1）。",
            f"具备接入条件后 {connect} 个工作日内完成接入（实施方案 四(一)2）。",
        ]
    else:
        submit = number(profile.deadlines.submission_working_days)
        approve = number(profile.deadlines.approval_working_days)
        out = [
            f"审批路径：联合审批，容缺受理（实施方案 四(二)2）：公用事业单位 {submit} 个工作日内"
            f"提交资料，{approve} 个工作日内办结；具备接入条件后 {connect} 个工作日内完成接入。",
            "理由：" + "；".join(reasons) + "。",
        ]
    if assessment.needs_prelay:
        names = "、".join(UTILITY_ZH.get(u, u) for u in assessment.needs_prelay)
        out.append(f"{names}需提前布局管网，另行办理。")
    return out


@dataclass(frozen=True)
class TimeLimits:
    """The time nodes of the site's approval path, or why they cannot be computed."""

    start: dt.datetime
    path: str | None
    nodes: dict[str, dt.datetime]
    error: str | None = None
    provisional: tuple[int, ...] = ()
    """Years without a loaded State Council notice the nodes depend on (then 暂定)."""

    def after_approval(self, approved: dt.datetime, *, profile: Profile) -> TimeLimits:
        """Return the limits once approved: 接入 within 0.5 working day of 审批办结.

        The connection limit of the path plan (受理 + 2 + 3 + 0.5 working days on the joint path,
        seed 四(二)2 and 四(一)2) is the latest the promise allows; once the sheet is issued the
        conditions are met and the e-ledger counts 「具备接入条件后 0.5 个工作日内完成接入」
        (四(一)2) from the approval (:class:`planning.ledger.limits.Clock`), so the issued
        sheet states that deadline too: the sheet, the project page and the ledger agree.
        """
        if self.error is not None or "connection" not in self.nodes:
            return self
        cal = calendar_for(profile)
        try:
            due = deadline(
                approved, working_days=profile.deadlines.connection_working_days, calendar=cal
            )
        except CalendarError as exc:
            return TimeLimits(self.start, self.path, {}, error=str(exc))
        years = tuple(sorted({*self.provisional, *cal.provisional_years(approved, due)}))
        return TimeLimits(
            self.start, self.path, {**self.nodes, "connection": due}, provisional=years
        )

    def due(self, node: str) -> str:
        """Return a node as 「…前」, with （暂定） when a year's notice is not loaded."""
        return f"{zh_datetime(self.nodes[node])}前{PROVISIONAL_MARK if self.provisional else ''}"

    def department(self) -> list[str]:
        """Return the time limit line of 市自然资源和规划局 and 市城管委."""
        if self.error is not None:
            return [f"办理时限：无法计算（{self.error}）"]
        if self.path == "commitment":
            return [f"办理时限：即时办结（{zh_datetime(self.start)}受理）"]
        if self.path == "joint":
            return [f"办理时限：{self.due('approval')}"]
        return []

    def coordinator(self) -> list[str]:
        """Return the time limit lines of 市行政审批局 (submission, approval, connection)."""
        if self.error is not None:
            return [f"办理时限：无法计算（{self.error}）"]
        if self.path == "commitment":
            return [
                f"办理时限：即时办结（{zh_datetime(self.start)}受理）",
                f"接入时限：{self.due('connection')}",
                *([f"（{provisional_note(self.provisional)}）"] if self.provisional else []),
            ]
        if self.path == "joint":
            return [
                f"资料提交时限：{self.due('submission')}",
                f"办理时限：{self.due('approval')}",
                f"接入时限：{self.due('connection')}",
                *([f"（{provisional_note(self.provisional)}）"] if self.provisional else []),
            ]
        return []


def time_limits(assessment: Assessment, *, start: dt.datetime, profile: Profile) -> TimeLimits:
    """Return the time nodes of the site's approval path from ``start`` (the day of receipt).

    Nodes in a year without a loaded notice are provisional (printed with （暂定）). A
    :class:`~gis.errors.CalendarError` (a year beyond the statutory data, a timezone-aware
    start) is kept as text, so the document shows why there is no date instead of a guess.
    """
    path = assessment.approval_path
    if path not in ("commitment", "joint"):
        return TimeLimits(start, path, {})
    try:
        nodes, years = path_deadlines(
            start, "joint" if path == "joint" else "commitment", profile=profile
        )
    except CalendarError as exc:  # the text names the year, never a server path
        return TimeLimits(start, path, {}, error=str(exc))
    return TimeLimits(start, path, nodes, provisional=years)


def period_text(period: tuple[dt.date, dt.date] | None) -> str:
    """Return the construction period as on the form, blank for handwriting when unknown."""
    if period is None:
        return "　　年　　月　　日起至　　年　　月　　日"
    return f"{zh_date(period[0])}起至{zh_date(period[1])}"


def joined(items: Sequence[str], sep: str = "、") -> str:
    """Join non-empty strings."""
    return sep.join(i for i in items if i)
