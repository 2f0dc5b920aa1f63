"""Pre-lay sizing by simulation (issue 16 item 3): the smallest standard size that serves.

One intent fronts x 0..40 north of the road; the only water main (DN300) runs x 640..760 on
the same side, fed by a reservoir at its east end. The pre-lay main runs 600 m along the
sidewalk (y = 8 m) from x 40 to x 640 and taps the main across the 3 m to it (y = 11 m). The
intent asks 168 m³/d: peak 168 × 2 / 24 = 14 m³/h = 3.89 L/s, which the table serves with DN100.
"""

import datetime as dt
import tempfile

import geopandas as gpd
import pytest
import wntr
from shapely import Point

import planning  # noqa: F401
from gis.profile import load_profile
from gis.simulation.result import TAP_PRESSURE_MPA
from gis.simulation.water import MPA_PER_M
from planning.prelay import plan_prelay
from planning.prelay_sizing import standard_sizes, step_up

from .geometries import CRS, at
from .test_prelay import _intents, _water, _ws

PROFILE = load_profile("jingmen-2023").with_value(
    "capacity.water.specific_flow_l_s_m", 0.0, source="hand case: no existing customers' demand"
)
"""Without the existing customers' 比流量 the head lost is the intent's alone (by hand below)."""
AS_OF = dt.date(2026, 11, 29)
DEMAND_L_S = 168.0 * 2.0 / 24.0 / 3.6


def _plan(head_m: float | None):
    extra = {}
    if head_m is not None:
        extra["sources"] = gpd.GeoDataFrame(
            {"source_id": ["S"], "utility": ["water"], "kind": ["reservoir"], "head_m": [head_m]},
            geometry=[at(Point(760, 11))],
            crs=CRS,
        )
    ws = _ws(_intents(("A", 0, 40, 168.0, "2027-06-01")), _water(640, 760), extra=extra)
    return ws, plan_prelay(ws, profile=PROFILE, utilities=["water"], as_of=AS_OF)


def _direct_tap_pressure(head_m: float, diameter_mm: float) -> float:
    """The tap's pressure (MPa) from WNTR directly: reservoir → 120 m DN300 → 3 + 600 m new main."""
    wn = wntr.network.WaterNetworkModel()
    c = PROFILE.capacity.water.roughness_c
    wn.add_reservoir("R", base_head=head_m)
    for name in ("J1", "J2"):
        wn.add_junction(name, base_demand=0.0, elevation=0.0)
    wn.add_junction("T", base_demand=DEMAND_L_S / 1000.0, elevation=0.0)
    wn.add_pipe("existing", "R", "J1", length=120.0, diameter=0.3, roughness=c)
    wn.add_pipe("tap", "J1", "J2", length=3.0, diameter=diameter_mm / 1000.0, roughness=c)
    wn.add_pipe("new", "J2", "T", length=600.0, diameter=diameter_mm / 1000.0, roughness=c)
    wn.options.time.duration = 0
    with tempfile.TemporaryDirectory() as tmp:  # EPANET writes its files there, not here
        results = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=f"{tmp}/run")
    return float(results.node["pressure"].loc[0, "T"]) * MPA_PER_M


@pytest.fixture(scope="module")
def far():
    """A source with 29.5 m head: DN100 leaves the intent below 0.28 MPa."""
    return _plan(29.5)


def test_standard_sizes_step_up_from_the_table():
    sizes = standard_sizes("water", PROFILE)
    assert sizes[:3] == [100.0, 150.0, 200.0]
    assert step_up(100.0, sizes) == 150.0
    assert step_up(sizes[-1], sizes) is None


def test_a_table_size_too_small_is_stepped_up_to_the_next_standard_size(far):
    ws, plan = far
    (ext,) = plan.extensions
    sizing = plan.sizing["water"]
    # by the table DN100; at DN100 the tap's pressure (direct WNTR) is below 0.28 MPa
    table = sizing.first["A"].run
    assert table is not None and table.tap_asset == ext.asset_id
    assert table.demand == pytest.approx(DEMAND_L_S)
    dn100 = _direct_tap_pressure(29.5, 100.0)
    assert dn100 < 0.28
    assert table.after[TAP_PRESSURE_MPA] == pytest.approx(dn100, abs=1e-4)
    assert table.before[TAP_PRESSURE_MPA] == pytest.approx(29.5 * MPA_PER_M, abs=1e-4)
    assert sizing.first["A"].reasons[0] == (
        f"供水管线 {ext.asset_id} 新增 3.89 L/s 后接入点压力 {dn100:.2f} MPa，"
        "低于最低服务压力 0.28 MPa（GB 50013-2018）"
    )
    # the next standard size, DN150, passes: the main is DN150
    dn150 = _direct_tap_pressure(29.5, 150.0)
    assert dn150 >= 0.28
    assert ext.attrs["diameter_mm"] == 150.0
    chosen = sizing.last["A"].run
    assert chosen is not None and chosen.after[TAP_PRESSURE_MPA] == pytest.approx(dn150, abs=1e-4)
    assert sizing.last["A"].reasons == ()
    assert sizing.rounds == 2
    # the outputs say how the size was chosen, with the numbers
    assert ext.sizing_zh.startswith("按表 DN100（下游峰值 14.0 m³/h）不足（")
    assert f"增至 DN150，A 接入点压力 {dn150:.3f} MPa" in ext.sizing_zh
    (row,) = plan.summary(PROFILE)
    assert row["sizing"] == [f"{ext.asset_id} DN150：{ext.sizing_zh}"]
    layer = plan.layers(ws)["prelay_extensions"]
    assert layer["sizing_zh"].tolist() == [ext.sizing_zh]
    assert layer["size"].tolist() == ["DN150"]


def test_a_table_size_that_passes_is_kept():
    _, plan = _plan(40.0)
    (ext,) = plan.extensions
    sizing = plan.sizing["water"]
    assert ext.attrs["diameter_mm"] == 100.0
    assert sizing.rounds == 1
    dn100 = _direct_tap_pressure(40.0, 100.0)
    assert dn100 >= 0.28
    assert sizing.last["A"].run.after[TAP_PRESSURE_MPA] == pytest.approx(dn100, abs=1e-4)
    assert ext.sizing_zh == (
        "按表 DN100（下游峰值 14.0 m³/h）；模拟校核（WNTR 1.5.0 (EPANET 2.2)）通过："
        f"A 接入点压力 {dn100:.3f} MPa"
    )


def test_without_a_source_the_table_size_stands_and_says_why():
    _, plan = _plan(None)
    (ext,) = plan.extensions
    assert ext.attrs["diameter_mm"] == 100.0
    assert "water" not in plan.sizing
    assert ext.sizing_zh.startswith("按表 DN100（下游峰值 14.0 m³/h）；承载能力未校核：未建立")
    assert "缺少水源" in ext.sizing_zh
