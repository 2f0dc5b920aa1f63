"""Power capacity by load flow: gis.simulation.power (pandapower) and planning.capacity_power.

Hand-checkable grids built in the test (EPSG:4546 metres), a real grid shipped by pandapower
(``mv_oberrhein``, ``example_simple``) compared with a direct ``pandapower.runpp`` call, and the
judgement's Chinese reasons with the numbers.
"""

import copy
import math

import geopandas as gpd
import pandapower as pp
import pandapower.networks as pn
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from gis.profile import load_profile
from gis.simulation.power import TRAFO_VK_PERCENT, TRAFO_VKR_PERCENT, PowerModel
from gis.simulation.result import (
    BUS_VOLTAGE_PU,
    LINE_LOADING_PCT,
    TRAFO_LOADING_PCT,
    CapacityRun,
    ModelError,
)
from planning.capacity_power import judge_power

# pandapower's shipped example grids predate pandapower 3's transformer table (the direct runs)
pytestmark = pytest.mark.filterwarnings("ignore:tap_dependency_table is missing:DeprecationWarning")

PROFILE = load_profile()
PF = PROFILE.capacity.power.power_factor
CABLE = "NA2XS2Y 1x185 RM/25 6/10 kV"
RATING_KVA = math.sqrt(3) * 10.0 * 0.358 * 1000.0  # the 10 kV cable's thermal rating, 6201 kVA


def _power(*rows):
    """Power layer rows: (asset_id, feeder_id, spare_capacity_kva, coords)."""
    return gpd.GeoDataFrame(
        {
            "asset_id": [r[0] for r in rows],
            "status": ["existing"] * len(rows),
            "voltage_kv": [10.0] * len(rows),
            "feeder_id": [r[1] for r in rows],
            "spare_capacity_kva": [r[2] for r in rows],
        },
        geometry=[LineString(r[3]) for r in rows],
        crs=4546,
    )


def _sources(*rows):
    """Substation rows: (source_id, capacity_kva, feeders, xy)."""
    return gpd.GeoDataFrame(
        {
            "source_id": [r[0] for r in rows],
            "utility": ["power"] * len(rows),
            "kind": ["substation"] * len(rows),
            "voltage_kv": [10.0] * len(rows),
            "capacity_kva": [r[1] for r in rows],
            "feeders": [r[2] for r in rows],
        },
        geometry=[Point(r[3]) for r in rows],
        crs=4546,
    )


def _codes(run):
    return [r.code for r in judge_power(run, PROFILE)]


# ------------------------------------------------------------------ a real grid (pandapower)
@pytest.fixture(scope="module")
def oberrhein():
    net = pn.mv_oberrhein()
    return copy.deepcopy(net), PowerModel.from_net(net, power_factor=PF)


def _direct(net, bus, kva):
    """The same load flow by hand: a load at ``bus`` in a copy of the untouched network."""
    net = copy.deepcopy(net)
    s = kva / 1000.0
    pp.create_load(net, bus, p_mw=s * PF, q_mvar=s * math.sqrt(1 - PF**2))
    pp.runpp(net, numba=False)
    return net


@pytest.mark.parametrize("line", ["Line 50", "Line 120"])
def test_oberrhein_check_equals_a_direct_pandapower_run(oberrhein, line):
    original, model = oberrhein
    row = original.line[original.line.name == line].iloc[0]
    bus = int(row.to_bus)
    x, y = _geo(original, bus)
    run = model.check(line, (x, y), 2000.0)
    direct = _direct(original, bus, 2000.0)
    assert run.converged
    assert run.engine == f"pandapower {pp.__version__}"
    assert run.after[BUS_VOLTAGE_PU] == pytest.approx(direct.res_bus.vm_pu[bus], abs=1e-9)
    assert run.after[LINE_LOADING_PCT] == pytest.approx(
        direct.res_line.loading_percent.max(), abs=1e-6
    )
    assert run.after[TRAFO_LOADING_PCT] == pytest.approx(
        direct.res_trafo.loading_percent.max(), abs=1e-6
    )
    base = copy.deepcopy(original)
    pp.runpp(base, numba=False)
    assert run.before[BUS_VOLTAGE_PU] == pytest.approx(base.res_bus.vm_pu[bus], abs=1e-9)
    assert run.after[BUS_VOLTAGE_PU] < run.before[BUS_VOLTAGE_PU]


def _geo(net, bus):
    import json

    return tuple(json.loads(net.bus.geo[bus])["coordinates"])


def test_example_simple_without_coordinates_taps_the_from_bus():
    net = pn.example_simple()
    original = copy.deepcopy(net)
    model = PowerModel.from_net(net, power_factor=PF)
    run = model.check("Line 3", (0.0, 0.0), 1500.0)  # Line 3: bus 5 → 6, no bus coordinates
    direct = _direct(original, 5, 1500.0)
    assert run.after[BUS_VOLTAGE_PU] == pytest.approx(direct.res_bus.vm_pu[5], abs=1e-9)
    assert run.after[LINE_LOADING_PCT] == pytest.approx(direct.res_line.loading_percent.max())


# ------------------------------------------------------------------ hand cases
@pytest.fixture(scope="module")
def thermal():
    """One 600 m 10 kV feeder with 1,000 kVA spare: 5,201 kVA existing load at its end."""
    power = _power(("P-1", "F1", 1000.0, [(0, 0), (600, 0)]))
    sources = _sources(("S1", 40000.0, "F1", (-3, 0)))
    return PowerModel.from_layers(power, sources, power_factor=PF)


def test_feeder_near_its_thermal_limit_fails_a_large_load_and_passes_a_small_one(thermal):
    large = thermal.check("P-1", (600, 5), 3000.0)
    small = thermal.check("P-1", (600, 5), 300.0)
    existing = RATING_KVA - 1000.0
    # loading ≈ the feeder's apparent power over its rating (a little more: the voltage drop)
    assert large.before[LINE_LOADING_PCT] == pytest.approx(100 * existing / RATING_KVA, rel=0.02)
    assert large.after[LINE_LOADING_PCT] == pytest.approx(
        100 * (existing + 3000.0) / RATING_KVA, rel=0.03
    )
    assert large.after[LINE_LOADING_PCT] > 100.0
    assert small.after[LINE_LOADING_PCT] == pytest.approx(
        100 * (existing + 300.0) / RATING_KVA, rel=0.03
    )
    assert _codes(large) == ["capacity_line_loading"]
    assert judge_power(small, PROFILE) == []
    (reason,) = judge_power(large, PROFILE)
    assert f"{large.after[LINE_LOADING_PCT]:.1f}%" in reason.text
    assert "超过允许的 100%" in reason.text and "DL/T 5729" in reason.text


@pytest.fixture(scope="module")
def long_feeder():
    """A 12 km 10 kV feeder without existing load (no spare capacity given)."""
    power = _power(("P-L", "FL", None, [(0, 0), (12000, 0)]))
    sources = _sources(("S1", 40000.0, "FL", (0, -2)))
    return PowerModel.from_layers(power, sources, power_factor=PF)


def test_long_feeder_fails_on_voltage_at_its_far_end_and_passes_near_the_substation(long_feeder):
    far = long_feeder.check("P-L", (12000, 3), 4000.0)
    near = long_feeder.check("P-L", (100, 3), 4000.0)
    # ΔU ≈ (P·R + Q·X)/U² over 12 km of 0.161 + j0.117 Ω/km: about 9.4 % (+ the transformer)
    assert far.after[BUS_VOLTAGE_PU] == pytest.approx(0.90, abs=0.015)
    assert far.after[BUS_VOLTAGE_PU] < 0.93
    assert far.after[LINE_LOADING_PCT] < 100.0
    assert near.after[BUS_VOLTAGE_PU] > 0.98
    assert _codes(far) == ["capacity_voltage_low"]
    assert judge_power(near, PROFILE) == []
    assert f"{far.after[BUS_VOLTAGE_PU]:.3f} p.u." in judge_power(far, PROFILE)[0].text


def test_a_tap_between_the_line_ends_splits_the_line_like_a_hand_built_network(long_feeder):
    run = long_feeder.check("P-L", (4500, 8), 3000.0)  # 4.5 km along the 12 km line
    net = pp.create_empty_network()
    hv, lv = pp.create_bus(net, 110.0), pp.create_bus(net, 10.0)
    mid, end = pp.create_bus(net, 10.0), pp.create_bus(net, 10.0)
    pp.create_ext_grid(net, hv, vm_pu=1.0)
    pp.create_transformer_from_parameters(
        net, hv, lv, 40.0, 110.0, 10.0, TRAFO_VKR_PERCENT, TRAFO_VK_PERCENT, 0.0, 0.0
    )
    pp.create_line(net, lv, mid, 4.5, CABLE)
    pp.create_line(net, mid, end, 7.5, CABLE)
    pp.create_load(net, mid, p_mw=3.0 * PF, q_mvar=3.0 * math.sqrt(1 - PF**2))
    pp.runpp(net, numba=False)
    assert run.after[BUS_VOLTAGE_PU] == pytest.approx(net.res_bus.vm_pu[mid], abs=1e-9)
    assert run.after[LINE_LOADING_PCT] == pytest.approx(net.res_line.loading_percent.max())
    assert run.after[TRAFO_LOADING_PCT] == pytest.approx(net.res_trafo.loading_percent[0])
    # and the line is whole again afterwards: a check at the far end sees 12 km
    assert (
        long_feeder.check("P-L", (12000, 0), 3000.0).after[BUS_VOLTAGE_PU]
        < (run.after[BUS_VOLTAGE_PU])
    )


def test_lines_snap_within_a_metre_and_a_line_ending_on_another_splits_it():
    power = _power(
        ("A", "F1", None, [(0, 0), (1000, 0)]),
        ("B", "F1", None, [(1000.6, 0), (2000, 0)]),  # 0.6 m gap: one bus
        ("C", "F1", None, [(400, 0.5), (400, 800)]),  # a tee onto A's middle
        ("D", "F1", None, [(2001.5, 0), (2500, 0)]),  # 1.5 m gap: not connected
    )
    model = PowerModel.from_layers(power, _sources(("S", 40000.0, "F1", (0, 0))), power_factor=PF)
    lines = model.net.line[model.net.line.in_service]
    assert sorted(lines.name) == ["A", "A", "B", "C", "D"]
    assert sorted(lines[lines.name == "A"].length_km) == pytest.approx([0.4, 0.6])
    assert model.check("B", (2000, 0), 500.0).converged
    tee = model.check("C", (400, 800), 500.0)
    assert tee.converged and tee.after[BUS_VOLTAGE_PU] < tee.before[BUS_VOLTAGE_PU]
    with pytest.raises(ModelError, match="D 未与任何变电站相连"):
        model.check("D", (2500, 0), 500.0)


# ------------------------------------------------------------------ backup supply (N-1)
@pytest.fixture(scope="module")
def two_feeders():
    """A 2,500 kVA transformer feeding F1 (1,500 kVA existing) and F2 (500 kVA existing)."""
    power = _power(
        ("P-1", "F1", RATING_KVA - 1500.0, [(0, 0), (800, 0)]),
        ("P-2", "F2", RATING_KVA - 500.0, [(0, 0.5), (0, 800)]),
    )
    sources = _sources(("S", 2500.0, "F1,F2", (0, 0)))
    return PowerModel.from_layers(power, sources, power_factor=PF)


def test_backup_supply_is_checked_with_the_main_feeder_out(two_feeders):
    both = two_feeders.check("P-2", (0, 800), 1000.0)
    main_out = two_feeders.check("P-2", (0, 800), 1000.0, outage="F1")
    heavy = two_feeders.check("P-2", (0, 800), 2300.0, outage="F1")
    # transformer loading ≈ (1,500 + 500 + 1,000) / 2,500 and (500 + 1,000) / 2,500, a little
    # more as the current rises with the voltage drop (loading is by current)
    assert both.after[TRAFO_LOADING_PCT] == pytest.approx(120.0, rel=0.1)
    assert both.after[TRAFO_LOADING_PCT] > 100.0
    assert main_out.after[TRAFO_LOADING_PCT] == pytest.approx(60.0, rel=0.1)
    assert main_out.before[TRAFO_LOADING_PCT] == pytest.approx(20.0, rel=0.1)
    assert main_out.outage == "F1" and both.outage is None
    assert "capacity_trafo_loading" in _codes(both)  # (its 10.5 % impedance drops the voltage too)
    assert judge_power(main_out, PROFILE) == []
    reasons = {r.code: r.text for r in judge_power(heavy, PROFILE)}
    assert reasons["capacity_trafo_loading"].startswith(
        "馈线 F1 停运时（N-1 备用电源校核），变压器负载率 1"
    )
    assert all(t.startswith("馈线 F1 停运时") for t in reasons.values())
    # the main feeder is back in service after the checks
    net = two_feeders.net
    assert net.line[net.line.name == "P-1"].in_service.all()
    again = two_feeders.check("P-2", (0, 800), 1000.0)
    assert again.after == pytest.approx(both.after)


def test_outage_of_an_unknown_feeder_or_of_the_tapped_feeder_is_refused(two_feeders):
    with pytest.raises(ModelError, match="没有馈线 feeder_id=F9"):
        two_feeders.check("P-2", (0, 800), 100.0, outage="F9")
    with pytest.raises(ModelError, match="停运馈线 F2"):
        two_feeders.check("P-2", (0, 800), 100.0, outage="F2")


# ------------------------------------------------------------------ built once, checked many times
def test_checks_reuse_the_model_without_rebuilding_it(monkeypatch):
    power = _power(("P-1", "F1", 2000.0, [(0, 0), (600, 0)]))
    model = PowerModel.from_layers(power, _sources(("S", 40000.0, "F1", (0, 0))), power_factor=PF)
    calls = []
    real = pp.runpp
    monkeypatch.setattr(pp, "runpp", lambda net, **kw: (calls.append(net), real(net, **kw)))
    first = model.check("P-1", (100.0, 0), 500.0)
    (part,) = model.parts.values()  # the feeder's island, cut from the model on the first check
    net = part.net
    sizes = {k: len(net[k]) for k in ("bus", "line", "load", "trafo")}
    loads = net.load.p_mw.copy()
    runs = [first, *(model.check("P-1", (x, 0), 500.0) for x in (300.0, 600.0))]
    # one base case, then one load flow per check, all on the same island network object
    assert len(calls) == 4 and model.runs == 4
    assert all(c is net for c in calls) and list(model.parts.values()) == [part]
    assert part.net is net and {k: len(net[k]) for k in ("bus", "line", "load", "trafo")} == sizes
    assert runs[0].before[LINE_LOADING_PCT] == runs[2].before[LINE_LOADING_PCT]
    # the new load is switched off again, the existing loads untouched
    assert not net.load.in_service.iloc[-1]
    assert net.load.p_mw.iloc[:-1].tolist() == loads.iloc[:-1].tolist()


# ------------------------------------------------------------------ islands solved alone
_ISLAND_A = ("P-A", "FA", RATING_KVA - 3000.0, [(0, 0), (3000, 0)])
_ISLAND_B = ("P-B", "FB", RATING_KVA - 1000.0, [(50000, 0), (50000, 5000)])
_SUBS_A = ("SA", 10000.0, "FA", (-2, 0))
_SUBS_B = ("SB", 6300.0, "FB", (50000, -2))


def test_a_check_on_one_island_equals_the_check_on_a_model_of_that_island_alone():
    both = PowerModel.from_layers(
        _power(_ISLAND_A, _ISLAND_B), _sources(_SUBS_A, _SUBS_B), power_factor=PF
    )
    alone = PowerModel.from_layers(_power(_ISLAND_B), _sources(_SUBS_B), power_factor=PF)
    for xy, kva in (((50000, 2500), 2000.0), ((50000, 5000), 4500.0)):
        run, ref = both.check("P-B", xy, kva), alone.check("P-B", xy, kva)
        assert run.converged and ref.converged
        assert run.before == pytest.approx(ref.before, abs=1e-12)
        assert run.after == pytest.approx(ref.after, abs=1e-12)
    # the island is solved, not the whole model: its network holds B's line only
    (part,) = both.parts.values()
    assert sorted(part.net.line.name[part.net.line.in_service]) == ["P-B"]
    assert list(part.net.trafo.name) == ["SB"]
    # (the 4.5 MVA load at B's far end: the transformer alone would carry 5.5 of its 6.3 MVA)
    assert run.after[TRAFO_LOADING_PCT] > 85.0


def test_checking_island_b_does_not_touch_island_a(monkeypatch):
    model = PowerModel.from_layers(
        _power(_ISLAND_A, _ISLAND_B), _sources(_SUBS_A, _SUBS_B), power_factor=PF
    )
    run_a = model.check("P-A", (3000, 0), 500.0)
    (part_a,) = model.parts.values()
    tables = {k: part_a.net[k].copy() for k in ("bus", "line", "load", "trafo", "res_bus")}
    runs_a = part_a.runs
    calls = []
    real = pp.runpp
    monkeypatch.setattr(pp, "runpp", lambda net, **kw: (calls.append(net), real(net, **kw)))
    model.check("P-B", (50000, 5000), 500.0)
    model.check("P-B", (50000, 1000), 800.0)
    part_b = next(p for p in model.parts.values() if p is not part_a)
    # B's base case and two checks ran on B's island network only; A's is as it was
    assert len(calls) == 3 and all(c is part_b.net for c in calls)
    assert part_a.runs == runs_a and model.runs == runs_a + 3
    for name, table in tables.items():
        pd.testing.assert_frame_equal(part_a.net[name], table)
    assert model.check("P-A", (3000, 0), 500.0).after == run_a.after


# ------------------------------------------------------------------ missing data is named
def test_missing_substation_data_is_named():
    power = _power(("P-1", "F1", None, [(0, 0), (600, 0)]))
    no_rating = _sources(("S1", None, "F1", (0, 0)))
    with pytest.raises(ModelError, match="变电站 S1 的 capacity_kva 为 None"):
        PowerModel.from_layers(power, no_rating, power_factor=PF)
    unknown = _sources(("S1", 40000.0, "F7", (0, 0)))
    with pytest.raises(ModelError, match="未找到：F7"):
        PowerModel.from_layers(power, unknown, power_factor=PF)
    with pytest.raises(ModelError, match="没有变电站"):
        PowerModel.from_layers(power, unknown.iloc[0:0], power_factor=PF)
    model = PowerModel.from_layers(power, _sources(("S", 1e4, "F1", (0, 0))), power_factor=PF)
    with pytest.raises(ModelError, match="P-9 不在电网模型中"):
        model.check("P-9", (0, 0), 100.0)


# ------------------------------------------------------------------ the judgement
@pytest.mark.parametrize(
    ("after", "converged", "codes", "text"),
    [
        ({BUS_VOLTAGE_PU: 0.95, LINE_LOADING_PCT: 80.0, TRAFO_LOADING_PCT: 60.0}, True, [], ""),
        (
            {BUS_VOLTAGE_PU: 1.081, LINE_LOADING_PCT: 80.0},
            True,
            ["capacity_voltage_high"],
            "接入点电压 1.081 p.u.，高于允许上限 1.07 p.u.（GB/T 12325-2008 供电电压偏差）",
        ),
        (
            {BUS_VOLTAGE_PU: 0.95, LINE_LOADING_PCT: 80.0, TRAFO_LOADING_PCT: 104.25},
            True,
            ["capacity_trafo_loading"],
            "变压器负载率 104.2%，超过允许的 100%（DL/T 5729-2016 配电网规划设计技术导则）",
        ),
        ({}, False, ["capacity_power_not_converged"], "接入 5000 kVA 后潮流计算不收敛"),
    ],
)
def test_judge_power_reasons_carry_the_numbers(after, converged, codes, text):
    run = CapacityRun("power", "pandapower", "P-1", 5000.0, "kVA", after=after, converged=converged)
    reasons = judge_power(run, PROFILE)
    assert [r.code for r in reasons] == codes
    assert all(r.rule == "R1" for r in reasons)
    if text:
        assert text in reasons[0].text


def test_judge_power_uses_the_profile_limits():
    run = CapacityRun("power", "pp", "P-1", 100.0, "kVA", after={BUS_VOLTAGE_PU: 0.94})
    strict = PROFILE.with_value("capacity.power.voltage_band_pu", (0.95, 1.05), source="test")
    assert judge_power(run, PROFILE) == []
    assert _codes_with(run, strict) == ["capacity_voltage_low"]


def _codes_with(run, profile):
    return [r.code for r in judge_power(run, profile)]


# ------------------------------------------------------------------ the demo district
@pytest.fixture(scope="module")
def demo_power():
    from data.demo_district import build_district
    from gis.simulation.power import demo_substations

    power = build_district("demo")["power"]
    sources = demo_substations(power)
    return power, sources, PowerModel.from_layers(power, sources, power_factor=PF)


def test_demo_district_power_model_from_its_substation_rows(demo_power):
    power, sources, model = demo_power
    existing = power[power.status == "existing"]
    assert set(sources.kind) == {"substation"} and set(sources.voltage_kv) == {10.0}
    assert set(sources.feeders) == set(existing[existing.voltage_kv == 10.0].feeder_id)
    runs = {}
    for row in existing.itertuples():
        mid = row.geometry.interpolate(0.5, normalized=True)
        if row.voltage_kv == 10.0:
            runs[row.asset_id] = model.check(row.asset_id, (mid.x, mid.y), 1000.0)
        else:  # the 110 kV trunk: no customer tap, no substation row
            with pytest.raises(ModelError, match="未与任何变电站相连"):
                model.check(row.asset_id, (mid.x, mid.y), 1000.0)
    assert runs and all(r.converged for r in runs.values())
    # a feeder part's loading before = (rating - its smallest spare) / rating
    spare = dict(zip(existing.asset_id, existing.spare_capacity_kva))
    low = min(runs, key=lambda a: spare[a])
    assert runs[low].before[LINE_LOADING_PCT] > 100 * (RATING_KVA - spare[low] - 1) / RATING_KVA
    assert "capacity_line_loading" in _codes(runs[low])  # 1,000 kVA on a 500 kVA spare


def test_demo_double_circuit_backup_with_the_main_feeder_out(demo_power):
    power, _, model = demo_power
    backup = power[power.feeder_id == "DD-F132"].iloc[0]
    far = backup.geometry.coords[-1]
    run = model.check(backup.asset_id, far, 1000.0, outage="DD-F131")
    assert run.outage == "DD-F131" and run.converged
    assert judge_power(run, PROFILE) == []
    assert run.after[LINE_LOADING_PCT] > run.before[LINE_LOADING_PCT]


def test_a_pandapower_network_file_is_read_once_and_checked(tmp_path):
    path = tmp_path / "grid.json"
    pp.to_json(pn.example_simple(), str(path))
    model = PowerModel.from_file(path, power_factor=PF)
    direct = _direct(pn.example_simple(), 5, 800.0)
    run = model.check("Line 3", (0.0, 0.0), 800.0)
    assert run.after[BUS_VOLTAGE_PU] == pytest.approx(direct.res_bus.vm_pu[5], abs=1e-9)
    (tmp_path / "bad.json").write_text("not json", encoding="utf-8")
    with pytest.raises(ModelError, match="无法读取电网模型文件"):
        PowerModel.from_file(tmp_path / "bad.json", power_factor=PF)
