"""Documents that print well (issue 14 item 7).

附件2 as a PDF on one A4 page (also from the API and from ``linkplan sheet``); a 附件3 of four
utilities that runs onto a second page repeats its title and the project code there, states
the shared carriageway crossing once and cites only the telecom operator whose line is drawn;
the planning opinion's route map shows the red line and the deciding crossings in the web
maps' colours, with labels that do not overlap.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import A4

import planning  # noqa: F401  (registers the policy profiles)
from api.app import create_app
from api.documents import approval_sheet_pdf, intake_form_pdf
from api.documents.opinion import planning_opinion_document
from api.documents.render import Dot, Figure, Stroke, Text
from api.documents.routemap import (
    CARRIAGEWAY_COLOUR,
    RED_LINE_COLOUR,
    _footprint,
    text_width_mm,
)
from api.documents.texts import APPROVAL_SHEET_TITLE
from api.maps.style import UTILITY_COLOURS
from api.seed import DEV_TOKENS
from api.service import site_outline
from api.settings import Settings
from data.demo_intakes import demo_intakes
from gis.profile import load_profile
from planning.assess import assess_sites
from planning.intake import parse_intake

JINGMEN = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)
START = dt.datetime(2026, 11, 30, 10, 0)
FORMS = {f["site_id"]: f for f in demo_intakes()}
SITE = "JM-2026-001"
CODE = FORMS[SITE]["project_code"]


def _pages(data: bytes) -> list[tuple[tuple[float, float], str]]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [(page.get_size(), page.get_textpage().get_text_range()) for page in pdf]
    finally:
        pdf.close()


def _form(utilities: list[str], *, appliances: int = 2, free_choice: bool = False) -> dict:
    form = {**FORMS[SITE], "utilities": utilities}
    form["gas"] = {
        "equipment": [
            {
                "name": f"燃气锅炉{k + 1}",
                "count": 1,
                "burner_diameter_mm": 50,
                "working_pressure_kpa": 5,
                "equipment_pressure_kpa": 10,
                "normal_m3_h": 20,
                "full_load_m3_h": 30,
            }
            for k in range(appliances)
        ]
    }
    form["heat"] = FORMS["JM-2026-010"]["heat"]
    form["telecom"] = {**FORMS["JM-2026-014"]["telecom"], "free_operator_choice": free_choice}
    return form


@pytest.fixture(scope="module")
def four(demo_ws):
    """JM-2026-001 asking for water, power, gas and telecom, operator freely chosen."""
    intake = parse_intake(_form(["water", "power", "gas", "telecom"], free_choice=True))
    demand = intake.demand_summary(profile=JINGMEN).to_demand(profile=JINGMEN)
    (a,) = assess_sites(
        demo_ws, profile=JINGMEN, demands={SITE: demand}, site_ids=[SITE], as_of=AS_OF
    )
    return a, intake


def test_intake_form_pdf_is_one_a4_page_even_with_many_appliances(tmp_path):
    for appliances in (2, 25):  # 25 gas appliances: longer than a page, shrunk to fit
        intake = parse_intake(
            _form(["water", "power", "gas", "heat", "telecom"], appliances=appliances)
        )
        path = intake_form_pdf(intake, tmp_path / f"intake_{appliances}.pdf")
        ((size, text),) = _pages(path.read_bytes())
        assert size == pytest.approx(A4, abs=0.5)
        flat = "".join(text.split())
        assert "用户水、气、热、电、网需求信息采集单" in flat and CODE in flat
        assert f"燃气锅炉{appliances}" in flat  # the last row is on the page
        assert "■用水" in flat and "□扩容" in flat  # the font has no ☑/☐: the form's ■/□


def test_intake_form_pdf_from_the_api(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'lp.db'}", env="development"))
    token = {"Authorization": f"Bearer {DEV_TOKENS['intake']}"}
    with TestClient(app, headers=token) as client:
        res = client.get(f"/projects/{SITE}/documents/intake_form", params={"format": "pdf"})
    app.state.linkplan.store.engine.dispose()
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    ((size, text),) = _pages(res.content)
    assert size == pytest.approx(A4, abs=0.5)
    assert FORMS[SITE]["applicant"] in text


def test_four_utility_approval_sheet_repeats_its_header_and_states_reasons_once(
    four, graph, tmp_path
):
    a, intake = four
    assert a.utilities["telecom"].route.operator == "china_mobile"
    others = [r.text for r in a.utilities["telecom"].reasons if not r.text.startswith("中国移动")]
    assert others  # the assessment also weighed 中国电信 and 中国联通
    path = approval_sheet_pdf(a, intake, tmp_path / "sheet.pdf", G=graph, profile=JINGMEN,
                              start=START)  # fmt: skip
    pages = _pages(path.read_bytes())
    assert len(pages) == 2
    first, second = ("".join(text.split()) for _, text in pages)
    assert APPROVAL_SHEET_TITLE in second and CODE in second
    assert "市行政审批局意见" in second  # the page the header is there for
    flat = first + second
    assert flat.count("需开挖横穿次干路「掇刀路」车行道12m：") == 1
    assert "燃气、通信（中国移动）外线需开挖横穿次干路「掇刀路」车行道" in flat
    assert "中国电信" not in flat and "中国联通" not in flat


@pytest.fixture(scope="module")
def graph(demo_ws):
    return demo_ws.corridor_graph()


def test_route_map_shows_the_red_line_and_crossings_with_labels_apart(four, demo_ws, graph):
    a, intake = four
    red = site_outline(demo_ws, SITE)
    doc = planning_opinion_document(a, intake, G=graph, profile=JINGMEN, start=START,
                                    red_line=red)  # fmt: skip
    (fig,) = [b for b in doc.blocks if isinstance(b, Figure)]
    strokes = [s for s in fig.shapes if isinstance(s, Stroke)]
    red_edges = [s for s in strokes if s.colour == RED_LINE_COLOUR and s.width_mm == 0.5]
    drawn = sum(len(s.points) for s in red_edges)
    assert drawn >= 5  # the parcel's closed outline (legend sample has 2 points)
    route_colours = {s.colour for s in strokes if s.width_mm == 0.7} - {"#000000"}
    assert route_colours == {UTILITY_COLOURS[u] for u in ("water", "power", "gas", "telecom")}
    crossings = [s for s in fig.shapes if isinstance(s, Dot) and s.colour == CARRIAGEWAY_COLOUR]
    assert len(crossings) == 2  # 掇刀路 crossed by gas and telecom: one mark (+ the legend's)
    texts = [s for s in fig.shapes if isinstance(s, Text)]
    assert "横穿「掇刀路」车行道" in [t.text for t in texts]
    assert {"W-0068", "G-0062", "T-0156", "P-0071", "掇刀路"} <= {t.text for t in texts}
    areas = []
    for t in texts:
        w, h = text_width_mm(t.text, t.size_pt), t.size_pt * 25.4 / 72
        shift = {"start": w / 2, "middle": 0.0, "end": -w / 2}[t.anchor] if not t.angle else 0.0
        areas.append((t.text, _footprint(t.x + shift, t.y, w, h, t.angle)))
    for (ta, pa), (tb, pb) in itertools.combinations(areas, 2):
        assert pa.intersection(pb).area < 1e-6, (ta, tb)
