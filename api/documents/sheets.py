"""The intake window's forms: 需求信息采集单 (seed 附件2) and 综合审批意见单 (seed 附件3).

:func:`intake_form_html` prints an :class:`~planning.intake.Intake` on the layout of 附件2
(same rows and labels, ☑/☐ for the boxes). :func:`approval_sheet_html` and
:func:`approval_sheet_pdf` fill 附件3 from a site's assessment and its form: the applicant's
fields, the construction period, the 报装接入地点 (one line per distinct road-section address,
with the lines leaving there) and the drafted opinions of 市自然资源和规划局, 市城管委 and
市行政审批局, each with its time limit above a blank 签批时间 for the handwritten signature.
Where a department signed its opinion in Linkplan (``opinions``), its box shows the decision,
the signed text, conditions or reasons, the signer and the 签批时间 instead of the draft; an
issued sheet (``final``, 统一出件) carries its document number and time under the title.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx

from api.documents import drafting
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
    number,
    rows,
    to_html,
    to_pdf,
    zh_datetime,
)
from api.documents.texts import (
    APPROVAL_SHEET_NOTE,
    APPROVAL_SHEET_NOTE_DRAFTED,
    APPROVAL_SHEET_NOTE_SIGNED,
    APPROVAL_SHEET_TITLE,
    BLANK_FORM_NUMBER,
    INTAKE_EXTRA_NOTE,
    INTAKE_FORM_NUMBER,
    INTAKE_FORM_TITLE,
    ISSUED_LINE,
    NO_ACCESS,
    RUNNING_HEAD,
    SIGNED_AT,
    SIGNED_BY,
    TITLE_OF_PROJECT,
)
from gis import vocabulary
from gis.profile import Profile
from gis.schema import OPERATOR_NAMES_ZH
from planning.assess import Assessment
from planning.intake import UTILITY_LABELS_ZH, Intake
from planning.joint_approval import FinalSheet, Opinion, Signed

__all__ = [
    "APPROVAL_SHEET_TITLE",
    "INTAKE_FORM_TITLE",
    "approval_sheet_document",
    "approval_sheet_html",
    "approval_sheet_pdf",
    "intake_form_document",
    "intake_form_html",
    "intake_form_pdf",
    "tick",
]

_OPINION_MIN_MM = 42.0
"""Least height of an opinion row: room for a handwritten opinion and signature."""


def tick(checked: bool, text: str) -> str:
    """Return a form box with its label: ``☑ 用水`` or ``☐ 用水``.

    Examples
    --------
    >>> tick(True, "用水"), tick(False, "用电")
    ('☑ 用水', '☐ 用电')
    """
    return f"{'☑' if checked else '☐'} {text}"


def _yes_no(value: bool | None) -> str:
    return f"{tick(value is True, '是')}　{tick(value is False, '否')}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _qty(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    return f"{number(float(value))} {unit}".rstrip()


# ------------------------------------------------------------------------------ 附件2


def intake_form_document(intake: Intake) -> Document:
    """Return the intake form (附件2) as a document (see :func:`intake_form_html`)."""
    wanted = set(intake.utilities)
    water, power, gas, heat, telecom = (
        intake.water,
        intake.power,
        intake.gas,
        intake.heat,
        intake.telecom,
    )
    grid: list[list[Cell]] = [
        [
            label("项目名称"),
            cell(intake.project_name, colspan=3),
            label("申请单位"),
            cell(_text(intake.applicant), colspan=2),
        ],
        [
            label("信用代码"),
            cell(_text(intake.credit_code), colspan=3),
            label("项目代码"),
            cell(_text(intake.project_code), colspan=2),
        ],
        [
            label("项目地址"),
            cell(_text(intake.address), colspan=3),
            label("身份证号"),
            cell(_text(intake.id_number), colspan=2),
        ],
        [
            label("法定代表人"),
            cell(_text(intake.legal_representative)),
            label("联系人"),
            cell(_text(intake.contact)),
            label("联系电话"),
            cell(_text(intake.phone), colspan=2),
        ],
        [
            label("申请联合报装接入内容", rowspan=2),
            *(
                cell(tick(u in wanted, UTILITY_LABELS_ZH[u]), colspan=2)
                for u in ("water", "power", "gas")
            ),
        ],
        [
            *(
                cell(tick(u in wanted, UTILITY_LABELS_ZH[u]), colspan=2)
                for u in ("heat", "telecom")
            ),
            cell("", colspan=2),
        ],
        # water
        [cell(tick("water" in wanted, "用水报装接入（选填）"), colspan=7)],
        [
            label("用水规模："),
            cell(f"{_qty(water.water_m3_day) if water else '　　'} 立方米/日".strip(), colspan=6),
        ],
        # power
        [cell(tick("power" in wanted, "用电报装接入（选填）"), colspan=7)],
        [
            label("业务类型："),
            *(
                cell(tick(power is not None and power.business_type == key, zh), colspan=2)
                for key, zh in (("new", "新装"), ("expansion", "扩容"), ("temporary", "临时用电"))
            ),
        ],
        [
            label("主供容量"),
            cell(f"{_qty(power.main_capacity_kva) if power else '　　'} 千伏安（千瓦）", colspan=2),
            label("备供容量", colspan=2),
            cell(
                f"{_qty(power.backup_capacity_kva) if power else '　　'} 千伏安（千瓦）", colspan=2
            ),
        ],
        # gas
        [cell(tick("gas" in wanted, "用气报装接入（选填）"), colspan=7)],
        [
            label("设备名称", rowspan=2),
            label("数量", rowspan=2),
            label("燃烧器口径", rowspan=2),
            label("用气压力（KPA）", colspan=2),
            label("天然气负荷（方/小时）", colspan=2),
        ],
        [label("工作"), label("设备"), label("正常工作"), label("满负荷")],
    ]
    equipment = list(gas.equipment) if gas is not None else []
    for row in equipment:
        grid.append(
            [
                cell(row.name, align="center"),
                cell(str(row.count), align="center"),
                cell(_qty(row.burner_diameter_mm), align="center"),
                cell(_qty(row.working_pressure_kpa), align="center"),
                cell(_qty(row.equipment_pressure_kpa), align="center"),
                cell(_qty(row.normal_m3_h), align="center"),
                cell(_qty(row.full_load_m3_h), align="center"),
            ]
        )
    for _ in range(max(0, 2 - len(equipment))):  # blank rows to write in
        grid.append([cell("") for _ in range(7)])
    grid += [
        # heat
        [cell(tick("heat" in wanted, "供热报装接入（选填）"), colspan=7)],
        [
            label("用热参数", rowspan=2),
            label("压力（MPA）"),
            label("温度（°C）"),
            label("正常生产小时用量（T/H）"),
            label("满负荷小时用量（T/H）"),
            label("生产时间（小时）"),
            label("年生产天数（天）"),
        ],
        [
            cell(_qty(v), align="center")
            for v in (
                (
                    heat.pressure_mpa,
                    heat.temperature_c,
                    heat.normal_t_h,
                    heat.full_load_t_h,
                    heat.hours_per_day,
                    None if heat.days_per_year is None else float(heat.days_per_year),
                )
                if heat is not None
                else (None,) * 6
            )
        ],
        # telecom
        [cell(tick("telecom" in wanted, "网络报装接入（选填）"), colspan=7)],
        [
            cell(
                "通信设施是否采用光纤到户/光纤到用户单元方式建设："
                + _yes_no(telecom.ftth if telecom else None),
                colspan=7,
            )
        ],
        [
            cell(
                "红线内弱电配套设施是否具备："
                + _yes_no(telecom.weak_current_ready if telecom else None),
                colspan=7,
            )
        ],
        [
            label("带宽需求"),
            cell(f"{telecom.bandwidth_households if telecom else '　　'} 户", colspan=2),
            label("无线基站覆盖需求", colspan=2),
            cell(f"{telecom.base_stations if telecom else '　　'} 个", colspan=2),
        ],
        [
            label("有线电视需求"),
            cell(f"{telecom.cable_tv_households if telecom else '　　'} 户", colspan=2),
            label("用户是否可自由选择通信业务经营者", colspan=2),
            cell(_yes_no(telecom.free_operator_choice if telecom else None), colspan=2),
        ],
    ]
    number_text = intake.form_number or BLANK_FORM_NUMBER
    blocks: list[Block] = [
        Heading(INTAKE_FORM_TITLE, level=0),
        Para(INTAKE_FORM_NUMBER.format(number=number_text), "right"),
        Grid(rows(*grid), widths=(16, 12, 12, 13, 13, 16, 18)),
    ]
    extra = []
    if intake.site_id:
        extra.append(f"地块编号 {intake.site_id}")
    if telecom is not None and telecom.preferred_operators:
        names = "、".join(OPERATOR_NAMES_ZH.get(o, o) for o in telecom.preferred_operators)
        extra.append(f"意向通信运营商 {names}")
    if extra:
        blocks.append(Para(INTAKE_EXTRA_NOTE.format(items="；".join(extra)), "note"))
    title = TITLE_OF_PROJECT.format(title=INTAKE_FORM_TITLE, project=intake.project_name)
    return Document(title=title, blocks=blocks, one_page=True)


def intake_form_html(intake: Intake) -> str:
    """Return the intake form (seed 附件2) filled from ``intake`` as a self-contained HTML page.

    Parameters
    ----------
    intake
        The form (:func:`planning.intake.parse_intake`, ``Intake.model_validate``).

    Returns
    -------
    str
        An HTML page (``lang="zh-CN"``, inline CSS, A4 print layout) with the rows and labels
        of 附件2; requested utilities, business type and yes/no answers as ☑/☐.
    """
    return to_html(intake_form_document(intake))


def intake_form_pdf(intake: Intake, path: str | Path, *, font: CJKFont | None = None) -> Path:
    """Write the intake form (seed 附件2) as a one-page A4 PDF with an embedded Chinese font.

    The form is one sheet: when many gas appliances make it longer than a page, it is scaled
    down as a whole to fit (the text stays selectable).

    Parameters
    ----------
    intake
        The form (see :func:`intake_form_html`).
    path
        The PDF file to write.
    font
        Default :func:`api.documents.fonts.cjk_font`.

    Returns
    -------
    Path
        ``path``.
    """
    return to_pdf(intake_form_document(intake), path, font=font)


# ------------------------------------------------------------------------------ 附件3


def _minute(text: str) -> str:
    """Return a stored ISO time (``2026-12-07T21:05``) as ``2026年12月7日21:05``."""
    try:
        return zh_datetime(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


def signed_lines(opinion: Opinion) -> list[str]:
    """Return the lines of a signed opinion's box: decision, text, conditions or reasons.

    Examples
    --------
    >>> signed_lines(Opinion("urban", "conditional", "拟同意开挖。", conditions="夜间施工"))
    ['审批意见：附条件同意', '拟同意开挖。', '附加条件：夜间施工']
    """
    out = [f"审批意见：{vocabulary.OPINION_DECISIONS.label(opinion.decision)}"]
    out += [line for line in opinion.text.splitlines() if line.strip()]
    if opinion.conditions:
        out.append(f"附加条件：{opinion.conditions}")
    if opinion.reasons:
        out.append(f"退回理由：{opinion.reasons}")
    return out


def signature(opinion: Opinion) -> str:
    """Return the foot of a signed opinion: signer and 签批时间.

    Examples
    --------
    >>> signature(Opinion("planning", "agree", "同意", signer="规划局 王工", at="2026-12-07T21:05"))
    '签批人：规划局 王工　签批时间：2026年12月7日21:05'
    """
    return SIGNED_BY.format(signer=opinion.signer or opinion.by, at=_minute(opinion.at))


def issued_blocks(final: FinalSheet | None) -> list[Block]:
    """Return the lines under the title of an issued sheet: number and time, commitment basis."""
    if final is None:
        return []
    out: list[Block] = [
        Para(ISSUED_LINE.format(number=final.number, at=_minute(final.issued_at)), "right")
    ]
    if final.basis:
        out.append(Para(final.basis, "body"))
    return out


def approval_sheet_document(
    assessment: Assessment,
    intake: Intake | None,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime,
    period: tuple[dt.date, dt.date] | None = None,
    signed: Signed | None = None,
) -> Document:
    """Return the 综合审批意见单 (附件3) as a document (see :func:`approval_sheet_html`)."""
    drafting.check_pair(assessment, intake)
    drafting.check_period(period)
    limits = drafting.time_limits(assessment, start=start, profile=profile)
    if signed is not None and signed.final is not None:  # issued: 接入 counts from 审批办结
        issued = dt.datetime.fromisoformat(signed.final.issued_at)
        limits = limits.after_approval(issued, profile=profile)
    addresses = [
        f"{address}（{'、'.join(labels)}）"
        for address, labels in drafting.access_addresses(assessment, G)
    ] or [NO_ACCESS]

    given_by = signed.opinions if signed else {}

    def opinion(department: str, drafted: list[str], feet: list[str]) -> list[Cell]:
        who = f"{vocabulary.DEPARTMENTS.label(department)}意见"
        given = given_by.get(department)
        if given is None:
            lines, foot = drafted, (*feet, SIGNED_AT)
        else:
            lines, foot = signed_lines(given), (*feet, signature(given))
        return [label(who), cell(*lines, colspan=3, foot=foot, min_height_mm=_OPINION_MIN_MM)]

    i = intake
    grid = [
        [label("项目代码"), cell(_text(i and i.project_code), colspan=3)],
        [
            label("申请单位"),
            cell(_text(i and i.applicant)),
            label("法定代表人（负责人）"),
            cell(_text(i and i.legal_representative)),
        ],
        [label("单位地址"), cell(_text(i and i.address), colspan=3)],
        [
            label("联系人"),
            cell(_text(i and i.contact)),
            label("联系电话"),
            cell(_text(i and i.phone)),
        ],
        [label("施工时间"), cell(drafting.period_text(period), colspan=3)],
        [label("报装接入地点（详细路段地址）"), cell(*addresses, colspan=3)],
        opinion(
            "planning",
            drafting.planning_opinion_short(assessment, profile=profile),
            limits.department(),
        ),
        opinion(
            "urban",
            drafting.roads_opinion(assessment, G, profile=profile),
            limits.department(),
        ),
        opinion(
            "approval",
            drafting.approval_opinion(assessment, profile=profile),
            limits.coordinator(),
        ),
    ]
    name = i.project_name if i is not None else assessment.name
    note = _sheet_note(assessment, name, profile=profile, start=start, signed=signed)
    code = i.project_code if i is not None and i.project_code else assessment.project_id
    return Document(
        title=TITLE_OF_PROJECT.format(title=APPROVAL_SHEET_TITLE, project=name),
        running_head=RUNNING_HEAD.format(title=APPROVAL_SHEET_TITLE, code=code),
        blocks=[
            Heading(APPROVAL_SHEET_TITLE, level=0),
            *issued_blocks(signed.final if signed else None),
            Grid(rows(*grid), widths=(25, 29, 19, 27)),
            Para(note, "note"),
            Para(assessment.demand_note(), "note"),
        ],
    )


def approval_sheet_html(
    assessment: Assessment,
    intake: Intake | None,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime,
    period: tuple[dt.date, dt.date] | None = None,
    signed: Signed | None = None,
) -> str:
    """Return the 综合审批意见单 (seed 附件3) filled from an assessment as an HTML page.

    Parameters
    ----------
    assessment
        The site's assessment (:func:`planning.assess.assess_sites`).
    intake
        The site's intake form (applicant, legal representative, address, contact, phone,
        project code); ``None`` leaves those boxes blank.
    G
        The workspace's corridor graph (for the road-section addresses).
    profile
        The policy profile the assessment used (thresholds, deadlines).
    start
        When the request was received (naive local China time): the time limits count from it.
    period
        Construction period ``(first day, last day)``; ``None`` leaves
        ``年 月 日起至 年 月 日`` blank.
    signed
        The departments' signed opinions by department value (planning, urban, approval),
        each replacing its drafted text with its signer and 签批时间, and the issued sheet
        (统一出件), whose number and time are printed under the title.

    Returns
    -------
    str
        A self-contained HTML page (``lang="zh-CN"``, inline CSS, A4 print layout).

    Raises
    ------
    ValidationError
        If the form's ``site_id`` names another site.
    CalendarError
        If ``period`` ends before it starts (a calendar error of the time limits is printed in
        the sheet instead of a date).
    """
    return to_html(
        approval_sheet_document(
            assessment,
            intake,
            G=G,
            profile=profile,
            start=start,
            period=period,
            signed=signed,
        )
    )


def approval_sheet_pdf(
    assessment: Assessment,
    intake: Intake | None,
    path: str | Path,
    *,
    G: nx.Graph,
    profile: Profile,
    start: dt.datetime,
    period: tuple[dt.date, dt.date] | None = None,
    font: CJKFont | None = None,
) -> Path:
    """Write the 综合审批意见单 (seed 附件3) as an A4 PDF with an embedded Chinese font.

    Parameters are those of :func:`approval_sheet_html`, plus ``path`` (the PDF to write) and
    ``font`` (default :func:`api.documents.fonts.cjk_font`). The sheet with the departments'
    signed opinions: :func:`api.documents.render.to_pdf` of :func:`approval_sheet_document`
    given ``signed``.

    Returns
    -------
    Path
        ``path``.
    """
    doc = approval_sheet_document(
        assessment, intake, G=G, profile=profile, start=start, period=period
    )
    return to_pdf(doc, path, font=font)


def _sheet_note(
    assessment: Assessment,
    name: str,
    *,
    profile: Profile,
    start: dt.datetime,
    signed: Signed | None,
) -> str:
    """Return the note under 附件3: which opinions are signed, which drafted, the time limits."""
    facts = {
        "name": name,
        "project_id": assessment.project_id,
        "as_of": assessment.as_of.isoformat(),
        "profile": drafting.policy_title(profile),
        "start": f"{start:%Y-%m-%d %H:%M}",
    }
    given = [d for d in vocabulary.DEPARTMENTS.values if signed and d in signed.opinions]
    if not given:
        return APPROVAL_SHEET_NOTE.format(**facts)
    labels = vocabulary.DEPARTMENTS.labels()
    left = len(given) < len(vocabulary.DEPARTMENTS.values)
    return APPROVAL_SHEET_NOTE_SIGNED.format(
        signed="、".join(labels[d] for d in given),
        drafted=APPROVAL_SHEET_NOTE_DRAFTED.format(**facts) if left else "",
        **facts,
    )
