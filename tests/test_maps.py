"""Maps: drawn offline in a real headless Chromium, size-limited, aligned on the 高德 basemap."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely
from pyproj import Transformer

import planning  # noqa: F401
from api.maps import (
    MAX_MAP_BYTES,
    district_map,
    prelay_map,
    project_map,
    render_html,
    save_html,
    tiles_for,
)
from api.maps.assets import LEAFLET_VERSION, external_references
from data.demo_district import DEMO_CASES
from gis.chinacoords import wgs84_to_gcj02
from gis.errors import ConfigurationError
from planning.prelay import plan_prelay
from tests.browser import MAP_STATE, browser, open_offline
from tests.demo import AS_OF, JINGMEN

CRS = "EPSG:4546"


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def _case(key: str) -> str:
    return next(pid for pid, c in DEMO_CASES.items() if c["case"] == key)


def test_page_loads_nothing_from_outside(demo_ws, results):
    page = render_html(project_map(demo_ws, results[_case("cross_railway")], profile=JINGMEN))
    assert external_references(page) == []
    # Leaflet is the installed package's, written into the page
    assert f"Leaflet {LEAFLET_VERSION}" in page or "leafletjs.com" in page
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap" not in page


def test_project_map_drawn_offline_in_chromium(demo_ws, results, chromium, tmp_path):
    """The railway-crossing site: every item of the project map is drawn with no network."""
    pid = _case("cross_railway")
    a = results[pid]
    path = save_html(render_html(project_map(demo_ws, a, profile=JINGMEN)), tmp_path / "m.html")
    visit = open_offline(chromium, path)
    state = visit.eval(MAP_STATE)
    visit.screenshot(f"project-map-{pid}.png")
    assert visit.blocked == [] and visit.errors == []
    assert state is not None, "no Leaflet map object in the page"
    assert state["tiles"] == []  # default basemap: none
    tips = state["tooltips"]
    # every route with its length, as computed, and its tap
    for u, r in a.utilities.items():
        if r.route is not None:
            zh = {"water": "供水", "gas": "燃气", "heat": "供热", "power": "供电", "telecom": "通信"}[u]
            role = "主供" if u == "power" else ""
            # from the red line (seed 二): the sum, the lead-in and the part along the road
            assert f"{zh}{role}外线 " + f"{r.route.red_line_m:,.1f} m（红线引入段 {r.route.lead_in_m:,.1f} m + 沿道路 {r.route.length_m:,.1f} m）" in tips
            assert f"接驳点：{zh} {r.route.tap_asset}" in tips
    # the railway crossing as a marker naming what is crossed
    rail = [c for r in a.utilities.values() if r.route for c in r.route.crossings if c.kind == "railway"]
    assert rail, "demo case should cross the railway"
    assert f"穿越铁路：{rail[0].name}" in tips
    # site red line, the 300 m references, layer control, legend and measuring tool
    assert any(t.startswith(f"{pid} ") for t in tips)
    assert any("沿道路 300 m 可达范围" in t for t in tips)
    assert any("直线 300 m 参考圈" in t for t in tips)
    assert "项目红线" in state["control"] and "穿越与破路点" in state["control"]
    for zh in ("供水", "燃气", "供热", "供电", "通信"):
        assert f"{zh}管线（现状）" in state["legend"]
    assert "联合审批" in state["title"]
    assert state["measure"] is True
    assert state["paths"] >= 20  # SVG paths actually drawn


def test_popups_carry_lengths_surfaces_path_and_reasons(demo_ws, results, chromium, tmp_path):
    a = results[_case("cross_railway")]
    path = save_html(render_html(project_map(demo_ws, a, profile=JINGMEN)), tmp_path / "m.html")
    visit = open_offline(chromium, path)
    u, r = next((u, r) for u, r in a.utilities.items() if r.route and r.route.crossings)
    assert r.route is not None
    # open the route's popup as a user clicking the line would
    text = visit.eval(
        """(needle) => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          let found = null;
          map.eachLayer(l => {
            if (!found && l.feature && l.feature.properties.tooltip === needle) { found = l; }
          });
          const c = found.getBounds().getCenter();
          found.fire('click', {latlng: c}, true);
          return document.querySelector('.leaflet-popup-content').textContent;
        }""",
        f"{ {'water': '供水', 'gas': '燃气', 'heat': '供热', 'power': '供电', 'telecom': '通信'}[u]}"
        f"{'主供' if u == 'power' else ''}外线 "
        f"{r.route.red_line_m:,.1f} m（红线引入段 {r.route.lead_in_m:,.1f} m + 沿道路 {r.route.length_m:,.1f} m）",
    )
    assert f"沿道路{r.route.length_m:,.1f} m" in text
    assert f"红线引入段{r.route.lead_in_m:,.1f} m" in text
    assert f"外线长度合计{r.route.red_line_m:,.1f} m" in text
    assert f"{r.route.straight_line_m:,.1f} m" in text
    assert "人行道" in text  # a surface
    assert "联合审批" in text
    assert r.reasons[0].text in text
    visit.page.wait_for_timeout(400)  # the popup fades in
    visit.screenshot("project-map-popup.png")


def test_measuring_tool_measures_metres(demo_ws, results, chromium, tmp_path):
    a = results[_case("short_route")]
    path = save_html(render_html(project_map(demo_ws, a, profile=JINGMEN)), tmp_path / "m.html")
    visit = open_offline(chromium, path)
    site = demo_ws.layer("sites").set_index("project_id").geometry[a.project_id].centroid
    to = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    pts = [to.transform(site.x, site.y), to.transform(site.x + 120.0, site.y + 50.0)]
    # 130 m apart in the Gauss–Krüger plane (5-12-13 triangle); Leaflet measures on a sphere
    readout = visit.eval(
        """(pts) => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          map.linkplanMeasure.start();
          for (const [lon, lat] of pts) { map.fire('click', {latlng: L.latLng(lat, lon)}); }
          map.linkplanMeasure.finish();
          return map.linkplanMeasure.length();
        }""",
        pts,
    )
    assert readout == pytest.approx(130.0, rel=0.005)


def test_gaode_overlays_shifted_to_gcj02(demo_ws, results, chromium, tmp_path):
    a = results[_case("short_route")]
    path = save_html(
        render_html(project_map(demo_ws, a, profile=JINGMEN, basemap="gaode"), offline=False),
        tmp_path / "gaode.html",
    )
    visit = open_offline(chromium, path)
    state = visit.eval(MAP_STATE)
    assert len(state["tiles"]) == 1 and "autonavi.com" in state["tiles"][0]
    # the only outside requests are the 高德 tiles (blocked here)
    assert visit.blocked and all("autonavi.com" in u for u in visit.blocked)
    drawn = visit.eval(
        """(pid) => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          let ring = null;
          map.eachLayer(l => {
            if (l.feature && String(l.feature.properties.tooltip).startsWith(pid + ' ')) {
              ring = l.getLatLngs()[0].map(p => [p.lng, p.lat]);
            }
          });
          return ring;
        }""",
        a.project_id,
    )
    site = demo_ws.layer("sites").set_index("project_id").geometry[a.project_id]
    xy = shapely.get_coordinates(site.exterior)[:-1]
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(xy[:, 0], xy[:, 1])
    glon, glat = wgs84_to_gcj02(lon, lat)
    got = np.array(drawn)
    assert got.shape == (len(xy), 2)
    # the drawn red line is the GCJ-02 conversion, to 1e-7° (about 1 cm)
    assert np.abs(got[:, 0] - glon).max() < 2e-7 and np.abs(got[:, 1] - glat).max() < 2e-7
    # and that is hundreds of metres from WGS84: an unshifted overlay would miss the tiles
    assert np.hypot((glon - lon) * 95_000, (glat - lat) * 111_000).min() > 300
    visit.screenshot("project-map-gaode-offline.png")


def test_project_maps_stay_small_and_clipped(demo_ws, results):
    water = demo_ws.layer("water")
    for pid, a in results.items():
        page = render_html(project_map(demo_ws, a, profile=JINGMEN))
        assert len(page.encode("utf-8")) < MAX_MAP_BYTES, pid
    page = render_html(project_map(demo_ws, results[_case("short_route")], profile=JINGMEN))
    label = json.dumps("供水 ", ensure_ascii=True)[1:-1]  # folium writes ASCII-escaped JSON
    shown = set(re.findall(r'"tooltip": "' + re.escape(label) + r'([^"]+)"', page))
    assert shown and shown < set(water["asset_id"].astype(str))  # only the neighbourhood


def test_basemap_options():
    assert tiles_for("none") == []
    assert "openstreetmap" in tiles_for("osm")[0].url
    key = tiles_for("tianditu", tianditu_key="abc")
    assert all("tk=abc" in t.url for t in key) and key[1].overlay
    with pytest.raises(ConfigurationError, match="天地图 key"):
        tiles_for("tianditu")
    with pytest.raises(ConfigurationError, match="expected one of none, tianditu, osm, gaode"):
        tiles_for("google")


def test_district_map_colours_every_project(demo_ws, results, chromium, tmp_path):
    page = render_html(district_map(demo_ws, results.values(), profile=JINGMEN))
    visit = open_offline(chromium, save_html(page, tmp_path / "district.html"))
    state = visit.eval(MAP_STATE)
    visit.screenshot("district-map.png")
    assert visit.blocked == [] and visit.errors == []
    sites = [t for t in state["tooltips"] if re.match(r"JM-\d{4}-\d{3} ", t)]
    assert len(sites) == len(results)
    joint = sum(a.approval_path == "joint" for a in results.values())
    assert f"联合审批（2+3 个工作日）（{joint}）" in state["control"]


def test_prelay_map_before_and_after(demo_ws, chromium, tmp_path):
    plan = plan_prelay(demo_ws, profile=JINGMEN, as_of=AS_OF)
    page = render_html(prelay_map(demo_ws, plan, profile=JINGMEN))
    visit = open_offline(chromium, save_html(page, tmp_path / "prelay.html"))
    state = visit.eval(MAP_STATE)
    visit.screenshot("prelay-map.png")
    assert visit.blocked == [] and visit.errors == []
    planned = [t for t in state["tooltips"] if t.startswith("规划")]
    assert len(planned) == len(plan.extensions) > 0
    intents = demo_ws.layer("intents")
    assert sum(t.split(" ")[0] in set(intents["intent_id"]) for t in state["tooltips"]) == len(
        intents
    )


def test_a_junction_pipe_says_it_is_never_tapped(demo_ws, results, chromium, tmp_path):
    """The water mains are joined under the junctions (issue 16): a user clicking such a pipe
    reads what it is for, in Chinese, not the code ``connection``."""
    a = results["JM-2026-001"]
    path = save_html(render_html(project_map(demo_ws, a, profile=JINGMEN)), tmp_path / "m.html")
    visit = open_offline(chromium, path)
    water = demo_ws.layer("water")
    pipes = set(water.loc[water["role"] == "connection", "asset_id"])
    shown = [t for t in visit.eval(MAP_STATE)["tooltips"] if t.startswith("供水 ")]
    tip = next(t for t in shown if t.removeprefix("供水 ") in pipes)
    text = visit.eval(
        """(needle) => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          let found = null;
          map.eachLayer(l => {
            if (!found && l.feature && l.feature.properties.tooltip === needle) { found = l; }
          });
          const c = found.getBounds().getCenter();
          map.setView(c, map.getZoom(), {animate: false});  // clear of the title box
          found.fire('click', {latlng: c}, true);
          return document.querySelector('.leaflet-popup-content').textContent;
        }""",
        tip,
    )
    assert "用途连通管段（路口下连通，不在其上接入）" in text
    assert "connection" not in text and visit.errors == []
    visit.page.wait_for_timeout(400)  # the popup fades in
    visit.screenshot("project-map-junction-pipe.png")
