"""The drafted planning opinion (规划意见（草拟）) for 市自然资源和规划局.

Per external line: its length along the roads against the profile's notify-and-commit
threshold, the straight-line distance, what it digs, what it crosses (major lines and
carriageways, named), dig-once roads with their protection end date and any detour; then the
joint trench with the GB 50289 cross-section check of each shared stretch, the approval path
with every reason (citing the seed's clauses), the time limits, and the drafted opinion with its
conditions. Every number is cited from the assessment; every threshold from the profile.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
from shapely.geometry.base import BaseGeometry

from api.documents import drafting
from api.documents.drafting import policy_title
from api.documents.fonts import CJKFont
from api.documents.render import (
    Block,
    Cell,
    Document,
    Grid,
    Heading,
    Para,
    cell,
    label,
    metres,
    rows,
    to_html,
    to_pdf,
)
from api.documents.routemap import route_map
from api.documents.texts import (
    NO_ACCESS,
    OPINION_DATE,
    OPINION_HEADINGS,
    OPINION_LENGTH_RULE,
    OPINION_NOTE,
    OPINION_SIGNATURES,
    OPINION_SUBTITLE,
    OPINION_TITLE,
    RUNNING_HEAD,
    TITLE_OF_PROJECT,
)
from api.report import UTILITY_ZH
from gis.address import road_section, road_section_address
from gis.profile import Profile
from planning.assess import Assessment
from planning.intake import Intake

__all__ = [
    "OPINION_TITLE",
    "planning_opinion_document",
    "planning_opinion_html",
    "planning_opinion_pdf",
]


def _overview(
    a: Assessment, intake: Intake | None, G: nx.Graph, *, start: dt.datetime | None
) -> Grid:
    addresses = [
        f"{address}（{'、'.join(labels)}）" for address, labels in drafting.access_addresses(a, G)
    ] or [NO_ACCESS]
    requested = "、".join(UTILITY_ZH.get(u, u) for u in a.utilities) or "—"
    received = f"{start:%Y-%m-%d %H:%M}" if start is not None else "—"
    return Grid(
        rows(
            [
                label("项目名称"),
                cell(intake.project_name if intake is not None else a.name),
                label("项目代码"),
                cell((intake.project_code if intake is not None else None) or ""),
            ],
            [
                label("申请单位"),
                cell((intake.applicant if intake is not None else None) or ""),
                label("地块编号"),
                cell(a.project_id),
            ],
            [
                label("申请接入"),
                cell(requested),
                label("评估日期 / 受理时间"),
                cell(f"{a.as_of.isoformat()} / {received}"),
            ],
            [label("报装接入地点"), cell(*addresses, colspan=3)],
        ),
        widths=(16, 34, 18, 32),
    )


def _lines_table(a: Assessment, *, profile: Profile) -> Grid:
    limit = profile.commitment.max_length_m
    head = [
        label(text)
        for text in (
            "外线",
            "接入管线",
            "红线引入段 (m)",
            "沿道路 (m)",
            "外线长度 (m)",
            "直线距离 (m)",
            f"小于 {limit:g} m",
            "开挖",
            "穿(跨)越",
            "审批路径",
        )
    ]
    body: list[list[Cell]] = []
    for line in drafting.lines_of(a):
        path = line.approval_path if a.applicable else "not_applicable"
        r = line.route
        tap = r.tap_asset + (f"（馈线 {r.feeder_id}）" if r.feeder_id else "")
        within = round(r.red_line_m, 3) < limit  # from the red line (seed 二)
        body.append(
            [
                cell(line.label, align="center"),
                cell(tap, align="center"),
                cell(metres(r.lead_in_m), align="right"),
                cell(metres(r.length_m), align="right"),
                cell(metres(r.red_line_m), align="right"),
                cell(metres(r.straight_line_m), align="right"),
                cell("是" if within else "否", align="center"),
                cell(drafting.surface_text(r)),
                cell("；".join(drafting.crossing_texts(r, profile=profile)) or "无"),
                cell(drafting.PATH_NAME_ZH.get(path, "—"), align="center"),
            ]
        )
    for u in a.needs_prelay:
        body.append(
            [
                cell(UTILITY_ZH.get(u, u), align="center"),
                cell("无满足需求的管线", colspan=8),
                cell(drafting.PATH_NAME_ZH[None], align="center"),
            ]
        )
    return Grid(rows(head, *body), widths=(8, 11, 8, 7, 8, 8, 7, 17, 17, 9), head_rows=1, small=True)


def _trench(a: Assessment, G: nx.Graph) -> list[Block]:
    plan = a.shared_trench
    if plan is None:
        return [Para("本项目只有一条外线（或无外线），不涉及同沟敷设。")]
    head = [label(t) for t in ("位置", "长度 (m)", "同沟专业", "断面校核（GB 50289-2016）", "结论")]
    body: list[list[Cell]] = []
    for s in plan.segments:
        if not s.shared:
            continue
        names = "、".join(UTILITY_ZH.get(u, u) for u in s.utilities)
        if s.kind == "sidewalk":
            place = road_section_address(G, s.nodes[0])
        else:
            place = f"{road_section(G, s.seg)}车行道（横穿）"
        check = "—（横穿车行道，不作断面校核）"
        verdict = "同沟敷设"
        section = s.section
        if section is not None:
            check = str(getattr(section, "message", ""))
            if not getattr(section, "fits", True):
                groups = ["、".join(UTILITY_ZH.get(u, u) for u in group) for group in s.trenches]
                verdict = f"分 {len(s.trenches)} 条沟槽：" + "；".join(groups)
            else:
                verdict = "同槽敷设"
        body.append(
            [
                cell(place),
                cell(metres(s.length_m), align="right"),
                cell(names, align="center"),
                cell(check),
                cell(verdict, align="center"),
            ]
        )
    out: list[Block] = []
    if body:
        out.append(Grid(rows(head, *body), widths=(30, 9, 13, 34, 14), head_rows=1, small=True))
    else:
        out.append(Para("各专业外线不走同一路段，不形成同沟段。"))
    if plan.saved_m > 0:
        out.append(
            Para(
                f"分别开挖合计 {metres(plan.separate_trench_m)} m，联合施工开挖 "
                f"{metres(plan.total_trench_m)} m，少挖 {metres(plan.saved_m)} m"
                f"（{plan.saved_share:.0%}）（实施方案 三6 一并接入、协同施工）。"
            )
        )
    else:
        out.append(Para(f"各专业外线分别开挖，合计 {metres(plan.total_trench_m)} m。"))
    for moved in plan.rerouted:
        out.append(
            Para(
                f"为同沟敷设，{UTILITY_ZH.get(moved.utility, moved.utility)}外线改接 "
                f"{moved.tap_to}（原 {moved.tap_from}），自身长度由 {metres(moved.from_m)} m "
                f"增至 {metres(moved.to_m)} m（增加 {metres(moved.extra_m)} m），审批路径不变。"
            )
        )
    return out


def _dig_once(a: Assessment) -> list[Block]:
    texts: list[str] = []
    for line in drafting.lines_of(a):
        texts += [f"{line.label}：{t}" for t in drafting.dig_once_texts(line.route)]
    if not texts:
        return [Para(f"途经道路均不在禁挖保护期内（核查日 {a.as_of.isoformat()}）。")]
    return [Para(t) for t in texts]


def _reasons(a: Assessment, limits: drafting.TimeLimits | None) -> list[Block]:
    out: list[Block] = [Para(f"审批路径：{drafting.PATH_NAME_ZH.get(a.approval_path, '—')}。")]
    if not a.applicable:  # the site's R1 reasons decide; the lines' own paths do not apply
        return out + [Para(drafting.reason_text(r)) for r in a.reasons]
    for u, result in a.utilities.items():
        name = UTILITY_ZH.get(u, u)
        path = drafting.PATH_NAME_ZH.get(result.approval_path, "—")
        for r in result.reasons:
            out.append(Para(f"{name}（{path}）：{drafting.reason_text(r)}"))
    if limits is not None:
        out += [Para(text) for text in limits.coordinator()]
    return out


def _conditions(a: Assessment, *, profile: Profile) -> list[str]:
    out = [drafting.planning_conclusion(a)]
    if a.approval_path in ("commitment", "joint"):
        out.append(
            "外线工程沿道路人行道（公共通道）敷设，不得穿越其他地块（实施方案 二、四(二)）；"
            "管线排列顺序和水平净距执行 GB 50289-2016《城市工程管线综合规划规范》。"
        )
        plan = a.shared_trench
        if plan is not None and plan.saved_m > 0:
            out.append("各专业外线应同沟敷设、一次开挖、协同施工（实施方案 三6）。")
        if any(line.route.dig_once for line in drafting.lines_of(a)):
            out.append(
                "途经禁挖保护期道路，开挖前须经市城管委特别批准（城市道路管理条例 第三十三条）。"
            )
        if a.cost_joint is not None and a.cost_joint.total > 0:
            share = profile.finance.city_share
            out.append(
                f"外线工程估算费用约 {a.cost_joint.total / 1e4:.1f} 万元（指示性单价），不由用户承担，"
                f"由市、区财政按 {share:.0%} / {1 - share:.0%} 承担（实施方案 八(六)）。"
            )
    return [f"{k}. {text}" for k, text in enumerate(out, start=1)]


def planning_opinion_document(
    assessment: Assessment,
    intake: Intake | None = None,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime | None = None,
    red_line: BaseGeometry | None = None,
) -> Document:
    """Return the drafted planning opinion as a document (see :func:`planning_opinion_html`)."""
    a = assessment
    drafting.check_pair(a, intake)
    limits = drafting.time_limits(a, start=start, profile=profile) if start is not None else None
    limit = profile.commitment.max_length_m
    blocks: list[Block] = [
        Heading(OPINION_TITLE, level=0),
        Para(OPINION_SUBTITLE, "subtitle"),
        Heading(OPINION_HEADINGS["overview"]),
        _overview(a, intake, G, start=start),
        Para(a.demand_note(), "note"),
        Heading(OPINION_HEADINGS["lines"]),
        Para(OPINION_LENGTH_RULE.format(limit=f"{limit:g}", profile=policy_title(profile))),
        _lines_table(a, profile=profile),
    ]
    blocks += [Para(drafting.line_summary(line, profile=profile)) for line in drafting.lines_of(a)]
    blocks += [Para(text) for text in drafting.capacity_sentences(a)]
    blocks += [
        Heading(OPINION_HEADINGS["dig_once"]),
        *_dig_once(a),
        Heading(OPINION_HEADINGS["trench"]),
        *_trench(a, G),
        Heading(OPINION_HEADINGS["reasons"]),
        *_reasons(a, limits),
        Heading(OPINION_HEADINGS["opinion"]),
        *(Para(text) for text in _conditions(a, profile=profile)),
        Para(OPINION_SIGNATURES, "right"),
        Para(OPINION_DATE, "right"),
        Para(OPINION_NOTE.format(as_of=a.as_of.isoformat(), profile=policy_title(profile)), "note"),
    ]
    if drafting.lines_of(a):
        blocks += [Heading(OPINION_HEADINGS["map"]), route_map(a, G, red_line=red_line)]
    name = intake.project_name if intake is not None else a.name
    code = (intake.project_code if intake is not None else None) or a.project_id
    return Document(
        title=TITLE_OF_PROJECT.format(title=OPINION_TITLE, project=name),
        blocks=blocks,
        running_head=RUNNING_HEAD.format(title=OPINION_TITLE, code=code),
    )


def planning_opinion_html(
    assessment: Assessment,
    intake: Intake | None = None,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime | None = None,
    red_line: BaseGeometry | None = None,
) -> str:
    """Return the drafted planning opinion (规划意见（草拟）) as a self-contained HTML page.

    Parameters
    ----------
    assessment
        The site's assessment (:func:`planning.assess.assess_sites`).
    intake
        The site's intake form (project name, code, applicant), optional.
    G
        The workspace's corridor graph (addresses, route map).
    profile
        The policy profile the assessment used.
    start
        When the request was received; with it the time limits of the approval path are shown.
    red_line
        The site's polygon (建筑区划红线), drawn on the route map when given.

    Raises
    ------
    ValidationError
        If the form's ``site_id`` names another site.
    """
    doc = planning_opinion_document(
        assessment, intake, G=G, profile=profile, start=start, red_line=red_line
    )
    return to_html(doc)


def planning_opinion_pdf(
    assessment: Assessment,
    intake: Intake | None,
    path: str | Path,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime | None = None,
    red_line: BaseGeometry | None = None,
    font: CJKFont | None = None,
) -> Path:
    """Write the drafted planning opinion as an A4 PDF with an embedded Chinese font.

    Parameters are those of :func:`planning_opinion_html`, plus ``path`` and ``font``.

    Returns
    -------
    Path
        ``path``.
    """
    doc = planning_opinion_document(
        assessment, intake, G=G, profile=profile, start=start, red_line=red_line
    )
    return to_pdf(doc, path, font=font)
