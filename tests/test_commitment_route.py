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


# --- telecom operators and the power backup (issue 14 item 1) ---------------------------------
# Same block and site. A line "south" runs at y = -12 over x 100..180 (across the arterial: one
# crossing, 21 m, joint); a line "north @x" runs on the site's own side at y = 12 from x on
# (x - 180 m along the north sidewalk, plus the 4.5 m lead-in).


def _line(x: float | None) -> LineString:
    if x is None:
        return at(LineString([(100, -12), (180, -12)]))
    return at(LineString([(x, 12), (x + 150, 12)]))


def _ws_with(layer: str, table: dict, xs: list[float | None]) -> Workspace:
    site = _ws(400.0).layers["sites"]
    lines = gpd.GeoDataFrame(table, geometry=[_line(x) for x in xs], crs=CRS)
    layers = {"roads": straight_block(), "scope": scope(), "sites": site, layer: lines}
    return Workspace.from_layers(layers, crs=CRS)


def _telecom_ws(ducts: dict[str, tuple[str, float | None]]) -> Workspace:
    """Ducts by asset id: (operator, x of a north duct or ``None`` for the south one)."""
    table = {
        "asset_id": list(ducts),
        "status": "existing",
        "operator": [op for op, _ in ducts.values()],
    }
    return _ws_with("telecom", table, [x for _, x in ducts.values()])


def _telecom(ws: Workspace, strategy: str = "auto", need: int = 1):
    (a,) = assess_sites(
        ws,
        profile=PROFILE,
        demands={"S": Demand(("telecom",), operators_needed=need)},
        as_of=AS_OF,
        strategy=strategy,  # type: ignore[arg-type]
    )
    return a, a.utilities["telecom"]


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_telecom_operator_takes_its_longer_same_side_duct(strategy: str) -> None:
    ws = _telecom_ws({"T-south": ("china_telecom", None), "T-north": ("china_telecom", 400.0)})
    a, telecom = _telecom(ws, strategy)
    assert (a.approval_path, telecom.approval_path) == ("commitment", "commitment")
    route = telecom.route
    assert (route.tap_asset, route.operator) == ("T-north", "china_telecom")
    assert (round(route.length_m, 3), round(route.red_line_m, 3)) == (220.0, 224.5)
    assert route.carriageways == [] and route.crossings == []
    (reason,) = telecom.reasons
    assert (
        reason.rule == "R3" and reason.text.startswith("中国电信外线") and "224.5 m" in reason.text
    )
    # the operator's nearest duct is kept beside it, with why it was not chosen
    shortest = telecom.shortest
    assert shortest is not None and (shortest.tap_asset, shortest.operator) == (
        "T-south",
        "china_telecom",
    )
    assert round(shortest.length_m, 3) == 21.0
    assert [r.code for r in telecom.shortest_reasons] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    assert all(r.text.startswith("中国电信外线") for r in telecom.shortest_reasons)
    assert telecom.operators == {"china_telecom": 21.0}
    assert telecom.search_key == ("telecom", "china_telecom", False)


def test_operators_whose_route_commitment_allows_are_taken_first_the_shortest_first() -> None:
    # 中国移动: only across the arterial (21 m, joint, no other duct); 中国联通 on the site's side
    # 120 m away (x = 300), 中国电信 220 m away (x = 400): both by notify-and-commit
    ws = _telecom_ws(
        {
            "M": ("china_mobile", None),
            "U": ("china_unicom", 300.0),
            "T": ("china_telecom", 400.0),
        }
    )
    _, one = _telecom(ws, need=1)
    assert (one.approval_path, one.route.operator, one.route.tap_asset) == (
        "commitment",
        "china_unicom",
        "U",
    )
    assert round(one.route.length_m, 3) == 120.0 and one.shortest is None
    assert one.operators == {"china_mobile": 21.0, "china_unicom": 120.0, "china_telecom": 220.0}
    # two operators needed: 联通 and 电信 are both commitment, 移动's crossing is not needed
    _, two = _telecom(ws, need=2)
    assert (two.approval_path, two.route.operator) == ("commitment", "china_unicom")
    assert not any(r.code.startswith("crosses") for r in two.reasons)
    # three needed: 移动 (across the arterial, nothing else) makes it joint
    _, three = _telecom(ws, need=3)
    assert three.approval_path == "joint"
    assert [r.code for r in three.reasons] == ["crosses_arterial_road", "carriageway_arterial"]
    assert all(r.text.startswith("中国移动外线") for r in three.reasons)
    # 中国移动's only other duct is 300 m + 4.5 m away (not under the threshold): it stays joint
    ws = _telecom_ws({"M": ("china_mobile", None), "M2": ("china_mobile", 480.0)})
    _, mobile = _telecom(ws)
    assert mobile.approval_path == "joint" and mobile.route.tap_asset == "M"
    assert round(mobile.route.length_m, 3) == 21.0 and mobile.shortest is None


def _power_ws() -> Workspace:
    # main supply: feeder F1 along the frontage (0 m); backup: F2 across the arterial (21 m,
    # joint) or F3 on the site's side from x = 400 (220 m + 4.5 m: commitment)
    table = {
        "asset_id": ["P1", "P2", "P3"],
        "status": "existing",
        "voltage_kv": 10.0,
        "spare_capacity_kva": 2000.0,
        "feeder_id": ["F1", "F2", "F3"],
    }
    ws = _ws_with("power", table, [None, None, 400.0])
    power = ws.layers["power"]
    power.loc[0, "geometry"] = at(LineString([(100, 12), (180, 12)]))
    return Workspace.from_layers({**ws.layers, "power": power}, crs=CRS)


def _power(strategy: str = "auto"):
    ws = _power_ws()
    (a,) = assess_sites(
        ws,
        profile=PROFILE,
        demands={"S": Demand(("power",), power_kva=630.0, backup_kva=630.0)},
        as_of=AS_OF,
        strategy=strategy,  # type: ignore[arg-type]
    )
    return ws, a, a.utilities["power"]


@pytest.mark.parametrize("strategy", ["batch", "per_site"])
def test_a_backup_supply_takes_the_commitment_route_to_another_feeder(strategy: str) -> None:
    _, a, power = _power(strategy)
    assert (a.approval_path, power.approval_path) == ("commitment", "commitment")
    assert (power.route.tap_asset, power.route.feeder_id) == ("P1", "F1")
    assert round(power.route.length_m, 3) == 0.0 and power.shortest is None
    backup = power.backup
    assert (backup.tap_asset, backup.feeder_id) == ("P3", "F3")
    assert (round(backup.length_m, 3), round(backup.red_line_m, 3)) == (220.0, 224.5)
    assert backup.carriageways == []
    shortest = backup.shortest
    assert shortest is not None and (shortest.tap_asset, shortest.feeder_id) == ("P2", "F2")
    assert round(shortest.length_m, 3) == 21.0
    assert [r.code for r in backup.shortest_reasons] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    assert all(r.text.startswith("备供外线") for r in backup.shortest_reasons)
    assert not any(r.code.startswith(("crosses", "carriageway")) for r in power.reasons)


def test_the_report_shows_the_backup_and_telecom_alternatives() -> None:
    from api.report import assessment_table, assessment_to_dict

    ws, a, _ = _power()
    power = assessment_to_dict(a, crs=ws.crs)["utilities"]["power"]
    assert "shortest" not in power  # the main supply is the shortest route
    backup = power["backup"]
    assert (backup["length_m"], backup["red_line_m"], backup["tap"]["feeder_id"]) == (
        220.0,
        224.5,
        "F3",
    )
    shortest = backup["shortest"]
    assert (shortest["length_m"], shortest["red_line_m"]) == (21.0, 25.5)
    assert (shortest["tap"]["asset_id"], shortest["tap"]["feeder_id"]) == ("P2", "F2")
    assert [w["code"] for w in shortest["why_not_chosen"]] == [
        "crosses_arterial_road",
        "carriageway_arterial",
    ]
    lines = assessment_table([a], profile=PROFILE).splitlines()
    (at_backup,) = [i for i, x in enumerate(lines) if x.split()[:1] == ["备供"]]
    assert lines[at_backup].split()[1:4] == ["4.5", "220.0", "224.5"]
    last = lines[at_backup + 1]
    assert last.split()[:4] == ["最短", "4.5", "21.0", "25.5"]
    assert "未采用" in last and "备供外线需穿越主干路「长宁大道」" in last

    ws = _telecom_ws({"T-south": ("china_telecom", None), "T-north": ("china_telecom", 400.0)})
    a, _ = _telecom(ws)
    telecom = assessment_to_dict(a, crs=ws.crs)["utilities"]["telecom"]
    assert (telecom["tap"]["asset_id"], telecom["tap"]["operator"]) == ("T-north", "china_telecom")
    shortest = telecom["shortest"]
    assert (shortest["length_m"], shortest["tap"]["asset_id"]) == (21.0, "T-south")
    assert shortest["tap"]["operator"] == "china_telecom"
    assert all(w["text"].startswith("中国电信外线") for w in shortest["why_not_chosen"])
    (line,) = [x for x in assessment_table([a], profile=PROFILE).splitlines() if "最短" in x]
    assert "21.0" in line and "中国电信外线需穿越" in line
