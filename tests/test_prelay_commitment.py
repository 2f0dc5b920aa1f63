"""The pre-lay planner's after-plan assessment seeks the commitment route (issue 14, item 1).

Hand-built: 长宁大道, an arterial from x = -400 to x = 1400 (16 m carriageway, 5 m sidewalks:
the sidewalks' centre lines 10.5 m off the road's, a crossing 21 m from one to the other).
Intent A stands south of the road (red line 20 m off the centreline, x 0..40), intent B
north of it, opposite A (x 0..40); both red lines are 9.5 m from their sidewalk.

- Water main W-south runs on A's side from x = 640: A's only route on its own side is 600 m
  (over the 300 m threshold) and the route across the arterial to W-north crosses it, so A
  needs joint approval and the planner extends a main along the south sidewalk x 40 → 640.
- Water main W-north runs on B's side from x = 300: B connects by notify-and-commit along its
  own sidewalk, 260 m (269.5 m from the red line).
- After the plan, the new main passes right opposite B: B's shortest route is the 21 m
  crossing of the arterial to it (joint approval), but the 260 m same-side route is still
  under the threshold, so B stays notify-and-commit and the shortest route is reported
  with why it was not chosen.
"""

import datetime as dt

import geopandas as gpd
from shapely import LineString, Polygon

import planning  # noqa: F401
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.prelay import PrelayPlan, plan_prelay

from .geometries import CRS, at, scope

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)


def _box(x0: float, x1: float, y0: float, y1: float) -> Polygon:
    return at(Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]))


def _plan(utility: str = "water") -> tuple[Workspace, PrelayPlan]:
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["长宁大道"], "road_class": ["arterial"]},
        geometry=[at(LineString([(-400, 0), (1400, 0)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["X"], "name": ["无关地块"], "enterprise_type": ["industrial"]},
        geometry=[_box(-300, -260, -300, -340)],
        crs=CRS,
    )
    intents = gpd.GeoDataFrame(
        {
            "intent_id": ["A", "B"],
            "name": ["意向A", "意向B"],
            "expected_start": "2027-06-01",
            "registered_by": "市招商局",
            "utilities": utility,
            "water_m3_day": 100.0,
        },
        geometry=[_box(0, 40, -20, -80), _box(0, 40, 20, 80)],
        crs=CRS,
    )
    # water mains or (telecom) 中国电信's ducts
    what = {"diameter_mm": 300.0} if utility == "water" else {"operator": "china_telecom"}
    mains = gpd.GeoDataFrame(
        {"asset_id": ["W-south", "W-north"], "status": "existing", **what},
        geometry=[at(LineString([(640, -12), (760, -12)])), at(LineString([(300, 12), (400, 12)]))],
        crs=CRS,
    )
    layers = {"roads": roads, "sites": site, "scope": scope(), "intents": intents, utility: mains}
    ws = Workspace.from_layers(layers, crs=CRS)
    return ws, plan_prelay(ws, profile=PROFILE, utilities=[utility], as_of=AS_OF)


def test_an_intent_opposite_a_planned_main_keeps_its_same_side_commitment_route() -> None:
    _, plan = _plan()
    # A: joint before (281 m across the arterial to W-north; 600 m on its own side)
    a_before = plan.before["A"].utilities["water"]
    assert a_before.approval_path == "joint" and a_before.route.tap_asset == "W-north"
    assert round(a_before.route.length_m, 3) == 281.0
    # the planner extends a main along A's sidewalk to W-south, serving A only
    (ext,) = plan.extensions
    assert (ext.kind, ext.serves, round(ext.length_m, 3)) == ("sidewalk", ("A",), 600.0)
    a_after = plan.after["A"].utilities["water"]
    assert (a_after.approval_path, a_after.route.tap_asset) == ("commitment", ext.asset_id)
    assert round(a_after.route.red_line_m, 3) == 9.5 and a_after.shortest is None
    # B: notify-and-commit before, along its own sidewalk
    b_before = plan.before["B"].utilities["water"]
    assert (b_before.approval_path, b_before.route.tap_asset) == ("commitment", "W-north")
    assert b_before.shortest is None
    # after the plan the nearest main is the new one across the arterial; the same-side route
    # (260 m + 9.5 m, under 300 m) is still taken
    b_after = plan.after["B"].utilities["water"]
    assert (b_after.approval_path, b_after.route.tap_asset) == ("commitment", "W-north")
    assert round(b_after.route.length_m, 3) == 260.0
    assert round(b_after.route.red_line_m, 3) == 269.5
    assert b_after.route.crossings == [] and b_after.route.carriageways == []
    # the shortest route is kept beside it, with why it was not chosen
    shortest = b_after.shortest
    assert shortest is not None and shortest.tap_asset == ext.asset_id
    assert round(shortest.length_m, 3) == 21.0
    assert [(c.road_class, c.name) for c in shortest.carriageways] == [("arterial", "长宁大道")]
    assert [r.code for r in b_after.shortest_reasons] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    # both intents are notify-and-commit after the plan; nothing is left over
    (row,) = plan.summary(PROFILE)
    assert (row["eligible_before"], row["eligible_after"]) == (1, 2)
    assert plan.still_not_eligible() == []


def test_the_after_plan_report_shows_the_shortest_route_and_why_not() -> None:
    from api.report import assessment_to_dict

    ws, plan = _plan()
    water = assessment_to_dict(plan.after["B"], crs=ws.crs)["utilities"]["water"]
    assert water["approval"]["path"] == "commitment"
    assert (water["length_m"], water["red_line_m"]) == (260.0, 269.5)
    assert water["tap"]["asset_id"] == "W-north"
    shortest = water["shortest"]
    assert (shortest["length_m"], shortest["red_line_m"]) == (21.0, 30.5)
    assert shortest["tap"]["asset_id"] == plan.extensions[0].asset_id
    assert [w["code"] for w in shortest["why_not_chosen"]] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    assert all("长宁大道" in w["text"] for w in shortest["why_not_chosen"])
    assert shortest["route"]["type"] == "LineString"


def test_a_telecom_intent_opposite_a_planned_duct_keeps_its_same_side_commitment_route() -> None:
    # the same layout with 中国电信's ducts: the operator's commitment route (issue 14)
    _, plan = _plan("telecom")
    (ext,) = plan.extensions
    assert (ext.serves, ext.attrs["operator"]) == (("A",), "china_telecom")
    b_after = plan.after["B"].utilities["telecom"]
    assert (b_after.approval_path, b_after.route.tap_asset) == ("commitment", "W-north")
    assert (round(b_after.route.length_m, 3), b_after.route.operator) == (260.0, "china_telecom")
    shortest = b_after.shortest
    assert shortest is not None and shortest.tap_asset == ext.asset_id
    assert round(shortest.length_m, 3) == 21.0
    assert [r.code for r in b_after.shortest_reasons] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    assert b_after.shortest_reasons[0].text.startswith("中国电信外线")
