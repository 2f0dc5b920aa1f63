"""Coordinate reference systems: the working CRS, metric guards and conversion at the edge.

Linkplan computes lengths, buffers and clearances only in a projected CRS whose unit is the
metre (default EPSG:4546). Anything else raises :class:`~gis.errors.GeographicCRSError`:
a metric function never warns and carries on in degrees.

Inputs may come in WGS84 (EPSG:4326), CGCS2000 (EPSG:4490), any projected CRS PROJ knows,
or the two Chinese web-map offsets GCJ-02 (高德/腾讯) and BD-09 (百度), which PROJ does not
know; :func:`to_working_crs` converts all of them, once, when a layer is loaded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from gis import chinacoords
from gis.errors import CRSError, GeographicCRSError
from gis.settings import get_gis_settings

__all__ = [
    "CHINA_OFFSET_CRS",
    "DEFAULT_CRS",
    "require_projected",
    "resolve_crs",
    "to_working_crs",
    "transform_china_offset",
]

DEFAULT_CRS = "EPSG:4546"
"""CGCS2000 / 3-degree Gauss–Krüger CM 111°E: Jingmen's survey CRS (CJJ 61)."""

CHINA_OFFSET_CRS: dict[str, str] = {
    "gcj02": "GCJ-02 (高德/腾讯 web maps)",
    "bd09": "BD-09 (百度 web maps)",
}
_ALIASES = {
    "gcj-02": "gcj02",
    "gcj02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "mars": "gcj02",
    "bd-09": "bd09",
    "bd09": "bd09",
    "baidu": "bd09",
    "wgs84": "EPSG:4326",
    "wgs-84": "EPSG:4326",
    "cgcs2000": "EPSG:4490",
}


_FILE_REFERENCE = re.compile(
    r"(nadgrids|geoidgrids|grids|init)\s*=|parameterfile\s*\[|\"(parameterfile|filename)\"",
    re.IGNORECASE,
)
"""What in a CRS text makes PROJ open a file (a grid, an init file): refused in user input."""


def _refuse_file_references(crs: Any) -> None:
    if isinstance(crs, str) and _FILE_REFERENCE.search(crs):
        msg = (
            f"坐标系 {crs[:80]!r} 引用了文件（格网或初始化文件），不予接受；请使用 EPSG 代码、"
            "WKT 或 gcj02/bd09 (a CRS that references a file — a grid or init file — is refused: "
            "expected an EPSG code such as 'EPSG:4546', WKT, or 'gcj02'/'bd09')"
        )
        raise CRSError(msg)


def _normalise(crs: Any) -> Any:
    if isinstance(crs, str):
        return _ALIASES.get(crs.strip().lower(), crs)
    return crs


def resolve_crs(crs: Any) -> CRS:
    """Return a :class:`pyproj.CRS` for a user-given CRS (EPSG code, WKT, alias).

    GCJ-02 and BD-09 are not CRSs PROJ knows; use :func:`to_working_crs` with
    ``source_crs="gcj02"`` for them.

    Examples
    --------
    >>> resolve_crs("EPSG:4546").name
    'CGCS2000 / 3-degree Gauss-Kruger CM 111E'
    >>> resolve_crs("cgcs2000").to_epsg()
    4490
    """
    crs = _normalise(crs)
    _refuse_file_references(crs)
    if crs is None:
        msg = "no CRS given: expected an EPSG code such as 'EPSG:4546', WKT, or 'gcj02'/'bd09'"
        raise CRSError(msg)
    if crs in CHINA_OFFSET_CRS:
        msg = (
            f"{CHINA_OFFSET_CRS[crs]} is an offset of WGS84, not a CRS PROJ knows; "
            "convert it with to_working_crs(..., source_crs=...)"
        )
        raise CRSError(msg)
    try:
        return CRS.from_user_input(crs)
    except PyprojCRSError as exc:
        msg = f"unknown CRS {crs!r}: expected an EPSG code such as 'EPSG:4546' or WKT ({exc})"
        raise CRSError(msg) from exc


def require_projected(crs: Any, *, what: str = "this operation") -> CRS:
    """Return ``crs`` as a :class:`pyproj.CRS` if it is projected in metres, else raise.

    Parameters
    ----------
    crs
        Anything :func:`resolve_crs` accepts, or ``None``.
    what
        Names the operation in the error message.

    Raises
    ------
    GeographicCRSError
        If ``crs`` is geographic (degrees).
    CRSError
        If ``crs`` is missing or its unit is not the metre.

    Examples
    --------
    >>> require_projected("EPSG:4546").to_epsg()
    4546
    >>> require_projected("EPSG:4326", what="length")
    Traceback (most recent call last):
    ...
    gis.errors.GeographicCRSError: length needs a projected CRS in metres; got geographic CRS EPSG:4326 (WGS 84) in degrees: reproject first, e.g. to EPSG:4546
    """
    if crs is None:
        msg = f"{what} needs a projected CRS in metres; got no CRS"
        raise CRSError(msg)
    resolved = resolve_crs(crs)
    label = _label(resolved)
    if resolved.is_geographic:
        msg = (
            f"{what} needs a projected CRS in metres; got geographic CRS {label} in degrees: "
            f"reproject first, e.g. to {DEFAULT_CRS}"
        )
        raise GeographicCRSError(msg)
    units = {ax.unit_name for ax in resolved.axis_info}
    if not resolved.is_projected or units - {"metre", "meter"}:
        msg = f"{what} needs a projected CRS in metres; got {label} with units {sorted(units)}"
        raise CRSError(msg)
    return resolved


def _label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def transform_china_offset(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Convert a layer whose lon/lat are GCJ-02 or BD-09 to WGS84 (EPSG:4326).

    Examples
    --------
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(112.20582326, 30.99776361)])
    >>> w = transform_china_offset(g, "gcj02")
    >>> float(round(w.geometry.x.iloc[0], 6)), float(round(w.geometry.y.iloc[0], 6)), w.crs.to_epsg()
    (112.2, 31.0, 4326)
    """
    key = _normalise(source)
    inverses = {"gcj02": chinacoords.gcj02_to_wgs84, "bd09": chinacoords.bd09_to_wgs84}
    inverse = inverses.get(key)
    if inverse is None:
        msg = f"not a Chinese web-map offset: {source!r}; expected 'gcj02' or 'bd09'"
        raise CRSError(msg)

    def _inv(coords: np.ndarray) -> np.ndarray:
        x, y = inverse(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = gdf.copy()
    out.geometry = shapely.transform(np.asarray(gdf.geometry.values), _inv)
    return out.set_crs("EPSG:4326", allow_override=True)


def to_working_crs(
    gdf: gpd.GeoDataFrame,
    working_crs: Any = None,
    *,
    layer: str = "layer",
    source_crs: Any = None,
) -> gpd.GeoDataFrame:
    """Reproject a layer to the working CRS, converting GCJ-02/BD-09 at the edge.

    Parameters
    ----------
    gdf
        The layer as read.
    working_crs
        Target projected CRS; default from settings (``LINKPLAN_WORKING_CRS``, EPSG:4546).
    layer
        Layer name for error messages.
    source_crs
        The CRS the coordinates are really in, when the file does not say or says wrongly
        (e.g. a GeoJSON that claims WGS84 but was picked on 高德: ``"gcj02"``).

    Raises
    ------
    CRSError
        If the layer has no CRS and none is given, or the working CRS is not metric.
    """
    target = require_projected(
        working_crs or get_gis_settings().working_crs, what=f"working CRS for layer {layer!r}"
    )
    source = _normalise(source_crs)
    if source in CHINA_OFFSET_CRS:
        gdf = transform_china_offset(gdf, source)
    elif source is not None:
        gdf = gdf.set_crs(resolve_crs(source), allow_override=True)
    if gdf.crs is None:
        msg = (
            f"layer {layer!r} has no CRS: expected the file to declare one, or pass the source "
            "CRS (EPSG code, 'wgs84', 'cgcs2000', 'gcj02' or 'bd09')"
        )
        raise CRSError(msg)
    if CRS.from_user_input(gdf.crs).equals(target):
        return gdf
    return gdf.to_crs(target)


@lru_cache(maxsize=64)
def transformer(source: Any, target: Any = "EPSG:4326") -> Transformer:
    """Return a (cached) x/y-ordered transformer between two CRSs.

    ``Transformer.from_crs`` searches the PROJ database (tens of milliseconds) and pyproj
    repeats that search in every new thread; the resolved pipeline is kept instead, which
    any thread rebuilds in well under a millisecond. ``source`` and ``target`` are anything
    :func:`resolve_crs` accepts (hashable: EPSG strings or :class:`pyproj.CRS`).

    Examples
    --------
    >>> t = transformer("EPSG:4546")
    >>> [round(v, 4) for v in t.transform(500000.0, 3400000.0)]
    [111.0, 30.7206]
    >>> transformer("EPSG:4546") is t
    True
    """
    found = Transformer.from_crs(
        CRS.from_user_input(_normalise(source)),
        CRS.from_user_input(_normalise(target)),
        always_xy=True,
    )
    return Transformer.from_pipeline(found.definition)
