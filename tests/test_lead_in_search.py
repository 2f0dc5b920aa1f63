"""The lead-in is part of the search (issue 14, item 2): routes are shortest from the red line.

A site between two parallel arterials (长宁大道 south at y = 0, 北环路 north at y = 80), both
joined at x = 0 by 中兴路 (x = 0, y 0..80). All three are arterials (16 m carriageway, 5 m
sidewalks): each sidewalk's centre line is 10.5 m from the road's, and every junction pulls the
sidewalks back 10.5 m. The site (x -150..-50, y 28..68) stands 28 m north of 长宁大道 (lead-in
28 - 10.5 = 17.5 m) and 12 m south of 北环路 (lead-in 12 - 10.5 = 1.5 m).
A short water main on 中兴路's west side from y = 34 to y = 36.

By hand, from each frontage's east end (x = -50) to the tap:

* on 长宁大道: 39.5 m to the corner (x -50..-10.5), north along 中兴路 from y = 10.5 to 34:
  23.5 m; corridor 63.0 m, from the red line 17.5 + 63.0 = 80.5 m;
* on 北环路: 39.5 m to the corner, south along 中兴路 from y = 69.5 to 36: 33.5 m; corridor
  73.0 m, from the red line 1.5 + 73.0 = 74.5 m.

The corridor alone prefers 长宁大道 (63.0 < 73.0); from the red line 北环路 is shorter
(74.5 < 80.5), and that is the route.
"""

import datetime as dt

import geopandas as gpd
import pytest
from shapely import LineString, Point, Polygon

import planning  # noqa: F401
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .geometries import CRS, ORIGIN, at, scope, straight_block, water_main

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)
WATER = {"S": Demand(("water",), water_peak_m3_h=5.0)}


def _between_two_roads() -> Workspace:
    roads = gpd.GeoDataFrame(
        {
            "road_id": ["s", "n", "c"],
            "name": ["长宁大道", "北环路", "中兴路"],
            "road_class": ["arterial"] * 3,
        },
        geometry=[
            at(LineString([(-200, 0), (0, 0)])),
            at(LineString([(-200, 80), (0, 80)])),
            at(LineString([(0, 0), (0, 80)])),
        ],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["夹心地块"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(-150, 28), (-50, 28), (-50, 68), (-150, 68)]))],
        crs=CRS,
    )
    water = gpd.GeoDataFrame(
        {"asset_id": ["W"], "status": ["existing"], "diameter_mm": [200.0]},
        geometry=[at(LineString([(-12, 34), (-12, 36)]))],
        crs=CRS,
    )
    layers = {"roads": roads, "scope": scope(), "sites": site, "water": water}
    return Workspace.from_layers(layers, crs=CRS)


def _local(x: float, y: float) -> Point:
    return Point(x - ORIGIN[0], y - ORIGIN[1])


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_the_route_starts_at_the_frontage_shortest_from_the_red_line(strategy) -> None:
    ws = _between_two_roads()
    (a,) = assess_sites(ws, profile=PROFILE, demands=WATER, as_of=AS_OF, strategy=strategy)
    route = a.utilities["water"].route
    # the route along 北环路: 1.5 m lead-in + 73.0 m corridor = 74.5 m (not 17.5 + 63.0 = 80.5)
    assert round(route.lead_in_m, 3) == 1.5
    assert round(route.length_m, 3) == 73.0
    assert round(route.red_line_m, 3) == 74.5
    start = _local(*route.geometry.coords[0])
    assert (round(start.x, 3), round(start.y, 3)) == (-50.0, 69.5)
    # the lead-in drawn runs from the site's north edge to that start
    lead = route.lead_in_line
    assert lead.length == pytest.approx(1.5)
    assert _local(*lead.coords[0]).distance(Point(-50, 68)) < 1e-6
    assert _local(*lead.coords[-1]).distance(start) < 1e-6


def test_batch_and_per_site_take_the_same_route() -> None:
    ws = _between_two_roads()
    kwargs = {"profile": PROFILE, "demands": WATER, "as_of": AS_OF}
    (batch,) = assess_sites(ws, strategy="batch", **kwargs)
    (alone,) = assess_sites(ws, strategy="per_site", **kwargs)
    a, b = batch.utilities["water"].route, alone.utilities["water"].route
    assert a.nodes == b.nodes and a.red_line_m == b.red_line_m


def test_the_graph_knows_each_frontage_lead_in() -> None:
    ws = _between_two_roads()
    G = ws.corridor_graph()
    leads = G.graph["lead_ins"]
    by_place = {
        (round(G.nodes[n]["x"] - ORIGIN[0], 3), round(G.nodes[n]["y"] - ORIGIN[1], 3)): m
        for (pid, n), m in leads.items()
        if pid == "S"
    }
    # the frontage ends on each road, by hand: 17.5 m to 长宁大道, 1.5 m to 北环路
    assert by_place[(-50.0, 10.5)] == pytest.approx(17.5)
    assert by_place[(-150.0, 10.5)] == pytest.approx(17.5)
    assert by_place[(-50.0, 69.5)] == pytest.approx(1.5)
    assert by_place[(-150.0, 69.5)] == pytest.approx(1.5)


# --- the coverage limit counts from the red line ----------------------------------------------


def _set_back_site() -> Workspace:
    """A site 28 m north of 长宁大道 (lead-in 17.5 m), the main 290 m along the sidewalk."""
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["退让厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(100, 28), (180, 28), (180, 90), (100, 90)]))],
        crs=CRS,
    )
    layers = {
        "roads": straight_block(),
        "scope": scope(),
        "sites": site,
        "water": water_main(470.0, 700.0, 12.0, diameter_mm=200.0),
    }
    return Workspace.from_layers(layers, crs=CRS)


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_main_within_reach_along_the_road_but_not_from_the_red_line_is_not_coverage(
    strategy,
) -> None:
    # corridor 470 - 180 = 290 m, lead-in 17.5 m: 307.5 m from the red line
    ws = _set_back_site()
    kwargs = {"demands": WATER, "as_of": AS_OF, "strategy": strategy}
    reach_300 = PROFILE.with_value("coverage.max_connection_m", 300.0, source="test")
    (a,) = assess_sites(ws, profile=reach_300, **kwargs)
    water = a.utilities["water"]
    assert not water.covered and water.route is None
    assert [r.code for r in water.reasons] == ["needs_prelay"]
    # 8 m more reach and it is covered, 307.5 m from the red line
    reach_308 = PROFILE.with_value("coverage.max_connection_m", 308.0, source="test")
    (b,) = assess_sites(ws, profile=reach_308, **kwargs)
    route = b.utilities["water"].route
    assert b.utilities["water"].covered
    assert (round(route.length_m, 3), round(route.red_line_m, 3)) == (290.0, 307.5)
