"""Read utility lines from CAD drawings (DXF): one layer per utility, by DXF layer name.

Survey and design institutes deliver pipe networks as DXF with one CAD layer per utility
(e.g. ``WS-给水``, ``GAS``, ``DL-电力``). :func:`read_dxf_lines` maps those layer names to
the utility layers of the contract (:data:`gis.schema.UTILITIES`). A DXF file carries no
CRS, so the caller states it; the coordinates are taken as they are.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

import ezdxf
import geopandas as gpd
from ezdxf.lldxf.const import DXFError
from shapely import LineString

from gis.crs import resolve_crs
from gis.errors import InputFormatError, Problem, ValidationError
from gis.io.files import existing_file
from gis.io.sniff import check_dxf
from gis.schema import UTILITIES

__all__ = ["LINE_TYPES", "match_dxf_layer", "read_dxf_lines"]

LINE_TYPES: tuple[str, ...] = ("LINE", "LWPOLYLINE", "POLYLINE")
"""DXF entity types read as lines."""


def match_dxf_layer(layer: str, layer_map: Mapping[str, str]) -> str | None:
    """Return the utility a DXF layer maps to, or ``None``.

    Matching ignores case. An exact name wins over glob patterns (``*``, ``?``, ``[...]``);
    among patterns the first in ``layer_map`` order wins.

    Examples
    --------
    >>> m = {"WS-*": "water", "gas": "gas", "WS-中水": "telecom"}
    >>> match_dxf_layer("ws-给水", m), match_dxf_layer("GAS", m), match_dxf_layer("WS-中水", m)
    ('water', 'gas', 'telecom')
    >>> match_dxf_layer("MISC", m) is None
    True
    """
    folded = layer.casefold()
    for pattern, utility in layer_map.items():
        if pattern.casefold() == folded:
            return utility
    for pattern, utility in layer_map.items():
        if fnmatchcase(folded, pattern.casefold()):
            return utility
    return None


def _check_layer_map(layer_map: Mapping[str, str]) -> dict[str, str]:
    problems = [
        Problem(
            layer="layer_map",
            feature=pattern,
            field="utility",
            value=repr(utility),
            expected=f"one of {', '.join(UTILITIES)}",
            code="unknown_utility",
        )
        for pattern, utility in layer_map.items()
        if not isinstance(utility, str) or utility.strip().lower() not in UTILITIES
    ]
    if not layer_map:
        problems.append(
            Problem(
                layer="layer_map",
                feature=None,
                field=None,
                value="an empty mapping",
                expected="at least one DXF layer name or pattern → utility",
                code="empty",
            )
        )
    if problems:
        raise ValidationError(problems, summary="DXF layer_map is invalid")
    return {pattern: utility.strip().lower() for pattern, utility in layer_map.items()}


def _layer_name(entity: Any) -> str:
    r"""Return the entity's layer name with AutoCAD's ``\U+XXXX`` escapes decoded."""
    name = str(entity.dxf.get("layer", "0"))
    return ezdxf.decode_dxf_unicode(name) if ezdxf.has_dxf_unicode(name) else name


def _vertices(entity: Any) -> tuple[list[tuple[float, float]], bool] | None:
    """Return the 2-D vertices (WCS) of a line entity and whether it is closed.

    ``None`` for POLYLINE meshes, which are surfaces, not lines.
    """
    kind = entity.dxftype()
    if kind == "LINE":
        points: Iterable[Any] = (entity.dxf.start, entity.dxf.end)
        closed = False
    elif kind == "LWPOLYLINE":
        points = entity.vertices_in_wcs()
        closed = bool(entity.closed)
    else:  # POLYLINE
        if entity.is_poly_face_mesh or entity.is_polygon_mesh:
            return None
        points = entity.points_in_wcs()
        closed = bool(entity.is_closed)
    return [(float(p[0]), float(p[1])) for p in points], closed


def read_dxf_lines(
    path: str | os.PathLike[str],
    *,
    layer_map: Mapping[str, str],
    crs: Any = None,
    encoding: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Read LINE, LWPOLYLINE and POLYLINE entities of a DXF file, one layer per utility.

    Only the model space is read: entities inside blocks (INSERT) and on paper space are not.
    Coordinates are 2-D (Z is dropped). Polylines keep all their vertices; a closed polyline
    gets its first vertex repeated at the end. Bulges (arc segments of a polyline) are read as
    straight chords between the vertices.

    Parameters
    ----------
    path
        The ``.dxf`` file (ASCII or binary).
    layer_map
        DXF layer name or glob pattern (e.g. ``"WS-*"``) → utility (``water``, ``gas``,
        ``heat``, ``power``, ``telecom``). Matching ignores case; exact names win over
        patterns, then the first matching pattern wins (:func:`match_dxf_layer`).
    crs
        The CRS the drawing's coordinates are in (EPSG code, WKT, alias); required because
        DXF files declare none.
    encoding
        Text encoding of a DXF R2004 or older, overriding its ``$DWGCODEPAGE`` (e.g.
        ``"gbk"`` when a Chinese drawing says ANSI_1252). Newer DXF files are UTF-8.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One GeoDataFrame per utility named in ``layer_map`` (empty if no entity matched), with
        columns ``asset_id`` (the DXF entity handle, unique in the file), ``dxf_layer`` and
        line geometry, in ``crs``. Each one's ``attrs`` hold the file-wide counts
        ``"unmapped_layers"`` (line entities on layers no pattern matches, by layer) and
        ``"skipped_entities"`` (other entity types on mapped layers, by DXF type, e.g. ARC,
        CIRCLE, SPLINE, INSERT, ``"POLYLINE mesh"``, ``"<type> <2 vertices"``).

    Raises
    ------
    CRSError
        If ``crs`` is missing or unknown.
    ValidationError
        If ``layer_map`` is empty or names an unknown utility.
    InputFormatError
        If the file is missing, does not look like a DXF drawing or cannot be read as one.
    """
    target_crs = resolve_crs(crs)
    mapping = _check_layer_map(layer_map)
    p = existing_file(path, kind="DXF file", expected="an existing .dxf file")
    check_dxf(p)
    try:
        doc = ezdxf.readfile(p, encoding=encoding)
    except (OSError, DXFError, UnicodeDecodeError, LookupError) as exc:
        msg = f"cannot read {str(p)!r} as a DXF drawing ({exc}): expected an ASCII or binary DXF"
        raise InputFormatError(msg) from exc

    rows: dict[str, list[dict[str, Any]]] = {utility: [] for utility in mapping.values()}
    unmapped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for entity in doc.modelspace():
        kind = entity.dxftype()
        layer = _layer_name(entity)
        utility = match_dxf_layer(layer, mapping)
        if kind not in LINE_TYPES:
            if utility is not None:
                skipped[kind] += 1
            continue
        if utility is None:
            unmapped[layer] += 1
            continue
        read = _vertices(entity)
        if read is None:
            skipped[f"{kind} mesh"] += 1
            continue
        vertices, closed = read
        if len(vertices) < 2:
            skipped[f"{kind} <2 vertices"] += 1
            continue
        if closed and vertices[0] != vertices[-1]:
            vertices.append(vertices[0])
        geometry = LineString(vertices)
        rows[utility].append(
            {"asset_id": str(entity.dxf.handle), "dxf_layer": layer, "geometry": geometry}
        )

    out: dict[str, gpd.GeoDataFrame] = {}
    for utility, records in rows.items():
        gdf = gpd.GeoDataFrame(
            records or None,
            columns=["asset_id", "dxf_layer", "geometry"],
            geometry="geometry",
            crs=target_crs,
        )
        gdf.attrs["unmapped_layers"] = dict(unmapped)
        gdf.attrs["skipped_entities"] = dict(skipped)
        out[utility] = gdf
    return out
