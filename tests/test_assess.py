"""Site assessment on the demo district: every decision case with path, length and reasons."""


import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, Polygon

import planning  # noqa: F401  (registers the policy profiles)
from data.demo_district import DEMO_CASES, build_district
from data.demo_intakes import demo_intakes
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import assess_sites
from planning.suitability import Demand

from .demo import AS_OF, JINGMEN, demo_demand
from .geometries import CRS, at, block_site, scope, straight_block, water_main


def _case(key):
    return next(pid for pid, c in DEMO_CASES.items() if c["case"] == key)


def _codes(reasons):
    return [r.code for r in reasons]


def test_every_designed_length_is_routed_to_half_a_metre(results):
    checked = 0
    for pid, case in DEMO_CASES.items():
        for utility, metres in case["expected_route_m"].items():
            route = results[pid].utilities[utility].route
            assert route is not None, (pid, utility)
            assert route.length_m == pytest.approx(metres, abs=0.5), (pid, utility)
            assert route.straight_line_m <= route.length_m + 1e-9
            checked += 1
    assert checked == 16


def test_short_route_is_notify_and_commit(results):
    a = results[_case("short_route")]
    assert (a.applicable, a.approval_path) == (True, "commitment")
    water = a.utilities["water"]
    assert water.route.surfaces["sidewalk"] == pytest.approx(120.0)
    assert set(water.route.surfaces) == {"sidewalk", "lead_in"}
    # the lead-in runs from the red line to the sidewalk: shorter than the 30 m frontage reach
    assert 0 < water.route.lead_in_m == water.route.surfaces["lead_in"] < 30
    (reason,) = water.reasons
    assert reason.rule == "R3"
    assert reason.text.startswith(
        "外线长度 124.0 m（自建筑区划红线起算：红线引入段 4.0 m + 沿道路 120.0 m），小于 300 m；挖掘人行道；"
    )


def test_exactly_300_m_is_joint_and_over_300_too(results):
    exact = results[_case("exact_300")]
    assert exact.approval_path == "joint"
    assert exact.utilities["water"].route.length_m == 300.0
    (reason,) = exact.utilities["water"].reasons
    assert (reason.rule, reason.code) == ("R4", "length")
    # 300 m along the road and 4.5 m from the red line to the sidewalk
    assert "外线长度 304.5 m（自建筑区划红线起算：红线引入段 4.5 m + 沿道路 300.0 m），不小于 300 m" in reason.text
    over = results[_case("over_300")]
    assert over.approval_path == "joint"
    assert "外线长度 454.5 m（自建筑区划红线起算：红线引入段 4.5 m + 沿道路 450.0 m），不小于 300 m" in over.utilities["water"].reasons[0].text


def test_crossing_an_arterial_is_a_major_road_and_carriageway(results):
    water = results[_case("cross_arterial")].utilities["water"]
    assert water.approval_path == "joint"
    assert _codes(water.reasons) == ["crosses_arterial_road", "carriageway_arterial"]
    assert water.route.surfaces["carriageway:arterial"] == 16.0
    # from sidewalk centre to sidewalk centre: half of each 5 m sidewalk besides
    assert water.route.surfaces["sidewalk"] == 5.0
    assert set(water.route.surfaces) == {"carriageway:arterial", "sidewalk", "lead_in"}
    assert "需开挖横穿主干路「白云大道」车行道 16 m" in water.reasons[1].text


def test_railway_crossing_is_found_and_located(results, demo_ws):
    gas = results[_case("cross_railway")].utilities["gas"]
    assert gas.approval_path == "joint"
    (crossing,) = gas.route.crossings
    assert (crossing.kind, crossing.name) == ("railway", "焦柳铁路")
    railway = demo_ws.layer("major_lines").query("kind == 'railway'").geometry.iloc[0]
    assert railway.distance(gpd.points_from_xy([crossing.x], [crossing.y])[0]) < 1e-6
    assert _codes(gas.reasons) == ["crosses_railway"]


def test_no_suitable_main_needs_prelay(results):
    a = results[_case("no_suitable_main")]
    gas = a.utilities["gas"]
    assert not gas.covered and gas.route is None
    assert a.needs_prelay == ["gas"] and a.approval_path is None
    assert "1000 m 内无满足需求的燃气管线" in gas.reasons[0].text
    assert "次高压、高压不得直接接户" in gas.requirement


def test_not_applicable_says_why(results, city_scope_ws):
    # the 团林 site is outside a scope of the central city alone (the demo's scope has the 组团)
    outside = assess_sites(
        city_scope_ws,
        profile=JINGMEN,
        site_ids=["JM-2026-007"],
        demands={"JM-2026-007": demo_demand(DEMO_CASES["JM-2026-007"])},
        as_of=AS_OF,
    )[0]
    assert results["JM-2026-007"].applicable
    for a, code in ((outside, "outside_scope"), (results[_case("real_estate")], "real_estate")):
        assert (a.applicable, a.approval_path) == (False, "not_applicable")
        assert _codes(a.reasons) == [code]
        assert all(r.rule == "R1" for r in a.reasons)


def test_dual_power_takes_a_second_feeder(results):
    power = results[_case("dual_power")].utilities["power"]
    assert power.approval_path == "commitment"
    assert {power.route.feeder_id, power.backup.feeder_id} == {"DD-F131", "DD-F132"}
    assert power.backup.length_m == 0.0


def test_steam_and_green_space(results):
    heat = results[_case("steam")].utilities["heat"]
    assert (heat.approval_path, heat.route.length_m) == ("commitment", 60.0)
    green = results[_case("green_space")].utilities["water"]
    assert green.approval_path == "commitment"
    # the 12 m green belt between the red line and the sidewalk is crossed by the lead-in
    assert green.route.surfaces["green"] == pytest.approx(12.0, abs=0.5)
    assert green.route.surfaces["sidewalk"] == pytest.approx(40.0)
    assert "临时占用绿地" in green.reasons[0].text


def test_dig_once_road_needs_special_approval(results):
    water = results[_case("dig_once")].utilities["water"]
    assert water.approval_path == "joint"
    (reason,) = water.reasons
    assert (reason.rule, reason.code) == ("R10", "dig_once")
    assert "2024-09-28" in reason.text and "2029-09-28" in reason.text


def test_branch_crossing_is_joint_unless_the_profile_allows_trenchless(demo_ws, results):
    gas = results[_case("cross_branch")].utilities["gas"]
    assert (gas.approval_path, _codes(gas.reasons)) == ("joint", ["carriageway_branch"])


def test_planned_main_counts_only_when_asked(demo_ws):
    pid = _case("planned_main")
    d = {pid: demo_demand(DEMO_CASES[pid])}
    (now,) = assess_sites(demo_ws, profile=JINGMEN, site_ids=[pid], demands=d, as_of=AS_OF)
    (later,) = assess_sites(
        demo_ws, profile=JINGMEN, site_ids=[pid], demands=d, as_of=AS_OF, include_planned=True
    )
    # 220 m of centreline, drawn 10.5 m short of the junction on each block, + a 2.5 m corner
    assert now.utilities["water"].route.length_m == pytest.approx(201.5)
    assert later.utilities["water"].route.length_m == 0.0


def test_profile_switch_changes_the_path_of_the_same_site(demo_ws):
    # the planned-main case, 205.5 m from the red line: under 300 m in Jingmen, over 200 m
    # elsewhere
    pid = _case("planned_main")
    d = {pid: demo_demand(DEMO_CASES[pid])}
    (jm,) = assess_sites(demo_ws, profile=JINGMEN, site_ids=[pid], demands=d, as_of=AS_OF)
    (other,) = assess_sites(
        demo_ws, profile=load_profile("example-200m"), site_ids=[pid], demands=d, as_of=AS_OF
    )
    assert jm.approval_path == "commitment"
    assert other.approval_path == "joint"
    assert "外线长度 205.5 m（自建筑区划红线起算：红线引入段 4.0 m + 沿道路 201.5 m），不小于 200 m" in other.utilities["water"].reasons[0].text


def _plan(a):
    """What a user sees of one assessment: routes node by node, backups, trench and costs."""
    t = a.shared_trench
    return (
        a.approval_path,
        [r.code for r in a.reasons],
        {
            u: (
                r.covered,
                r.approval_path,
                None if r.route is None else (r.route.nodes, r.route.tap_asset, r.route.detour),
                None if r.backup is None else (r.backup.nodes, r.backup.tap_asset),
                r.operators,
            )
            for u, r in a.utilities.items()
        },
        None
        if t is None
        else (
            [(s.nodes, s.utilities, s.trenches) for s in t.segments],
            [(m.utility, m.from_m, m.to_m, m.tap_to) for m in t.rerouted],
        ),
        a.cost_joint,
    )


@pytest.mark.parametrize("demand", ["designed", "default"])
def test_batch_and_per_site_searches_give_the_same_assessment(demo_ws, demand):
    # shortest routes are unique (the routing index breaks ties by a hash of each edge's ends
    # and prefers a site's first frontage): a site gets the same routes, detours, joint trench
    # and costs assessed alone (searches from the site) as in a batch (searches from the taps)
    demands = {pid: demo_demand(c) for pid, c in DEMO_CASES.items()} if demand == "designed" else None
    batch = assess_sites(demo_ws, profile=JINGMEN, demands=demands, as_of=AS_OF, strategy="batch")
    alone = assess_sites(
        demo_ws, profile=JINGMEN, demands=demands, as_of=AS_OF, strategy="per_site"
    )
    assert len(batch) == len(alone) == 16
    # and ``auto`` (per site for so few sites) gives the same again
    auto = assess_sites(demo_ws, profile=JINGMEN, demands=demands, as_of=AS_OF)
    assert [_plan(a) for a in auto] == [_plan(b) for b in alone]
    detours = {
        a.project_id for a in batch for r in a.utilities.values() if r.route and r.route.detour
    }
    assert detours == ({"JM-2026-006"} if demand == "default" else set())
    for a, b in zip(batch, alone):
        assert _plan(a) == _plan(b), a.project_id


def test_default_demand_assesses_all_five_utilities(demo_ws):
    (a,) = assess_sites(demo_ws, profile=JINGMEN, site_ids=[_case("short_route")], as_of=AS_OF)
    assert set(a.utilities) == {"water", "gas", "heat", "power", "telecom"}


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_tap_exactly_at_the_coverage_limit_is_covered(strategy):
    # the route is 299.5 m along the sidewalk after a 12 m lead-in (test below): 311.5 m from
    # the red line, the length the coverage limit bounds; the searches add sub-nanometre
    # tie-breaks, which must not push a tap at exactly the coverage limit out of reach
    roads, site = straight_block("secondary"), block_site()
    water = water_main(479.5, 760, 10, diameter_mm=200.0)
    ws = Workspace.from_layers({"roads": roads, "sites": site, "water": water, "scope": scope()})
    for limit, covered in ((311.5, True), (311.4, False)):
        profile = JINGMEN.with_value("coverage.max_connection_m", limit, source="test")
        (a,) = assess_sites(
            ws,
            profile=profile,
            demands={"S": Demand(("water",), 5.0)},
            as_of=AS_OF,
            strategy=strategy,
        )
        result = a.utilities["water"]
        assert result.covered is covered, limit
        if covered:
            assert result.route.length_m == pytest.approx(299.5)
            assert result.route.red_line_m == pytest.approx(311.5)
        else:
            assert [r.code for r in result.reasons] == ["needs_prelay"]


def test_hand_built_299_5_m_is_commitment():
    roads, site = straight_block("secondary"), block_site()
    # the red line at y = 20, the sidewalk's centre line at (12 + 4) / 2 = 8 m: a 12 m lead-in
    # and 467.5 - 180 = 287.5 m along the sidewalk, 299.5 m from the red line
    water = water_main(467.5, 760, 10, diameter_mm=200.0)
    ws = Workspace.from_layers({"roads": roads, "sites": site, "water": water, "scope": scope()})
    (a,) = assess_sites(ws, profile=JINGMEN, demands={"S": Demand(("water",), 5.0)}, as_of=AS_OF)
    route = a.utilities["water"].route
    assert route.length_m == pytest.approx(287.5)
    assert route.red_line_m == pytest.approx(299.5)
    assert a.approval_path == "commitment"


def test_cli_assess_json_and_deadline(tmp_path):
    import json

    from typer.testing import CliRunner

    from api.cli import app
    from gis.workspace import write_workspace

    ws = tmp_path / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    forms = tmp_path / "forms.yaml"
    import yaml

    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "assess",
            str(ws),
            "--all",
            "--demand",
            str(forms),
            "--json",
            "--start",
            "2025-09-30T10:00",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = {r["project_id"]: r for r in map(json.loads, res.output.splitlines())}
    assert len(rows) == 16
    rail = rows[_case("cross_railway")]
    assert (rail["applicable"], rail["approval_path"]) == (True, "joint")
    gas = rail["utilities"]["gas"]
    for key in (
        "covered",
        "length_m",
        "straight_line_m",
        "surfaces",
        "crossings",
        "route",
        "tap",
        "approval",
        "deadlines",
    ):
        assert key in gas
    assert gas["length_m"] == 100.0
    (crossing,) = [c for c in gas["crossings"] if c["kind"] == "railway"]
    assert crossing["name"] == "焦柳铁路"
    assert 112.0 < crossing["lon"] < 112.4 and 30.8 < crossing["lat"] < 31.1
    assert gas["route"]["type"] == "LineString"
    assert all(112.0 < x < 112.4 and 30.8 < y < 31.1 for x, y in gas["route"]["coordinates"])
    assert gas["approval"]["path"] == "joint"
    assert gas["approval"]["reasons"][0]["rule"] == "R4"
    # the 2025 National Day holiday: 2 working days → 10-10 18:00, then 3 more → 10-14 18:00
    assert rail["deadlines"]["submission"] == "2025-10-10T18:00"
    assert rail["deadlines"]["approval"] == "2025-10-14T18:00"
    short = rows[_case("short_route")]
    assert short["approval_path"] == "commitment"
    # commitment: approved at once; connection within 0.5 working day = 3.5 office hours:
    # 10:00–12:00 (2 h) and 14:30–16:00 (1.5 h)
    assert short["deadlines"]["approval"] == "2025-09-30T10:00"
    assert short["deadlines"]["connection"] == "2025-09-30T16:00"
    shared = rows[_case("shared_trench")]["shared_trench"]
    assert (shared["total_trench_m"], shared["separate_trench_m"], shared["saved_m"]) == (
        200.0,
        400.0,
        200.0,
    )
    (seg,) = shared["segments"]
    assert (seg["utilities"], seg["length_m"], seg["name"]) == (["gas", "telecom"], 200.0, "掇刀路")
    assert seg["geometry"]["type"] == "LineString"
    cost = rows[_case("shared_trench")]["cost"]
    assert cost["saved_yuan"] > 0 and cost["joint_yuan"] < cost["separate_yuan"]
    table = runner.invoke(app, ["assess", str(ws), "--site", _case("exact_300")])
    assert table.exit_code == 0, table.output
    assert "联合审批" in table.output and "外线长度 304.5 m" in table.output
    assert "红线引入段 4.5 m + 沿道路 300.0 m），不小于 300 m" in table.output
    dl = runner.invoke(app, ["deadline", "--start", "2025-09-30T10:00", "--working-days", "3"])
    assert dl.output.strip() == "2025-10-11T18:00"
    half = runner.invoke(app, ["deadline", "--start", "2025-09-30T16:00", "--working-days", "0.5"])
    assert half.output.strip() == "2025-10-09T10:00"
    clock = runner.invoke(app, ["deadline", "--start", "2025-09-30T16:00", "--hours", "24"])
    assert clock.output.strip() == "2025-10-01T16:00"


def test_carriageway_crossing_is_located_on_the_road(demo_ws, results):
    from api.report import assessment_to_dict

    a = results[_case("cross_arterial")]
    out = assessment_to_dict(a, crs=demo_ws.crs)
    (cw,) = [
        c for c in out["utilities"]["water"]["crossings"] if c["kind"].startswith("carriageway")
    ]
    assert (cw["kind"], cw["name"], cw["width_m"]) == ("carriageway:arterial", "白云大道", 16.0)
    road = demo_ws.layer("roads").query("name == '白云大道'")
    point = gpd.GeoSeries(gpd.points_from_xy([cw["lon"]], [cw["lat"]]), crs=4326).to_crs(CRS)
    assert road.distance(point.iloc[0]).min() < 0.01  # on the centreline, to the centimetre


@pytest.mark.parametrize(("m2_from", "expect"), [(175.0, "detour"), (190.0, "flagged")])
def test_protected_road_is_avoided_within_the_allowance_and_flagged_beyond(m2_from, expect):
    # a corner site fronting 凤凰路 (east–west, opened 2024-01-01: protected until 2029) on its
    # north side (x 20..60) and 杨湾路 (north–south, old) on its east side (y 15..60).
    # Main M1 runs on 凤凰路's north side from x = 160: 100 m along the protected road.
    # Main M2 runs on 杨湾路's east side from y = m2_from: m2_from − 60 m, unprotected.
    roads = gpd.GeoDataFrame(
        {
            "road_id": ["r1", "r2"],
            "name": ["凤凰路", "杨湾路"],
            "road_class": ["secondary", "secondary"],
            "opened_on": ["2024-01-01", "2010-05-01"],
        },
        geometry=[at(LineString([(-300, 0), (400, 0)])), at(LineString([(0, -300), (0, 400)]))],
        crs=CRS,
    )
    site = gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["转角厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(20, 15), (60, 15), (60, 60), (20, 60)]))],
        crs=CRS,
    )
    water = gpd.GeoDataFrame(
        {
            "asset_id": ["M1", "M2"],
            "status": ["existing", "existing"],
            "diameter_mm": [200.0, 200.0],
        },
        geometry=[
            at(LineString([(160, 10), (380, 10)])),
            at(LineString([(10, m2_from), (10, 390)])),
        ],
        crs=CRS,
    )
    ws = Workspace.from_layers({"roads": roads, "sites": site, "water": water, "scope": scope()})
    (a,) = assess_sites(ws, profile=JINGMEN, demands={"S": Demand(("water",), 5.0)}, as_of=AS_OF)
    water_result = a.utilities["water"]
    route = water_result.route
    if expect == "detour":
        # 115 m ≤ 100 m × 1.2: keep off the protected road
        assert route.tap_asset == "M2" and route.length_m == pytest.approx(115.0)
        assert route.detour == {
            "avoided_roads": ["凤凰路"],
            "shortest_m": 100.0,
            "extra_m": pytest.approx(15.0),
            "allowance": 0.2,
        }
        assert not route.dig_once and water_result.approval_path == "commitment"
    else:
        # 130 m > 120 m: the route stays on 凤凰路 and needs special approval
        assert route.tap_asset == "M1" and route.length_m == pytest.approx(100.0)
        assert route.detour is None
        (reason,) = water_result.reasons
        assert reason.code == "dig_once" and "2029-01-01" in reason.text


def test_deadlines_in_a_year_without_notice_are_provisional_beyond_the_data_an_error(tmp_path):
    import json

    from typer.testing import CliRunner

    from api.cli import app
    from gis.workspace import write_workspace

    ws = tmp_path / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    res = CliRunner().invoke(
        app,
        ["assess", str(ws), "--site", _case("exact_300"), "--json", "--start", "2031-03-03T09:00"],
    )
    assert res.exit_code == 0, res.output
    (row,) = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert row["approval_path"] == "joint"
    # 2031 has no notice: provisional (暂定), from the statutory holidays and weekends
    assert row["deadlines"]["provisional"] is True
    assert row["deadlines"]["provisional_years"] == [2031]
    assert row["deadlines"]["note"].startswith("暂定：2031年")
    assert row["deadlines"]["submission"] == "2031-03-05T18:00"  # Mon 09:00 + 2 wd: Tue, Wed
    res = CliRunner().invoke(
        app,
        ["assess", str(ws), "--site", _case("exact_300"), "--json", "--start", "2099-03-02T09:00"],
    )
    (row,) = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    error = row["deadlines"]["error"]
    assert "2099" in error and "holidays.yaml" not in error and "/" not in error


def test_an_arterial_in_major_lines_and_crossed_by_the_route_is_one_crossing(demo_ws):
    # the demo's major_lines layer has no 白云大道; draw it there too: still one R4 reason
    roads = demo_ws.layer("roads")
    baiyun = roads[roads["name"] == "白云大道"]
    extra = gpd.GeoDataFrame(
        {"kind": ["arterial_road"] * len(baiyun), "name": "白云大道"},
        geometry=list(baiyun.geometry),
        crs=CRS,
    )
    layers = dict(demo_ws.layers)
    layers["major_lines"] = gpd.GeoDataFrame(
        pd.concat([layers["major_lines"], extra], ignore_index=True), crs=CRS
    )
    ws = Workspace.from_layers(layers, crs=CRS)
    pid = _case("cross_arterial")
    (a,) = assess_sites(
        ws,
        profile=JINGMEN,
        site_ids=[pid],
        demands={pid: demo_demand(DEMO_CASES[pid])},
        as_of=AS_OF,
    )
    water = a.utilities["water"]
    assert [r.code for r in water.reasons] == ["crosses_arterial_road", "carriageway_arterial"]
    assert water.route.crossings == []


def test_exactly_300_m_summed_from_awkward_pieces_is_still_joint():
    from planning.approval import RouteFacts, decide

    length = sum([0.1] * 3000)  # 299.99999999999... in floating point
    assert length < 300.0
    path, reasons = decide(RouteFacts(length), profile=JINGMEN)
    assert path == "joint" and "外线长度 300.0 m，不小于 300 m" in reasons[0].text
    path, reasons = decide(RouteFacts(299.9994), profile=JINGMEN)
    # to 0.1 m as everywhere else; cut, not rounded, below the limit (never 「300.0 m，小于 300 m」)
    assert path == "commitment" and reasons[0].text.startswith("外线长度 299.9 m，小于 300 m")


def test_a_reason_states_lengths_to_a_tenth_of_a_metre():
    from planning.approval import RouteFacts, decide

    path, reasons = decide(RouteFacts(300.007, lead_in_m=4.5), profile=JINGMEN)
    assert path == "joint"
    assert reasons[0].text.startswith(
        "外线长度 304.5 m（自建筑区划红线起算：红线引入段 4.5 m + 沿道路 300.0 m），不小于 300 m"
    )


def test_a_changed_profile_under_the_same_name_is_not_served_from_the_cache(demo_ws):
    pid = _case("planned_main")
    d = {pid: demo_demand(DEMO_CASES[pid])}
    (a,) = assess_sites(demo_ws, profile=JINGMEN, site_ids=[pid], demands=d, as_of=AS_OF)
    strict = JINGMEN.with_value("commitment.max_length_m", 200.0, source="test")
    (b,) = assess_sites(demo_ws, profile=strict, site_ids=[pid], demands=d, as_of=AS_OF)
    assert (a.approval_path, b.approval_path) == ("commitment", "joint")


def test_edge_facts_equal_drawing_every_edge(demo_ws, results):
    # the context decides most edges' surface and crossings from a ball around each edge,
    # drawing only edges near a major line or green space: on every edge of the demo district
    # that must give exactly what drawing the edge gives
    from gis.convert import edge_geometry

    ctx = next(v for k, v in demo_ws.cache.items() if k[0] == "assess-context")
    drawn = crossing = 0
    for u, v, d in ctx.G.edges(data=True):
        key = (u, v) if u <= v else (v, u)
        geom = edge_geometry(ctx.G, *key)
        # a corner is turned on the sidewalk (issue 14: it is as long as drawn)
        surface = {
            "sidewalk": "sidewalk",
            "corner": "sidewalk",
            "crossing": f"carriageway:{d.get('road_class')}",
        }.get(d["kind"])
        if d["kind"] == "sidewalk" and ctx.green.contains(geom.interpolate(0.5, normalized=True)):
            surface = "green"
        crossed = tuple(ctx.major.crossed_by(geom)) if geom.length > 0 else ()
        assert ctx.edge_facts(u, v) == (surface, crossed), (u, v, d)
        drawn += 1
        crossing += bool(crossed)
    # (the demo's green belts lie between red lines and sidewalks: lead-ins cross them)
    assert drawn == ctx.G.number_of_edges() and crossing > 10


def test_the_garbage_collector_is_restored_after_a_batch(demo_ws):
    # a batch pauses Python's cyclic collector while it creates its results; it must run again
    # afterwards, also when the loop fails half-way (here: the progress wrapper raises)
    import gc

    assert gc.isenabled()
    assess_sites(demo_ws, profile=JINGMEN, as_of=AS_OF)
    assert gc.isenabled()

    def failing(sites):
        for i, s in enumerate(sites):
            if i == 3:
                assert not gc.isenabled()  # paused while the sites are assessed
                msg = "stopped by the user"
                raise KeyboardInterrupt(msg)
            yield s

    with pytest.raises(KeyboardInterrupt, match="stopped by the user"):
        assess_sites(demo_ws, profile=JINGMEN, as_of=AS_OF, progress=failing)
    assert gc.isenabled()
