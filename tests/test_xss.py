"""No script runs from a name (issue 12 item 2).

Every text field that reaches a map, a document or a page carries markup that would run if it
were read as HTML: an ``<img onerror>``, a ``<script>`` closing an attribute first, an
``<svg onload=alert>`` and an already-escaped ``&amp;``. The demo district is built with that
markup in site names, road names, major-line names, every network's asset ids, the power
feeders, the intents' ids and names and the applicant's intake form; the project, district,
pre-lay and survey-package maps and the 附件2 / 附件3 / planning-opinion pages are opened in
Chromium (outside requests blocked), every tooltip and popup of every layer is opened, and

* nothing ran: ``window.__xss`` stays undefined, no dialog opened, no ``<img>``/``<svg>``
  element came from a name;
* the markup is shown as the characters typed, in the tooltips, popups, title and document
  text (so each field really reached the page, and ``&amp;`` is not unescaped or doubled).

The PDFs (附件3, planning opinion) are rendered with reportlab and their text extracted again:
the markup comes back literally, neither interpreted nor breaking the document.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Browser, Page, Route

import planning  # noqa: F401  (registers the policy profiles)
from api.documents import (
    approval_sheet_html,
    approval_sheet_pdf,
    intake_form_html,
    planning_opinion_html,
    planning_opinion_pdf,
)
from api.maps import district_map, prelay_map, project_map, render_html, save_html
from api.survey import survey_package
from data.demo_district import build_district
from gis.schema import UTILITIES
from gis.workspace import Workspace
from planning.assess import Assessment, assess_sites
from planning.intake import Intake, parse_intake
from planning.prelay import plan_prelay
from tests.browser import browser
from tests.demo import AS_OF, FORMS, JINGMEN

MARKUP = (
    '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
    '"><script>window.__xss=1</script>'
    "<svg/onload=alert('xss')>&amp;"
)
"""Markup that runs if read as HTML; ``&amp;`` must show as typed (no double or un-escaping)."""

RAILWAY = "JM-2026-005"  # gas crosses the railway, carriageways crossed, a shared trench
DIG_ONCE = "JM-2026-011"  # a road under dig-once protection
START = dt.datetime(2026, 11, 30, 10, 0)


def hostile(tag: str) -> str:
    """Return the markup behind a tag naming the field it was put in."""
    return f"〔{tag}〕{MARKUP}"


# field -> tag: each field's own tag shows it reached the page
SITE, ROAD, MAJOR, ASSET, FEEDER, INTENT_ID, INTENT = (
    "用地名称", "道路名称", "重要线路", "管线编号", "馈线", "意向编号", "意向名称",
)  # fmt: skip
FORM_FIELDS = ("project_name", "applicant", "address", "legal_representative", "contact")


def _hostile_layers() -> dict[str, Any]:
    layers = build_district("demo")
    layers["sites"]["name"] = layers["sites"]["name"] + hostile(SITE)
    layers["roads"]["name"] = layers["roads"]["name"] + hostile(ROAD)
    layers["major_lines"]["name"] = layers["major_lines"]["name"] + hostile(MAJOR)
    for u in UTILITIES:
        layers[u]["asset_id"] = layers[u]["asset_id"] + hostile(ASSET)
    layers["power"]["feeder_id"] = layers["power"]["feeder_id"] + hostile(FEEDER)
    layers["intents"]["intent_id"] = layers["intents"]["intent_id"] + hostile(INTENT_ID)
    layers["intents"]["name"] = layers["intents"]["name"] + hostile(INTENT)
    return layers


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.from_layers(_hostile_layers(), crs="EPSG:4546")


@pytest.fixture(scope="module")
def assessed(ws: Workspace) -> dict[str, Assessment]:
    """Every site assessed for all five networks (routes, taps, crossings, trench)."""
    return {a.project_id: a for a in assess_sites(ws, profile=JINGMEN, as_of=AS_OF)}


@pytest.fixture(scope="module")
def intake() -> Intake:
    typed = {name: hostile(name) for name in FORM_FIELDS}
    return parse_intake({**FORMS[RAILWAY], **typed})


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as b:
        yield b


@dataclass
class Opened:
    """A page opened offline in Chromium, with the dialogs it tried to show."""

    page: Page
    dialogs: list[str] = field(default_factory=list)

    def ran(self) -> Any:
        """Return what the markup did: ``window.__xss`` and elements made from a name."""
        # an <img onerror> made from a name runs once its load has failed
        self.page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        return self.page.evaluate(
            """() => ({
              xss: window.__xss === undefined ? null : window.__xss,
              img: Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length,
              svg: document.querySelectorAll('svg[onload]').length,
            })"""
        )


def _open(b: Browser, path: Path) -> Opened:
    page = b.new_page(viewport={"width": 1280, "height": 860})
    opened = Opened(page)

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    def offline(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            route.abort()

    page.on("dialog", dialog)
    page.route("**/*", offline)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return opened


# JavaScript: open every layer's tooltip and popup as a user hovering and clicking would;
# return the texts shown, and the title, legend and layer control
OPEN_ALL = """
() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const shown = new Set();
  const read = sel => document.querySelectorAll(sel).forEach(e => shown.add(e.textContent));
  let opened = 0;
  map.eachLayer(l => {
    const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
    if (!at) { return; }
    if (l.feature) {
      l.fire('mouseover', {latlng: at}, true);
      read('.leaflet-tooltip');
      l.fire('mouseout', {latlng: at}, true);
      l.fire('click', {latlng: at}, true);
      read('.leaflet-popup-content');
      map.closePopup();
      opened += 1;
    } else if (l.getTooltip && l.getTooltip()) {
      l.openTooltip(at);
      read('.leaflet-tooltip');
      l.closeTooltip();
    }
  });
  const text = id => (document.getElementById(id) || {}).textContent || '';
  return {
    opened: opened,
    shown: Array.from(shown),
    title: text('linkplan-title'),
    legend: text('linkplan-legend'),
    control: Array.from(document.querySelectorAll('.leaflet-control-layers label'))
      .map(e => e.textContent.trim()),
  };
}
"""


def _map_texts(b: Browser, path: Path) -> tuple[Opened, dict[str, Any]]:
    opened = _open(b, path)
    opened.page.wait_for_function("() => window.L !== undefined")
    state = opened.page.evaluate(OPEN_ALL)
    return opened, state


def _safe(opened: Opened) -> None:
    assert opened.ran() == {"xss": None, "img": 0, "svg": 0}
    assert opened.dialogs == []


def _shown(state: dict[str, Any], tag: str) -> bool:
    return any(hostile(tag) in t for t in state["shown"])


def test_project_maps_show_names_as_text(ws, assessed, chromium, tmp_path):
    shown = {}
    for pid in (RAILWAY, DIG_ONCE):
        a = assessed[pid]
        page = render_html(project_map(ws, a, profile=JINGMEN))
        opened, state = _map_texts(chromium, save_html(page, tmp_path / f"{pid}.html"))
        _safe(opened)
        assert state["opened"] >= 20
        # every field reached a tooltip or popup, shown as the characters typed
        for tag in (SITE, ROAD, ASSET, FEEDER):
            assert _shown(state, tag), (pid, tag)
        assert f"{pid} {a.name}" in state["shown"]  # the site's tooltip, whole
        assert hostile(SITE) in state["title"]
        shown[pid] = state["shown"]
    # the railway crossing's marker names the railway; the protected road's tooltip its road
    assert any(f"穿越铁路：焦柳铁路{hostile(MAJOR)}" == t for t in shown[RAILWAY])
    assert any(f"{hostile(ROAD)}：保护期至" in t for t in shown[DIG_ONCE])


def test_district_and_prelay_maps_show_names_as_text(ws, assessed, chromium, tmp_path):
    page = render_html(district_map(ws, assessed.values(), profile=JINGMEN))
    opened, state = _map_texts(chromium, save_html(page, tmp_path / "district.html"))
    _safe(opened)
    sites = [t for t in state["shown"] if t.startswith("JM-2026-") and hostile(SITE) in t]
    assert len(sites) >= len(assessed)  # each site's tooltip (and popup)
    assert _shown(state, ROAD)

    plan = plan_prelay(ws, profile=JINGMEN, as_of=AS_OF)
    assert plan.extensions  # planned mains with their road names
    page = render_html(prelay_map(ws, plan, profile=JINGMEN))
    opened, state = _map_texts(chromium, save_html(page, tmp_path / "prelay.html"))
    _safe(opened)
    intents = ws.layer("intents")
    for iid, name in zip(intents["intent_id"], intents["name"]):
        assert f"{iid} {name}" in state["shown"]  # the intent's tooltip, whole
    for tag in (INTENT_ID, INTENT, ASSET, ROAD):
        assert _shown(state, tag), tag


def test_survey_package_map_shows_names_as_text(ws, assessed, chromium, tmp_path):
    a = assessed[RAILWAY]
    page = render_html(project_map(ws, a, profile=JINGMEN))
    out = survey_package(ws, a, profile=JINGMEN, out=tmp_path / "pkg.zip", map_html=page)
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path / "pkg")
        readme = z.read(f"{RAILWAY}/README.txt").decode("utf-8-sig")
    opened, state = _map_texts(chromium, tmp_path / "pkg" / RAILWAY / "map.html")
    _safe(opened)
    assert _shown(state, SITE) and _shown(state, ASSET)
    assert hostile(SITE) in readme  # plain text, as typed


def test_documents_show_names_as_text(ws, assessed, intake, chromium, tmp_path):
    G = ws.corridor_graph()
    a = assessed[RAILWAY]
    opinion = {"G": G, "profile": JINGMEN, "start": START}
    form = set(FORM_FIELDS)
    pages = {  # the page, and the fields it must show
        "intake_form": (intake_form_html(intake), form),
        "approval_sheet": (
            approval_sheet_html(a, intake, G=G, profile=JINGMEN, start=START),
            form,
        ),
        "planning_opinion": (
            planning_opinion_html(a, intake, **opinion),
            {"project_name", MAJOR, ROAD, ASSET},  # crossings and the tap named
        ),
        "planning_opinion_without_form": (planning_opinion_html(a, None, **opinion), {SITE}),
    }
    for kind, (page, tags) in pages.items():
        path = tmp_path / f"{kind}.html"
        path.write_text(page, encoding="utf-8")
        opened = _open(chromium, path)
        _safe(opened)
        text = opened.page.evaluate("() => document.body.textContent")
        for tag in tags:
            assert hostile(tag) in text, (kind, tag)
    # the page title (附件2's names the project) is text too
    assert hostile("project_name") in opened_title(chromium, tmp_path / "intake_form.html")


def opened_title(b: Browser, path: Path) -> str:
    """Return the title of a page as the browser shows it."""
    opened = _open(b, path)
    return str(opened.page.title())


def _flat(text: str) -> str:
    """Return text without white space (lines wrapped inside a PDF cell joined again)."""
    return "".join(text.split())


def _pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        return "".join(_flat(p.get_textpage().get_text_range()) for p in pdf)
    finally:
        pdf.close()


def test_pdfs_print_names_as_typed(ws, assessed, intake, tmp_path):
    G = ws.corridor_graph()
    a = assessed[RAILWAY]
    sheet = approval_sheet_pdf(a, intake, tmp_path / "sheet.pdf", G=G, profile=JINGMEN, start=START)
    opinion = planning_opinion_pdf(
        a, intake, tmp_path / "opinion.pdf", G=G, profile=JINGMEN, start=START
    )
    sheet_text, opinion_text = _pdf_text(sheet), _pdf_text(opinion)
    for name in FORM_FIELDS[1:]:  # applicant, address, legal representative, contact
        assert _flat(hostile(name)) in sheet_text, name
    assert _flat(hostile(MAJOR)) in opinion_text
    assert _flat(hostile(ROAD)) in opinion_text
