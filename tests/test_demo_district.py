"""The demo district generator: contract, determinism, geometry and the designed cases."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import substring

from bench.city import build_city
from data.demo_district import (
    DEMO_CASES,
    REFERENCE_DATE,
    build_district,
    district_anchor,
    district_boundary,
)
from gis.corridor import build_corridor_graph, road_segments
from gis.profile import load_profile
from gis.schema import LAYERS, ROAD_CLASSES, UTILITIES

CASE_KEYS = {
    "short_route",
    "exact_300",
    "over_300",
    "cross_arterial",
    "cross_railway",
    "no_suitable_main",
    "cluster_in_scope",
    "real_estate",
    "dual_power",
    "steam",
    "dig_once",
    "green_space",
    "corner",
    "shared_trench",
    "planned_main",
    "cross_branch",
}
REACH_M = load_profile("gb-defaults").attach.site_frontage_max_m
DESIGNED_SIDE = {
    "water": {"north", "east"},
    "power": {"north", "east"},
    "gas": {"south", "west"},
    "telecom": {"south", "west"},
    "heat": {"south", "west"},
}


@pytest.fixture(scope="module")
def demo() -> dict[str, gpd.GeoDataFrame]:
    return build_district()


@pytest.fixture(scope="module")
def city() -> dict[str, gpd.GeoDataFrame]:
    return build_city()


# ------------------------------------------------------------------------------ helpers


def _assert_identical(a: dict[str, gpd.GeoDataFrame], b: dict[str, gpd.GeoDataFrame]) -> None:
    assert list(a) == list(b)
    for name in a:
        assert a[name].columns.tolist() == b[name].columns.tolist(), name
        assert a[name].geometry.to_wkb().tolist() == b[name].geometry.to_wkb().tolist(), name
        pd.testing.assert_frame_equal(
            pd.DataFrame(a[name].drop(columns="geometry")),
            pd.DataFrame(b[name].drop(columns="geometry")),
        )
        assert a[name].crs == b[name].crs


def _missing(value: Any) -> bool:
    return bool(pd.isna(value))


def _assert_contract(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Every contract layer, every field, with values of the right type and enum."""
    for name, spec in LAYERS.items():
        assert name in layers, f"layer {name} missing"
        gdf = layers[name]
        assert len(gdf) > 0, name
        assert gdf.crs.to_epsg() == 4546, name
        assert set(gdf.geom_type) <= set(spec.geometry_types), name
        for f in spec.fields:
            assert f.name in gdf.columns, f"{name}.{f.name} missing"
            values = gdf[f.name].tolist()
            present = [v for v in values if not _missing(v)]
            if f.required:
                assert len(present) == len(values), f"{name}.{f.name} has empty values"
            for v in set(present):
                if f.kind == "enum":
                    assert v in f.choices, (name, f.name, v)
                elif f.kind == "csv_enum":
                    assert isinstance(v, str)
                    assert set(v.split(",")) <= set(f.choices), (name, f.name, v)
                elif f.kind == "date":
                    assert isinstance(v, str)
                    assert dt.date.fromisoformat(v).isoformat() == v, (name, f.name, v)
                elif f.kind in ("int", "float"):
                    assert isinstance(v, float | int), (name, f.name, v)
                    if f.minimum is not None:
                        assert v > f.minimum if f.exclusive else v >= f.minimum, (name, f.name)
                else:
                    assert isinstance(v, str) and v.strip(), (name, f.name, v)
        if spec.id_field:
            assert gdf[spec.id_field].is_unique, f"{name}.{spec.id_field} not unique"
        geoms = np.asarray(gdf.geometry.values)
        assert shapely.is_valid(geoms).all(), name
        assert not shapely.is_empty(geoms).any(), name


def _along_checks(layers: dict[str, gpd.GeoDataFrame], utility: str) -> pd.DataFrame:
    """Per feature: distance of its farthest vertex from its road and its side seen from it."""
    roads = layers["roads"].set_index("road_id")
    gdf = _mains(layers[utility])
    lines = np.asarray(roads.geometry.loc[gdf["along_road"]].values)
    geoms = np.asarray(gdf.geometry.values)
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    far = np.zeros(len(gdf))
    np.maximum.at(far, idx, shapely.distance(shapely.points(coords), lines[idx]))
    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    length = shapely.length(lines)
    t = shapely.line_locate_point(lines, mid)
    a = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.clip(t - 0.5, 0, length)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.clip(t + 0.5, 0, length)))
    foot = shapely.get_coordinates(shapely.line_interpolate_point(lines, t))
    rel = shapely.get_coordinates(mid) - foot
    tan = b - a
    left = tan[:, 0] * rel[:, 1] - tan[:, 1] * rel[:, 0] > 0
    d = shapely.get_coordinates(shapely.get_point(lines, -1)) - shapely.get_coordinates(
        shapely.get_point(lines, 0)
    )
    ew = np.abs(d[:, 0]) >= np.abs(d[:, 1])
    side = np.where(ew, np.where(left, "north", "south"), np.where(left, "west", "east"))
    return pd.DataFrame({"far": far, "side": side, "declared": gdf["side"].to_numpy()})


def _distribution(utility: str, gdf: gpd.GeoDataFrame) -> pd.Series:
    """Mains a customer may be connected to (trunks and junctions' connecting pipes excluded)."""
    if "role" in gdf and (gdf["role"] == "connection").any():
        return _distribution(utility, gdf[gdf["role"] != "connection"]).reindex(
            gdf.index, fill_value=False
        )
    if utility == "water":
        return gdf["diameter_mm"] < 1000
    if utility == "gas":
        return gdf["pressure_class"].isin(["low", "medium_b", "medium_a"])
    if utility == "power":
        return gdf["voltage_kv"] == 10.0
    if utility == "heat":
        return gdf["medium"] == "steam"
    return pd.Series(True, index=gdf.index)


def _mains(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The mains along the roads: without the junctions' connecting pipes."""
    return gdf[gdf["role"] != "connection"] if "role" in gdf else gdf


def _frontage(roads: gpd.GeoDataFrame, site: Any) -> list[tuple[str, int, float, float]]:
    """(road_id, side ±1, t0, t1) of every block the site fronts: its red line on the block."""
    out = []
    for road_id, line in zip(roads["road_id"], roads.geometry):
        if line.distance(site) > REACH_M:
            continue
        near = site.intersection(line.buffer(REACH_M))
        ts = [line.project(shapely.Point(c)) for c in shapely.get_coordinates(near)]
        own = [line.project(shapely.Point(c)) for c in shapely.get_coordinates(site)]
        t0, t1 = max(min(ts), min(own)), min(max(ts), max(own))
        if t1 - t0 < 1.0:
            continue
        t = line.project(site.centroid)
        p, q = line.interpolate(max(t - 0.5, 0)), line.interpolate(min(t + 0.5, line.length))
        c = site.centroid
        cross = (q.x - p.x) * (c.y - p.y) - (q.y - p.y) * (c.x - p.x)
        out.append((road_id, 1 if cross > 0 else -1, t0, t1))
    return out


def _signed_side(line: Any, geom: Any) -> int:
    m = geom.interpolate(0.5, normalized=True)
    t = line.project(m)
    p, q = line.interpolate(max(t - 0.5, 0)), line.interpolate(min(t + 0.5, line.length))
    return 1 if (q.x - p.x) * (m.y - p.y) - (q.y - p.y) * (m.x - p.x) > 0 else -1


def _suitable(utility: str, gdf: gpd.GeoDataFrame, *, planned: bool) -> gpd.GeoDataFrame:
    ok = _distribution(utility, gdf)
    if not planned:
        ok &= gdf["status"] == "existing"
    return gdf[ok]


def _route(G: nx.Graph, pid: str, lines: gpd.GeoDataFrame) -> tuple[float, set[str]]:
    """Shortest route from the site's frontage to any tap: its length and what it crosses."""
    taps = [n for n, d in G.nodes(data=True) if d["taps"]]
    fronts = [n for n, d in G.nodes(data=True) if pid in d["sites"]]
    assert taps and fronts
    dist, paths = nx.multi_source_dijkstra(G, taps, weight="length")
    best = min((n for n in fronts if n in dist), key=dist.get)
    segs = G.graph["segments"]
    crossed: set[str] = set()
    path = paths[best]
    for a, b in zip(path[:-1], path[1:]):
        e = G.edges[a, b]
        if e["kind"] == "crossing":
            crossed.add(e["road_class"])
        elif e["kind"] == "sidewalk" and e["t1"] > e["t0"]:
            part = substring(segs.geometry.iloc[e["seg"]], e["t0"], e["t1"])
            crossed |= {k for k, g in zip(lines["kind"], lines.geometry) if part.intersects(g)}
    return float(dist[best]), crossed


# -------------------------------------------------------------------------------- demo


def test_same_seed_gives_identical_layers(demo: dict[str, gpd.GeoDataFrame]) -> None:
    _assert_identical(demo, build_district("demo", seed=20230512))
    other = build_district(seed=7)
    assert other["roads"]["opened_on"].tolist() != demo["roads"]["opened_on"].tolist()
    # the designed cases do not depend on the seed
    for name in ("sites", "scope", "major_lines"):
        assert other[name].geometry.to_wkb().tolist() == demo[name].geometry.to_wkb().tolist()


def test_every_contract_layer_and_field(demo: dict[str, gpd.GeoDataFrame]) -> None:
    _assert_contract(demo)
    from gis.validate import validate_layers

    report = validate_layers(demo, working_crs="EPSG:4546")
    assert [p for p in report.problems if p.severity != "info"] == []


def test_other_crs_and_bad_size() -> None:
    wgs = build_district(crs="EPSG:4326")
    x0, y0, x1, y1 = wgs["roads"].total_bounds
    assert 112.0 < x0 < x1 < 112.4 and 30.8 < y0 < y1 < 31.1
    with pytest.raises(ValueError, match="unknown district size 'town'"):
        build_district("town")  # type: ignore[arg-type]


def test_roads_one_feature_per_block(demo: dict[str, gpd.GeoDataFrame]) -> None:
    roads = demo["roads"]
    assert roads["road_id"].is_unique
    assert set(roads["road_class"]) == set(ROAD_CLASSES)
    assert roads["name"].str.contains(r"[\u4e00-\u9fff]").all()
    # nothing left to split: the corridor graph finds exactly these blocks
    assert len(road_segments(roads)) == len(roads)
    geoms = np.asarray(roads.geometry.values)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, i)) for i in (0, -1)])
    counts = Counter(map(tuple, ends.tolist()))
    assert min(counts.values()) >= 2  # every end is a junction shared exactly with another block
    # carriageway widths from the profile, missing on a few roads
    widths = load_profile("gb-defaults").roads.carriageway_width_m
    known = roads["width_m"].notna()
    assert 0.8 <= known.mean() < 1.0
    assert (roads.loc[known, "width_m"] == roads.loc[known, "road_class"].map(widths)).all()


def test_dig_once_dates(demo: dict[str, gpd.GeoDataFrame]) -> None:
    roads = demo["roads"]
    ref = dt.date.fromisoformat(REFERENCE_DATE)
    opened = roads["opened_on"].map(dt.date.fromisoformat)
    repaired = roads["repaired_on"].map(
        lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else None
    )
    new = opened > ref.replace(year=ref.year - 5)
    fixed = repaired.map(lambda d: d is not None and d > ref.replace(year=ref.year - 3))
    assert new.sum() >= 2 and fixed.sum() >= 2
    assert (~(new | fixed)).sum() > len(roads) * 0.8
    assert (opened <= ref).all()
    assert all(r is None or r > o for r, o in zip(repaired, opened))


def test_demo_lies_inside_the_real_district(demo: dict[str, gpd.GeoDataFrame]) -> None:
    shape = district_boundary().geometry.union_all()
    assert shape.contains(shapely.Point(district_anchor()))
    for name, gdf in demo.items():
        assert shape.contains(gdf.geometry.union_all()), name


def test_sites_cover_every_case(demo: dict[str, gpd.GeoDataFrame]) -> None:
    sites = demo["sites"]
    assert len(sites) >= 15
    assert set(sites["project_id"]) == set(DEMO_CASES)
    assert {c["case"] for c in DEMO_CASES.values()} == CASE_KEYS
    assert all(re.fullmatch(r"JM-2026-\d{3}", p) for p in sites["project_id"])
    for pid, case in DEMO_CASES.items():
        assert {"case", "zh", "utilities", "expected_route_m", "expected_crossing"} <= set(case)
        assert set(case["utilities"]) <= set(UTILITIES)
        assert set(case["expected_route_m"]) <= set(case["utilities"]), pid
        assert case["expected_crossing"] in (*ROAD_CLASSES, "railway", None)
    # the seed's scope (二) is the central city and the 组团: every demo site is in it, the
    # 团林 one in the 团林组团's feature of the scope layer (no case contradicts the seed)
    scope = demo["scope"].geometry.union_all()
    assert bool(sites.geometry.within(scope).all())
    case_of = {p: c["case"] for p, c in DEMO_CASES.items()}
    (cluster,) = [p for p, c in case_of.items() if c == "cluster_in_scope"]
    site = sites.loc[sites["project_id"] == cluster].geometry.iloc[0]
    (named,) = demo["scope"].loc[demo["scope"].geometry.intersects(site), "name"]
    assert "团林组团" in named
    assert "团林" in str(sites.loc[sites["project_id"] == cluster, "name"].iloc[0])
    types = dict(zip(sites["project_id"], sites["enterprise_type"]))
    assert {types[p] for p, c in case_of.items() if c == "real_estate"} == {"real_estate"}
    assert {t for p, t in types.items() if case_of[p] != "real_estate"} <= {
        "industrial",
        "commercial",
    }


def test_networks_run_along_their_road_on_the_designed_side(
    demo: dict[str, gpd.GeoDataFrame],
) -> None:
    for utility in UTILITIES:
        gdf = _mains(demo[utility])
        checks = _along_checks(demo, utility)
        assert (checks["far"] <= 30.0).all(), utility
        assert (checks["side"] == checks["declared"]).all(), utility
        dist = _distribution(utility, gdf).to_numpy()
        assert checks.loc[dist, "declared"].isin(DESIGNED_SIDE[utility]).all(), utility
        assert set(gdf["status"]) == {"existing", "planned"} or utility == "heat"
    water, gas, power = demo["water"], demo["gas"], demo["power"]
    assert {100.0, 600.0, 1000.0} <= set(water["diameter_mm"])
    assert {"medium_a", "medium_b", "subhigh_b"} <= set(gas["pressure_class"])
    assert {10.0, 110.0} <= set(power["voltage_kv"])
    assert set(demo["telecom"]["operator"]) == {"china_mobile", "china_unicom", "china_telecom"}
    heat = demo["heat"]
    assert set(heat["medium"]) == {"steam"}
    assert heat["pressure_mpa"].between(0.8, 1.3).all()
    assert heat["temperature_c"].between(200, 300).all()
    park = demo["service_areas"].set_index("utility").geometry["heat"]
    assert heat.geometry.within(park).all()  # steam only in the industrial park


@pytest.mark.parametrize(
    ("case", "utility"),
    [
        ("exact_300", "water"),
        ("short_route", "water"),
        ("over_300", "water"),
        ("steam", "heat"),
        ("dig_once", "water"),
        ("green_space", "water"),
        ("shared_trench", "gas"),
        ("shared_trench", "telecom"),
    ],
)
def test_same_side_gap_along_the_centreline(
    demo: dict[str, gpd.GeoDataFrame], case: str, utility: str
) -> None:
    pid, spec = next((p, c) for p, c in DEMO_CASES.items() if c["case"] == case)
    roads = demo["roads"]
    site = demo["sites"].set_index("project_id").geometry[pid]
    fronts = _frontage(roads, site)
    assert len(fronts) == 1  # mid-block: one frontage
    road_id, side, t0, t1 = fronts[0]
    line = roads.set_index("road_id").geometry[road_id]
    assert roads.set_index("road_id")["name"][road_id] == spec["road"]
    mains = demo[utility]
    mains = mains[(mains["along_road"] == road_id) & (mains["status"] == "existing")]
    mains = mains[
        ~mains["asset_id"].isin(_refused(spec, utility))
    ]  # the capacity check refuses them (issue 16)
    gaps = []
    for geom in mains.geometry:
        if _signed_side(line, geom) != side:
            continue
        m0, m1 = sorted(line.project(shapely.Point(c)) for c in geom.coords)
        gaps.append(max(m0 - t1, t0 - m1, 0.0))
    assert min(gaps) == spec["expected_route_m"][utility]  # exact, e.g. 300.0 for exact_300


def _refused(case: dict[str, Any], utility: str) -> list[str]:
    """Return the mains of a demo case the capacity check by simulation refuses (issue 16)."""
    return list(case.get("capacity", {}).get(utility, {}).get("refused", []))


def test_expected_routes_on_the_corridor_graph(demo: dict[str, gpd.GeoDataFrame]) -> None:
    lines = demo["major_lines"]
    lines = lines[lines["kind"].isin(["railway", "river"])]
    checked = 0
    for planned, key in ((False, "expected_route_m"), (True, "planned_route_m")):
        for utility in UTILITIES:
            cases = {p: c for p, c in DEMO_CASES.items() if utility in c.get(key, {})}
            if not cases:
                continue
            mains = _suitable(utility, demo[utility], planned=planned)
            refused = [a for c in cases.values() for a in _refused(c, utility)]
            mains = mains[~mains["asset_id"].isin(refused)]  # by the capacity check (issue 16)
            G = build_corridor_graph(demo["roads"], sites=demo["sites"], networks={utility: mains})
            for pid, case in cases.items():
                length, crossed = _route(G, pid, lines)
                assert length == pytest.approx(case[key][utility], abs=1e-6), (pid, utility)
                expected = case["expected_crossing"]
                assert crossed == (set() if expected is None else {expected}), (pid, crossed)
                checked += 1
    assert checked == sum(
        len(c["expected_route_m"]) + len(c.get("planned_route_m", {})) for c in DEMO_CASES.values()
    )


def test_no_suitable_gas_near_the_no_main_case(demo: dict[str, gpd.GeoDataFrame]) -> None:
    pid = next(p for p, c in DEMO_CASES.items() if c["case"] == "no_suitable_main")
    site = demo["sites"].set_index("project_id").geometry[pid]
    gas = demo["gas"]
    tappable = gas[_distribution("gas", gas)]
    assert tappable.distance(site).min() > 1000.0
    trunk = gas[gas["pressure_class"] == "subhigh_b"]
    assert trunk.distance(site).min() < 30.0  # only the never-tapped trunk is near
    area = demo["service_areas"].set_index("utility").geometry["gas"]
    assert not area.intersects(site)


def test_case_details(demo: dict[str, gpd.GeoDataFrame]) -> None:
    roads = demo["roads"].set_index("road_id")
    sites = demo["sites"].set_index("project_id").geometry
    by_case = {c["case"]: (p, c) for p, c in DEMO_CASES.items()}
    # dual power: two different 10 kV feeders along the site's frontage
    pid, case = by_case["dual_power"]
    ((road_id, side, t0, t1),) = _frontage(demo["roads"], sites[pid])
    power = demo["power"]
    feeders = power[(power["along_road"] == road_id) & (power["voltage_kv"] == 10.0)]
    assert sorted(feeders["feeder_id"]) == case["feeders"]
    line = roads.geometry[road_id]
    for g in feeders.geometry:
        assert _signed_side(line, g) == side
        m0, m1 = sorted(line.project(shapely.Point(c)) for c in g.coords)
        assert m0 <= t0 and t1 <= m1  # both pass in front of the site
    # dig-once: the fronted block opened less than 5 years before the reference date
    pid, _ = by_case["dig_once"]
    ((road_id, *_),) = _frontage(demo["roads"], sites[pid])
    ref = dt.date.fromisoformat(REFERENCE_DATE)
    assert dt.date.fromisoformat(roads["opened_on"][road_id]) > ref.replace(year=ref.year - 5)
    for other, (p, _) in by_case.items():
        if other == "dig_once":
            continue
        for rid, *_ in _frontage(demo["roads"], sites[p]):
            assert dt.date.fromisoformat(roads["opened_on"][rid]) < ref.replace(year=ref.year - 5)
            rep = roads["repaired_on"][rid]
            assert pd.isna(rep) or dt.date.fromisoformat(rep) < ref.replace(year=ref.year - 3)
    # green space between the site's red line and the sidewalk
    pid, _ = by_case["green_space"]
    ((road_id, *_),) = _frontage(demo["roads"], sites[pid])
    green = demo["green_space"]
    belt = green[green.geometry.touches(sites[pid])]
    assert len(belt) == 1
    line = roads.geometry[road_id]
    assert belt.geometry.iloc[0].distance(line) < sites[pid].distance(line) <= REACH_M
    # the corner site fronts two roads
    pid, _ = by_case["corner"]
    fronts = _frontage(demo["roads"], sites[pid])
    assert len({roads["name"][f[0]] for f in fronts}) == 2
    # the railway case's site and its gas main lie on either side of the railway
    pid, _ = by_case["cross_railway"]
    rail = demo["major_lines"].set_index("kind").geometry["railway"]
    assert sites[pid].centroid.x > rail.coords[0][0]


def test_major_lines_green_space_and_intents(demo: dict[str, gpd.GeoDataFrame]) -> None:
    major = demo["major_lines"]
    assert {"railway", "river", "hv_power", "gas_trunk", "expressway"} <= set(major["kind"])
    roads = demo["roads"].geometry.union_all()
    for kind in ("railway", "river"):
        assert major.set_index("kind").geometry[kind].crosses(roads)
    green = demo["green_space"]
    assert {"park", "river_belt", "road_belt"} <= set(green["kind"])
    assert not green.geometry.union_all().intersects(
        demo["sites"].geometry.union_all().buffer(-0.01)
    )
    intents = demo["intents"]
    assert 3 <= len(intents) <= 10
    assert intents["registered_by"].str.contains("招商").all()


# -------------------------------------------------------------------------------- city


@pytest.mark.city
def test_city_size_content_and_contract(city: dict[str, gpd.GeoDataFrame]) -> None:
    roads = city["roads"]
    assert len(roads) >= 20_000
    assert sum(len(city[u]) for u in UTILITIES) >= 100_000
    assert len(city["sites"]) >= 200
    assert len(city["intents"]) >= 500
    assert set(roads["road_class"]) == set(ROAD_CLASSES)
    _assert_contract(city)
    geoms = np.asarray(roads.geometry.values)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, i)) for i in (0, -1)])
    _, counts = np.unique(ends, axis=0, return_counts=True)
    assert counts.min() >= 2  # junction to junction
    for utility in UTILITIES:
        checks = _along_checks(city, utility)
        assert (checks["far"] <= 30.0).all(), utility
        assert (checks["side"] == checks["declared"]).all(), utility
        dist = _distribution(utility, _mains(city[utility])).to_numpy()
        assert checks.loc[dist, "declared"].isin(DESIGNED_SIDE[utility]).all(), utility
    scope = city["scope"].geometry.iloc[0]
    outside = ~city["sites"].geometry.within(scope)
    assert 0 < outside.sum() < len(city["sites"]) / 10


@pytest.mark.city
def test_city_is_deterministic(city: dict[str, gpd.GeoDataFrame]) -> None:
    _assert_identical(city, build_city())


def test_water_mains_are_joined_under_the_junctions(demo: dict[str, gpd.GeoDataFrame]) -> None:
    """Each connecting pipe runs from an existing main's end to a junction where two or more
    roads end, with that main's diameter; two or more mains meet at each such junction."""
    water = demo["water"]
    pipes = water[water["role"] == "connection"]
    mains = water[(water["role"] == "distribution") & (water["status"] == "existing")]
    assert len(pipes) > 100 and set(pipes["status"]) == {"existing"}
    ends = {}
    for g, dn in zip(mains.geometry, mains["diameter_mm"]):
        for c in (g.coords[0], g.coords[-1]):
            ends[(round(c[0], 3), round(c[1], 3))] = dn
    road_ends = shapely.get_coordinates(demo["roads"].geometry.boundary.explode().values)
    keys, counts = np.unique(np.round(road_ends, 3), axis=0, return_counts=True)
    junctions = {tuple(k) for k in keys[counts >= 2]}
    at: Counter[tuple[float, ...]] = Counter()
    for g, dn in zip(pipes.geometry, pipes["diameter_mm"]):
        start, end = (tuple(round(v, 3) for v in c) for c in (g.coords[0], g.coords[-1]))
        assert ends[start] == dn and end in junctions
        assert g.length <= 50.0  # the reach: a main's end beside the junction
        at[end] += 1
    assert min(at.values()) >= 2
