"""Gas and district-heating capacity by hydraulics (pandapipes): models, checks and judgement.

A real network shipped with pandapipes (Schutterwald, 2,559 junctions, 1,506 houses) checked
against a direct pandapipes run; small hand cases in EPSG:4546 metres whose pressure drops are
recomputed here with Darcy–Weisbach (Swamee–Jain friction factor).
"""

from __future__ import annotations

import copy
import math

import geopandas as gpd
import pandapipes
import pandapipes.networks
import pandas
import pytest
from shapely import LineString, Point

from data.demo_district import build_district
from gis.profile import load_profile
from gis.simulation.pipes import PIPEFLOW_OPTIONS, GasModel, HeatModel, demo_sources
from gis.simulation.result import (
    CUSTOMER_MIN_PRESSURE_MPA,
    MAX_VELOCITY_M_S,
    TAP_PRESSURE_MPA,
    ModelError,
)
from planning.capacity_pipes import judge_gas, judge_heat

CRS = "EPSG:4546"
PROFILE = load_profile()
TAP_CLASSES = PROFILE.suitability.gas_tap_classes


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schutterwald():
    """The Schutterwald gas network as a model, and an untouched copy for direct runs."""
    net = pandapipes.networks.schutterwald_gas()
    return GasModel.from_net(net), copy.deepcopy(net)


def _gas_layers(source_mpa: float = 0.003) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A low-pressure DN150 street main (400 m) with a DN50 branch 1,300 m long at x = 200."""
    gas = gpd.GeoDataFrame(
        {
            "asset_id": ["G1", "G2", "G3"],
            "status": "existing",
            "pressure_class": "low",
            "diameter_mm": [150.0, 150.0, 50.0],
        },
        geometry=[
            LineString([(0, 0), (200, 0)]),
            LineString([(200, 0), (400, 0)]),
            LineString([(200, 0.5), (200, 1300)]),  # its end touches G1/G2 within 1 m
        ],
        crs=CRS,
    )
    sources = gpd.GeoDataFrame(
        {"source_id": ["RG1"], "utility": "gas", "kind": "regulator", "pressure_mpa": source_mpa},
        geometry=[Point(0, 0)],
        crs=CRS,
    )
    return gas, sources


def _heat_layers(medium: str = "hot_water") -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A DN300 hot-water main (500 m) from the plant, then DN150 for 2,000 m."""
    heat = gpd.GeoDataFrame(
        {
            "asset_id": ["H1", "H2"],
            "status": "existing",
            "medium": medium,
            "pressure_mpa": 1.0,
            "temperature_c": 110.0,
            "diameter_mm": [300.0, 150.0],
        },
        geometry=[LineString([(0, 0), (500, 0)]), LineString([(500, 0), (2500, 0)])],
        crs=CRS,
    )
    sources = gpd.GeoDataFrame(
        {
            "source_id": ["HS1"],
            "utility": "heat",
            "kind": "heat_source",
            "pressure_mpa": 1.0,
            "temperature_c": 110.0,
        },
        geometry=[Point(0, 0)],
        crs=CRS,
    )
    return heat, sources


@pytest.fixture(scope="module")
def gas_model():
    gas, sources = _gas_layers()
    return GasModel.from_layers(gas, sources, tap_classes=TAP_CLASSES)


@pytest.fixture(scope="module")
def heat_model():
    heat, sources = _heat_layers()
    dt = PROFILE.capacity.heat.supply_return_dt_k
    return HeatModel.from_layers(heat, sources, supply_return_dt_k=dt)


def _darcy_drop_pa(mdot: float, rho: float, mu: float, length: float, d: float, k: float):
    """Pressure drop (Pa) and velocity of ``mdot`` kg/s in a pipe (Swamee–Jain friction)."""
    area = math.pi * d**2 / 4.0
    v = mdot / (rho * area)
    re = rho * v * d / mu
    lam = 0.25 / math.log10(k / (3.7 * d) + 5.74 / re**0.9) ** 2
    return lam * length / d * rho * v**2 / 2.0, v


# --- a real network: the check is a pandapipes run ---------------------------------------------


def test_check_on_schutterwald_equals_a_direct_pandapipes_run(schutterwald):
    model, untouched = schutterwald
    pipe = model.net.pipe.iloc[100]
    junction = int(pipe.to_junction)
    xy = tuple(model.xy.loc[junction])
    run = model.check(str(pipe["name"]), xy, 200.0)

    direct = copy.deepcopy(untouched)
    houses = direct.sink.junction.to_numpy()
    pandapipes.pipeflow(direct, **PIPEFLOW_OPTIONS)
    base_p = direct.res_junction.p_bar.to_numpy() / 10.0
    rho_n = direct.fluid.get_density(273.15)
    pandapipes.create_sink(direct, junction, mdot_kg_per_s=200.0 * rho_n / 3600.0)
    pandapipes.pipeflow(direct, **PIPEFLOW_OPTIONS)
    p = direct.res_junction.p_bar.to_numpy() / 10.0
    v = direct.res_pipe[["v_from_m_per_s", "v_to_m_per_s"]].abs().to_numpy().max()

    assert run.converged and run.engine.startswith("pandapipes 0.16")
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(base_p[junction], rel=1e-9)
    assert run.before[CUSTOMER_MIN_PRESSURE_MPA] == pytest.approx(base_p[houses].min(), rel=1e-9)
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx(p[junction], rel=1e-9)
    assert run.after[CUSTOMER_MIN_PRESSURE_MPA] == pytest.approx(p[houses].min(), rel=1e-9)
    assert run.after[MAX_VELOCITY_M_S] == pytest.approx(v, rel=1e-9)
    # the new demand is felt: about 3.5 kPa less at the tap of this 1 bar network
    assert run.before[TAP_PRESSURE_MPA] - run.after[TAP_PRESSURE_MPA] > 0.003


def test_checks_reuse_the_model_without_rebuilding_it(schutterwald, monkeypatch):
    model, _ = schutterwald

    def no_build(*_a, **_k):
        raise AssertionError("the network was rebuilt")

    for name in (
        "create_empty_network",
        "create_junctions",
        "create_pipes_from_parameters",
        "from_json",
        "create_ext_grid",
    ):
        monkeypatch.setattr(pandapipes, name, no_build)
    net, junctions, pipes = model.net, len(model.net.junction), len(model.net.pipe)
    sinks = len(net.sink)
    taps = [
        (str(net.pipe.name.iloc[i]), tuple(model.xy.loc[net.pipe.to_junction.iloc[i]]))
        for i in (10, 500, 1500)
    ]
    first = [model.check(a, xy, 150.0) for a, xy in taps]
    again = [model.check(a, xy, 150.0) for a, xy in taps]

    assert model.net is net and len(net.junction) == junctions and len(net.pipe) == pipes
    assert len(net.sink) <= sinks + 3  # one sink per tapped junction, made once and kept
    assert [r.after for r in first] == [r.after for r in again]
    assert not net.sink.in_service.iloc[sinks:].any()  # every new demand taken off again


# --- gas hand case -----------------------------------------------------------------------------


def test_gas_tap_near_the_regulator_passes(gas_model):
    run = gas_model.check("G1", (60.0, 0.0), 15.0)

    assert run.converged and run.demand_unit == "m³/h"
    assert run.after[TAP_PRESSURE_MPA] * 1000 > 2.9  # 3 kPa at the regulator, 50 m of DN150
    assert judge_gas(run, PROFILE, pressure_class="low") == []


def test_gas_tap_at_the_end_of_a_long_small_low_pressure_pipe_fails(gas_model):
    run = gas_model.check("G3", (200.0, 1300.0), 15.0)

    # hand: 15 m³/h (normal) of hgas through 200 m of DN150 and 1,299.5 m of DN50, k 0.1 mm
    fluid = gas_model.net.fluid
    mdot = 15.0 * fluid.get_density(273.15) / 3600.0
    rho = fluid.get_density(273.15) * (1.01325 + 0.03) / 1.01325 * 273.15 / 288.15
    mu = fluid.get_viscosity(288.15)
    d1, _ = _darcy_drop_pa(mdot, rho, mu, 200.0, 0.15, 1e-4)
    d3, v = _darcy_drop_pa(mdot, rho, mu, 1299.5, 0.05, 1e-4)
    drop_kpa = 3.0 - run.after[TAP_PRESSURE_MPA] * 1000
    assert drop_kpa == pytest.approx((d1 + d3) / 1000, rel=0.03)
    assert run.after[MAX_VELOCITY_M_S] == pytest.approx(v, rel=0.03)
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(0.003)

    reasons = judge_gas(run, PROFILE, pressure_class="low")
    assert [r.code for r in reasons] == ["capacity_tap_pressure"]
    kpa = f"{run.after[TAP_PRESSURE_MPA] * 1000:.2f}"
    assert kpa == "1.39"
    assert reasons[0].text.startswith(f"接入点压力 {kpa} kPa（新增用气 15 m³/h 后）")
    assert "低于低压管道最低接入压力 1.50 kPa（GB 50028-2006 城镇燃气设计规范）" in reasons[0].text


def test_gas_outage_of_the_feeding_main_cuts_the_tap_off(gas_model):
    run = gas_model.check("G3", (200.0, 1300.0), 5.0, outage="G1")

    assert not run.converged and run.after == {} and run.outage == "G1"
    reasons = judge_gas(run, PROFILE, pressure_class="low")
    assert [r.code for r in reasons] == ["capacity_not_converged"]
    assert "管道 G1 停运时" in reasons[0].text
    # the outage is undone: the same tap without it holds
    assert gas_model.check("G3", (200.0, 1300.0), 5.0).after[TAP_PRESSURE_MPA] > 0.0025


def test_a_run_that_does_not_converge_fails_and_leaves_the_model_as_it_was(gas_model):
    before = gas_model.check("G3", (200.0, 1300.0), 15.0)
    run = gas_model.check("G3", (200.0, 1300.0), 1000.0)  # far beyond a DN50 low-pressure pipe

    assert not run.converged and run.after == {}
    [reason] = judge_gas(run, PROFILE, pressure_class="low")
    assert reason.code == "capacity_not_converged"
    assert reason.text.startswith("新增用气 1000 m³/h 后管网水力计算不收敛")
    assert gas_model.check("G3", (200.0, 1300.0), 15.0).after == before.after


def test_gas_velocity_above_the_limit_is_a_reason(gas_model):
    run = gas_model.check("G3", (200.0, 1300.0), 2.0)
    fast = type(run)(**{**run.__dict__, "after": {**run.after, MAX_VELOCITY_M_S: 23.4}})

    assert judge_gas(run, PROFILE, pressure_class="low") == []
    [reason] = judge_gas(fast, PROFILE, pressure_class="low")
    assert reason.code == "capacity_velocity"
    assert "管网最大流速 23.4 m/s" in reason.text and "超过允许流速 20.0 m/s（CJJ 63-2018" in (
        reason.text
    )


def test_gas_model_names_what_is_missing():
    gas, sources = _gas_layers()
    with pytest.raises(ModelError, match=r"diameter_mm.*G2"):
        GasModel.from_layers(
            gas.assign(diameter_mm=[150.0, None, 50.0]), sources, tap_classes=TAP_CLASSES
        )
    with pytest.raises(ModelError, match="pressure_mpa"):
        GasModel.from_layers(gas, sources.assign(pressure_mpa=None), tap_classes=TAP_CLASSES)
    with pytest.raises(ModelError, match="距管网 300 m"):
        GasModel.from_layers(
            gas, sources.set_geometry([Point(-300, 0)], crs=CRS), tap_classes=TAP_CLASSES
        )


# --- separate networks: a check solves the tap's network only -----------------------------------


def _two_networks() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The hand case's network and, 5 km east, a DN100 main of 1,000 m with its own regulator."""
    gas, sources = _gas_layers()
    far = gas.iloc[[0]].assign(asset_id="G9", diameter_mm=100.0)
    far = far.set_geometry([LineString([(5000, 0), (6000, 0)])], crs=CRS)
    rg2 = sources.assign(source_id="RG2").set_geometry([Point(5000, 0)], crs=CRS)
    return gpd.GeoDataFrame(pandas.concat([gas, far]), crs=CRS), gpd.GeoDataFrame(
        pandas.concat([sources, rg2]), crs=CRS
    )


def test_a_check_on_one_network_equals_the_check_on_a_model_of_that_network_alone():
    gas, sources = _two_networks()
    both = GasModel.from_layers(gas, sources, tap_classes=TAP_CLASSES)
    alone = GasModel.from_layers(
        gas[gas.asset_id == "G9"], sources[sources.source_id == "RG2"], tap_classes=TAP_CLASSES
    )
    for xy, demand in (((5500.0, 0.0), 20.0), ((6000.0, 0.0), 60.0)):
        run, ref = both.check("G9", xy, demand), alone.check("G9", xy, demand)
        assert run.converged and ref.converged
        assert run.before == pytest.approx(ref.before, abs=1e-12)
        assert run.after == pytest.approx(ref.after, abs=1e-12)
        assert run.after[TAP_PRESSURE_MPA] < run.before[TAP_PRESSURE_MPA]
    # only G9's network was cut from the model and solved: its 20 pipes of 50 m, one source
    (part,) = both.parts.values()
    assert set(part.assets) == {"G9"} and len(part.net.pipe) == 20
    assert len(part.net.ext_grid) == 1
    # an outage of a main of the other network changes nothing here, and is reported
    n1 = both.check("G9", (6000.0, 0.0), 60.0, outage="G1")
    assert n1.outage == "G1" and n1.after == run.after
    with pytest.raises(ModelError, match="G7 不在水力模型中"):
        both.check("G9", (6000.0, 0.0), 60.0, outage="G7")


def test_checking_network_b_does_not_touch_network_a(monkeypatch):
    gas, sources = _two_networks()
    model = GasModel.from_layers(gas, sources, tap_classes=TAP_CLASSES)
    run_a = model.check("G3", (200.0, 1300.0), 15.0)
    (part_a,) = model.parts.values()
    tables = {k: part_a.net[k].copy() for k in ("junction", "pipe", "sink", "res_junction")}
    runs_a = part_a.runs
    calls = []
    real = pandapipes.pipeflow
    monkeypatch.setattr(
        pandapipes, "pipeflow", lambda net, **kw: (calls.append(net), real(net, **kw))
    )
    model.check("G9", (6000.0, 0.0), 20.0)
    model.check("G9", (5200.0, 0.0), 30.0)
    part_b = next(p for p in model.parts.values() if p is not part_a)
    # B's base case and two checks ran on B's network only; A's is as it was
    assert len(calls) == 3 and all(c is part_b.net for c in calls)
    assert part_a.runs == runs_a and part_b.runs == 3 and model.runs == 0
    for name, table in tables.items():
        pandas.testing.assert_frame_equal(part_a.net[name], table)
    assert model.check("G3", (200.0, 1300.0), 15.0).after == run_a.after


def test_a_network_without_a_source_is_named():
    gas, sources = _two_networks()
    model = GasModel.from_layers(gas, sources[sources.source_id == "RG1"], tap_classes=TAP_CLASSES)
    with pytest.raises(ModelError, match="没有气源/热源"):
        model.check("G9", (6000.0, 0.0), 20.0)
    assert model.check("G3", (200.0, 1300.0), 15.0).converged


# --- heat hand case ----------------------------------------------------------------------------


def test_heat_small_load_near_the_plant_passes(heat_model):
    run = heat_model.check("H1", (50.0, 0.0), 1000.0)

    # 1.0 MPa supply, 0.3 MPa return at the plant: 0.7 MPa available, hardly any drop
    assert run.before[TAP_PRESSURE_MPA] == pytest.approx(0.7)
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx(0.7, abs=1e-4)
    assert judge_heat(run, PROFILE) == []


def test_heat_large_load_far_away_fails_on_the_differential(heat_model):
    run = heat_model.check("H2", (2500.0, 0.0), 4000.0)

    # hand: mdot = Q / (cp ΔT) at 110 °C, ΔT 40 K; supply drop by Darcy–Weisbach, k 0.5 mm;
    # the return mirrors the supply: differential = 0.7 − 2 × drop
    water = heat_model.net.fluid
    t = 383.15
    mdot = 4000e3 / (water.get_heat_capacity(t) * 40.0)
    rho, mu = water.get_density(t), water.get_viscosity(t)
    d1, _ = _darcy_drop_pa(mdot, rho, mu, 500.0, 0.3, 5e-4)
    d2, v = _darcy_drop_pa(mdot, rho, mu, 2000.0, 0.15, 5e-4)
    drop = (0.7 - run.after[TAP_PRESSURE_MPA]) / 2.0
    assert drop == pytest.approx((d1 + d2) / 1e6, rel=0.02)
    assert run.after[MAX_VELOCITY_M_S] == pytest.approx(v, rel=1e-3)  # 1.41 m/s in DN150

    reasons = judge_heat(run, PROFILE)
    assert [r.code for r in reasons] == ["capacity_differential"]
    assert reasons[0].text == (
        f"接入点资用压差 {run.after[TAP_PRESSURE_MPA]:.3f} MPa（新增热负荷 4000 kW 后），"
        "低于最小资用压差 0.050 MPa（CJJ 34-2010 城镇供热管网设计规范）"
    )
    assert run.after[TAP_PRESSURE_MPA] == pytest.approx(0.014, abs=0.001)


def test_steam_network_is_not_modelled_and_says_so():
    heat, sources = _heat_layers("steam")
    with pytest.raises(ModelError, match="蒸汽管网不做水力计算，采用属性核查"):
        HeatModel.from_layers(heat, sources, supply_return_dt_k=40.0)


# --- the demo district ------------------------------------------------------------------------


def test_demo_regulators_feed_every_tappable_gas_main():
    layers = build_district()
    sources = demo_sources(layers, tap_classes=TAP_CLASSES)
    model = GasModel.from_layers(layers["gas"], sources, tap_classes=TAP_CLASSES)

    gas = layers["gas"]
    tappable = gas[(gas.status == "existing") & gas.pressure_class.isin(TAP_CLASSES)]
    assert set(model.assets) == set(tappable.asset_id)
    main = tappable.iloc[0]
    regulators = sources[sources.utility == "gas"].geometry.union_all()
    far = max(main.geometry.coords, key=lambda p: regulators.distance(Point(p)))
    run = model.check(main.asset_id, far, 120.0)
    assert run.converged and run.after[TAP_PRESSURE_MPA] < run.before[TAP_PRESSURE_MPA]
    assert judge_gas(run, PROFILE, pressure_class=main.pressure_class) == []
    heat_rows = sources[sources.utility == "heat"]
    assert len(heat_rows) >= 1 and set(heat_rows.kind) == {"heat_source"}
    assert set(sources[sources.utility == "gas"].pressure_mpa) <= {0.15, 0.35}
