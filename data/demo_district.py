"""A deterministic demo district in 掇刀区 (Jingmen), in real coordinates (EPSG:4546).

:func:`build_district` returns every layer of the workspace contract (:data:`gis.schema.LAYERS`)
as GeoDataFrames in metres. The same seed gives byte-identical layers.

The demo (well under a second) is a hand-designed 4.0 km × 3.2 km district anchored at a
real point near the centroid of the 掇刀区 boundary (``data/real/jingmen_420804.gcj02.geojson``,
GCJ-02, converted with :func:`gis.crs.to_working_crs`). In local metres east and north of that
anchor (the south-west corner, see :func:`district_anchor`):

* east–west roads: y = 0 荆南快速路 (expressway, sub-high gas trunk on its south side),
  800 石化大道, 1200 团林路, 1600 凤凰大道, 2000 延年路, 2400 长宁大道 (110 kV east of
  x = 2400), ≈ 2600 滨河路 (curved), 3200 响岭路, and the access streets 明德巷, 杏林街;
* north–south roads: x = 0 象山大道 (DN1000 trunk), 400 月亮湖路, 600 文昌巷, 800 白云大道,
  1200 天鹅路, 1600 掇刀路, 2400 迎宾大道, 3200 杨湾路, 4000 福耀大道, and the diagonal
  兴隆路 in the north-east development area (planned mains, no medium gas);
* the 焦柳铁路 railway at x = 2000 and the 竹皮河 river at y ≈ 2800 with its green belt;
* the old town (x 0–1600, y 800–2400, 400 m blocks), a new district south of it (800 m
  blocks where the exact-length cases sit), the industrial park (x 2400–4000, y 0–1600, the
  only steam network) and the scope of the seed (二): the central city and, in the north-east
  corner, the 团林组团 (one feature each in the ``scope`` layer).

Conventions:

* **One road feature per block**: every road runs junction to junction and junction end points
  coincide exactly. East–west roads are digitised west → east, north–south roads south → north.
  ``width_m`` is the carriageway (kerb to kerb) from the ``gb-defaults`` profile; some access
  roads and 滨河路 leave it empty (the profile default applies).
* **Utilities on fixed sides**: water and 10 kV power on the north/east side, gas, telecom and
  steam on the south/west side, each at carriageway/2 + 1–4 m from the centreline (water 1.5,
  power 3.0, gas 2.5, telecom 1.0/1.3/1.6 by operator, steam 4.0 beyond the kerb). Each network
  feature runs along one block (extra fields ``along_road`` = its ``road_id`` and ``side`` =
  north/south/east/west); distribution mains stop 20 m short of a junction, trunks (DN1000
  water, sub-high-pressure gas, 110 kV) run junction to junction, 4 m beyond the kerb where
  they share a side (the demo's gas trunk turns onto the east side of 福耀大道).
* **Site frontage**: a site red line stands 2 m behind the back of the sidewalk (profile
  sidewalk width), so within 30 m of the centreline; its frontage on a block is its red line
  projected onto the centreline (what :func:`gis.corridor.attach_sites` computes).
* **Sources** (the ``sources`` layer, issue 16): a 水厂 (reservoir, 45 m total head) at the
  north end of JM-2026-001's DN200 water main and a 高位水池 (tank, 27 m) at the south end of
  a DN100 main in front of that site (:data:`_EXTRA_MAINS`, numbered after every other main);
  the DN100 main cannot give the 0.28 MPa minimum service pressure, so the site is served by
  the DN200 one. The other water mains are not connected to a source (each block's main stops
  short of the junctions): their taps are judged by their attributes.
* Dates are ISO strings ``YYYY-MM-DD``; dig-once periods are designed around
  :data:`REFERENCE_DATE` (some blocks opened < 5 years or repaired < 3 years before it).

:data:`DEMO_CASES` describes the demo sites, one per decision case, with route lengths computed
by hand from the coordinates (along the centreline between frontage and main, plus the
carriageway width for each crossing).

The city-size district of the benchmarks is :func:`bench.city.build_city` (outside the package:
the benchmarks are its only users); it follows the same conventions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import substring

from gis.crs import DEFAULT_CRS, resolve_crs, to_working_crs
from gis.profile import Profile, load_profile
from gis.schema import UTILITIES

__all__ = [
    "DEMO_CASES",
    "REFERENCE_DATE",
    "build_district",
    "district_anchor",
    "district_boundary",
    "water_junction_pipes",
    "with_junction_pipes",
]

XY = tuple[float, float]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Size = Literal["demo"]

REFERENCE_DATE = "2026-11-29"
"""The day the dig-once cases are designed around (R10: 5 years after opening, 3 after repair)."""

BOUNDARY_FILE = Path(__file__).with_name("real") / "jingmen_420804.gcj02.geojson"
"""The real 掇刀区 boundary (GCJ-02 lon/lat)."""

_DEMO_CENTRE_OFFSET: XY = (2000.0, 1600.0)
"""The demo's south-west corner lies this far south-west of the boundary centroid."""
_DEMO_EXTENT: tuple[float, float, float, float] = (-500.0, -500.0, 4500.0, 3700.0)
"""Local box that must lie inside the real boundary (demo content reaches ±300 m beyond)."""
_SETBACK_M = 20.0
"""Distribution mains stop this far short of each junction."""
_JUNCTION_REACH_M = 50.0
"""A water main's end this close to a road junction is joined to the others there."""
_RED_LINE_SETBACK_M = 2.0
"""A site red line stands this far behind the back of the sidewalk."""
_KERB_OFFSET_M: dict[str, float] = {
    "water": 1.5,
    "power": 3.0,
    "gas": 2.5,
    "telecom": 1.0,
    "heat": 4.0,
}
"""Distance of each utility beyond the kerb (the centreline offset is carriageway/2 + this)."""
_TRUNK_KERB_OFFSET_M = 4.0
"""Beyond-kerb offset of the gas trunk and 110 kV line where they share a side."""
_UTILITY_SIDE: dict[str, str] = {
    "water": "ne",
    "power": "ne",
    "gas": "sw",
    "telecom": "sw",
    "heat": "sw",
}
"""``ne`` = north side of east–west roads / east side of north–south roads; ``sw`` the other."""
_OPERATORS: tuple[str, ...] = ("china_telecom", "china_mobile", "china_unicom")
_OPERATOR_STEP_M = 0.3
"""Telecom ducts of the operators lie side by side, this far apart."""

# --------------------------------------------------------------------------------- cases

DEMO_CASES: dict[str, dict[str, Any]] = {
    "JM-2026-001": {
        "case": "short_route",
        "zh": "适用范围内同侧短距离接入：掇刀路东侧，供水管在红线投影以北120 m"
        "（<300 m，仅挖人行道），10 kV线路从门前经过。门前另有一段DN100供水管，仅由高位水池"
        "（总水头27 m）供水，水力计算接入点压力约0.26 MPa，低于最低服务压力0.28 MPa，"
        "校核不通过，改接以北120 m由水厂供水的DN200供水管。",
        "utilities": ["water", "power"],
        "road": "掇刀路",
        "expected_route_m": {"water": 120.0, "power": 0.0},
        "capacity": {"water": {"refused": ["W-0088"], "tap": "W-0068"}},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "demand": {"water_m3_day": 60.0, "power_kva": 630.0},
    },
    "JM-2026-002": {
        "case": "exact_300",
        "zh": "同侧同一路段、不穿越道路，外线恰好300.0 m：白云大道东侧，供水管起点距红线投影300 m"
        "（不满足“小于300 m”，应联合审批）。",
        "utilities": ["water"],
        "road": "白云大道",
        "expected_route_m": {"water": 300.0},
        "expected_crossing": None,
        "expected_approval": "joint_approval",
        "demand": {"water_m3_day": 40.0},
    },
    "JM-2026-003": {
        "case": "over_300",
        "zh": "同侧超过300 m：迎宾大道东侧，最近供水管在450 m外。",
        "utilities": ["water"],
        "road": "迎宾大道",
        "expected_route_m": {"water": 450.0},
        "expected_crossing": None,
        "expected_approval": "joint_approval",
        "demand": {"water_m3_day": 150.0},
    },
    "JM-2026-004": {
        "case": "cross_arterial",
        "zh": "最近供水管在白云大道（主干路）对侧：须横穿16 m车行道；本侧及周边无可接供水管。",
        "utilities": ["water"],
        "road": "白云大道",
        "expected_route_m": {"water": 21.0},
        "expected_crossing": "arterial",
        "expected_approval": "joint_approval",
        "demand": {"water_m3_day": 30.0},
    },
    "JM-2026-005": {
        "case": "cross_railway",
        "zh": "唯一可接的中压燃气管在焦柳铁路西侧：沿石化大道南侧向西100 m，穿越铁路。",
        "utilities": ["gas"],
        "road": "石化大道",
        "expected_route_m": {"gas": 100.0},
        "expected_crossing": "railway",
        "expected_approval": "joint_approval",
        "demand": {"gas_m3_h": 120.0},
    },
    "JM-2026-006": {
        "case": "no_suitable_main",
        "zh": "需用气，但附近只有福耀大道对侧的次高压燃气干线（不得直接接户），"
        "1 km内无中低压燃气管，需提前布局管网。",
        "utilities": ["gas"],
        "road": "福耀大道",
        "expected_route_m": {},
        "expected_crossing": None,
        "expected_approval": None,
        "no_suitable_main": ["gas"],
        "demand": {"gas_m3_h": 300.0},
    },
    "JM-2026-007": {
        "case": "cluster_in_scope",
        "zh": "地块位于团林组团（东北角，响岭路南侧）：方案第二条的适用范围包括中心城区及子陵、"
        "牌楼、团林、麻城、漳河组团，适用联动接入；供水管、10 kV线路在响岭路对侧，"
        "需穿越响岭路，应联合审批。",
        "utilities": ["water", "power"],
        "road": "响岭路",
        "expected_route_m": {},
        "expected_crossing": "secondary",
        "expected_approval": "joint_approval",
        "demand": {"water_m3_day": 20.0, "power_kva": 400.0},
    },
    "JM-2026-008": {
        "case": "real_estate",
        "zh": "房地产开发企业（适用范围内）：按方案第二条不适用。供电 4,000 kVA 恰为门前 P-0025 的剩余容量，"
        "潮流计算线路负载率 101.2%，不能接入（且无其他可接线路）。",
        "utilities": ["water", "gas", "power"],
        "road": "延年路",
        "expected_route_m": {},
        "no_suitable_main": ["power"],
        "capacity": {"power": {"refused": ["P-0025"], "tap": None}},
        "expected_crossing": None,
        "expected_approval": "not_applicable",
        "demand": {"water_m3_day": 300.0, "gas_m3_h": 80.0, "power_kva": 4000.0},
    },
    "JM-2026-009": {
        "case": "dual_power",
        "zh": "双电源：凤凰大道北侧有两回不同馈线（DD-F131、DD-F132）从门前经过，"
        "主供与备供各接一回。",
        "utilities": ["power"],
        "road": "凤凰大道",
        "expected_route_m": {"power": 0.0},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "feeders": ["DD-F131", "DD-F132"],
        "demand": {"power_kva": 2000.0, "backup_kva": 1000.0},
    },
    "JM-2026-010": {
        "case": "steam",
        "zh": "工业园区用汽：杨湾路西侧，蒸汽管（1.0 MPa、250 ℃）在红线投影以南60 m。",
        "utilities": ["heat"],
        "road": "杨湾路",
        "expected_route_m": {"heat": 60.0},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "demand": {"steam_t_h": 8.0},
    },
    "JM-2026-011": {
        "case": "dig_once",
        "zh": "临路道路处于禁挖保护期：天鹅路该路段2024-09-28改造通车（不满5年），"
        "外线沿其人行道80 m。",
        "utilities": ["water"],
        "road": "天鹅路",
        "expected_route_m": {"water": 80.0},
        "expected_crossing": None,
        "expected_approval": None,
        "demand": {"water_m3_day": 25.0},
    },
    "JM-2026-012": {
        "case": "green_space",
        "zh": "地块与长宁大道人行道之间隔一条12 m绿化带：接入需临时占用绿地，供水管在西侧40 m。",
        "utilities": ["water"],
        "road": "长宁大道",
        "expected_route_m": {"water": 40.0},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "demand": {"water_m3_day": 15.0},
    },
    "JM-2026-013": {
        "case": "corner",
        "zh": "转角地块：同时临团林路（北侧）和天鹅路（东侧），"
        "两条路的供水管、10 kV线路均从门前经过。",
        "utilities": ["water", "power"],
        "road": "团林路",
        "expected_route_m": {"water": 0.0, "power": 0.0},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "demand": {"water_m3_day": 10.0, "power_kva": 250.0},
    },
    "JM-2026-014": {
        "case": "shared_trench",
        "zh": "联合施工：掇刀路西侧，燃气管与通信管道都在红线投影以北200 m，两条外线同沟200 m。",
        "utilities": ["gas", "telecom"],
        "road": "掇刀路",
        "expected_route_m": {"gas": 200.0, "telecom": 200.0},
        "expected_crossing": None,
        "expected_approval": "notify_commit",
        "shared_trench_m": 200.0,
        "demand": {"gas_m3_h": 50.0},
    },
    "JM-2026-015": {
        "case": "planned_main",
        "zh": "门前有提前布局的规划供水管（status=planned，尚未建成）；"
        "最近的现状供水管在石化大道北侧，沿人行道中心线201.5 m（转角不穿越道路）。",
        "utilities": ["water"],
        "road": "杨湾路",
        "expected_route_m": {"water": 201.5},
        "planned_route_m": {"water": 0.0},
        "expected_crossing": None,
        "expected_approval": None,
        "demand": {"water_m3_day": 80.0},
    },
    "JM-2026-016": {
        "case": "cross_branch",
        "zh": "最近燃气管在月亮湖路（支路，7.5 m车行道）对侧：须横穿支路，可否顶管由政策配置决定；"
        "不穿越道路则无燃气管可接。",
        "utilities": ["gas"],
        "road": "月亮湖路",
        "expected_route_m": {"gas": 10.5},
        "expected_crossing": "branch",
        "expected_approval": None,
        "demand": {"gas_m3_h": 30.0},
    },
}
"""The demo sites by ``project_id``: one decision case each.

Keys: ``case`` (English key), ``zh`` (中文说明), ``utilities`` (requested), ``road`` (the road
the site fronts), ``expected_route_m`` (utility → metres, by hand from the coordinates, to an
*existing* suitable main: water any, gas low/medium, heat steam, power 10 kV, telecom any),
``expected_crossing`` (road class, ``"railway"`` or ``None``), ``expected_approval`` (the R1–R4
outcome with open-cut crossings, ``None`` where another rule decides: dig-once, trenchless
allowance, planned mains, missing network) and, where they apply, ``planned_route_m`` (including
planned mains), ``no_suitable_main``, ``feeders``, ``shared_trench_m``, ``capacity`` (utility →
the mains the capacity check by simulation refuses, nearest first, and the tap taken: issue 16;
``expected_route_m`` is the route to the tap taken) and ``demand`` (intake figures in the
intents' units).
"""


# ---------------------------------------------------------------------------- boundary


def district_boundary(crs: str = DEFAULT_CRS) -> gpd.GeoDataFrame:
    """Return the real 掇刀区 boundary in ``crs`` (converted from GCJ-02 at the edge).

    Parameters
    ----------
    crs
        A projected CRS in metres.
    """
    raw = gpd.read_file(BOUNDARY_FILE)
    return to_working_crs(raw, crs, layer="boundary", source_crs="gcj02")


@lru_cache(maxsize=1)
def _boundary_4546() -> Polygon:
    return district_boundary(DEFAULT_CRS).geometry.union_all()


@lru_cache(maxsize=1)
def district_anchor() -> XY:
    """Return the demo's south-west corner in EPSG:4546 (metres, whole hundreds).

    The corner is the boundary centroid moved 2.0 km west and 1.6 km south, rounded to 100 m,
    and then, if needed, moved in 500 m steps until the demo extent lies inside the boundary.
    For the shipped boundary it is (612800.0, 3417800.0).

    Examples
    --------
    >>> district_anchor()
    (612800.0, 3417800.0)
    """
    shape = _boundary_4546()
    c = shape.centroid
    x0 = round((c.x - _DEMO_CENTRE_OFFSET[0]) / 100.0) * 100.0
    y0 = round((c.y - _DEMO_CENTRE_OFFSET[1]) / 100.0) * 100.0
    a, b, cx, cy = _DEMO_EXTENT
    for ring in range(0, 21):
        for dx in range(-ring, ring + 1):
            for dy in range(-ring, ring + 1):
                if max(abs(dx), abs(dy)) != ring:
                    continue
                x, y = x0 + 500.0 * dx, y0 + 500.0 * dy
                if shape.contains(box(x + a, y + b, x + cx, y + cy)):
                    return (float(x), float(y))
    msg = f"no place for the demo district inside {BOUNDARY_FILE.name}"
    raise RuntimeError(msg)


# ------------------------------------------------------------------------------ public


def build_district(
    size: Size = "demo", *, seed: int = 20230512, crs: str = DEFAULT_CRS
) -> dict[str, gpd.GeoDataFrame]:
    """Build the demo district in 掇刀区 with every contract layer.

    Parameters
    ----------
    size
        ``"demo"``: the hand-designed district of :data:`DEMO_CASES` (a few seconds); the only
        size here (the city-size benchmark district is :func:`bench.city.build_city`).
    seed
        Seed of the pseudo-random attributes (diameters, dates, operators, spare capacity …).
        The designed cases do not depend on it; the same seed gives byte-identical layers.
    crs
        Output CRS; layers are built in EPSG:4546 and reprojected if another CRS is asked for.

    Returns
    -------
    dict
        Layer name → GeoDataFrame: ``roads``, ``water``, ``gas``, ``heat``, ``power``,
        ``telecom``, ``sources``, ``major_lines``, ``scope``, ``service_areas``, ``green_space``, ``sites``,
        ``intents``.

    Raises
    ------
    ValueError
        If ``size`` is not ``"demo"``.

    Examples
    --------
    >>> layers = build_district()
    >>> len(layers["sites"]) >= 15, layers["roads"].crs.to_epsg()
    (True, 4546)
    """
    if size != "demo":
        msg = f"unknown district size {size!r}: expected 'demo' (city size: bench.city.build_city)"
        raise ValueError(msg)
    target = resolve_crs(crs)
    profile = load_profile("gb-defaults")
    layers = _build_demo(seed, profile)
    if not target.equals(resolve_crs(DEFAULT_CRS)):
        layers = {name: gdf.to_crs(target) for name, gdf in layers.items()}
    return layers


# ------------------------------------------------------------------------ demo: roads


@dataclass(frozen=True)
class _RoadSpec:
    name: str
    road_class: str
    coords: tuple[XY, ...]
    width_known: bool = True


def _straight(name: str, road_class: str, a: XY, b: XY, *, width_known: bool = True) -> _RoadSpec:
    return _RoadSpec(name, road_class, (a, b), width_known)


def _riverside_road() -> _RoadSpec:
    """滨河路: a gentle curve north of y=2600 between 象山大道, 白云大道 and 掇刀路."""
    xs = np.arange(0.0, 1600.0 + 1.0, 40.0)
    ys = 2600.0 + 50.0 * np.abs(np.sin(np.pi * xs / 800.0))
    coords = tuple((float(x), round(float(y), 3)) for x, y in zip(xs, ys))
    return _RoadSpec("滨河路", "branch", coords, width_known=False)


_DEMO_ROADS: tuple[_RoadSpec, ...] = (
    # east–west, west → east
    _straight("荆南快速路", "expressway", (0, 0), (4000, 0)),
    _straight("石化大道", "arterial", (0, 800), (4000, 800)),
    _straight("团林路", "branch", (0, 1200), (1600, 1200)),
    _straight("杏林街", "access", (800, 1400), (1200, 1400), width_known=False),
    _straight("凤凰大道", "arterial", (0, 1600), (4000, 1600)),
    _straight("明德巷", "access", (0, 1800), (400, 1800), width_known=False),
    _straight("延年路", "secondary", (0, 2000), (1600, 2000)),
    _straight("长宁大道", "arterial", (0, 2400), (4000, 2400)),
    _riverside_road(),
    _straight("响岭路", "secondary", (0, 3200), (4000, 3200)),
    # north–south, south → north
    _straight("象山大道", "arterial", (0, 0), (0, 3200)),
    _straight("月亮湖路", "branch", (400, 800), (400, 2400)),
    _straight("文昌巷", "access", (600, 1200), (600, 1600), width_known=False),
    _straight("白云大道", "arterial", (800, 0), (800, 3200)),
    _straight("天鹅路", "secondary", (1200, 800), (1200, 2400)),
    _straight("掇刀路", "secondary", (1600, 0), (1600, 3200)),
    _straight("迎宾大道", "arterial", (2400, 0), (2400, 3200)),
    _straight("杨湾路", "secondary", (3200, 0), (3200, 3200)),
    _straight("福耀大道", "arterial", (4000, 0), (4000, 3200)),
    # diagonal through the north-east development area
    _straight("兴隆路", "branch", (2400, 1600), (3200, 2400)),
)

_RAILWAY_X = 2000.0
_PARK_BOX = (2400.0, 0.0, 4000.0, 1600.0)
"""The industrial park (掇刀化工循环产业园), local coordinates: steam only here."""
_CLUSTER_BOX = (3300.0, 2500.0, 4400.0, 3500.0)
"""North-east corner: the 团林组团, in the scope beside the central city (seed 二)."""

_OPENED_ON: dict[tuple[str, XY], str] = {("天鹅路", (1200.0, 1600.0)): "2024-09-28"}
"""Blocks (road, local start) opened or rebuilt recently: under dig-once protection."""
_OPENED_ROAD: dict[str, str] = {"兴隆路": "2023-06-30"}
_REPAIRED_ON: dict[tuple[str, XY], str] = {
    ("凤凰大道", (2400.0, 1600.0)): "2025-04-18",
    ("凤凰大道", (3200.0, 1600.0)): "2025-04-18",
    ("长宁大道", (1600.0, 2400.0)): "2024-05-20",
}
"""Blocks under major repair less than 3 years before :data:`REFERENCE_DATE`."""


@dataclass
class _Block:
    """One road block in local coordinates."""

    road_no: int
    k: int
    spec: _RoadSpec
    coords: list[XY]
    width: float
    sidewalk: float

    @property
    def road_id(self) -> str:
        return f"DD-{self.road_no:02d}-{self.k:02d}"

    @property
    def start(self) -> XY:
        return self.coords[0]

    @property
    def key(self) -> tuple[str, XY]:
        return (self.spec.name, self.start)

    @property
    def line(self) -> LineString:
        return LineString(self.coords)

    @property
    def length(self) -> float:
        return float(self.line.length)

    @property
    def east_west(self) -> bool:
        (x0, y0), (x1, y1) = self.coords[0], self.coords[-1]
        return abs(x1 - x0) >= abs(y1 - y0)

    @property
    def mid(self) -> XY:
        p = self.line.interpolate(0.5, normalized=True)
        return (float(p.x), float(p.y))

    def sign(self, side: str) -> float:
        """+1 if ``side`` (``ne``/``sw``) is on the left of the block's direction, else -1."""
        left_is_ne = self.east_west  # north is left of eastward, west is left of northward
        return 1.0 if (side == "ne") == left_is_ne else -1.0

    def compass(self, side: str) -> str:
        if self.east_west:
            return "north" if side == "ne" else "south"
        return "east" if side == "ne" else "west"

    def red_line(self) -> float:
        """Distance of a site red line from the centreline."""
        return self.width / 2.0 + self.sidewalk + _RED_LINE_SETBACK_M

    def along(self, side: str, offset: float, t0: float, t1: float) -> LineString:
        """Return the line at ``offset`` from the centreline on ``side`` over [t0, t1]."""
        s = self.sign(side) * offset
        if len(self.coords) == 2:
            (x0, y0), (x1, y1) = self.coords
            length = self.length
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            nx_, ny_ = -uy * s, ux * s
            return LineString([(x0 + ux * t + nx_, y0 + uy * t + ny_) for t in (t0, t1)])
        part = substring(self.line, t0, t1)
        return shapely.offset_curve(part, s)

    def frontage_box(
        self, side: str, t0: float, t1: float, depth: float, *, extra: float = 0.0
    ) -> Polygon:
        """Return a site on ``side`` of this (axis-aligned) block, red line over [t0, t1]."""
        near = self.red_line() + extra
        far = near + depth
        x0, y0 = self.start
        if self.east_west:
            ya, yb = (y0 + near, y0 + far) if side == "ne" else (y0 - far, y0 - near)
            return box(x0 + t0, ya, x0 + t1, yb)
        xa, xb = (x0 + near, x0 + far) if side == "ne" else (x0 - far, x0 - near)
        return box(xa, y0 + t0, xb, y0 + t1)


def _snap(p: XY, candidates: Sequence[XY]) -> XY:
    for q in candidates:
        if abs(p[0] - q[0]) < 1e-6 and abs(p[1] - q[1]) < 1e-6:
            return q
    return (round(p[0], 6), round(p[1], 6))


def _demo_blocks(profile: Profile) -> list[_Block]:
    """Split the demo roads at every junction (one block per junction-to-junction run)."""
    widths = profile.roads.carriageway_width_m
    sidewalks = profile.roads.sidewalk_width_m
    specs = _DEMO_ROADS
    lines = [LineString(s.coords) for s in specs]
    cuts: list[set[XY]] = [set() for _ in specs]
    for i, j in combinations(range(len(specs)), 2):
        inter = lines[i].intersection(lines[j])
        if inter.is_empty:
            continue
        for x, y in shapely.get_coordinates(inter):
            p = _snap((float(x), float(y)), specs[i].coords + specs[j].coords)
            cuts[i].add(p)
            cuts[j].add(p)
    blocks: list[_Block] = []
    for no, (spec, line) in enumerate(zip(specs, lines), start=1):
        verts = [(float(x), float(y)) for x, y in spec.coords]
        steps = np.hypot(np.diff([v[0] for v in verts]), np.diff([v[1] for v in verts]))
        along = [0.0, *np.cumsum(steps).tolist()]
        items = list(zip(along, verts))
        items += [(float(line.project(Point(p))), p) for p in cuts[no - 1] if p not in verts]
        items.sort(key=lambda item: item[0])
        pts = [v for _, v in items]
        piece: list[XY] = [pts[0]]
        k = 1
        for p in pts[1:]:
            piece.append(p)
            if p in cuts[no - 1] and p != pts[-1]:
                blocks.append(_block(no, k, spec, piece, widths, sidewalks))
                k += 1
                piece = [p]
        blocks.append(_block(no, k, spec, piece, widths, sidewalks))
    return blocks


def _block(
    no: int,
    k: int,
    spec: _RoadSpec,
    coords: list[XY],
    widths: dict[str, float],
    sidewalks: dict[str, float],
) -> _Block:
    return _Block(
        no,
        k,
        spec,
        list(coords),
        float(widths[spec.road_class]),
        float(sidewalks[spec.road_class]),
    )


def _date(rng: np.random.Generator, first: str, last: str) -> str:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return (a + dt.timedelta(days=int(rng.integers(0, (b - a).days + 1)))).isoformat()


def _demo_roads(blocks: list[_Block], rng: np.random.Generator) -> gpd.GeoDataFrame:
    opened_road: dict[str, str] = {}
    for spec in _DEMO_ROADS:  # one draw per road, whatever the overrides
        opened_road[spec.name] = _OPENED_ROAD.get(spec.name, _date(rng, "1996-01-01", "2016-12-31"))
    rows = []
    for b in blocks:
        opened = _OPENED_ON.get(b.key, opened_road[b.spec.name])
        repaired: str | None = None
        draw = rng.random()
        if draw < 0.3:
            first = max(
                dt.date.fromisoformat(opened) + dt.timedelta(days=3 * 365), dt.date(2008, 1, 1)
            )
            if first <= dt.date(2021, 6, 30):
                repaired = _date(rng, first.isoformat(), "2021-06-30")
        if b.key in _OPENED_ON or b.spec.name in _OPENED_ROAD:
            repaired = None
        repaired = _REPAIRED_ON.get(b.key, repaired)
        rows.append(
            {
                "road_id": b.road_id,
                "name": b.spec.name,
                "road_class": b.spec.road_class,
                "width_m": b.width if b.spec.width_known else np.nan,
                "opened_on": opened,
                "repaired_on": repaired,
                "geometry": b.line,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry")


# --------------------------------------------------------------------- demo: networks


@dataclass(frozen=True)
class _Main:
    """A main along one block: side, interval (None = junction setback), attributes."""

    side: str
    t0: float | None = None
    t1: float | None = None
    kerb: float | None = None
    status: str = "existing"
    attrs: dict[str, Any] = field(default_factory=dict)


def _water(dn: float, **kw: Any) -> _Main:
    return _Main(_UTILITY_SIDE["water"], attrs={"diameter_mm": dn}, **kw)


def _gas(pressure: str, dn: float, **kw: Any) -> _Main:
    attrs = {"pressure_class": pressure, "diameter_mm": dn}
    return _Main(_UTILITY_SIDE["gas"], attrs=attrs, **kw)


def _steam(dn: float, p: float, temp: float, **kw: Any) -> _Main:
    attrs = {"medium": "steam", "pressure_mpa": p, "temperature_c": temp, "diameter_mm": dn}
    return _Main(_UTILITY_SIDE["heat"], attrs=attrs, **kw)


def _feeder(fid: str, spare: float, **kw: Any) -> _Main:
    attrs = {"voltage_kv": 10.0, "spare_capacity_kva": spare, "feeder_id": fid}
    return _Main(_UTILITY_SIDE["power"], attrs=attrs, **kw)


def _duct(operator: str, **kw: Any) -> _Main:
    return _Main(_UTILITY_SIDE["telecom"], attrs={"operator": operator}, **kw)


_CASE_MAINS: dict[tuple[str, XY], dict[str, list[_Main]]] = {
    # JM-2026-002 (300 m) and JM-2026-004 (across 白云大道): the only water near them
    ("白云大道", (800.0, 0.0)): {"water": [_water(300.0, t0=580.0, t1=780.0)]},
    # JM-2026-001 (water 120 m) east side; JM-2026-014 (gas + telecom 200 m) west side
    ("掇刀路", (1600.0, 0.0)): {
        "water": [_water(200.0, t0=500.0, t1=780.0)],
        "gas": [_gas("medium_a", 160.0, t0=400.0, t1=780.0)],
        "telecom": [
            _duct("china_telecom", t0=400.0, t1=780.0),
            _duct("china_mobile", t0=400.0, t1=780.0),
        ],
    },
    # JM-2026-003: water 450 m away on the same side
    ("迎宾大道", (2400.0, 0.0)): {"water": [_water(400.0, t0=630.0, t1=780.0)]},
    # JM-2026-005: medium gas ends 20 m short of the railway (x = 2000)
    ("石化大道", (1600.0, 800.0)): {"gas": [_gas("medium_b", 160.0, t0=20.0, t1=380.0)]},
    # a pre-laid (planned) medium-pressure gas extension towards the park
    ("石化大道", (2400.0, 800.0)): {"gas": [_gas("medium_a", 200.0, status="planned")]},
    # JM-2026-010: steam 60 m south of the site's frontage
    ("杨湾路", (3200.0, 0.0)): {"heat": [_steam(200.0, 1.0, 250.0, t0=20.0, t1=240.0)]},
    # JM-2026-015: a planned (pre-laid) water main along the whole block
    ("杨湾路", (3200.0, 800.0)): {"water": [_water(300.0, status="planned")]},
    # JM-2026-009: a double circuit of two feeders
    ("凤凰大道", (800.0, 1600.0)): {
        "power": [
            _feeder("DD-F131", 3200.0, kerb=2.5),
            _feeder("DD-F132", 2800.0, kerb=3.5),
        ]
    },
    # JM-2026-016: no gas reachable without crossing a road
    ("凤凰大道", (400.0, 1600.0)): {"gas": []},
    ("文昌巷", (600.0, 1200.0)): {"gas": []},
    # JM-2026-011: water 80 m along the protected block
    ("天鹅路", (1200.0, 1600.0)): {"water": [_water(200.0, t0=20.0, t1=70.0)]},
    # JM-2026-012: water 40 m west of the site behind the green belt
    ("长宁大道", (800.0, 2400.0)): {"water": [_water(400.0, t0=20.0, t1=160.0)]},
}
"""Designed mains that replace the defaults of a block, by (road, local start) and utility."""

_EXTRA_MAINS: tuple[tuple[str, XY, str, _Main], ...] = (
    # JM-2026-001 (issue 16, capacity): a DN100 main passing in front of the site, fed only by
    # the 高位水池 at its south end (SRC-W02, 27 m: 0.26 MPa, below the 0.28 MPa minimum); the
    # capacity check refuses it and the site is served by the DN200 main 120 m north (水厂)
    ("掇刀路", (1600.0, 0.0), "water", _water(100.0, t0=200.0, t1=420.0)),
)
"""Designed mains added after every block's own (their ids follow all others: ids stay put)."""

_SOURCES: tuple[tuple[str, str, str, float, str, XY, str, float], ...] = (
    # (source_id, utility, kind, head_m, road, block start, side, position along the block)
    # the 水厂 outlet at the north end of the DN200 main of JM-2026-001's block (t = 780)
    ("SRC-W01", "water", "reservoir", 45.0, "掇刀路", (1600.0, 0.0), "ne", 780.0),
    # a 高位水池 at the south end of the extra DN100 main (t = 200): 27 m of head
    ("SRC-W02", "water", "tank", 27.0, "掇刀路", (1600.0, 0.0), "ne", 200.0),
    # the 水厂 feeding the DN1000 trunk along 象山大道 at its south end (the district's edge)
    ("SRC-W03", "water", "reservoir", 45.0, "象山大道", (0.0, 0.0), "ne", 0.0),
)
"""The ``sources`` layer: what feeds the networks (issue 16), on the mains they feed."""


def _in_box(p: XY, b: tuple[float, float, float, float]) -> bool:
    return b[0] < p[0] < b[2] and b[1] < p[1] < b[3]


def _default_mains(b: _Block, u: FloatArray) -> dict[str, list[_Main]]:
    """Default distribution mains of a block (``u``: 10 uniform draws, used whatever the case)."""
    out: dict[str, list[_Main]] = {k: [] for k in UTILITIES}
    cls = b.spec.road_class
    if cls == "expressway":
        return out
    mx, my = b.mid
    north_east_area = mx >= 2400.0 and my > 1600.0
    planned = b.spec.name == "兴隆路" or (north_east_area and u[1] < 0.3)
    status = "planned" if planned else "existing"
    if b.spec.name != "象山大道":  # the DN1000 trunk takes its place there
        choices = {
            "arterial": (400, 500, 600),
            "secondary": (300,),
            "branch": (200,),
            "access": (100, 150),
        }[cls]
        out["water"].append(_water(float(choices[int(u[0] * len(choices))]), status=status))
    if mx < _RAILWAY_X or (mx >= 3000.0 and my <= 800.0):
        major = cls in ("arterial", "secondary")
        pressure = "medium_a" if major else "medium_b"
        dn = 200.0 if cls == "arterial" else 160.0 if major else 110.0
        out["gas"].append(_gas(pressure, dn))
    sw_probe = b.along("sw", 20.0, b.length / 2.0, b.length / 2.0 + 1.0).coords[0]
    if _in_box((float(sw_probe[0]), float(sw_probe[1])), _PARK_BOX):
        trunk = b.spec.name == "石化大道"
        out["heat"].append(_steam(300.0 if trunk else 200.0, 1.0, 250.0 if trunk else 240.0))
    pos = mx if b.east_west else my
    section = int(pos // 1600.0) + 1
    spare = 500.0 + 100.0 * int(u[2] * 36)
    out["power"].append(
        _feeder(
            f"DD-{b.road_no:02d}-F{section}", spare, status=status if u[3] < 0.5 else "existing"
        )
    )
    major = cls in ("arterial", "secondary")
    p_ops = (1.0, 0.85, 0.6) if major else (0.7, 0.6, 0.3)
    ops = [op for op, p, draw in zip(_OPERATORS, p_ops, u[4:7]) if draw < p] or ["china_telecom"]
    out["telecom"].extend(_duct(op, status=status) for op in ops)
    return out


def _trunk_mains(b: _Block) -> dict[str, list[_Main]]:
    """Trunks that run junction to junction: DN1000 water, sub-high gas, 110 kV."""
    out: dict[str, list[_Main]] = {}
    t0, t1 = 0.0, b.length
    name, (mx, my) = b.spec.name, b.mid
    if name == "象山大道":
        out["water"] = [_water(1000.0, t0=t0, t1=t1)]
    if name == "荆南快速路":
        out["gas"] = [_gas("subhigh_b", 300.0, t0=t0, t1=t1)]
    if name == "福耀大道" and my < 2400.0:
        attrs = {"pressure_class": "subhigh_b", "diameter_mm": 300.0}
        out["gas"] = [_Main("ne", t0, t1, _TRUNK_KERB_OFFSET_M, attrs=attrs)]
    if (name == "长宁大道" and mx > 2400.0) or (name == "福耀大道" and my > 2400.0):
        attrs = {"voltage_kv": 110.0, "spare_capacity_kva": np.nan, "feeder_id": "110kV掇长线"}
        out["power"] = [_Main("ne", t0, t1, _TRUNK_KERB_OFFSET_M, attrs=attrs)]
    return out


_ID_PREFIX = {"water": "W", "gas": "G", "heat": "H", "power": "P", "telecom": "T"}


def _demo_networks(blocks: list[_Block], rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in UTILITIES}
    for b in blocks:
        u = rng.random(10)
        mains = _default_mains(b, u)
        mains.update(_CASE_MAINS.get(b.key, {}))
        for utility, extra in _trunk_mains(b).items():
            mains[utility] = [*mains[utility], *extra]
        for utility in UTILITIES:
            for m in mains[utility]:
                rows[utility].append(_main_row(b, utility, m, len(rows[utility]) + 1))
    by_key = {b.key: b for b in blocks}
    for road, start, utility, m in _EXTRA_MAINS:
        b = by_key[(road, start)]
        rows[utility].append(_main_row(b, utility, m, len(rows[utility]) + 1))
    return {k: gpd.GeoDataFrame(v, geometry="geometry") for k, v in rows.items()}


def water_junction_pipes(
    water: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, *, reach_m: float = _JUNCTION_REACH_M
) -> gpd.GeoDataFrame:
    """Return the pipes joining the existing water mains that end at a road junction.

    A distribution main stops at its block's setback; under the junction it is joined to the
    others ending there by a connecting pipe (``role`` connection) of the main's own diameter,
    from its end to the junction's centre, as a real network is joined: the model of the water
    layer is one network. A junction is a point where two or more roads end; a main's end
    joins the junction nearest it within ``reach_m`` (ids are left to the caller).
    """
    ends = shapely.get_coordinates(roads.geometry.boundary.explode().values)
    keys, counts = np.unique(np.round(ends, 3), axis=0, return_counts=True)
    junctions = keys[counts >= 2]
    existing = water[(water["status"] == "existing") & (water.get("role") != "connection")]
    lines = np.asarray(existing.geometry.values)
    tree = shapely.STRtree(shapely.points(junctions))
    rows: list[dict[str, Any]] = []
    for line, dn in zip(lines, existing["diameter_mm"].astype(float)):
        for end in (Point(line.coords[0]), Point(line.coords[-1])):
            found = tree.query_nearest(end, max_distance=reach_m).tolist()
            if found:
                j = Point(junctions[found[0]])
                rows.append({"diameter_mm": dn, "geometry": LineString([end, j]), "at": j.wkb})
    if not rows:
        return gpd.GeoDataFrame({"diameter_mm": []}, geometry=[], crs=water.crs)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=water.crs)
    joined = frame[frame.groupby("at")["at"].transform("size") >= 2]  # two mains meet there
    out = joined.drop(columns="at").reset_index(drop=True)
    out.insert(0, "role", "connection")
    out.insert(0, "status", "existing")
    return out


def _main_row(b: _Block, utility: str, m: _Main, n: int) -> dict[str, Any]:
    """Return the feature of main ``m`` along block ``b`` (the ``n``-th of its utility)."""
    kerb = _KERB_OFFSET_M[utility] if m.kerb is None else m.kerb
    if utility == "telecom":
        kerb += _OPERATOR_STEP_M * _OPERATORS.index(m.attrs["operator"])
    t0 = _SETBACK_M if m.t0 is None else m.t0
    t1 = b.length - _SETBACK_M if m.t1 is None else m.t1
    return {
        "asset_id": f"{_ID_PREFIX[utility]}-{n:04d}",
        "status": m.status,
        "role": "distribution",
        **m.attrs,
        "along_road": b.road_id,
        "side": b.compass(m.side),
        "geometry": b.along(m.side, b.width / 2.0 + kerb, t0, t1),
    }


def _demo_sources(blocks: list[_Block]) -> gpd.GeoDataFrame:
    """Return the ``sources`` layer: each source on the main it feeds (:data:`_SOURCES`)."""
    by_key = {b.key: b for b in blocks}
    rows = []
    for sid, utility, kind, head, road, start, side, t in _SOURCES:
        b = by_key[(road, start)]
        line = b.along(side, b.width / 2.0 + _KERB_OFFSET_M[utility], t, t + 1.0)
        rows.append(
            {
                "source_id": sid,
                "utility": utility,
                "kind": kind,
                "head_m": head,
                "pressure_mpa": np.nan,
                "temperature_c": np.nan,
                "voltage_kv": np.nan,
                "capacity_kva": np.nan,
                "feeders": None,
                "geometry": Point(line.coords[0]),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry")


# ------------------------------------------------------------- demo: sites and the rest


@dataclass(frozen=True)
class _SiteSpec:
    project_id: str
    name: str
    enterprise_type: str
    road: str
    start: XY
    side: str
    t0: float
    t1: float
    depth: float
    extra: float = 0.0


_DEMO_SITES: tuple[_SiteSpec, ...] = (
    _SiteSpec(
        "JM-2026-001",
        "荆门精工机械零部件项目",
        "industrial",
        "掇刀路",
        (1600, 0),
        "ne",
        300,
        380,
        148,
    ),
    _SiteSpec(
        "JM-2026-002",
        "白云大道汽车销售服务中心",
        "commercial",
        "白云大道",
        (800, 0),
        "ne",
        200,
        280,
        150,
    ),
    _SiteSpec(
        "JM-2026-003",
        "荆门恒泰新材料项目",
        "industrial",
        "迎宾大道",
        (2400, 0),
        "ne",
        100,
        180,
        185,
    ),
    _SiteSpec(
        "JM-2026-004",
        "掇刀冷链物流配送中心",
        "commercial",
        "白云大道",
        (800, 0),
        "sw",
        600,
        700,
        145,
    ),
    _SiteSpec(
        "JM-2026-005",
        "荆门华瑞食品加工项目",
        "industrial",
        "石化大道",
        (1600, 800),
        "sw",
        480,
        580,
        125,
    ),
    _SiteSpec(
        "JM-2026-006",
        "荆门聚能储能电池项目",
        "industrial",
        "福耀大道",
        (4000, 1600),
        "sw",
        300,
        450,
        185,
    ),
    _SiteSpec(
        "JM-2026-007",
        "团林农业科技产业园",
        "industrial",
        "响岭路",
        (3200, 3200),
        "sw",
        300,
        450,
        128,
    ),
    _SiteSpec(
        "JM-2026-008", "白云名苑三期", "real_estate", "延年路", (800, 2000), "ne", 50, 350, 188
    ),
    _SiteSpec(
        "JM-2026-009",
        "荆楚云计算数据中心",
        "industrial",
        "凤凰大道",
        (800, 1600),
        "ne",
        100,
        250,
        145,
    ),
    _SiteSpec(
        "JM-2026-010",
        "荆门中科化工新材料项目",
        "industrial",
        "杨湾路",
        (3200, 0),
        "sw",
        300,
        420,
        148,
    ),
    _SiteSpec(
        "JM-2026-011",
        "天鹅路社区商业中心",
        "commercial",
        "天鹅路",
        (1200, 1600),
        "ne",
        150,
        250,
        148,
    ),
    _SiteSpec(
        "JM-2026-012",
        "长宁大道精品酒店",
        "commercial",
        "长宁大道",
        (800, 2400),
        "ne",
        200,
        350,
        75,
        10.0,
    ),
    _SiteSpec(
        "JM-2026-013",
        "团林路转角便利商业",
        "commercial",
        "团林路",
        (1200, 1200),
        "ne",
        -1,
        140,
        121.25,
    ),
    _SiteSpec(
        "JM-2026-014",
        "荆门博远智能装备项目",
        "industrial",
        "掇刀路",
        (1600, 0),
        "sw",
        100,
        200,
        138,
    ),
    _SiteSpec(
        "JM-2026-015",
        "荆门嘉禾包装材料项目",
        "industrial",
        "杨湾路",
        (3200, 800),
        "ne",
        200,
        300,
        188,
    ),
    _SiteSpec(
        "JM-2026-016",
        "月亮湖路餐饮综合体",
        "commercial",
        "月亮湖路",
        (400, 1200),
        "ne",
        150,
        250,
        151.25,
    ),
)
"""Demo sites by fronting block (road, local start), side and red-line interval; ``t0 = -1``
starts the red line at the crossing road's red line (the corner site)."""


def _demo_sites(blocks: list[_Block]) -> gpd.GeoDataFrame:
    by_key = {b.key: b for b in blocks}
    by_road = {b.spec.name: b for b in blocks}
    rows = []
    for s in _DEMO_SITES:
        b = by_key[(s.road, (float(s.start[0]), float(s.start[1])))]
        t0 = s.t0
        if t0 < 0:  # the corner site: from the red line of the crossing road (天鹅路)
            t0 = by_road["天鹅路"].red_line()
        poly = b.frontage_box(s.side, t0, s.t1, s.depth, extra=s.extra)
        rows.append(
            {
                "project_id": s.project_id,
                "name": s.name,
                "enterprise_type": s.enterprise_type,
                "case": DEMO_CASES[s.project_id]["case"],
                "geometry": poly,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry")


def _river_line(x0: float, x1: float, y: float, amplitude: float, wave: float) -> LineString:
    xs = np.arange(x0, x1 + 1.0, 50.0)
    ys = y + amplitude * np.sin(2.0 * np.pi * (xs - x0) / wave)
    return LineString(np.column_stack([xs, np.round(ys, 2)]))


def _corridors(roads: gpd.GeoDataFrame, profile: Profile) -> Any:
    """Union of the road corridors (carriageway + sidewalks) of a roads layer."""
    widths = profile.roads.carriageway_width_m
    sidewalks = profile.roads.sidewalk_width_m
    cls = roads["road_class"].astype(str)
    half = cls.map(widths).astype(float) / 2.0 + cls.map(sidewalks).astype(float)
    geoms = np.asarray(roads.geometry.values, dtype=object)
    return shapely.union_all(shapely.buffer(geoms, half.to_numpy(), cap_style="flat"))


def _polygons(geom: Any, min_area: float) -> list[Polygon]:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    return [shapely.normalize(g) for g in parts if g.area >= min_area]


def _demo_rest(
    blocks: list[_Block], roads: gpd.GeoDataFrame, profile: Profile
) -> dict[str, gpd.GeoDataFrame]:
    """Major lines, scope, service areas, green space and intents (local coordinates)."""
    by_name: dict[str, list[_Block]] = {}
    for b in blocks:
        by_name.setdefault(b.spec.name, []).append(b)
    river = _river_line(-300.0, 4300.0, 2800.0, 60.0, 2300.0)
    xs = by_name["象山大道"][0]
    water_x = xs.width / 2.0 + _KERB_OFFSET_M["water"]
    ex = by_name["荆南快速路"][0]
    fy = by_name["福耀大道"][0]
    cn = by_name["长宁大道"][0]
    gas_y = -(ex.width / 2.0 + _KERB_OFFSET_M["gas"])
    east_x = 4000.0 + fy.width / 2.0 + _TRUNK_KERB_OFFSET_M
    hv_y = 2400.0 + cn.width / 2.0 + _TRUNK_KERB_OFFSET_M
    major = gpd.GeoDataFrame(
        {
            "kind": ["railway", "river", "expressway", "hv_power", "gas_trunk", "water_trunk"],
            "name": [
                "焦柳铁路",
                "竹皮河",
                "荆南快速路",
                "110kV掇长线",
                "次高压燃气干线",
                "DN1000象山输水干管",
            ],
        },
        geometry=[
            LineString([(_RAILWAY_X, -300.0), (_RAILWAY_X, 3500.0)]),
            river,
            LineString([(0.0, 0.0), (4000.0, 0.0)]),
            LineString([(2400.0, hv_y), (east_x, hv_y), (east_x, 3200.0)]),
            LineString([(0.0, gas_y), (east_x, gas_y), (east_x, 2400.0)]),
            LineString([(water_x, 0.0), (water_x, 3200.0)]),
        ],
    )
    outer = box(-150.0, -150.0, 4150.0, 3350.0)
    city = outer.difference(box(*_CLUSTER_BOX))
    # the seed's scope (二): the central city and the 组团 (here the 团林组团)
    scope = gpd.GeoDataFrame(
        {"name": ["荆门市中心城区（掇刀片区）联动接入适用范围", "团林组团联动接入适用范围"]},
        geometry=[city, outer.intersection(box(*_CLUSTER_BOX))],
    )
    scope_poly = outer
    gas_area = shapely.union_all(
        [box(-150.0, -150.0, _RAILWAY_X, 3350.0), box(2950.0, -150.0, 4150.0, 850.0)]
    ).intersection(scope_poly)
    service = gpd.GeoDataFrame(
        {
            "utility": list(UTILITIES),
            "name": [
                "供水服务区",
                "燃气服务区",
                "园区集中供热（蒸汽）服务区",
                "供电服务区",
                "通信服务区",
            ],
        },
        geometry=[
            scope_poly,
            gas_area,
            box(2400.0, -150.0, 4150.0, 1600.0),
            scope_poly,
            scope_poly,
        ],
    )
    corridors = _corridors(roads, profile)
    cn_block = next(b for b in by_name["长宁大道"] if b.start == (800.0, 2400.0))
    belt_near = cn_block.width / 2.0 + cn_block.sidewalk
    belt_far = cn_block.red_line() + 10.0  # the green-space case's site extra setback
    greens: list[tuple[str, str, Polygon]] = [
        (f"竹皮河滨河绿带{i + 1}", "river_belt", g)
        for i, g in enumerate(
            _polygons(river.buffer(60.0).intersection(outer).difference(corridors), 2000.0)
        )
    ]
    greens += [
        ("白云公园", "park", box(415.0, 2015.0, 785.0, 2385.0)),
        ("长宁大道绿化带", "road_belt", box(820.0, 2400.0 + belt_near, 1180.0, 2400.0 + belt_far)),
        ("焦柳铁路防护绿地", "protective", box(1960.0, 815.0, 2040.0, 1585.0)),
    ]
    green = gpd.GeoDataFrame(
        {"name": [g[0] for g in greens], "kind": [g[1] for g in greens]},
        geometry=[g[2] for g in greens],
    )
    intents = gpd.GeoDataFrame(
        {
            "intent_id": [f"YX-2026-{i:03d}" for i in range(1, 6)],
            "name": [
                "荆门天润新材料产业园",
                "掇刀冷链物流园二期",
                "兴隆智能制造基地",
                "天鹅路商业综合体",
                "荆楚大数据中心",
            ],
            "expected_start": [
                "2027-03-01",
                "2027-06-15",
                "2027-09-01",
                "2027-04-20",
                "2028-01-10",
            ],
            "registered_by": [
                "荆门市招商局",
                "掇刀区招商服务中心",
                "荆门高新区招商局",
                "掇刀区招商服务中心",
                "荆门市招商局",
            ],
            "utilities": [
                "water,gas,heat,power,telecom",
                "water,power,telecom",
                "water,gas,power,telecom",
                "water,gas,power,telecom",
                "water,power,telecom",
            ],
            "water_m3_day": [800.0, 120.0, 300.0, 200.0, 500.0],
            "power_kva": [8000.0, 2500.0, 5000.0, 3150.0, 20000.0],
            "gas_m3_h": [600.0, 0.0, 150.0, 120.0, 0.0],
            "steam_t_h": [20.0, 0.0, 0.0, 0.0, 0.0],
        },
        geometry=[
            box(3300.0, 150.0, 3900.0, 650.0),
            box(3450.0, 1000.0, 3900.0, 1450.0),
            box(2500.0, 2450.0, 3100.0, 2640.0),
            box(1250.0, 2050.0, 1550.0, 2350.0),
            box(3300.0, 2150.0, 3700.0, 2350.0),
        ],
    )
    return {
        "major_lines": major,
        "scope": scope,
        "service_areas": service,
        "green_space": green,
        "intents": intents,
    }


def _build_demo(seed: int, profile: Profile) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    blocks = _demo_blocks(profile)
    roads = _demo_roads(blocks, rng)
    networks = _demo_networks(blocks, rng)
    networks["water"] = with_junction_pipes(networks["water"], roads, ids=lambda n: f"W-{n:04d}")
    sites = _with_windows(_demo_sites(blocks), rng)
    rest = _demo_rest(blocks, roads, profile)
    sources = _all_sources(blocks, networks, profile)
    layers = {"roads": roads, **networks, "sources": sources, **rest, "sites": sites}
    ax, ay = district_anchor()
    return {name: _place(gdf, ax, ay) for name, gdf in layers.items()}


def with_junction_pipes(
    water: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, *, ids: Callable[[int], str]
) -> gpd.GeoDataFrame:
    """Return the water layer with its junctions' connecting pipes (:func:`water_junction_pipes`).

    The pipes' ids follow every main's: ``ids(n)`` names the ``n``-th feature (1-based).
    """
    pipes = water_junction_pipes(water, roads)
    pipes.insert(0, "asset_id", [ids(len(water) + k + 1) for k in range(len(pipes))])
    return gpd.GeoDataFrame(
        pd.concat([water, pipes], ignore_index=True), geometry="geometry", crs=water.crs
    )


def _all_sources(
    blocks: list[_Block], networks: dict[str, gpd.GeoDataFrame], profile: Profile
) -> gpd.GeoDataFrame:
    """Return every source: the water sources, a substation per feeder run, the gas regulators.

    The power and gas rows come from the models' own helpers, so they fit the layers: a 40 MVA
    substation at the head of each run of each 10 kV feeder, one regulator per connected gas
    network of the tappable classes (the heat network is steam: its rows are not modelled).
    """
    from gis.simulation.pipes import demo_sources
    from gis.simulation.power import demo_substations

    water = _demo_sources(blocks)
    power = demo_substations(networks["power"])
    gas = demo_sources(networks, tap_classes=tuple(profile.suitability.gas_tap_classes))
    gas = gas[gas["utility"] == "gas"]
    rows = pd.concat([water, power, gas], ignore_index=True)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=water.crs)


def _with_windows(sites: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Give each site the window of its external works (外线施工): 2027, 30 to 75 days long."""
    first = np.datetime64("2027-03-01")
    offset = np.sort(rng.integers(0, 300, len(sites)))
    length = rng.choice(np.array([30, 45, 60, 75]), len(sites))
    out = sites.copy()
    out["district"] = "掇刀区"
    out["construction_start"] = [str(first + int(d)) for d in offset]
    out["construction_end"] = [str(first + int(d) + int(n)) for d, n in zip(offset, length)]
    return out


def _place(gdf: gpd.GeoDataFrame, ax: float, ay: float) -> gpd.GeoDataFrame:
    """Move a layer from local metres to EPSG:4546 (exact: whole-metre anchor)."""
    shift = np.array([ax, ay])
    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), lambda c: c + shift)
    out = gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=list(geoms), crs=DEFAULT_CRS)
    return out.reset_index(drop=True)
