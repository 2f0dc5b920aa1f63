"""The documents' fixed texts: titles, headings, notes, signature lines and the page footer.

One place for every sentence the 附件2 / 附件3 forms and the drafted planning opinion print
whatever the project (HTML and PDF are rendered from the same blocks, so both read them from
here). Texts with ``{name}`` fields are filled with :meth:`str.format` by the module that
builds the document; the forms' grid labels stay with their grids (they are the form's layout).
"""

from __future__ import annotations

__all__ = [
    "APPROVAL_SHEET_NOTE",
    "APPROVAL_SHEET_TITLE",
    "BLANK_DATE",
    "BLANK_FORM_NUMBER",
    "INTAKE_EXTRA_NOTE",
    "INTAKE_FORM_NUMBER",
    "INTAKE_FORM_TITLE",
    "ISSUED_LINE",
    "NO_ACCESS",
    "OPINION_DATE",
    "OPINION_HEADINGS",
    "OPINION_LENGTH_RULE",
    "OPINION_NOTE",
    "OPINION_SIGNATURES",
    "OPINION_SUBTITLE",
    "OPINION_TITLE",
    "PAGE_NUMBER",
    "RUNNING_HEAD",
    "SIGNED_AT",
    "SIGNED_BY",
    "TITLE_OF_PROJECT",
]

INTAKE_FORM_TITLE = "用户水、气、热、电、网需求信息采集单"
"""Title of seed 附件2."""

APPROVAL_SHEET_TITLE = "用户水、气、热、电、网联合服务事项综合审批意见单"
"""Title of seed 附件3."""

OPINION_TITLE = "规划意见（草拟）"
"""Title of the drafted planning opinion."""

OPINION_SUBTITLE = "市自然资源和规划局 · 用户水、气、热、电、网联动接入外线工程"

TITLE_OF_PROJECT = "{title}（{project}）"
"""A document's ``<title>`` and PDF title: the form's title and the project's name."""

BLANK_DATE = "　　年　　月　　日"
"""A date left for handwriting, as printed on the forms."""

BLANK_FORM_NUMBER = "　　　　年（　　）号"
"""The intake form's number left blank for the window to fill in."""

INTAKE_FORM_NUMBER = "编号：{number}"

INTAKE_EXTRA_NOTE = "附加信息（非采集单栏目）：{items}。"
"""Below 附件2: what the form has no box for (site id, preferred operators), ``；``-joined."""

NO_ACCESS = "暂无外线接入（需提前布局管网）"
"""The access address of a site none of whose utilities can be connected yet."""

SIGNED_AT = f"签批时间：{BLANK_DATE}"
"""Foot of each opinion box of 附件3, above the handwritten signature."""

SIGNED_BY = "签批人：{signer}　签批时间：{at}"
"""Foot of an opinion box signed in Linkplan: the signer's name and the 签批时间."""

ISSUED_LINE = "文号：{number}　统一出件时间：{at}"
"""Under the title of an issued 附件3 (统一出件): the document number and when it was issued."""

APPROVAL_SHEET_NOTE = (
    "注：项目名称 {name}（地块编号 {project_id}）。意见栏为 Linkplan 依据 "
    "{as_of} 评估结果和《{profile}》草拟的参考意见，"
    "时限自 {start} 受理起按法定工作日计算，以各部门签批为准。"
)

OPINION_HEADINGS: dict[str, str] = {
    "overview": "一、项目概况",
    "lines": "二、外线工程",
    "dig_once": "三、禁挖保护（城市道路管理条例 第三十三条）",
    "trench": "四、联合施工与断面校核（实施方案 三6，GB 50289）",
    "reasons": "五、审批路径及理由",
    "opinion": "六、规划意见（草拟）",
    "map": "附图",
}
"""The planning opinion's sections, in order."""

OPINION_LENGTH_RULE = (
    "外线长度自建筑区划红线量至接驳点：红线至人行道的引入段加沿道路（人行道、车行道横穿）"
    "部分；告知承诺限值为小于 {limit} m（《{profile}》二、四(二)1）。"
)

OPINION_SIGNATURES = "拟稿：　　　　　　审核：　　　　　　签发：　　　　　　"

OPINION_DATE = f"日期：{BLANK_DATE}"

OPINION_NOTE = (
    "本意见由 Linkplan 依据 {as_of} 的评估结果和《{profile}》"
    "草拟，供审核签批参考，以签发文本为准。"
)

PAGE_NUMBER = "第 {page} 页"
"""The PDF's page footer."""

RUNNING_HEAD = "{title}（续）　项目代码：{code}"
"""Top of every PDF page after the first: the form's title and the project code (地块编号
when the form gives no code), so a separated page is still identified."""
