"""Every output shows a line's length from the red line with its two parts (issue 14 item 2).

JM-2026-001's water line: a 4.0 m lead-in from the red line to 掇刀路's east sidewalk and
120.0 m along it, 124.0 m from the red line (the length compared with the 300 m threshold).
The table, the JSON, the project map, the survey GeoPackage, 附件3 and the planning opinion all
show 4.0, 120.0 and 124.0; the drawn route stays the 120.0 m along the road (one measure) and
the lead-in is drawn beside it as its own 4.0 m line (map, GeoPackage layer ``lead_ins``, JSON).
"""

import datetime as dt
import json
import re

import pyogrio
import pytest
from shapely import Point

import planning  # noqa: F401  (registers the policy profiles)
from api.documents import approval_sheet_html, planning_opinion_html
from api.maps import district_map, project_map, render_html
from api.report import assessment_table, assessment_to_dict, display_width
from api.survey import survey_layers, write_geopackage
from planning.intake import parse_intake

from .demo import FORMS, JINGMEN

SITE = "JM-2026-001"
START = dt.datetime(2026, 11, 30, 10, 0)


@pytest.fixture(scope="module")
def site(results):
    a = results[SITE]
    water = a.utilities["water"].route
    # the demo's designed figures: hand-measured on build_district (4.0 m set-back to the
    # sidewalk's centre line, 120.0 m along 掇刀路 to the tap)
    assert (round(water.lead_in_m, 3), round(water.length_m, 3)) == (4.0, 120.0)
    return a


def test_table_has_lead_in_along_road_and_red_line_columns(site):
    lines = assessment_table([site], profile=JINGMEN).splitlines()
    head = lines[0]
    (water,) = [x for x in lines if x.startswith(SITE) and "供水" in x]
    assert water.split()[3:6] == ["4.0", "120.0", "124.0"]
    # each number is right-aligned under its heading (display columns, Chinese is two wide)
    for heading, value in (("引入段(m)", "4.0"), ("沿道路(m)", "120.0"), ("外线长度(m)", "124.0")):
        end = display_width(head[: head.index(heading)]) + display_width(heading)
        assert display_width(water[: water.index(f" {value} ") + 1 + len(value)]) == end


def test_json_has_the_parts_and_the_sum(site, demo_ws):
    water = assessment_to_dict(site, crs=demo_ws.crs)["utilities"]["water"]
    assert (water["lead_in_m"], water["length_m"], water["red_line_m"]) == (4.0, 120.0, 124.0)


def _features(page: str) -> list[dict]:
    """Every GeoJSON feature written into a map page."""
    out, decoder = [], json.JSONDecoder()
    for m in re.finditer(r'\{"(?:bbox|features|type)": ', page):
        try:
            obj, _ = decoder.raw_decode(page, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
            out.extend(obj["features"])
    return out


def test_project_map_popup_and_tooltip(site, demo_ws):
    page = render_html(project_map(demo_ws, site, profile=JINGMEN))
    features = [
        f for f in _features(page) if str(f["properties"].get("tooltip", "")).startswith("供水外线")
    ]
    (water,) = [f for f in features if "lead_in_m" not in f["properties"]]
    props = water["properties"]
    assert props["tooltip"] == "供水外线 124.0 m（红线引入段 4.0 m + 沿道路 120.0 m）"
    rows = dict(props["popup"]["rows"])
    assert (rows["红线引入段"], rows["沿道路"], rows["外线长度合计"]) == (
        "4.0 m",
        "120.0 m",
        "124.0 m",
    )
    # the line drawn is the part along the road: 120.0 m (one measure)
    assert site.utilities["water"].route.geometry.length == pytest.approx(120.0, abs=0.1)


def test_district_map_popup(site, demo_ws):
    page = render_html(district_map(demo_ws, [site], profile=JINGMEN))
    (parcel,) = [f for f in _features(page) if str(f["properties"].get("tooltip", "")).startswith(SITE)]
    rows = dict(parcel["properties"]["popup"]["rows"])
    assert "供水 124.0 m（红线引入段 4.0 m + 沿道路 120.0 m）" in rows["外线长度"]


def test_survey_geopackage_routes_layer(site, demo_ws, tmp_path):
    gpkg = write_geopackage(survey_layers(demo_ws, site, profile=JINGMEN), tmp_path / "s.gpkg")
    routes = pyogrio.read_dataframe(gpkg, layer="routes")
    (water,) = routes[routes["utility"] == "water"].itertuples()
    assert (water.lead_in_m, water.length_m, water.red_line_m) == pytest.approx((4.0, 120.0, 124.0))
    # the stored line is the part along the road, as long as length_m
    assert water.geometry.length == pytest.approx(water.length_m, abs=0.1)


def test_approval_sheet_and_opinion(site, demo_ws):
    intake = parse_intake(FORMS[SITE], require_identity=False)
    G = demo_ws.corridor_graph()
    sheet = approval_sheet_html(site, intake, G=G, profile=JINGMEN, start=START)
    assert "供水：外线长度 124.0 m（红线引入段 4.0 m + 沿道路 120.0 m）" in sheet
    opinion = planning_opinion_html(site, intake, G=G, profile=JINGMEN, start=START)
    for heading in ("红线引入段 (m)", "沿道路 (m)", "外线长度 (m)"):
        assert heading in opinion
    row = opinion[opinion.index(">供水<") :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r">\s*([\d.,]+)\s*<", row)
    assert cells[:3] == ["4.0", "120.0", "124.0"]
    # the route map's legend names the line's length from the red line with its parts
    assert "供水外线 124.0 m（引入 4.0 + 沿道路 120.0）" in opinion


# --- the lead-in drawn ------------------------------------------------------------------------


def test_the_lead_in_is_a_4_m_line_from_the_red_line_to_the_routes_start(site, demo_ws):
    route = site.utilities["water"].route
    line = route.lead_in_line
    assert line.length == pytest.approx(route.lead_in_m, abs=1e-9) == pytest.approx(4.0)
    red_line = demo_ws.layer("sites").set_index("project_id").geometry[SITE]
    assert red_line.boundary.distance(Point(line.coords[0])) < 1e-6
    assert Point(line.coords[-1]).distance(Point(route.geometry.coords[0])) < 1e-6


def test_project_map_draws_the_lead_in(site, demo_ws):
    page = render_html(project_map(demo_ws, site, profile=JINGMEN))
    (lead,) = [
        f
        for f in _features(page)
        if str(f["properties"].get("tooltip", "")).startswith("供水外线 红线引入段")
    ]
    props = lead["properties"]
    assert props["tooltip"] == "供水外线 红线引入段 4.0 m"
    assert props["lead_in_m"] == 4.0
    assert dict(props["popup"]["rows"])["红线引入段"] == "4.0 m"
    # drawn where the lead-in is: from the red line to the start of the drawn route
    (water,) = [
        f
        for f in _features(page)
        if str(f["properties"].get("tooltip", "")).startswith("供水外线 124.0 m")
    ]
    assert lead["geometry"]["type"] == "LineString"
    assert lead["geometry"]["coordinates"][-1] == pytest.approx(water["geometry"]["coordinates"][0])
    # as its own style in the legend: a thin dashed line
    assert "红线引入段（专业颜色，细虚线）" in page


def test_survey_geopackage_lead_in_layer(site, demo_ws, tmp_path):
    gpkg = write_geopackage(survey_layers(demo_ws, site, profile=JINGMEN), tmp_path / "s.gpkg")
    leads = pyogrio.read_dataframe(gpkg, layer="lead_ins")
    routes = pyogrio.read_dataframe(gpkg, layer="routes")
    (water,) = leads[leads["utility"] == "water"].itertuples()
    assert (water.utility_zh, water.kind_zh, water.role) == ("供水", "红线引入段", "主供")
    assert water.length_m == pytest.approx(4.0)
    assert water.geometry.length == pytest.approx(water.length_m, abs=0.1)
    # it joins its route (route_fid: the route's row, counted from 1) at the route's start
    route = routes.iloc[water.route_fid - 1]
    assert route["utility"] == "water"
    assert Point(water.geometry.coords[-1]).distance(Point(route.geometry.coords[0])) < 0.01


def test_json_has_the_lead_in_geometry(site, demo_ws):
    water = assessment_to_dict(site, crs=demo_ws.crs)["utilities"]["water"]
    lead = water["lead_in"]
    assert lead["type"] == "LineString"
    # it ends where the route along the road starts (both in CRS84)
    assert lead["coordinates"][-1] == pytest.approx(water["route"]["coordinates"][0], abs=1e-6)
