"""Seek the commitment route (issue 14, item 1; seed 三5, 四(一)2), on hand-built geometry.

One 800 m block of 长宁大道 (arterial: 16 m carriageway, 5 m sidewalks, the sidewalks' centre
lines 10.5 m off the road's). The site's red line stands 15 m north of the centreline over
x 100..180, so its lead-in to the north sidewalk is 4.5 m. The nearest water main is across
the arterial (south side, x 100..180): one crossing, 16 + 5 = 21 m, a major road and a
carriageway dug (joint). A second main runs on the site's own side from x = ``x_north``.
"""

import datetime as dt

import geopandas as gpd
import pytest
from shapely import LineString, Polygon

import planning  # noqa: F401
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .geometries import CRS, at, scope, straight_block

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)


def _ws(x_north: float) -> Workspace:
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["临路厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(100, 15), (180, 15), (180, 80), (100, 80)]))],
        crs=CRS,
    )
    water = gpd.GeoDataFrame(
        {"asset_id": ["W-south", "W-north"], "status": "existing", "diameter_mm": 200.0},
        geometry=[
            at(LineString([(100, -12), (180, -12)])),
            at(LineString([(x_north, 12), (x_north + 150, 12)])),
        ],
        crs=CRS,
    )
    layers = {"roads": straight_block(), "scope": scope(), "sites": site, "water": water}
    return Workspace.from_layers(layers, crs=CRS)


def _water(ws: Workspace, strategy: str = "auto"):
    (a,) = assess_sites(
        ws,
        profile=PROFILE,
        demands={"S": Demand(("water",), water_peak_m3_h=5.0)},
        as_of=AS_OF,
        strategy=strategy,  # type: ignore[arg-type]
    )
    return a, a.utilities["water"]


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_longer_same_side_route_under_the_threshold_is_taken(strategy: str) -> None:
    # same side: from the frontage's east end x = 180 to x = 400, 220 m + 4.5 m = 224.5 m
    a, water = _water(_ws(400.0), strategy)
    assert (a.approval_path, water.approval_path) == ("commitment", "commitment")
    route = water.route
    assert route.tap_asset == "W-north"
    assert round(route.length_m, 3) == 220.0
    assert round(route.red_line_m, 3) == 224.5
    assert route.carriageways == [] and route.crossings == []
    (reason,) = water.reasons
    assert reason.rule == "R3" and "224.5 m" in reason.text
    # the shortest route is reported beside it, with why it was not chosen
    shortest = water.shortest
    assert shortest is not None and shortest.tap_asset == "W-south"
    assert round(shortest.length_m, 3) == 21.0
    assert [(c.road_class, c.name) for c in shortest.carriageways] == [("arterial", "长宁大道")]
    assert [r.code for r in water.shortest_reasons] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]


def test_no_route_under_the_threshold_keeps_the_shortest_and_its_joint_approval() -> None:
    # same side from x = 480: 300 m + 4.5 m, not under 300 m
    a, water = _water(_ws(480.0))
    assert (a.approval_path, water.approval_path) == ("joint", "joint")
    assert water.route.tap_asset == "W-south" and round(water.route.length_m, 3) == 21.0
    assert water.shortest is None


def test_a_change_of_use_is_not_lifted_by_another_route() -> None:
    ws = _ws(400.0)
    (a,) = assess_sites(
        ws,
        profile=PROFILE,
        demands={"S": Demand(("water",), water_peak_m3_h=5.0, change_of_use=True)},
        as_of=AS_OF,
    )
    water = a.utilities["water"]
    assert water.approval_path == "joint" and water.route.tap_asset == "W-south"
    assert water.shortest is None


def test_the_report_shows_both_routes_and_the_length_parts() -> None:
    from api.report import assessment_table, assessment_to_dict

    ws = _ws(400.0)
    a, _ = _water(ws)
    water = assessment_to_dict(a, crs=ws.crs)["utilities"]["water"]
    assert (water["length_m"], water["lead_in_m"], water["red_line_m"]) == (220.0, 4.5, 224.5)
    assert water["tap"]["asset_id"] == "W-north"
    shortest = water["shortest"]
    assert (shortest["length_m"], shortest["red_line_m"]) == (21.0, 25.5)
    assert shortest["tap"]["asset_id"] == "W-south"
    assert [w["code"] for w in shortest["why_not_chosen"]] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    assert shortest["route"]["type"] == "LineString"
    table = assessment_table([a], profile=PROFILE)
    (line,) = [x for x in table.splitlines() if "最短" in x]
    assert "21.0" in line and "未采用" in line and "长宁大道" in line
