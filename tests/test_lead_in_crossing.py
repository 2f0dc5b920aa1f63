"""A lead-in that crosses a major line makes the route cross it (issue 14, item 2 with 三5).

长宁大道 (arterial, 16 m carriageway, 5 m sidewalks: the sidewalk's centre line 10.5 m from the
road's) runs along y = 0; the site fronts it with its red line at y = 20 (x 100..180). A
次高压燃气干线 (西气东输支线) runs between them at y = 15, along the road from x = 0 to 800;
a DN300 water main lies on the north sidewalk from x = 300 to 400.

By hand: the lead-in runs from the red line (y = 20) to the sidewalk's centre line (y = 10.5),
9.5 m, across the gas trunk at y = 15; the corridor runs along the sidewalk from the frontage's
east end (x = 180) to the main (x = 300), 120 m, and crosses nothing. So the route crosses the
trunk once, in its lead-in, and goes to joint approval; without the trunk it is a commitment
route of 9.5 + 120 = 129.5 m.
"""

import datetime as dt

import geopandas as gpd
import pytest
from shapely import LineString

import planning  # noqa: F401
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .geometries import CRS, at, block_site, scope, straight_block, water_main

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)
WATER = {"S": Demand(("water",), water_peak_m3_h=5.0)}


def _ws(*, trunk: bool) -> Workspace:
    layers = {
        "roads": straight_block(),
        "scope": scope(),
        "sites": block_site(),
        "water": water_main(300, 400, 12.0),
    }
    if trunk:
        layers["major_lines"] = gpd.GeoDataFrame(
            {"kind": ["gas_trunk"], "name": ["西气东输支线"]},
            geometry=[at(LineString([(0, 15), (800, 15)]))],
            crs=CRS,
        )
    return Workspace.from_layers(layers, crs=CRS)


def _water(ws: Workspace, strategy: str = "auto"):
    (a,) = assess_sites(ws, profile=PROFILE, demands=WATER, as_of=AS_OF, strategy=strategy)
    return a.utilities["water"]


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_lead_in_across_a_major_line_crosses_it(strategy) -> None:
    got = _water(_ws(trunk=True), strategy)
    route = got.route
    assert round(route.lead_in_m, 3) == 9.5 and round(route.length_m, 3) == 120.0
    assert [(c.kind, c.name) for c in route.crossings] == [("gas_trunk", "西气东输支线")]
    crossing = route.crossings[0]
    assert round(crossing.y - route.lead_in_line.bounds[1], 3) == round(15 - 10.5, 3)
    assert got.approval_path == "joint"
    assert any("西气东输支线" in r.text for r in got.reasons)


def test_without_the_major_line_the_same_route_is_a_commitment() -> None:
    got = _water(_ws(trunk=False))
    assert round(got.route.red_line_m, 3) == 129.5
    assert got.route.crossings == [] and got.approval_path == "commitment"
