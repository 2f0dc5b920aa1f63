"""Pre-laying planner on hand-built roads and on the demo intents."""

import datetime as dt

import geopandas as gpd
import pytest
from shapely import LineString, Polygon

import planning  # noqa: F401
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.prelay import plan_prelay

from .geometries import CRS, at, scope

PROFILE = load_profile("jingmen-2023")
AS_OF = dt.date(2026, 11, 29)


def _intents(*rows):
    """Intents north of the road: (id, x0, x1, m³/d, expected start)."""
    return gpd.GeoDataFrame(
        {
            "intent_id": [r[0] for r in rows],
            "name": [f"意向{r[0]}" for r in rows],
            "expected_start": [r[4] for r in rows],
            "registered_by": "市招商局",
            "utilities": "water",
            "water_m3_day": [r[3] for r in rows],
        },
        geometry=[at(Polygon([(r[1], 20), (r[2], 20), (r[2], 80), (r[1], 80)])) for r in rows],
        crs=CRS,
    )


def _ws(intents, water, extra=None):
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["长宁大道"], "road_class": ["secondary"]},
        geometry=[at(LineString([(-400, 0), (1400, 0)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["X"], "name": ["无关地块"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(-300, -30), (-260, -30), (-260, -70), (-300, -70)]))],
        crs=CRS,
    )
    layers = {"roads": roads, "sites": site, "scope": scope(), "intents": intents, "water": water}
    layers.update(extra or {})
    return Workspace.from_layers(layers, crs=CRS)


def _water(x0, x1):
    return gpd.GeoDataFrame(
        {"asset_id": ["W"], "status": ["existing"], "diameter_mm": [300.0]},
        geometry=[at(LineString([(x0, 11), (x1, 11)]))],
        crs=CRS,
    )


def test_an_intent_600_m_from_water_becomes_commitment_eligible():
    # intent fronts x 0..40; the water main starts at x = 640 on the same side: 600 m, joint
    ws = _ws(_intents(("A", 0, 40, 200.0, "2027-06-01")), _water(640, 760))
    plan = plan_prelay(ws, profile=PROFILE, utilities=["water"], as_of=AS_OF)
    before, after = plan.before["A"].utilities["water"], plan.after["A"].utilities["water"]
    assert (before.covered, before.approval_path) == (True, "joint")
    assert before.route.length_m == pytest.approx(600.0)
    (ext,) = plan.extensions
    assert ext.length_m == pytest.approx(600.0)  # x 40 → 640 along the same sidewalk
    assert ext.serves == ("A",)
    # 200 m³/d → 200 / 24 × 2 = 16.7 m³/h peak → the smallest main that serves it: DN150
    assert ext.attrs["diameter_mm"] == 150.0
    # lead time 60 days (profile) before the expected start
    assert ext.latest_start == dt.date(2027, 4, 2)
    assert (after.covered, after.approval_path) == (True, "commitment")
    assert after.route.length_m == pytest.approx(0.0)
    row = next(r for r in plan.summary(PROFILE) if r["utility"] == "water")
    assert (row["eligible_before"], row["eligible_after"]) == (0, 1)


def test_two_intents_on_one_street_share_one_extension_sized_for_both():
    # A fronts x 0..40 (200 m³/d), B fronts x 100..140 (400 m³/d); the main starts at x = 700.
    # One extension x 40 → 700 (660 m) serves both; peak 600 / 24 × 2 = 50 m³/h → DN200
    ws = _ws(
        _intents(("A", 0, 40, 200.0, "2027-06-01"), ("B", 100, 140, 400.0, "2027-03-01")),
        _water(700, 760),
    )
    plan = plan_prelay(ws, profile=PROFILE, utilities=["water"], as_of=AS_OF)
    (ext,) = plan.extensions
    assert ext.length_m == pytest.approx(660.0)
    assert ext.serves == ("A", "B")
    assert ext.attrs["diameter_mm"] == 200.0
    assert ext.earliest_need == dt.date(2027, 3, 1)  # B's start decides the timing
    assert ext.latest_start == dt.date(2026, 12, 31)
    for pid in ("A", "B"):
        assert plan.after[pid].utilities["water"].approval_path == "commitment"


def test_an_intent_behind_the_railway_gets_a_crossing_flagged_as_joint():
    # the only water main is west of a railway that crosses the road at x = 300; the intent
    # fronts x 400..440: the extension must cross the railway, and says so
    rail = gpd.GeoDataFrame(
        {"kind": ["railway"], "name": ["焦柳铁路"]},
        geometry=[at(LineString([(300, -500), (300, 500)]))],
        crs=CRS,
    )
    ws = _ws(
        _intents(("A", 400, 440, 100.0, "2027-09-01")),
        _water(-200, -100),
        extra={"major_lines": rail},
    )
    plan = plan_prelay(ws, profile=PROFILE, utilities=["water"], as_of=AS_OF)
    before = plan.before["A"].utilities["water"]
    assert before.approval_path == "joint"
    assert "crosses_railway" in [r.code for r in before.reasons]
    crossing = [e for e in plan.extensions if e.attrs.get("crosses")]
    assert crossing and crossing[0].attrs["crosses"] == ["铁路「焦柳铁路」"]
    assert any("焦柳铁路" in c and "联合审批" in c for c in plan.conflicts)
    # the intent's own connection is short and clean once the main is pre-laid on its side
    assert plan.after["A"].utilities["water"].approval_path == "commitment"


def test_demo_intents_before_and_after():
    from data.demo_district import build_district

    ws = Workspace.from_layers(build_district("demo"), crs=CRS)
    plan = plan_prelay(ws, profile=PROFILE, as_of=AS_OF)
    rows = {r["utility"]: r for r in plan.summary(PROFILE)}
    # every water intent already reaches a main by a route that meets the commitment
    # conditions (the commitment route is sought, issue 14): no water main to pre-lay
    assert (rows["water"]["eligible_before"], rows["water"]["eligible_after"]) == (5, 5)
    assert rows["water"]["extensions"] == 0
    assert rows["gas"]["eligible_after"] == rows["gas"]["requested"] == 3
    # YX-2026-005 asks for 20 MVA: 35 kV, and the district has no 35 kV network to extend
    assert "YX-2026-005" in plan.unreachable["power"]
    reasons = {(pid, u): why for pid, u, why in plan.still_not_eligible()}
    assert "35 kV" in reasons[("YX-2026-005", "power")]
    layers = plan.layers(ws)
    assert set(layers["prelay_extensions"]["utility"]) >= {"gas", "power"}
    already = int((ws.layer("gas")["status"] == "planned").sum())
    added = sum(1 for e in plan.extensions if e.utility == "gas" and e.kind == "sidewalk")
    assert int((layers["gas"]["status"] == "planned").sum()) == already + added
    assert added > 0
    # the gas mains are checked on the gas model with the planned mains (runs joined across
    # street corners, the first tapped on the existing main): the table's DN160 serves
    # YX-2026-003 (issue 16 item 3); the demo plans no water main, so no water size changes
    gas = plan.sizing["gas"]
    check = gas.last["YX-2026-003"]
    assert check.run is not None and check.reasons == ()
    assert gas.rounds == 1
    assert {e.attrs["diameter_mm"] for e in plan.extensions if e.utility == "gas"} == {160.0}
    assert "water" not in plan.sizing


def test_cli_imports_intents_from_a_spreadsheet_and_writes_the_plan(tmp_path):
    from pathlib import Path

    import pyogrio
    from typer.testing import CliRunner

    from api.cli import app
    from data.demo_district import build_district
    from gis.workspace import write_workspace

    ws = tmp_path / "demo.gpkg"
    layers = build_district("demo")
    del layers["intents"]
    write_workspace(layers, ws)
    csv = Path(__file__).resolve().parents[1] / "data" / "intents_example.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(ws), str(csv), "--layer", "intents"])
    assert res.exit_code == 0, res.output
    intents = pyogrio.read_dataframe(ws, layer="intents")
    assert len(intents) == 5 and intents.crs.to_epsg() == 4546
    out = tmp_path / "plan.gpkg"
    res = runner.invoke(app, ["prelay", str(ws), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "告知承诺可办 前→后" in res.output
    names = dict(pyogrio.list_layers(out))
    assert names["prelay_extensions"] == "LineString"
    ext = pyogrio.read_dataframe(out, layer="prelay_extensions")
    added = ((ext["utility"] == "water") & (ext["kind"] == "sidewalk")).sum()
    before = (layers["water"]["status"] == "planned").sum()
    water = pyogrio.read_dataframe(out, layer="water")
    assert (water["status"] == "planned").sum() == before + added
    assert len(ext) > 0
    # the plan file is a workspace: the assessment reads it with the planned mains
    res = runner.invoke(app, ["assess", str(out), "--all", "--include-planned"])
    assert res.exit_code == 0, res.output


def test_separate_runs_on_one_block_side_are_separate_mains_and_replanning_continues_ids():
    # one 2 km block: mains at both ends (x 0..50 and x 1950..2000), intents at x 500..540 and
    # x 1460..1500: each is joined to its nearer end (450 m each), two mains, not one
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["长宁大道"], "road_class": ["secondary"]},
        geometry=[at(LineString([(0, 0), (2000, 0)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["X"], "name": ["无关地块"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(1000, -30), (1040, -30), (1040, -70), (1000, -70)]))],
        crs=CRS,
    )
    water = gpd.GeoDataFrame(
        {"asset_id": ["W1", "W2"], "status": "existing", "diameter_mm": 300.0},
        geometry=[at(LineString([(0, 11), (50, 11)])), at(LineString([(1950, 11), (2000, 11)]))],
        crs=CRS,
    )
    intents = _intents(("A", 500, 540, 100.0, "2027-06-01"), ("B", 1460, 1500, 100.0, "2027-06-01"))
    big_scope = gpd.GeoDataFrame(
        geometry=[at(Polygon([(-500, -500), (2500, -500), (2500, 500), (-500, 500)]))], crs=CRS
    )
    ws = Workspace.from_layers(
        {"roads": roads, "sites": site, "scope": big_scope, "intents": intents, "water": water},
        crs=CRS,
    )
    plan = plan_prelay(ws, profile=PROFILE, utilities=["water"], as_of=AS_OF)
    assert sorted((e.serves, round(e.length_m, 6)) for e in plan.extensions) == [
        (("A",), 450.0),
        (("B",), 450.0),
    ]
    for e in plan.extensions:
        assert e.geometry.length == pytest.approx(e.length_m)
    # planning again on the planned workspace: new ids follow the old ones
    again = Workspace.from_layers(
        {**ws.layers, **{k: v for k, v in plan.layers(ws).items() if k == "water"}}, crs=CRS
    )
    replan = plan_prelay(again, profile=PROFILE, utilities=["water"], as_of=AS_OF)
    old_ids = {e.asset_id for e in plan.extensions}
    assert not old_ids & {e.asset_id for e in replan.extensions}


def test_planned_mains_are_modelled_as_built_and_tapped_on_the_main_beside_them():
    """A planned run starting 4 m from an existing main is joined to it; one 30 m away is not."""
    import geopandas as gpd
    from shapely import LineString

    from planning.route_facts import TAP_REACH_M, planned_as_built

    mains = gpd.GeoDataFrame(
        {
            "asset_id": ["E1", "P1", "P2"],
            "status": ["existing", "planned", "planned"],
            "diameter_mm": [200.0, 100.0, 100.0],
        },
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(50, 4), (50, 80)]),  # starts 4 m beside E1
            LineString([(200, 30), (300, 30)]),  # 30 m from anything
        ],
        crs=CRS,
    )
    built = planned_as_built(mains)
    assert set(built["status"]) == {"existing"}
    joints = built[built["asset_id"].str.endswith("+joint")]
    assert list(joints["asset_id"]) == ["P1+joint"]
    assert joints.geometry.iloc[0].length == pytest.approx(4.0)
    assert joints["diameter_mm"].iloc[0] == 100.0
    assert TAP_REACH_M < 30.0
