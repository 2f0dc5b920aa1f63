"""Read an EPANET ``.inp`` water network (through WNTR) as the ``water`` layer.

Water companies often keep their hydraulic model in EPANET. Its ``[COORDINATES]`` and
``[VERTICES]`` sections hold plain numbers in whatever CRS the modeller used, so the caller
states the CRS. WNTR converts every hydraulic quantity to SI units whatever the file's flow
units are (GPM files give lengths in feet and diameters in inches), so lengths here are metres
and diameters millimetres.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import geopandas as gpd
import wntr
from shapely import LineString, Point

from gis.crs import resolve_crs
from gis.errors import InputFormatError, Problem, ValidationError
from gis.io.files import existing_file
from gis.io.sniff import check_epanet
from gis.schema import LAYERS

__all__ = ["read_epanet", "read_epanet_sources"]

_COLUMNS = [
    "asset_id",
    "status",
    "diameter_mm",
    "length_m_hydraulic",
    "start_node",
    "end_node",
    "start_elevation_m",
    "end_elevation_m",
]


def _check_status(status: str) -> str:
    spec = LAYERS["water"].field("status")
    choices = spec.choices if spec is not None else ("existing", "planned")
    if status not in choices:
        problem = Problem(
            layer="water",
            feature=None,
            field="status",
            value=repr(status),
            expected=f"one of {', '.join(choices)}",
            code="invalid_enum",
        )
        raise ValidationError([problem], summary="read_epanet: invalid status")
    return status


def read_epanet(
    path: str | os.PathLike[str], *, crs: Any = None, status: str = "existing"
) -> gpd.GeoDataFrame:
    """Read the pipes of an EPANET ``.inp`` file as water-network features.

    Only pipes are read. Pumps and valves are short links between two nodes of a pump
    station or valve chamber, not mains, and are skipped; their numbers are in
    ``attrs["skipped_links"]`` (e.g. ``{"pump": 13, "valve": 5}``).

    Parameters
    ----------
    path
        The ``.inp`` file.
    crs
        The CRS of the file's node coordinates and vertices (EPSG code, WKT, alias); required
        because EPANET files declare none. The numbers are used as they are.
    status
        Value of the ``status`` field of every pipe: ``"existing"`` or ``"planned"``.

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per pipe, in file order, in ``crs``: ``asset_id`` (pipe ID), ``status``,
        ``diameter_mm``, ``length_m_hydraulic`` (the pipe's modelled length in metres, which
        may differ from the drawn length), ``start_node``, ``end_node``; the geometry runs from
        the start node through the pipe's vertices to the end node.

    Raises
    ------
    CRSError
        If ``crs`` is missing or unknown.
    ValidationError
        If ``status`` is not one of the contract's values.
    InputFormatError
        If the file is missing, is not a valid EPANET input file or has no node coordinates.
    """
    target_crs = resolve_crs(crs)
    _check_status(status)
    wn, coords = _open(path)

    rows: list[dict[str, Any]] = []
    geometries: list[LineString] = []
    for name, pipe in wn.pipes():
        start, end = pipe.start_node_name, pipe.end_node_name
        vertices = [coords[start], *((float(x), float(y)) for x, y in pipe.vertices), coords[end]]
        geometries.append(LineString(vertices))
        rows.append(
            {
                "asset_id": str(name),
                "status": status,
                # SI metres → mm; rounding to 1 nm removes float noise such as 203.20000000000002
                "diameter_mm": round(float(pipe.diameter) * 1000.0, 6),
                "length_m_hydraulic": float(pipe.length),
                "start_node": str(start),
                "end_node": str(end),
                # the ground of each end (a reservoir has none: its head is its level)
                "start_elevation_m": _elevation(wn, start),
                "end_elevation_m": _elevation(wn, end),
            }
        )
    gdf = gpd.GeoDataFrame(rows or None, columns=_COLUMNS, geometry=geometries, crs=target_crs)
    skipped: Counter[str] = Counter()
    for _, link in wn.links():
        if link.link_type != "Pipe":
            skipped[str(link.link_type).lower()] += 1
    gdf.attrs["skipped_links"] = dict(skipped)
    return gdf


def read_epanet_sources(path: str | os.PathLike[str], *, crs: Any = None) -> gpd.GeoDataFrame:
    """Read the reservoirs and tanks of an EPANET ``.inp`` file as ``sources`` features.

    With the pipes read by :func:`read_epanet` (their ends' elevations and modelled lengths),
    they give the water model of the capacity check (:mod:`gis.simulation.water`). Pumps and
    valves are not read: a source behind a pump feeds the network at its own head.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per reservoir (``kind`` reservoir, ``head_m`` its total head) and per tank
        (``kind`` tank, ``head_m`` its elevation plus its initial level), ``utility`` water,
        ``source_id`` the node's ID, in ``crs``.

    Raises
    ------
    CRSError
        If ``crs`` is missing or unknown.
    InputFormatError
        As :func:`read_epanet`; also when the file has neither a reservoir nor a tank.
    """
    target_crs = resolve_crs(crs)
    wn, coords = _open(path)
    rows: list[dict[str, Any]] = []
    for name, node in wn.reservoirs():
        rows.append({"source_id": str(name), "kind": "reservoir", "head_m": float(node.base_head)})
    for name, node in wn.tanks():
        head = float(node.elevation) + float(node.init_level)
        rows.append({"source_id": str(name), "kind": "tank", "head_m": head})
    if not rows:
        msg = f"EPANET file {str(path)!r} has no reservoir or tank: expected a water source"
        raise InputFormatError(msg)
    points = [Point(coords[r["source_id"]]) for r in rows]
    gdf = gpd.GeoDataFrame(rows, geometry=points, crs=target_crs)
    gdf.insert(1, "utility", "water")
    return gdf


def _open(path: str | os.PathLike[str]) -> tuple[Any, dict[str, tuple[float, ...]]]:
    """Return the WNTR model of an ``.inp`` file and its node coordinates (checked)."""
    p = existing_file(path, kind="EPANET file", expected="an existing .inp file")
    check_epanet(p)
    try:
        wn = wntr.network.WaterNetworkModel(str(p))
    except Exception as exc:  # WNTR raises ENSyntaxError, KeyError, ValueError, ... on bad input
        msg = f"cannot read {str(p)!r} as an EPANET input file ({type(exc).__name__}: {exc})"
        raise InputFormatError(msg) from exc
    coords = {name: tuple(map(float, node.coordinates)) for name, node in wn.nodes()}
    if coords and all(xy == (0.0, 0.0) for xy in coords.values()):
        msg = (
            f"EPANET file {str(p)!r} has no node coordinates (all {len(coords)} nodes at 0,0): "
            "expected a [COORDINATES] section"
        )
        raise InputFormatError(msg)
    return wn, coords


def _elevation(wn: Any, node: str) -> float:
    """Return a junction's or tank's elevation (m); NaN for a reservoir (it has a head)."""
    n = wn.get_node(node)
    return float(n.elevation) if n.node_type in ("Junction", "Tank") else float("nan")
