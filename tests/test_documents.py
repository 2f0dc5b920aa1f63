"""Documents of the demo district: 附件2 intake form, 附件3 approval sheet, planning opinion.

PDFs are checked the way a reader meets them: page 1 is rendered with pdfium (it must not be
blank where the form's table is) and its text is extracted again (Chinese comes back exactly
only when the font is embedded with a correct Unicode mapping). The rendered pages are kept in
``build/test-artifacts/`` for a look.
"""

import datetime as dt
import logging
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

import planning  # noqa: F401  (registers the policy profiles)
from api.documents import (
    approval_sheet_html,
    approval_sheet_pdf,
    cjk_font,
    intake_form_html,
    planning_opinion_html,
    planning_opinion_pdf,
)
from api.documents.fonts import CID_FALLBACK, ENV_VAR, find_cjk_font
from api.documents.render import (
    Document,
    Figure,
    Grid,
    Heading,
    Para,
    Text,
    cell,
    label,
    rows,
    to_html,
)
from data.demo_district import DEMO_CASES
from data.demo_intakes import demo_intakes
from gis.errors import CalendarError, ValidationError
from gis.profile import load_profile
from planning.assess import assess_sites
from planning.calendar import deadlines_for_path
from planning.intake import parse_intake

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "build" / "test-artifacts"
AS_OF = dt.date(2026, 11, 29)
START = dt.datetime(2026, 11, 30, 10, 0)  # a Monday, a working day
PERIOD = (dt.date(2026, 12, 1), dt.date(2026, 12, 20))
JINGMEN = load_profile("jingmen-2023")
FORMS = {f["site_id"]: f for f in demo_intakes()}
IDENTITY = {
    "form_number": "2026年（12）号",
    "project_name": "荆门精工机械零部件项目",
    "applicant": "荆门精工机械有限公司",
    "credit_code": "91350100M000100Y43",
    "project_code": "2301-420804-04-01-123456",
    "address": "荆门市掇刀区掇刀路88号",
    "id_number": "11010519491231002X",
    "legal_representative": "张三",
    "contact": "李四",
    "phone": "0724-2345678",
}


@pytest.fixture(scope="module")
def intakes():
    forms = {pid: parse_intake(f, require_identity=False) for pid, f in FORMS.items()}
    forms["JM-2026-001"] = parse_intake({**FORMS["JM-2026-001"], **IDENTITY})
    return forms


@pytest.fixture(scope="module")
def results(demo_ws, intakes):
    demands = {
        pid: intakes[pid].demand_summary(profile=JINGMEN).to_demand(profile=JINGMEN)
        for pid in DEMO_CASES
    }
    out = assess_sites(demo_ws, profile=JINGMEN, demands=demands, as_of=AS_OF)
    return {a.project_id: a for a in out}


@pytest.fixture(scope="module")
def graph(demo_ws):
    return demo_ws.corridor_graph()


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert "<style>" in page and "@page { size: A4;" in page
    for outside in ("<script", "<link", "src=", "@import", "url("):
        assert outside not in page


# ------------------------------------------------------------------------- 附件2


def test_intake_form_has_the_rows_of_the_seed_and_ticks_the_requests(intakes):
    page = intake_form_html(intakes["JM-2026-001"])
    _self_contained(page)
    assert "<h1>用户水、气、热、电、网需求信息采集单</h1>" in page
    labels = [
        "项目名称", "申请单位", "信用代码", "项目代码", "项目地址", "身份证号", "法定代表人",
        "联系人", "联系电话", "申请联合报装接入内容", "用水报装接入（选填）", "用水规模：",
        "用电报装接入（选填）", "业务类型：", "主供容量", "备供容量", "用气报装接入（选填）",
        "设备名称", "数量", "燃烧器口径", "用气压力（KPA）", "工作", "设备",
        "天然气负荷（方/小时）", "正常工作", "满负荷", "供热报装接入（选填）", "用热参数",
        "压力（MPA）", "温度（°C）", "正常生产小时用量（T/H）", "满负荷小时用量（T/H）",
        "生产时间（小时）", "年生产天数（天）", "网络报装接入（选填）",
        "通信设施是否采用光纤到户/光纤到用户单元方式建设：", "红线内弱电配套设施是否具备：",
        "带宽需求", "无线基站覆盖需求", "有线电视需求", "用户是否可自由选择通信业务经营者",
    ]  # fmt: skip
    missing = [label for label in labels if label not in page]
    assert missing == []
    for text in IDENTITY.values():
        assert text in page
    assert "编号：2026年（12）号" in page
    # 申请联合报装接入内容 and the sections: water and power requested, the rest not
    for ticked in ("☑ 用水", "☑ 用电", "☑ 用水报装接入（选填）", "☑ 新装"):
        assert ticked in page
    for unticked in ("☐ 用气", "☐ 供热", "☐ 网络", "☐ 扩容", "☐ 临时用电"):
        assert unticked in page
    assert "60 立方米/日" in page and "630 千伏安（千瓦）" in page


def test_intake_form_gas_rows_and_telecom_answers(intakes):
    page = intake_form_html(intakes["JM-2026-014"])  # gas and telecom
    assert "☑ 用气" in page and "☑ 网络" in page and "☐ 用水" in page
    assert '<td class="center">燃气锅炉</td>' in page
    assert '<td class="center">50</td>' in page  # 50 m³/h, normal and full load
    assert "通信设施是否采用光纤到户/光纤到用户单元方式建设：☑ 是　☐ 否" in page
    assert "用户是否可自由选择通信业务经营者" in page and "☐ 是　☑ 否" in page


def test_intake_form_escapes_what_the_applicant_typed(intakes):
    form = intakes["JM-2026-001"].model_copy(update={"project_name": "A<script>&B"})
    page = intake_form_html(form)
    assert "A&lt;script&gt;&amp;B" in page and "<script>" not in page


def test_every_text_of_a_document_reaches_the_html_page_escaped():
    """The page template escapes each text: title, generator, headings, paragraphs, cells,
    their feet, the figure's labels, caption and aria-label, in elements and attributes."""
    typed = "x\"<script>&'y"
    doc = Document(
        title=typed,
        author=typed,
        blocks=[
            Heading(typed, level=0),
            Heading(typed),
            Para(typed, "note"),
            Grid(
                rows([label(typed), cell(typed, typed, foot=(typed,), min_height_mm=5)]),
                widths=(1, 2),
            ),
            Figure(20, 10, shapes=(Text(1, 1, typed, angle=30),), caption=typed),
        ],
    )
    page = to_html(doc)
    assert page.count("x&#34;&lt;script&gt;&amp;&#39;y") == 12
    assert typed not in page and "<script" not in page and "'y" not in page


# ------------------------------------------------------------------------- 附件3


def test_approval_sheet_html_is_filled_from_the_assessment_and_the_form(results, intakes, graph):
    page = approval_sheet_html(
        results["JM-2026-001"],
        intakes["JM-2026-001"],
        G=graph,
        profile=JINGMEN,
        start=START,
        period=PERIOD,
    )
    _self_contained(page)
    assert "<h1>用户水、气、热、电、网联合服务事项综合审批意见单</h1>" in page
    for text in (
        "2301-420804-04-01-123456",
        "荆门精工机械有限公司",
        "法定代表人（负责人）",
        "张三",
        "荆门市掇刀区掇刀路88号",
        "李四",
        "0724-2345678",
        "2026年12月1日起至2026年12月20日",
    ):
        assert text in page
    # water and power leave the site at the same frontage: one address line for both
    assert page.count("掇刀路（荆南快速路至石化大道段）东侧人行道（供水、供电）") == 1
    for who in ("市自然资源和规划局意见", "市城管委意见", "市行政审批局意见"):
        assert who in page
    # measured from the red line (seed 二): the 4.0 m lead-in plus 120.0 m along 掇刀路
    assert "供水：外线长度 124.0 m（红线引入段 4.0 m + 沿道路 120.0 m），小于告知承诺限值 300 m" in page
    assert "挖掘人行道：掇刀路（荆南快速路至石化大道段）东侧人行道 120.0 m（供水）" in page
    assert "审批路径：告知承诺制，即时办结（实施方案 四(二)1）" in page
    # commitment: decided at once; connection 0.5 working day = 3.5 office hours after 10:00
    assert "办理时限：即时办结（2026年11月30日10:00受理）" in page
    assert "接入时限：2026年11月30日16:00前" in page
    nodes = deadlines_for_path(START, "commitment", profile=JINGMEN)
    assert nodes["connection"] == dt.datetime(2026, 11, 30, 16, 0)
    assert page.count("签批时间：　　年　　月　　日") == 3


def test_approval_sheet_of_a_joint_approval_shows_its_deadlines_and_dig_once(results, graph):
    page = approval_sheet_html(results["JM-2026-011"], None, G=graph, profile=JINGMEN, start=START)
    # blank boxes: no form, no period
    assert "　　年　　月　　日起至　　年　　月　　日" in page
    assert "天鹅路（凤凰大道至延年路段）东侧人行道（供水）" in page
    # 2 working days from Mon 11-30 (start day not counted): Wed 12-02 18:00; then 3 more:
    # Mon 12-07 18:00; connection 0.5 working day later: Tue 12-08 12:00
    assert "资料提交时限：2026年12月2日18:00前" in page
    assert "办理时限：2026年12月7日18:00前" in page
    assert "接入时限：2026年12月8日12:00前" in page
    nodes = deadlines_for_path(START, "joint", profile=JINGMEN)
    assert (nodes["submission"], nodes["approval"], nodes["connection"]) == (
        dt.datetime(2026, 12, 2, 18, 0),
        dt.datetime(2026, 12, 7, 18, 0),
        dt.datetime(2026, 12, 8, 12, 0),
    )
    assert "禁挖保护期至 2029-09-28" in page and "城市道路管理条例 第三十三条" in page
    assert "联合审批，容缺受理" in page


def test_approval_sheet_names_the_carriageway_dug(results, graph):
    page = approval_sheet_html(results["JM-2026-004"], None, G=graph, profile=JINGMEN, start=START)
    assert "开挖横穿车行道：白云大道（荆南快速路至石化大道段）主干路车行道 16 m（供水）" in page
    # the reasons cite the seed's clauses: a major road (四(二)2) dug across its carriageway (四(二)1)
    assert "外线需穿越主干路「白云大道」（实施方案 四(二)2 重大管(线、路)）" in page
    assert "该等级道路亦不采用顶管/定向钻穿越（实施方案 四(二)1）" in page
    assert re.search(r"R\d", page) is None


def test_approval_sheet_prints_a_calendar_error_instead_of_a_date(results, graph):
    unknown_year = dt.datetime(2099, 3, 2, 9, 0)
    page = approval_sheet_html(
        results["JM-2026-011"], None, G=graph, profile=JINGMEN, start=unknown_year
    )
    # 2099 is beyond the statutory holiday data: still no date, and no server path printed
    assert page.count("办理时限：无法计算（2099 年无节假日安排") == 3
    assert "no statutory holiday schedule for 2099" in page
    assert "holidays.yaml" not in page and "/planning/" not in page


def test_approval_sheet_refuses_a_foreign_form_and_a_reversed_period(results, intakes, graph):
    with pytest.raises(ValidationError, match="not for JM-2026-002"):
        approval_sheet_html(
            results["JM-2026-002"], intakes["JM-2026-001"], G=graph, profile=JINGMEN, start=START
        )
    with pytest.raises(CalendarError, match="end on or after the start"):
        approval_sheet_html(
            results["JM-2026-001"],
            intakes["JM-2026-001"],
            G=graph,
            profile=JINGMEN,
            start=START,
            period=(PERIOD[1], PERIOD[0]),
        )


def _page_image(pdf_path: Path, png_name: str) -> np.ndarray:
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        image = pdf[0].render(scale=1.5).to_pil().convert("L")
    finally:
        pdf.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / png_name)
    return np.asarray(image)


def _text(pdf_path: Path) -> str:
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_approval_sheet_pdf_renders_and_its_chinese_text_comes_back(results, intakes, graph):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = approval_sheet_pdf(
        results["JM-2026-001"],
        intakes["JM-2026-001"],
        ARTIFACTS / "approval_sheet.pdf",
        G=graph,
        profile=JINGMEN,
        start=START,
        period=PERIOD,
    )
    assert path == ARTIFACTS / "approval_sheet.pdf"
    pixels = _page_image(path, "approval_sheet_page1.png")
    h, w = pixels.shape
    table = pixels[int(0.08 * h) : int(0.75 * h), int(0.06 * w) : int(0.94 * w)]
    dark = float((table < 128).mean())
    assert 0.01 < dark < 0.4, dark  # borders and text, not an empty or black page
    text = _text(path)
    assert "综合审批意见单" in text
    assert "用户水、气、热、电、网联合服务事项综合审批意见单" in text
    assert "2301-420804-04-01-123456" in text
    assert "市自然资源和规划局" in text
    flat = "".join(text.split())  # lines wrapped inside cells joined again
    assert "掇刀路（荆南快速路至石化大道段）东侧人行道（供水、供电）" in flat
    assert "接入时限：2026年11月30日16:00前" in flat
    font = cjk_font()
    if font.embedded:
        data = path.read_bytes()
        assert b"/FontFile2" in data  # the TrueType program is in the file
        assert b"/ToUnicode" in data


def test_planning_opinion_cites_lengths_crossings_and_the_cross_section(results, intakes, graph):
    a = results["JM-2026-014"]  # gas and telecom in one trench along 掇刀路
    page = planning_opinion_html(a, intakes["JM-2026-014"], G=graph, profile=JINGMEN, start=START)
    _self_contained(page)
    assert "<h1>规划意见（草拟）</h1>" in page
    assert (
        "燃气：外线长度 204.0 m（红线引入段 4.0 m + 沿道路 200.0 m），小于告知承诺限值 300 m，"
        "直线距离 200.0 m" in page
    )
    (shared,) = [s for s in a.shared_trench.segments if s.shared]
    assert shared.section.fits
    assert shared.section.message in page  # GB 50289 check: width needed and available
    assert "同槽敷设" in page and "少挖 200.0 m（50%）" in page
    assert "掇刀路（荆南快速路至石化大道段）西侧人行道" in page
    assert "<svg" in page and "附图：外线路由示意图" in page
    railway = planning_opinion_html(results["JM-2026-005"], None, G=graph, profile=JINGMEN)
    assert "外线需穿(跨)越铁路「焦柳铁路」（实施方案 四(二)2 重大管(线、路)）" in railway
    dig = planning_opinion_html(results["JM-2026-011"], None, G=graph, profile=JINGMEN)
    assert "禁挖保护期至 2029-09-28" in dig
    exact = planning_opinion_html(results["JM-2026-002"], None, G=graph, profile=JINGMEN)
    # exactly 300.0 m along the road, 304.5 m from the red line: not under 300 m either way
    assert "外线长度 304.5 m（红线引入段 4.5 m + 沿道路 300.0 m），不小于告知承诺限值 300 m" in exact
    assert "联合审批" in planning_opinion_html(
        results["JM-2026-007"], None, G=graph, profile=JINGMEN
    )  # 团林组团: in the seed's scope


def test_planning_opinion_of_a_site_outside_the_scope(intakes, city_scope_ws):
    # the 团林 site against a scope of the central city alone (the demo's has the 组团)
    form = intakes["JM-2026-007"]
    demand = {"JM-2026-007": form.demand_summary(profile=JINGMEN).to_demand(profile=JINGMEN)}
    (a,) = assess_sites(
        city_scope_ws, profile=JINGMEN, site_ids=["JM-2026-007"], demands=demand, as_of=AS_OF
    )
    outside = planning_opinion_html(a, None, G=city_scope_ws.corridor_graph(), profile=JINGMEN)
    assert "不适用联动接入" in outside and "（实施方案 二：主城区及子陵" in outside
    assert "R1" not in outside


def test_planning_opinion_reads_the_threshold_from_the_profile(demo_ws, graph):
    strict = JINGMEN.with_value("commitment.max_length_m", 200.0, source="test: a 200 m city")
    (a,) = assess_sites(demo_ws, profile=strict, site_ids=["JM-2026-015"], as_of=AS_OF)
    page = planning_opinion_html(a, None, G=graph, profile=strict)
    # 201.5 m along the road (220 m less the 10.5 m pull-back at each end, plus a 2.5 m corner)
    # and the 4.0 m lead-in from the red line: 205.5 m, over a 200 m threshold
    assert "外线长度 205.5 m（红线引入段 4.0 m + 沿道路 201.5 m），不小于告知承诺限值 200 m" in page
    assert "审批路径：联合审批" in page


def test_planning_opinion_pdf(results, intakes, graph):
    path = planning_opinion_pdf(
        results["JM-2026-014"],
        intakes["JM-2026-014"],
        ARTIFACTS / "planning_opinion.pdf",
        G=graph,
        profile=JINGMEN,
        start=START,
    )
    pixels = _page_image(path, "planning_opinion_page1.png")
    assert 0.01 < float((pixels < 128).mean()) < 0.4
    flat = "".join(_text(path).split())
    for text in ("规划意见（草拟）", "GB50289", "外线路由示意图", "掇刀路", "200.0"):
        assert text in flat


# ------------------------------------------------------------------------- fonts


def test_font_setting_comes_first_and_a_bad_one_is_reported(monkeypatch, tmp_path, caplog):
    found = find_cjk_font()
    assert found is not None, "no CJK TrueType font: `make test` installs fonts-wqy-microhei"
    monkeypatch.setenv(ENV_VAR, str(found))
    assert find_cjk_font(candidates=[tmp_path / "none.ttf"]) == found
    not_a_font = tmp_path / "not-a-font.ttf"
    not_a_font.write_text("plain text", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(not_a_font))
    with caplog.at_level(logging.WARNING, logger="api.documents.fonts"):
        assert find_cjk_font(candidates=[found]) == found
    assert "not a TrueType font reportlab can embed" in caplog.text


def test_without_a_ttf_the_cid_font_is_used_with_a_warning(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.ttc"))
    with caplog.at_level(logging.WARNING, logger="api.documents.fonts"):
        font = cjk_font(candidates=[tmp_path / "also-missing.ttf"])
    assert (font.name, font.path, font.embedded) == (CID_FALLBACK, None, False)
    assert "no CJK TrueType font found" in caplog.text and ENV_VAR in caplog.text
