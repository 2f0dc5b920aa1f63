"""Read OpenStreetMap roads as the ``roads`` layer: from OSMnx GraphML or an ``.osm.pbf``.

The ``highway`` tag becomes ``road_class`` through the profile table ``osm.highway_class``
(``*_link`` roads take their parent's class; of several values the highest class wins).
Highway values the table does not list (footway, cycleway, path, steps, track, busway, ...)
are not roads for utility planning: they are dropped and counted in
``attrs["dropped_highway"]``.

Both readers return the ``roads`` contract fields ``road_id`` (``"osm:<way id>"``, with a
``#n`` suffix when one way yields several features), ``name`` (``name`` tag, else
``name:zh``, else ``ref``, else empty), ``road_class``, and the extra fields ``highway`` and
``osmid`` (text; the values of an OSMnx list sorted and joined with ``;``). The CRS is the
source's, EPSG:4326 for OSM data.

Divided roads: most Chinese arterials are mapped as two one-way carriageways with a median
between them. One-way features with the same name (or ``ref``) that run parallel in opposite
directions 10–40 m apart are marked with one ``carriageway_pair`` id (``""`` for the others), so
that the corridor graph treats them as one road (:mod:`gis.corridor.divided`).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import osmnx as ox
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from gis.errors import InputFormatError, ProfileError
from gis.io.files import existing_file
from gis.io.sniff import check_graphml, check_osm, gdal_offline
from gis.profile import Profile, load_profile
from gis.schema import ROAD_CLASSES

__all__ = [
    "highway_to_road_class",
    "mark_divided_pairs",
    "parse_other_tags",
    "roads_from_graphml",
    "roads_from_osm_pbf",
]

PROFILE_KEY = "osm.highway_class"
_COLUMNS = ["road_id", "name", "road_class", "highway", "osmid", "grade"]
PAIR_GAP_M = (10.0, 40.0)
"""Centreline spacing (m) of the two carriageways of a divided road."""
_SAMPLES = (0.1, 0.3, 0.5, 0.7, 0.9)
_OPPOSITE = -0.9  # cosine of the angle between the two directions of travel
_HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_HSTORE_ESCAPE = re.compile(r"\\(.)")


def _values(value: Any) -> list[str]:
    """Return the non-empty text values of a tag: a list (OSMnx) or ``;``-separated text."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if item is None or (not isinstance(item, str) and pd.isna(item)):
            continue
        out += [part.strip() for part in str(item).split(";") if part.strip()]
    return out


def _joined(value: Any) -> str:
    """Join the distinct values of a tag with ``;`` (``""`` if there are none).

    The values of a list (OSMnx merges) are sorted: their order depends on the direction
    OSMnx walked the edge, and the two directions of a street must give the same feature.

    Examples
    --------
    >>> _joined(["红荔西路", "竹子林一路", "红荔西路"]), _joined("primary;trunk"), _joined(None)
    ('竹子林一路;红荔西路', 'primary;trunk', '')
    """
    values = dict.fromkeys(_values(value))
    return ";".join(sorted(values) if isinstance(value, list | tuple) else values)


def highway_to_road_class(highway: Any, mapping: Mapping[str, str]) -> str | None:
    """Return the road class of a ``highway`` tag value, or ``None`` if it is not a road.

    Parameters
    ----------
    highway
        A tag value, a ``;``-separated list of values, or a list (OSMnx merges the tags of
        the ways it joins into one edge).
    mapping
        Highway value → road class, e.g. ``load_profile().osm.highway_class``.

    Examples
    --------
    >>> m = {"trunk": "expressway", "primary": "arterial", "residential": "access"}
    >>> highway_to_road_class("primary_link", m)
    'arterial'
    >>> highway_to_road_class(["residential", "trunk"], m)
    'expressway'
    >>> highway_to_road_class("footway", m) is None
    True
    """
    classes = []
    for value in _values(highway):
        key = value.lower()
        cls = mapping.get(key)
        if cls is None and key.endswith("_link"):
            cls = mapping.get(key.removesuffix("_link"))
        if cls is not None:
            classes.append(cls)
    if not classes:
        return None
    return min(classes, key=lambda c: ROAD_CLASSES.index(c) if c in ROAD_CLASSES else 99)


def _highway_mapping(profile: Profile | str | None) -> dict[str, str]:
    loaded = profile if isinstance(profile, Profile) else load_profile(profile or "gb-defaults")
    mapping = loaded.osm.highway_class
    bad = {k: v for k, v in mapping.items() if v not in ROAD_CLASSES}
    if bad:
        msg = (
            f"profile {loaded.name!r} key {PROFILE_KEY!r}: unknown road class in {bad}; "
            f"expected one of {', '.join(ROAD_CLASSES)}"
        )
        raise ProfileError(msg)
    return {str(k).lower(): str(v) for k, v in mapping.items()}


def parse_other_tags(other_tags: Any) -> dict[str, str]:
    r"""Parse the ``other_tags`` field of GDAL's OSM driver (hstore text) into a dict.

    Examples
    --------
    >>> parse_other_tags('"ref"=>"G207","name:en"=>"Baiyun \\"Ave\\""')
    {'ref': 'G207', 'name:en': 'Baiyun "Ave"'}
    >>> parse_other_tags(None)
    {}
    """
    if not isinstance(other_tags, str):
        return {}
    return {
        _HSTORE_ESCAPE.sub(r"\1", key): _HSTORE_ESCAPE.sub(r"\1", value)
        for key, value in _HSTORE_PAIR.findall(other_tags)
    }


def _road_ids(osmids: Iterable[str]) -> list[str]:
    """Return ``osm:<id>`` per feature, suffixed ``#1``, ``#2``, ... where an id repeats.

    Examples
    --------
    >>> _road_ids(["5", "7", "5", "8;9"])
    ['osm:5#1', 'osm:7', 'osm:5#2', 'osm:8+9']
    """
    bases = [f"osm:{osmid.replace(';', '+')}" for osmid in osmids]
    totals = Counter(bases)
    seen: Counter[str] = Counter()
    out = []
    for base in bases:
        if totals[base] > 1:
            seen[base] += 1
            out.append(f"{base}#{seen[base]}")
        else:
            out.append(base)
    return out


def _grade(record: Mapping[str, Any]) -> str:
    """Return ``bridge``, ``tunnel`` or ``""``: a road off the ground crosses others without a junction."""
    for key in ("bridge", "tunnel"):
        values = [v for v in _values(record.get(key)) if v.lower() not in ("no", "false", "0")]
        if values:
            return key
    return ""


def _roads(
    records: Sequence[Mapping[str, Any]],
    geometries: Sequence[Any],
    crs: Any,
    mapping: Mapping[str, str],
) -> gpd.GeoDataFrame:
    """Map raw OSM records (``highway``, ``osmid``, ``name``, ``name:zh``, ``ref``) to roads."""
    rows: list[dict[str, str]] = []
    kept: list[Any] = []
    travel: list[int] = []
    dropped: Counter[str] = Counter()
    for record, geometry in zip(records, geometries, strict=True):
        highway = _joined(record.get("highway"))
        road_class = highway_to_road_class(record.get("highway"), mapping)
        if road_class is None:
            dropped[highway or "<none>"] += 1
            continue
        name = next(
            (t for t in (_joined(record.get(k)) for k in ("name", "name:zh", "ref")) if t), ""
        )
        rows.append(
            {
                "name": name,
                "road_class": road_class,
                "highway": highway,
                "osmid": _joined(record.get("osmid")),
                "grade": _grade(record),
            }
        )
        kept.append(geometry)
        travel.append(_travel_direction(record.get("oneway")))
    for row, road_id in zip(rows, _road_ids(r["osmid"] for r in rows), strict=True):
        row["road_id"] = road_id
    direction = np.array(travel, dtype=np.int64)
    gdf = gpd.GeoDataFrame(rows or None, columns=_COLUMNS, geometry=kept, crs=crs)
    gdf["carriageway_pair"] = mark_divided_pairs(gdf, direction)
    gdf.attrs["dropped_highway"] = dict(dropped)
    return gdf


def _travel_direction(oneway: Any) -> int:
    """Return +1 (along the geometry), -1 (against it) or 0 (two-way) from a ``oneway`` tag.

    Examples
    --------
    >>> [_travel_direction(v) for v in (True, "yes", "-1", "no", None, False)]
    [1, 1, -1, 0, 0, 0]
    """
    values = [v.lower() for v in _values(oneway)]
    if any(v in ("yes", "true", "1") for v in values):
        return 1
    return -1 if "-1" in values else 0


def mark_divided_pairs(roads: gpd.GeoDataFrame, direction: Sequence[int] | Any) -> list[str]:
    """Return each road's ``carriageway_pair`` id: the carriageways of one divided road share one.

    Two one-way roads (``direction`` ±1: travel along or against the geometry) are the two
    carriageways of one divided road when they have the same non-empty ``name``, are not links
    (``*_link``), and at some sample point of one the other lies within :data:`PAIR_GAP_M`
    running the opposite way. Pairs chain into one id per divided road (``"pair:<n>"``);
    roads without a partner get ``""``.

    Parameters
    ----------
    roads
        Roads with ``name`` and ``highway``, in any CRS (distances are measured in a local
        UTM projection when it is geographic).
    direction
        Per road: +1, -1 or 0 (two-way).
    """
    direction = np.asarray(direction, dtype=np.int64)
    out = [""] * len(roads)
    if not len(roads):
        return out
    metric = (
        roads.to_crs(roads.estimate_utm_crs()) if roads.crs and roads.crs.is_geographic else roads
    )
    geoms = np.asarray(metric.geometry.values, dtype=object)
    names = roads["name"].fillna("").astype(str).to_numpy()
    link = roads["highway"].fillna("").astype(str).str.contains("_link").to_numpy()
    cand = np.flatnonzero((direction != 0) & (names != "") & ~link)
    tree = shapely.STRtree(geoms[cand])
    left, right = tree.query(geoms[cand], predicate="dwithin", distance=PAIR_GAP_M[1])
    parent = list(range(len(roads)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(cand[left].tolist(), cand[right].tolist()):
        if a < b and names[a] == names[b] and _opposite_parallel(geoms, direction, a, b):
            parent[find(a)] = find(b)
    roots = [find(i) for i in range(len(roads))]
    sizes = Counter(roots)
    ids: dict[int, str] = {}
    for i, root in enumerate(roots):
        if sizes[root] > 1:
            out[i] = ids.setdefault(root, f"pair:{len(ids) + 1}")
    return out


def _opposite_parallel(geoms: Any, direction: Any, a: int, b: int) -> bool:
    """Whether road ``b`` runs beside road ``a`` (or ``a`` beside ``b``) the opposite way."""
    for i, j in ((a, b), (b, a)):
        line, other = geoms[i], geoms[j]
        t = np.asarray(_SAMPLES) * line.length
        pts = shapely.line_interpolate_point(line, t)
        gap = shapely.distance(pts, other)
        tj = shapely.line_locate_point(other, pts)
        interior = (tj > 1e-6) & (tj < other.length - 1e-6)
        ok = (gap >= PAIR_GAP_M[0]) & (gap <= PAIR_GAP_M[1]) & interior
        for ti, tk in zip(t[ok].tolist(), tj[ok].tolist()):
            da = _tangent(line, ti) * direction[i]
            db = _tangent(other, tk) * direction[j]
            if float(da @ db) <= _OPPOSITE:
                return True
    return False


def _tangent(line: Any, t: float) -> Any:
    """Return the unit direction of a line at position ``t``."""
    step = min(1.0, line.length / 2.0)
    p0 = shapely.line_interpolate_point(line, max(t - step, 0.0))
    p1 = shapely.line_interpolate_point(line, min(t + step, line.length))
    vec = np.array([p1.x - p0.x, p1.y - p0.y])
    norm = float(np.hypot(*vec))
    return vec / norm if norm > 0 else vec


def _drop_reverse_duplicates(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep one of each pair of edges (u, v, k) / (v, u, k') with the same geometry reversed.

    OSMnx stores a two-way street as two directed edges whose geometries are each other's
    reverse. The partner is looked for among all keys of (v, u), same key first, because
    parallel edges may be numbered differently in the two directions. Self-loops are kept.
    """
    keys_by_pair: dict[tuple[Any, Any], list[Any]] = {}
    for u, v, k in edges.index:
        keys_by_pair.setdefault((u, v), []).append(k)
    geometry = dict(zip(edges.index, edges.geometry, strict=True))
    kept: set[tuple[Any, Any, Any]] = set()
    partnered: set[tuple[Any, Any, Any]] = set()
    keep_mask = []
    for edge in edges.index:
        u, v, k = edge
        if edge in partnered:
            keep_mask.append(False)
            continue
        keep_mask.append(True)
        kept.add(edge)
        if u == v:
            continue
        reverse = geometry[edge].reverse()
        candidates = sorted(keys_by_pair.get((v, u), []), key=lambda key: key != k)
        for key in candidates:
            other = (v, u, key)
            if other in kept or other in partnered:
                continue
            if shapely.equals_exact(geometry[other], reverse, tolerance=0.0):
                partnered.add(other)
                break
    return edges[keep_mask]


def roads_from_graphml(
    path: str | os.PathLike[str], *, profile: Profile | str | None = None
) -> gpd.GeoDataFrame:
    """Read the roads of an OSMnx street graph saved as GraphML.

    A two-way street is stored as two directed edges; only the first of each pair (same
    nodes reversed, identical reversed geometry) is kept, so there is one feature per
    street segment. Edges without a ``geometry`` attribute are straight lines between their
    nodes.

    Parameters
    ----------
    path
        A GraphML file written by ``osmnx.save_graphml``.
    profile
        Profile (or its name) with the table ``osm.highway_class``; default ``gb-defaults``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``road_id``, ``name``, ``road_class``, ``highway``, ``osmid`` and the edge geometry,
        in the graph's CRS (EPSG:4326 unless the graph was projected). ``attrs`` holds
        ``"dropped_highway"`` ({highway value: number of segments dropped}) and
        ``"reverse_duplicates"`` (number of directed edges dropped as the reverse of another).

    Raises
    ------
    InputFormatError
        If the file is missing, is not an OSMnx GraphML graph or has no edges.
    ProfileError
        If the profile lacks a valid ``osm.highway_class`` table.
    """
    mapping = _highway_mapping(profile)
    p = existing_file(path, kind="GraphML file", expected="an OSMnx street graph (.graphml)")
    check_graphml(p)
    try:
        graph = ox.load_graphml(p)
        edges = ox.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True)
    except Exception as exc:  # XML ParseError, KeyError (no x/y), ValueError (no edges), ...
        msg = (
            f"cannot read {str(p)!r} as an OSMnx GraphML street graph "
            f"({type(exc).__name__}: {exc}): expected a file written by osmnx.save_graphml"
        )
        raise InputFormatError(msg) from exc
    unique = _drop_reverse_duplicates(edges)
    records = [
        {
            key: row.get(key)
            for key in ("highway", "osmid", "name", "name:zh", "ref", "bridge", "tunnel", "oneway")
        }
        for row in unique.drop(columns="geometry").to_dict("records")
    ]
    roads = _roads(records, list(unique.geometry), edges.crs, mapping)
    roads.attrs["reverse_duplicates"] = len(edges) - len(unique)
    return roads


def roads_from_osm_pbf(
    path: str | os.PathLike[str], *, profile: Profile | str | None = None
) -> gpd.GeoDataFrame:
    """Read the roads of an OpenStreetMap extract (``.osm.pbf`` or ``.osm``) with GDAL.

    GDAL's OSM driver puts ways that are not areas in its ``lines`` layer with the fields
    ``osm_id``, ``name``, ``highway`` and the remaining tags in ``other_tags``. Lines without a
    ``highway`` tag (rivers, railways, power lines) are not roads and are ignored silently;
    highway values without a road class are dropped and counted.

    Parameters
    ----------
    path
        The OSM extract.
    profile
        Profile (or its name) with the table ``osm.highway_class``; default ``gb-defaults``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``road_id``, ``name``, ``road_class``, ``highway``, ``osmid`` (the way id) and the way's
        geometry in EPSG:4326; ``attrs["dropped_highway"]`` as in :func:`roads_from_graphml`.

    Raises
    ------
    InputFormatError
        If the file is missing or GDAL cannot read it as OSM data.
    ProfileError
        If the profile lacks a valid ``osm.highway_class`` table.
    """
    mapping = _highway_mapping(profile)
    p = existing_file(path, kind="OSM file", expected="an OpenStreetMap extract (.osm.pbf)")
    check_osm(p)
    try:
        with gdal_offline():
            lines = pyogrio.read_dataframe(p, layer="lines")
    except (DataSourceError, DataLayerError, OSError) as exc:
        msg = f"cannot read {str(p)!r} layer 'lines' as OSM data ({exc}): expected an .osm.pbf"
        raise InputFormatError(msg) from exc
    columns = set(lines.columns)
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for row, geometry in zip(
        lines.drop(columns="geometry").to_dict("records"), lines.geometry, strict=True
    ):
        tags = parse_other_tags(row.get("other_tags"))
        record = {key: row[key] if key in columns else tags.get(key) for key in ("highway", "name")}
        if not _values(record["highway"]):
            continue
        record.update(
            {
                "name:zh": tags.get("name:zh"),
                "ref": tags.get("ref"),
                "osmid": row.get("osm_id"),
                "bridge": tags.get("bridge"),
                "tunnel": tags.get("tunnel"),
                "oneway": tags.get("oneway"),
            }
        )
        records.append(record)
        geometries.append(geometry)
    return _roads(records, geometries, lines.crs, mapping)
