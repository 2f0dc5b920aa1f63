"""The city-size district of the benchmarks (not part of the demo).

:func:`build_city` is a 120 × 120 grid of 120–150 m blocks (≈ 16 km square, 28 560 road blocks,
≈ 138 000 network features, 240 sites, 600 intents) centred on the 掇刀区 centroid, built with
numpy and shapely array functions in under a second. It is a synthetic scale-up: it extends
beyond the real district boundary in places and has no hand-designed cases. It follows the
conventions of :mod:`data.demo_district` (one road feature per block, utilities on fixed sides,
site red lines behind the sidewalk) and returns the same layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import LineString, box

from bench.names import (
    CITY_REGISTRARS,
    COMPANY_CORES,
    INDUSTRY_WORDS,
    ORDINALS,
    ROAD_PLACE_WORDS,
    ROAD_SUFFIX,
)
from data.demo_district import (
    _KERB_OFFSET_M,
    _OPERATOR_STEP_M,
    _OPERATORS,
    _RED_LINE_SETBACK_M,
    _SETBACK_M,
    _TRUNK_KERB_OFFSET_M,
    _UTILITY_SIDE,
    _boundary_4546,
    _corridors,
    _polygons,
    _river_line,
    _with_windows,
    with_junction_pipes,
)
from gis.crs import DEFAULT_CRS, resolve_crs
from gis.profile import Profile, load_profile
from gis.schema import ROAD_CLASSES, UTILITIES

__all__ = ["build_city"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def build_city(*, seed: int = 20230512, crs: str = DEFAULT_CRS) -> dict[str, gpd.GeoDataFrame]:
    """Build the city-size benchmark district with every contract layer.

    Parameters
    ----------
    seed
        Seed of the pseudo-random layout and attributes; the same seed gives identical layers.
    crs
        Output CRS; layers are built in EPSG:4546 and reprojected if another CRS is asked for.

    Returns
    -------
    dict
        Layer name → GeoDataFrame, the layers of :func:`data.demo_district.build_district`.
    """
    target = resolve_crs(crs)
    layers = _build_city(seed, load_profile("gb-defaults"))
    if not target.equals(resolve_crs(DEFAULT_CRS)):
        layers = {name: gdf.to_crs(target) for name, gdf in layers.items()}
    return layers


_CITY_LINES = 120
_CITY_STEPS_M = (120.0, 130.0, 140.0, 150.0)
_CITY_SITES = 240
_CITY_INTENTS = 600
_CITY_PARKS = 40


def _ids(prefix: str, n: int, width: int) -> npt.NDArray[np.object_]:
    nums = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(prefix, nums).astype(object)


def _iso(days: IntArray) -> npt.NDArray[np.object_]:
    """ISO date strings for day numbers since 1970-01-01."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


@dataclass
class _Grid:
    """The city grid's blocks as flat arrays (one entry per road block)."""

    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    ew: npt.NDArray[np.bool_]
    line: IntArray
    k: IntArray
    cls: IntArray
    width: FloatArray
    sidewalk: FloatArray
    road_id: npt.NDArray[np.object_]

    @property
    def mx(self) -> FloatArray:
        return (self.x0 + self.x1) / 2.0

    @property
    def my(self) -> FloatArray:
        return (self.y0 + self.y1) / 2.0

    def along(
        self, sel: npt.NDArray[np.bool_], side: str, offset: FloatArray | float, trim: float
    ) -> npt.NDArray[np.object_]:
        """Offset lines of the selected blocks (vectorised, axis-aligned blocks)."""
        ew = self.ew[sel]
        s = 1.0 if side == "ne" else -1.0
        d = np.broadcast_to(np.asarray(offset, dtype=float), ew.shape) * s
        xa = self.x0[sel] + np.where(ew, trim, 0.0) + np.where(ew, 0.0, d)
        xb = self.x1[sel] - np.where(ew, trim, 0.0) + np.where(ew, 0.0, d)
        ya = self.y0[sel] + np.where(ew, 0.0, trim) + np.where(ew, d, 0.0)
        yb = self.y1[sel] - np.where(ew, 0.0, trim) + np.where(ew, d, 0.0)
        coords = np.stack([np.column_stack([xa, ya]), np.column_stack([xb, yb])], axis=1)
        return np.asarray(shapely.linestrings(coords), dtype=object)

    def compass(self, sel: npt.NDArray[np.bool_], side: str) -> npt.NDArray[np.object_]:
        ew = self.ew[sel]
        if side == "ne":
            return np.where(ew, "north", "east").astype(object)
        return np.where(ew, "south", "west").astype(object)


def _city_grid(rng: np.random.Generator, profile: Profile) -> tuple[_Grid, FloatArray, FloatArray]:
    n = _CITY_LINES
    xs = np.concatenate([[0.0], np.cumsum(rng.choice(_CITY_STEPS_M, n - 1))])
    ys = np.concatenate([[0.0], np.cumsum(rng.choice(_CITY_STEPS_M, n - 1))])
    c = _boundary_4546().centroid
    xs += round((c.x - xs[-1] / 2.0) / 100.0) * 100.0
    ys += round((c.y - ys[-1] / 2.0) / 100.0) * 100.0
    idx = np.arange(n)
    line_cls = np.full(n, ROAD_CLASSES.index("access"))
    line_cls[idx % 2 == 0] = ROAD_CLASSES.index("branch")
    line_cls[idx % 4 == 0] = ROAD_CLASSES.index("secondary")
    line_cls[idx % 8 == 0] = ROAD_CLASSES.index("arterial")
    line_cls[[0, n - 1]] = ROAD_CLASSES.index("expressway")
    # north–south lines 0..n-1 (block k from ys[k] to ys[k+1]), east–west lines n..2n-1
    vi, vk = (a.ravel() for a in np.meshgrid(idx, idx[:-1], indexing="ij"))
    hj, hk = (a.ravel() for a in np.meshgrid(idx, idx[:-1], indexing="ij"))
    x0 = np.concatenate([xs[vi], xs[hk]])
    x1 = np.concatenate([xs[vi], xs[hk + 1]])
    y0 = np.concatenate([ys[vk], ys[hj]])
    y1 = np.concatenate([ys[vk + 1], ys[hj]])
    ew = np.concatenate([np.zeros(len(vi), bool), np.ones(len(hj), bool)])
    line = np.concatenate([vi, hj + n])
    k = np.concatenate([vk, hk])
    cls = np.concatenate([line_cls[vi], line_cls[hj]])
    widths = profile.roads.carriageway_width_m
    sidewalks = profile.roads.sidewalk_width_m
    width = np.array([widths[c] for c in ROAD_CLASSES])[cls]
    sidewalk = np.array([sidewalks[c] for c in ROAD_CLASSES])[cls]
    road_id = np.char.add(
        np.char.add("C", np.char.zfill(line.astype(str), 3)),
        np.char.add("-", np.char.zfill((k + 1).astype(str), 3)),
    ).astype(object)
    grid = _Grid(x0, y0, x1, y1, ew, line, k, cls, width, sidewalk, road_id)
    return grid, xs, ys


def _city_line_names(n: int) -> npt.NDArray[np.object_]:
    names = []
    ring = {0: "西段", n - 1: "东段", n: "南段", 2 * n - 1: "北段"}
    for i in range(2 * n):
        j = i % n
        if i in ring:
            names.append(f"荆门环城快速路{ring[i]}")
            continue
        cls = (
            "arterial"
            if j % 8 == 0
            else "secondary"
            if j % 4 == 0
            else ("branch" if j % 2 == 0 else "access")
        )
        word = ROAD_PLACE_WORDS[i % len(ROAD_PLACE_WORDS)]
        names.append(f"{word}{ORDINALS[i // len(ROAD_PLACE_WORDS)]}{ROAD_SUFFIX[cls]}")
    return np.array(names, dtype=object)


def _city_roads(g: _Grid, rng: np.random.Generator) -> gpd.GeoDataFrame:
    nb = len(g.x0)
    n_lines = 2 * _CITY_LINES
    names = _city_line_names(_CITY_LINES)[g.line]
    width = np.where(
        (g.cls == ROAD_CLASSES.index("access")) & (rng.random(nb) < 0.3), np.nan, g.width
    )
    line_open = _day("1995-01-01") + rng.integers(0, 22 * 365, n_lines)
    opened = line_open[g.line]
    recent = rng.random(nb) < 0.03
    opened = np.where(recent, _day("2022-01-01") + rng.integers(0, 4 * 365, nb), opened)
    rep_draw = rng.random(nb)
    repaired = opened + 3 * 365 + rng.integers(0, 8 * 365, nb)
    repaired = np.minimum(repaired, _day("2026-10-31"))
    has_rep = (rep_draw < 0.3) & (repaired > opened + 365) & ~recent
    rep_txt = np.full(nb, None, dtype=object)
    rep_txt[has_rep] = _iso(repaired[has_rep])
    coords = np.stack([np.column_stack([g.x0, g.y0]), np.column_stack([g.x1, g.y1])], axis=1)
    return gpd.GeoDataFrame(
        {
            "road_id": g.road_id,
            "name": names,
            "road_class": np.array(ROAD_CLASSES, dtype=object)[g.cls],
            "width_m": width,
            "opened_on": _iso(opened),
            "repaired_on": rep_txt,
        },
        geometry=shapely.linestrings(coords),
        crs=DEFAULT_CRS,
    )


def _frame(
    g: _Grid,
    sel: npt.NDArray[np.bool_],
    utility: str,
    offset: FloatArray | float,
    trim: float,
    columns: dict[str, Any],
) -> gpd.GeoDataFrame:
    """Mains of ``utility`` along the selected blocks, on the utility's side."""
    side = _UTILITY_SIDE[utility]
    data = {**columns, "along_road": g.road_id[sel], "side": g.compass(sel, side)}
    return gpd.GeoDataFrame(data, geometry=g.along(sel, side, offset, trim), crs=DEFAULT_CRS)


def _concat(frames: list[gpd.GeoDataFrame], prefix: str) -> gpd.GeoDataFrame:
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "asset_id", _ids(f"{prefix}-", len(out), 6))
    out.insert(2, "role", "distribution")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=DEFAULT_CRS)


def _status(rng: np.random.Generator, n: int, share: float) -> npt.NDArray[np.object_]:
    return np.where(rng.random(n) < share, "planned", "existing").astype(object)


def _pick(rng: np.random.Generator, options: Sequence[float], n: int) -> FloatArray:
    return np.asarray(options, dtype=float)[rng.integers(0, len(options), n)]


def _city_networks(
    g: _Grid, xs: FloatArray, ys: FloatArray, rng: np.random.Generator
) -> dict[str, gpd.GeoDataFrame]:
    n = _CITY_LINES
    nb = len(g.x0)
    c = {name: ROAD_CLASSES.index(name) for name in ROAD_CLASSES}
    street = g.cls != c["expressway"]
    half = g.width / 2.0
    # water: distribution everywhere but a few gaps; a DN1000 trunk on one north–south arterial
    trunk_line = int(round(n / 2 / 8) * 8)
    water_trunk = g.line == trunk_line
    wsel = street & (rng.random(nb) < 0.96) & ~water_trunk
    dn = np.select(
        [g.cls == c["arterial"], g.cls == c["secondary"], g.cls == c["branch"]],
        [_pick(rng, (400, 500, 600), nb), np.full(nb, 300.0), np.full(nb, 200.0)],
        _pick(rng, (100, 150), nb),
    )
    water = _concat(
        [
            _frame(
                g,
                wsel,
                "water",
                half[wsel] + _KERB_OFFSET_M["water"],
                _SETBACK_M,
                {"status": _status(rng, int(wsel.sum()), 0.05), "diameter_mm": dn[wsel]},
            ),
            _frame(
                g,
                water_trunk,
                "water",
                half[water_trunk] + _KERB_OFFSET_M["water"],
                0.0,
                {"status": "existing", "diameter_mm": 1000.0},
            ),
        ],
        "W",
    )
    # gas: medium pressure except a north-east corner; a sub-high trunk on two ring sides
    no_gas = (g.mx > xs[int(0.8 * n)]) & (g.my > ys[int(0.8 * n)])
    gsel = street & ~no_gas
    major = (g.cls == c["arterial"]) | (g.cls == c["secondary"])
    pressure = np.where(major, "medium_a", "medium_b").astype(object)
    gdn = np.where(g.cls == c["arterial"], 200.0, np.where(major, 160.0, 110.0))
    gas_trunk = (g.line == 0) | (g.line == n)
    gas = _concat(
        [
            _frame(
                g,
                gsel,
                "gas",
                half[gsel] + _KERB_OFFSET_M["gas"],
                _SETBACK_M,
                {
                    "status": _status(rng, int(gsel.sum()), 0.04),
                    "pressure_class": pressure[gsel],
                    "diameter_mm": gdn[gsel],
                },
            ),
            _frame(
                g,
                gas_trunk,
                "gas",
                half[gas_trunk] + _KERB_OFFSET_M["gas"],
                0.0,
                {"status": "existing", "pressure_class": "subhigh_b", "diameter_mm": 300.0},
            ),
        ],
        "G",
    )
    # heat: steam in an industrial park
    park = (
        (g.mx > xs[int(0.6 * n)])
        & (g.mx < xs[int(0.85 * n)])
        & (g.my > ys[int(0.1 * n)])
        & (g.my < ys[int(0.35 * n)])
    )
    hsel = street & park
    heat = _concat(
        [
            _frame(
                g,
                hsel,
                "heat",
                half[hsel] + _KERB_OFFSET_M["heat"],
                _SETBACK_M,
                {
                    "status": "existing",
                    "medium": "steam",
                    "pressure_mpa": _pick(rng, (0.8, 1.0, 1.3), int(hsel.sum())),
                    "temperature_c": _pick(rng, (220.0, 250.0, 280.0), int(hsel.sum())),
                    "diameter_mm": _pick(rng, (200.0, 300.0), int(hsel.sum())),
                },
            ),
        ],
        "H",
    )
    # power: a 10 kV feeder on every street (one feeder per 8 blocks of a line), one 110 kV line
    psel = street
    feeder = np.char.add(
        np.char.add("F", np.char.zfill(g.line.astype(str), 3)),
        np.char.add("-", np.char.zfill((g.k // 8 + 1).astype(str), 2)),
    ).astype(object)
    hv_line = n + int(round(n / 2 / 8) * 8) + 8
    hv = g.line == hv_line
    power = _concat(
        [
            _frame(
                g,
                psel,
                "power",
                half[psel] + _KERB_OFFSET_M["power"],
                _SETBACK_M,
                {
                    "status": _status(rng, int(psel.sum()), 0.03),
                    "voltage_kv": 10.0,
                    "spare_capacity_kva": 500.0 + 100.0 * rng.integers(0, 36, int(psel.sum())),
                    "feeder_id": feeder[psel],
                },
            ),
            _frame(
                g,
                hv,
                "power",
                half[hv] + _TRUNK_KERB_OFFSET_M,
                0.0,
                {
                    "status": "existing",
                    "voltage_kv": 110.0,
                    "spare_capacity_kva": np.nan,
                    "feeder_id": "110kV-C" + str(hv_line),
                },
            ),
        ],
        "P",
    )
    # telecom: up to three operators per street, side by side
    draws = rng.random((nb, 3))
    p_major = np.array([0.95, 0.85, 0.6])
    p_minor = np.array([0.75, 0.6, 0.35])
    present = draws < np.where(major[:, None], p_major, p_minor)
    present[:, 0] |= ~present.any(axis=1)
    frames = []
    for j, op in enumerate(_OPERATORS):
        tsel = street & present[:, j]
        offset = half[tsel] + _KERB_OFFSET_M["telecom"] + _OPERATOR_STEP_M * j
        columns = {"status": _status(rng, int(tsel.sum()), 0.03), "operator": op}
        frames.append(_frame(g, tsel, "telecom", offset, _SETBACK_M, columns))
    telecom = _concat(frames, "T")
    return {"water": water, "gas": gas, "heat": heat, "power": power, "telecom": telecom}


def _cells(
    rng: np.random.Generator, n: int, counts: Sequence[int]
) -> list[tuple[IntArray, IntArray]]:
    """Disjoint random city cells (i, j) for each count (row-major cell numbers)."""
    total = (n - 1) * (n - 1)
    picked = rng.choice(total, size=sum(counts), replace=False)
    out = []
    start = 0
    for count in counts:
        part = np.sort(picked[start : start + count])
        out.append((part // (n - 1), part % (n - 1)))
        start += count
    return out


def _names(
    rng: np.random.Generator, types: npt.NDArray[np.object_], suffix: str
) -> npt.NDArray[np.object_]:
    cores = np.array(COMPANY_CORES, dtype=object)[rng.integers(0, len(COMPANY_CORES), len(types))]
    pick = rng.random(len(types))
    words = [INDUSTRY_WORDS[t][int(p * len(INDUSTRY_WORDS[t]))] for t, p in zip(types, pick)]
    return np.array([f"荆门{c}{w}{suffix}" for c, w in zip(cores, words)], dtype=object)


def _city_rest(
    g: _Grid,
    xs: FloatArray,
    ys: FloatArray,
    roads: gpd.GeoDataFrame,
    rng: np.random.Generator,
    profile: Profile,
) -> dict[str, gpd.GeoDataFrame]:
    n = _CITY_LINES
    sidewalks = profile.roads.sidewalk_width_m
    widths = profile.roads.carriageway_width_m
    x_lo, x_hi, y_lo, y_hi = xs[0], xs[-1], ys[0], ys[-1]
    outer = box(x_lo - 150.0, y_lo - 150.0, x_hi + 150.0, y_hi + 150.0)
    notch = box(xs[int(0.9 * n)], ys[int(0.9 * n)], x_hi + 500.0, y_hi + 500.0)
    scope_poly = outer.difference(notch)
    scope = gpd.GeoDataFrame(
        {"name": ["荆门市中心城区（基准测试网格）"]}, geometry=[scope_poly], crs=DEFAULT_CRS
    )
    # major lines
    kr = int(0.55 * n)
    rail_x = (xs[kr] + xs[kr + 1]) / 2.0
    kv = int(0.7 * n)
    river = _river_line(x_lo - 300.0, x_hi + 300.0, (ys[kv] + ys[kv + 1]) / 2.0, 20.0, 900.0)
    trunk_line = int(round(n / 2 / 8) * 8)
    hv_j = int(round(n / 2 / 8) * 8) + 8
    off_w = widths["arterial"] / 2.0 + _KERB_OFFSET_M["water"]
    off_hv = widths["arterial"] / 2.0 + _TRUNK_KERB_OFFSET_M
    off_g = widths["expressway"] / 2.0 + _KERB_OFFSET_M["gas"]
    major = gpd.GeoDataFrame(
        {
            "kind": ["railway", "river", "expressway", "hv_power", "gas_trunk", "water_trunk"],
            "name": [
                "焦柳铁路",
                "竹皮河",
                "荆门环城快速路",
                "110kV城中线",
                "次高压燃气干线",
                "DN1000输水干管",
            ],
        },
        geometry=[
            LineString([(rail_x, y_lo - 300.0), (rail_x, y_hi + 300.0)]),
            river,
            LineString([(x_lo, y_lo), (x_hi, y_lo), (x_hi, y_hi), (x_lo, y_hi), (x_lo, y_lo)]),
            LineString([(x_lo, ys[hv_j] + off_hv), (x_hi, ys[hv_j] + off_hv)]),
            LineString([(x_lo - off_g, y_hi), (x_lo - off_g, y_lo - off_g), (x_hi, y_lo - off_g)]),
            LineString([(xs[trunk_line] + off_w, y_lo), (xs[trunk_line] + off_w, y_hi)]),
        ],
        crs=DEFAULT_CRS,
    )
    no_gas = box(xs[int(0.8 * n)], ys[int(0.8 * n)], x_hi + 500.0, y_hi + 500.0)
    park = box(xs[int(0.6 * n)], ys[int(0.1 * n)], xs[int(0.85 * n)], ys[int(0.35 * n)])
    service = gpd.GeoDataFrame(
        {"utility": list(UTILITIES)},
        geometry=[scope_poly, scope_poly.difference(no_gas), park, scope_poly, scope_poly],
        crs=DEFAULT_CRS,
    )
    # cells for parks, sites and intents (disjoint)
    (pi, pj), (si, sj), (ii, ij) = _cells(rng, n, (_CITY_PARKS, _CITY_SITES, _CITY_INTENTS))
    inset = 25.0
    parks = shapely.box(xs[pi] + inset, ys[pj] + inset, xs[pi + 1] - inset, ys[pj + 1] - inset)
    band = river.buffer(20.0)
    _, by0, _, by1 = band.bounds
    crossing = ~g.ew & (g.y1 > by0) & (g.y0 < by1)  # north–south blocks over the river
    band = band.difference(_corridors(roads[crossing], profile))
    belts = _polygons(band, 1000.0)
    green = gpd.GeoDataFrame(
        {
            "name": [f"城市公园{i + 1}" for i in range(len(parks))]
            + [f"竹皮河绿带{i + 1}" for i in range(len(belts))],
            "kind": ["park"] * len(parks) + ["river_belt"] * len(belts),
        },
        geometry=[*parks, *belts],
        crs=DEFAULT_CRS,
    )
    # sites: fronting the north side of the cell's southern road
    south_cls = np.array(
        [
            "expressway"
            if j == 0
            else "arterial"
            if j % 8 == 0
            else "secondary"
            if j % 4 == 0
            else "branch"
            if j % 2 == 0
            else "access"
            for j in range(n)
        ],
        dtype=object,
    )[sj]
    red = (
        np.array([widths[c] for c in south_cls]) / 2.0
        + np.array([sidewalks[c] for c in south_cls])
        + _RED_LINE_SETBACK_M
    )
    depth = _pick(rng, (40.0, 50.0, 60.0), _CITY_SITES)
    site_geoms = shapely.box(xs[si] + 35.0, ys[sj] + red, xs[si + 1] - 35.0, ys[sj] + red + depth)
    types = np.array(["industrial", "commercial", "real_estate", "public", "other"], dtype=object)[
        rng.choice(5, _CITY_SITES, p=[0.45, 0.35, 0.1, 0.05, 0.05])
    ]
    sites = gpd.GeoDataFrame(
        {
            "project_id": _ids("JM-2026-", _CITY_SITES, 4),
            "name": _names(rng, types, "项目"),
            "enterprise_type": types,
        },
        geometry=site_geoms,
        crs=DEFAULT_CRS,
    )
    # intents: most of a cell, registered before any application
    m = _CITY_INTENTS
    combos = np.array(
        [
            "water,power,telecom",
            "water,gas,power,telecom",
            "water,gas,heat,power,telecom",
            "water,power",
            "power,telecom",
        ],
        dtype=object,
    )
    util = combos[rng.integers(0, len(combos), m)]
    has = {u: np.array([u in s.split(",") for s in util]) for u in ("water", "gas", "heat")}
    intent_types = np.where(rng.random(m) < 0.6, "industrial", "commercial").astype(object)
    intents = gpd.GeoDataFrame(
        {
            "intent_id": _ids("YX-2026-", m, 4),
            "name": _names(rng, intent_types, "投资意向"),
            "expected_start": _iso(_day("2026-12-01") + rng.integers(0, 2 * 365, m)),
            "registered_by": np.array(CITY_REGISTRARS, dtype=object)[
                rng.integers(0, len(CITY_REGISTRARS), m)
            ],
            "utilities": util,
            "water_m3_day": np.where(has["water"], _pick(rng, (20, 50, 100, 300, 800), m), 0.0),
            "power_kva": _pick(rng, (250, 630, 1250, 2500, 5000, 10000), m),
            "gas_m3_h": np.where(has["gas"], _pick(rng, (30, 80, 200, 600), m), 0.0),
            "steam_t_h": np.where(has["heat"], _pick(rng, (2, 5, 10, 20), m), 0.0),
        },
        geometry=shapely.box(xs[ii] + 30.0, ys[ij] + 30.0, xs[ii + 1] - 30.0, ys[ij + 1] - 30.0),
        crs=DEFAULT_CRS,
    )
    return {
        "major_lines": major,
        "scope": scope,
        "service_areas": service,
        "green_space": green,
        "sites": _with_windows(sites, rng),
        "intents": intents,
    }


def _build_city(seed: int, profile: Profile) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    grid, xs, ys = _city_grid(rng, profile)
    roads = _city_roads(grid, rng)
    networks = _city_networks(grid, xs, ys, rng)
    networks["water"] = with_junction_pipes(networks["water"], roads, ids=lambda n: f"W-{n:06d}")
    rest = _city_rest(grid, xs, ys, roads, rng, profile)
    sources = _city_sources(networks["water"], xs, ys)
    return {"roads": roads, **networks, "sources": sources, **rest}


def _city_sources(water: gpd.GeoDataFrame, xs: FloatArray, ys: FloatArray) -> gpd.GeoDataFrame:
    """Return the ``sources`` layer: the city's 水厂 and its supply points (配水厂/加压站).

    A 水厂 at the south end of the DN1000 trunk, and a supply point of the same head where two
    arterials cross (every 8th line, about 2 km apart): the distribution mains are joined under
    the junctions (:func:`water_junction_pipes`), so each feeds the network around it. The
    benchmark of the capacity checks gives the gas and power networks the sources they need.
    """
    trunk = water[water["diameter_mm"] >= 1000.0].geometry
    first = min(trunk, key=lambda g: min(g.coords[0][1], g.coords[-1][1]))
    start = min(first.coords, key=lambda c: c[1])
    n = len(xs)
    arterial = range(8, n - 1, 8)  # lines 0 and n-1 are expressways (no water)
    points = [start] + [(float(xs[i]), float(ys[j])) for i in arterial for j in arterial]
    rows = []
    for k, xy in enumerate(points):
        row: dict[str, Any] = {"source_id": f"SRC-W{k + 1:04d}", "utility": "water"}
        row |= {"kind": "reservoir", "head_m": 45.0, "feeders": None}
        row |= dict.fromkeys(("pressure_mpa", "temperature_c", "voltage_kv", "capacity_kva"), np.nan)
        rows.append(row | {"geometry": shapely.Point(xy)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=DEFAULT_CRS)
