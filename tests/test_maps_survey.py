"""Maps a survey team reads at a glance (issue 14, item 11), checked in a real headless Chromium.

Road names written along the roads, a style table whose lines cannot be confused (and a legend
drawing each), routes sharing a sidewalk drawn side by side, a metric-only scale bar, the
measuring tool working over a parcel, Chinese words in popups, and a print layout on one page.
"""

from __future__ import annotations

import itertools
import json
import re

import pypdfium2 as pdfium
import pytest
from pyproj import Transformer

import planning  # noqa: F401
from api.maps import project_map, render_html, save_html
from api.maps.layers import clip_layer, road_label_points
from api.maps.project import neighbourhood
from api.maps.style import LINE_STYLES, ROUTE_OFFSET_PX
from data.demo_district import DEMO_CASES
from gis import vocabulary
from tests.browser import browser, open_offline
from tests.demo import JINGMEN

CRS = "EPSG:4546"
ZH = {"water": "供水", "gas": "燃气", "heat": "供热", "power": "供电", "telecom": "通信"}


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def _case(key: str) -> str:
    return next(pid for pid, c in DEMO_CASES.items() if c["case"] == key)


def _open(chromium, demo_ws, a, tmp_path):
    page = render_html(project_map(demo_ws, a, profile=JINGMEN))
    return open_offline(chromium, save_html(page, tmp_path / f"{a.project_id}.html"))


def test_style_table_lines_cannot_be_confused():
    styles = list(LINE_STYLES.values())
    # no two kinds of line share colour, and no two dashed kinds share a dash pattern
    # the kinds drawn in the utility colours share a placeholder colour: they differ by weight
    # and dash instead (and their legend says so)
    in_utility_colours = {
        LINE_STYLES[k].label for k in ("route", "backup_route", "planned_main", "prelay_main")
    }
    drawn = [
        (LINE_STYLES[k].weight, LINE_STYLES[k].dash)
        for k in ("route", "backup_route", "planned_main", "prelay_main")
    ]
    assert len(set(drawn)) == 4
    for s, t in itertools.combinations(styles, 2):
        if s.colour == t.colour:
            assert {s.label, t.label} <= in_utility_colours, (s.label, t.label)
        if s.dash and t.dash:
            assert s.dash != t.dash, (s.label, t.label)
    measure = LINE_STYLES["measure"]
    assert measure.halo and measure.colour != LINE_STYLES["protected_road"].colour
    assert measure.dash not in {s.dash for s in styles if s is not measure}
    assert len(set(ROUTE_OFFSET_PX.values())) == 5


def test_road_label_points_follow_the_road(demo_ws):
    roads = demo_ws.layer("roads")
    labels = road_label_points(roads)
    names = {n for _, _, n, _ in labels}
    assert names and names <= set(roads["name"].astype(str))
    # each label sits on its road (within a metre) and reads left to right
    by_name = roads.dissolve(by="name").geometry
    from shapely import Point

    for x, y, n, angle in labels:
        assert by_name[n].distance(Point(x, y)) < 1.0
        assert -90.0 <= angle < 90.0


def test_project_map_labels_roads_and_draws_routes_side_by_side(
    demo_ws, results, chromium, tmp_path
):
    a = results[_case("shared_trench")]  # gas and telecom along the same sidewalk
    visit = _open(chromium, demo_ws, a, tmp_path)
    assert visit.blocked == [] and visit.errors == []
    state = visit.eval(
        """() => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          const labels = Array.from(document.querySelectorAll('.linkplan-road-label'))
            .map(e => e.textContent);
          const offsets = {};
          map.eachLayer(l => {
            if (l.feature && l._rings && l.options.linkplanOffset !== undefined) {
              const p = map.latLngToLayerPoint(l.getLatLngs()[0]);
              const q = l._rings[0][0];
              offsets[l.feature.properties.tooltip] = [l.options.linkplanOffset, p.distanceTo(q)];
            }
          });
          return {
            labels: labels,
            offsets: offsets,
            scale: Array.from(document.querySelectorAll('.leaflet-control-scale-line'))
              .map(e => e.textContent),
            legend: document.getElementById('linkplan-legend').innerHTML,
          };
        }"""
    )
    visit.screenshot("survey-map.png")
    # road names are written on the map, permanently, and they are the roads nearby
    roads = set(demo_ws.layer("roads")["name"].astype(str))
    assert len(state["labels"]) >= 2 and set(state["labels"]) <= roads
    # every route is drawn its utility's offset beside its line, measured on screen
    drawn = {}
    for u, r in a.utilities.items():
        if r.route is None:
            continue
        key = f"{ZH[u]}{'主供' if u == 'power' else ''}外线 " + (
            f"{r.route.red_line_m:,.1f} m（红线引入段 {r.route.lead_in_m:,.1f} m + 沿道路 {r.route.length_m:,.1f} m）"
        )
        offset, moved = state["offsets"][key]
        assert offset == ROUTE_OFFSET_PX[u]
        assert moved == pytest.approx(abs(offset), abs=0.01)
        drawn[u] = offset
    assert len(drawn) >= 2 and len(set(drawn.values())) == len(drawn)
    # a metric-only scale bar
    assert len(state["scale"]) == 1 and re.fullmatch(r"\d+ k?m", state["scale"][0])
    # the legend draws each style of the table with its dash pattern
    for key, style in LINE_STYLES.items():
        if style.dash:
            assert f'stroke-dasharray="{style.dash}"' in state["legend"], key


def test_measuring_tool_adds_a_point_on_a_click_over_the_parcel(
    demo_ws, results, chromium, tmp_path
):
    a = results[_case("short_route")]
    visit = _open(chromium, demo_ws, a, tmp_path)
    site = demo_ws.layer("sites").set_index("project_id").geometry[a.project_id]
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(
        site.centroid.x, site.centroid.y
    )
    xy = visit.eval(
        """([lat, lon]) => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          const p = map.latLngToContainerPoint(L.latLng(lat, lon));
          const r = map.getContainer().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    # the parcel is what is under the mouse: without measuring, a click opens its popup
    under = visit.eval("([x, y]) => document.elementFromPoint(x, y).tagName", xy)
    assert under == "path"
    visit.page.mouse.click(*xy)
    visit.page.wait_for_timeout(300)
    popup = visit.eval("() => (document.querySelector('.leaflet-popup-content') || {}).textContent")
    assert popup and "项目用地红线" in popup
    # measuring: the same clicks add points, and no popup opens
    visit.page.click(".linkplan-measure-toggle")
    visit.page.mouse.click(*xy)
    visit.page.wait_for_timeout(350)  # not a double click
    visit.page.mouse.click(xy[0] + 40, xy[1])
    visit.page.wait_for_timeout(300)
    got = visit.eval(
        """() => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          return [map.linkplanMeasure._points.length, map.linkplanMeasure.length(),
                  !!document.querySelector('.leaflet-popup-content')];
        }"""
    )
    assert got[0] == 2 and got[1] > 0 and got[2] is False


def test_popups_use_chinese_words_not_codes(demo_ws, results):
    a = results[_case("shared_trench")]
    page = render_html(project_map(demo_ws, a, profile=JINGMEN))
    area = neighbourhood(a, demo_ws, profile=JINGMEN)
    vocabularies = {
        "gas": ("pressure_class", vocabulary.GAS_PRESSURE_CLASSES),
        "telecom": ("operator", vocabulary.OPERATORS),
    }
    for layer, (field, vocab) in vocabularies.items():
        shown = clip_layer(demo_ws.layer(layer), area)
        assert shown is not None and len(shown)
        for code in vocab.values:
            assert f'"{code}"' not in page, code  # never a raw code in a popup
        for code in set(shown[field]):
            label = json.dumps(vocab.label(code))  # folium writes ASCII-escaped JSON
            assert label[1:-1] in page, (code, vocab.label(code))
    assert "R10" not in page and JINGMEN.name not in page


def test_printed_map_has_title_legend_and_scale_on_one_page(demo_ws, results, chromium, tmp_path):
    a = results[_case("cross_railway")]
    visit = _open(chromium, demo_ws, a, tmp_path)
    visit.page.emulate_media(media="print")
    visit.page.wait_for_timeout(300)
    hidden = visit.eval(
        """() => ['.leaflet-control-layers', '.linkplan-measure', '#linkplan-north',
                  '#linkplan-print-date']
          .map(s => getComputedStyle(document.querySelector(s)).display)"""
    )
    assert hidden[:2] == ["none", "none"] and "none" not in hidden[2:]
    for paper in ("A4", "A3"):
        out = tmp_path / f"print-{paper}.pdf"
        visit.page.pdf(path=str(out), format=paper, landscape=True, print_background=True)
        pdf = pdfium.PdfDocument(str(out))
        try:
            assert len(pdf) == 1, paper
            width, height = pdf[0].get_size()
            assert width > height  # landscape
            text = pdf[0].get_textpage().get_text_range()
        finally:
            pdf.close()
        squeezed = re.sub(r"\s+", "", text)
        assert f"{a.project_id}{a.name}".replace(" ", "") in squeezed  # title
        assert "图例" in squeezed and "测距线" in squeezed and "项目用地红线" in squeezed
        assert re.search(r"\d+k?m", squeezed)  # scale bar
        assert "打印日期" in squeezed and "北" in squeezed  # date, north arrow
        assert "项目红线" not in squeezed  # the layer control's entries are not printed


def test_every_dash_pattern_comes_from_the_style_table():
    """No map module draws a dashed line of its own: every dash is a row of LINE_STYLES."""
    import re
    from pathlib import Path

    maps = Path(__file__).resolve().parent.parent / "api" / "maps"
    own = {
        f"{p.name}: {m.group(0)}"
        for p in maps.glob("*.py")
        if p.name != "style.py"
        for m in re.finditer(
            r"""["']?dash_?[aA]rray["']?\s*[:=]\s*["'][0-9 ]+["']""", p.read_text(encoding="utf-8")
        )
    }
    assert own == set()
