"""Pick the reader for a file and shape its result into contract layers, for ``import``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from gis.errors import InputFormatError
from gis.schema import LAYERS, UTILITIES

__all__ = ["FORMATS", "detect_format", "load_for_import"]

FORMATS = ("vector", "osm-graphml", "osm-pbf", "dxf", "epanet")


def detect_format(path: Path) -> str:
    """Guess the import format from the file name.

    Examples
    --------
    >>> detect_format(Path("futian.graphml")), detect_format(Path("city.osm.pbf"))
    ('osm-graphml', 'osm-pbf')
    >>> detect_format(Path("net.inp")), detect_format(Path("roads.zip"))
    ('epanet', 'vector')
    """
    name = path.name.lower()
    if name.endswith(".graphml"):
        return "osm-graphml"
    if name.endswith(".pbf"):
        return "osm-pbf"
    if name.endswith(".dxf"):
        return "dxf"
    if name.endswith(".inp"):
        return "epanet"
    return "vector"


def _fill(gdf: gpd.GeoDataFrame, defaults: Mapping[str, str]) -> gpd.GeoDataFrame:
    for field, value in defaults.items():
        if field not in gdf.columns:
            gdf[field] = value
        else:
            gdf[field] = gdf[field].where(gdf[field].notna(), value)
    return gdf


def load_for_import(
    path: Path,
    *,
    layer: str | None = None,
    fmt: str = "auto",
    source_crs: str | None = None,
    source_layer: str | None = None,
    dxf_map: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
    label: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Read ``path`` into contract layers (not yet validated nor reprojected).

    Parameters
    ----------
    path
        The file.
    layer
        The contract layer it becomes (``roads`` for OSM, ``water`` for EPANET by default).
    fmt
        ``auto`` or one of :data:`FORMATS`.
    source_crs
        The CRS of the coordinates; required for DXF and EPANET, which carry none.
    source_layer
        Layer inside a GeoPackage or zip.
    dxf_map
        DXF layer pattern → utility (``{"WS-*": "water"}``).
    defaults
        Field values for fields the file lacks (``{"status": "existing"}``); DXF and EPANET
        assets get ``status=existing`` unless told otherwise.
    label
        The file's name in messages (an upload's own name); default ``path``.

    Every reader checks that the content is the format it reads before opening it
    (:mod:`gis.io.sniff`): a file is read as what it claims to be, and nothing else.
    """
    from gis.io.dxf import read_dxf_lines
    from gis.io.epanet import read_epanet, read_epanet_sources
    from gis.io.files import read_vector
    from gis.io.osm import roads_from_graphml, roads_from_osm_pbf

    kind = detect_format(path) if fmt == "auto" else fmt
    if kind not in FORMATS:
        msg = f"unknown import format {fmt!r}: expected auto or one of {', '.join(FORMATS)}"
        raise InputFormatError(msg)
    if layer is not None and layer not in LAYERS:
        msg = f"unknown target layer {layer!r}: expected one of {', '.join(LAYERS)}"
        raise InputFormatError(msg)
    extra = dict(defaults or {})
    if kind == "osm-graphml":
        return {layer or "roads": roads_from_graphml(path)}
    if kind == "osm-pbf":
        return {layer or "roads": roads_from_osm_pbf(path)}
    if kind == "epanet":
        if layer == "sources":  # its reservoirs and tanks: the water model's sources
            return {layer: read_epanet_sources(path, crs=source_crs)}
        return {layer or "water": _fill(read_epanet(path, crs=source_crs), extra)}
    if kind == "dxf":
        if not dxf_map:
            msg = (
                f"DXF {path}: no layer mapping given; expected pattern=utility pairs such as "
                f"'WS-*=water' for utilities {', '.join(UTILITIES)}"
            )
            raise InputFormatError(msg)
        bad = [u for u in dxf_map.values() if u not in UTILITIES]
        if bad:
            msg = f"DXF {path}: unknown utility {bad[0]!r}; expected one of {', '.join(UTILITIES)}"
            raise InputFormatError(msg)
        found = read_dxf_lines(path, layer_map=dxf_map, crs=source_crs)
        return {u: _fill(g, {"status": "existing", **extra}) for u, g in found.items() if len(g)}
    if layer is None:
        msg = f"{path}: say which layer it becomes (--layer roads, water, gas, ...)"
        raise InputFormatError(msg)
    if layer == "intents" and path.suffix.lower() in (".csv", ".xlsx", ".txt"):
        from gis.io.intents import read_intents

        # a spreadsheet of registered intents (一口登记): points or WKT, converted at the edge
        return {layer: read_intents(path, coordinates=source_crs or "wgs84", sheet=source_layer)}
    return {layer: _fill(read_vector(path, layer=source_layer, label=label), extra)}
