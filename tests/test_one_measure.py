"""One measure (issue 14, items 2 and 3): a route is as long as it is drawn; the red line counts.

The length reported for a route is the length of the line drawn, exported and printed (the
sidewalk's centre line, corners as turned, crossings from sidewalk centre to sidewalk centre),
and the length compared with the commitment threshold runs from the site's red line (seed 二):
the lead-in plus the corridor part.
"""

import datetime as dt

import geopandas as gpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Polygon

import planning  # noqa: F401
from gis.convert import edge_geometry
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .geometries import CRS, at, scope, straight_block, water_main

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)
WATER = {"S": Demand(("water",), water_peak_m3_h=5.0)}


def _routes(assessment):
    for result in assessment.utilities.values():
        for route in (result.route, result.backup):
            if route is not None:
                yield result.utility, route


def test_every_demo_route_is_as_long_as_its_drawing(results) -> None:
    checked = 0
    for pid, a in results.items():
        for utility, route in _routes(a):
            assert abs(route.length_m - route.geometry.length) <= 0.1, (pid, utility)
            assert route.red_line_m == route.lead_in_m + route.length_m
            # the surfaces dug add up to the same line, lead-in included
            assert abs(sum(route.surfaces.values()) - route.red_line_m) <= 0.1, (pid, utility)
            checked += 1
    assert checked >= 20


def test_every_edge_of_the_demo_graph_is_as_long_as_drawn(demo_ws) -> None:
    G = demo_ws.corridor_graph()
    kinds = set()
    for u, v, d in G.edges(data=True):
        assert abs(d["length"] - edge_geometry(G, u, v).length) <= 1e-6, (u, v, d["kind"])
        kinds.add(d["kind"])
    assert kinds == {"sidewalk", "crossing", "corner"}


def test_a_crossing_runs_from_sidewalk_centre_to_sidewalk_centre(results) -> None:
    # JM-2026-004 crosses 白云大道 (arterial: 16 m carriageway, 5 m sidewalks) and nothing else
    route = results["JM-2026-004"].utilities["water"].route
    assert round(route.length_m, 1) == 21.0
    assert route.surfaces["carriageway:arterial"] == 16.0
    assert route.surfaces["sidewalk"] == 5.0


# --- the red line -----------------------------------------------------------------------------


def _set_back(depth: float, main_from: float) -> Workspace:
    """A site over x 100..180 whose red line stands ``depth`` m north of 长宁大道's centreline.

    长宁大道 is an arterial (16 m carriageway, 5 m sidewalks): the sidewalk's centre line is
    10.5 m from the road's, so the lead-in from the red line is ``depth - 10.5`` m. The water
    main runs on the same side from x = ``main_from``: the corridor part is ``main_from - 180``.
    """
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["退让厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(100, depth), (180, depth), (180, 90), (100, 90)]))],
        crs=CRS,
    )
    layers = {
        "roads": straight_block(),
        "scope": scope(),
        "sites": site,
        "water": water_main(main_from, 700.0, 12.0, diameter_mm=200.0),
    }
    return Workspace.from_layers(layers, crs=CRS)


def _water(ws: Workspace):
    (a,) = assess_sites(ws, profile=PROFILE, demands=WATER, as_of=AS_OF)
    return a.utilities["water"]


def test_a_set_back_site_over_the_threshold_from_its_red_line_needs_joint_approval() -> None:
    # corridor 470 - 180 = 290 m (< 300) + lead-in 28 - 10.5 = 17.5 m: 307.5 m from the red line
    water = _water(_set_back(28.0, 470.0))
    route = water.route
    assert round(route.length_m, 3) == 290.0
    assert round(route.lead_in_m, 3) == 17.5
    assert round(route.red_line_m, 3) == 307.5
    assert water.approval_path == "joint"
    (reason,) = [r for r in water.reasons if r.code == "length"]
    assert "307.5 m" in reason.text
    assert "红线引入段 17.5 m + 沿道路 290.0 m" in reason.text


def test_the_same_site_nearer_the_road_stays_under_the_threshold() -> None:
    # lead-in 20 - 10.5 = 9.5 m: 299.5 m from the red line
    water = _water(_set_back(20.0, 470.0))
    assert round(water.route.red_line_m, 3) == 299.5
    assert water.approval_path == "commitment"
    (reason,) = water.reasons
    assert "299.5 m" in reason.text and "红线引入段 9.5 m + 沿道路 290.0 m" in reason.text


# --- random grids -----------------------------------------------------------------------------

CLASSES = ("arterial", "secondary", "branch", "access")


def _grid_roads(classes, gaps, bend):
    """A grid of 3 × 3 roads at the given gaps, of the given classes; the first one bent."""
    xs = [0.0, gaps[0], gaps[0] + gaps[1]]
    end = xs[-1] + 100
    lines, ids = [], []
    for k, y in enumerate(xs):
        pts = [(-100, y), (end, y)]
        if k == 0 and bend:
            pts = [(-100, y), (xs[1] / 2, y + bend), (end, y)]
        lines.append(at(LineString(pts)))
        ids.append(f"h{k}")
    for k, x in enumerate(xs):
        lines.append(at(LineString([(x, -100), (x, end)])))
        ids.append(f"v{k}")
    return gpd.GeoDataFrame(
        {"road_id": ids, "name": [f"{i}路" for i in ids], "road_class": list(classes)},
        geometry=lines,
        crs=CRS,
    ), xs


grid_st = st.tuples(
    st.lists(st.sampled_from(CLASSES), min_size=6, max_size=6),
    st.tuples(st.floats(80, 250), st.floats(80, 250)),
    st.sampled_from([0.0, 0.0, 12.0, -25.0]),
    st.tuples(st.integers(0, 1), st.floats(0.1, 0.8)),  # the site: row, place along it
    st.lists(  # mains: along column k from a to b, on side +1/-1
        st.tuples(
            st.integers(0, 2), st.floats(-90, 300), st.floats(20, 200), st.sampled_from([1, -1])
        ),
        min_size=1,
        max_size=3,
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_st)
def test_reported_lengths_equal_drawn_lengths_on_random_grids(grid) -> None:
    classes, gaps, bend, (row, frac), mains = grid
    roads, xs = _grid_roads(classes, gaps, bend)
    x = xs[1] * frac if row == 0 else xs[1] + (xs[2] - xs[1]) * frac
    y0 = (xs[1] + xs[2]) / 2 - 20  # a site in the middle row of blocks, fronting column 1..2
    site = Polygon([(x, y0), (x + 30, y0), (x + 30, y0 + 30), (x, y0 + 30)])
    if row == 0:  # or one fronting the first road's north side
        site = Polygon([(x, 45), (x + 30, 45), (x + 30, 70), (x, 70)])
    water = gpd.GeoDataFrame(
        {
            "asset_id": [f"W{i}" for i in range(len(mains))],
            "status": "existing",
            "diameter_mm": 200.0,
        },
        geometry=[
            at(LineString([(xs[k] + 11 * s, a), (xs[k] + 11 * s, a + n)])) for k, a, n, s in mains
        ],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(site)],
        crs=CRS,
    )
    ws = Workspace.from_layers(
        {"roads": roads, "scope": scope(), "sites": sites, "water": water}, crs=CRS
    )
    G = ws.corridor_graph()
    for u, v, d in G.edges(data=True):
        assert abs(d["length"] - edge_geometry(G, u, v).length) <= 1e-6, d["kind"]
    route = _water(ws).route
    if route is not None:
        assert abs(route.length_m - route.geometry.length) <= 0.1
        assert route.straight_line_m <= route.length_m + 1e-6
