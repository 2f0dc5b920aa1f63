"""The survey package's layers: their names, geometry types, descriptions and fixed schemas.

Every layer is written with its schema even when it has no features (a site with no crossings
still has an empty ``crossings`` layer of Points), so QField project templates find them;
:func:`frame` builds a layer with exactly these columns and types.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from gis import vocabulary

__all__ = [
    "CHECKLIST_CATEGORY_ZH",
    "LAYER_DESCRIPTION_ZH",
    "LAYER_GEOMETRY",
    "SCHEMAS",
    "Layer",
    "crs_label",
    "frame",
]

Layer: TypeAlias = gpd.GeoDataFrame | pd.DataFrame

LAYER_GEOMETRY: dict[str, str | None] = {
    "site": "MultiPolygon",
    "routes": "LineString",
    "lead_ins": "LineString",
    "taps": "Point",
    "crossings": "Point",
    "trench_segments": "LineString",
    "checklist": None,
    "package_info": None,
}
"""The package's layers in writing order and their geometry type (``None``: attribute table).

The red line is always a MultiPolygon, as in a workspace file: one type per layer, whatever
the site's shape, so a QField project made on one package opens the next.
"""

LAYER_DESCRIPTION_ZH: dict[str, str] = vocabulary.SURVEY_LAYERS.labels()

CHECKLIST_CATEGORY_ZH: dict[str, str] = vocabulary.CHECKLIST_CATEGORIES.labels()
"""Checklist kind (``checklist.kind``) → its Chinese category (``checklist.category``)."""

_TEXT = "object"
SCHEMAS: dict[str, dict[str, str]] = {
    "site": {
        "project_id": _TEXT,
        "name": _TEXT,
        "enterprise_type": _TEXT,
        "enterprise_type_zh": _TEXT,
        "applicable": "bool",
        "approval_path": _TEXT,
        "approval_zh": _TEXT,
        "reasons": _TEXT,
        "needs_prelay": _TEXT,
        "as_of": _TEXT,
        "total_trench_m": "float64",
        "separate_trench_m": "float64",
    },
    "routes": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "covered": "bool",
        "requirement": _TEXT,
        "length_m": "float64",
        "lead_in_m": "float64",
        "red_line_m": "float64",
        "straight_line_m": "float64",
        "approval_path": _TEXT,
        "approval_zh": _TEXT,
        "reasons": _TEXT,
        "tap_asset": _TEXT,
        "operator": _TEXT,
        "operator_zh": _TEXT,
        "feeder_id": _TEXT,
        "surfaces": _TEXT,
        "crossings_n": "int64",
        "carriageways_n": "int64",
        "dig_once": _TEXT,
        "detour": _TEXT,
    },
    "lead_ins": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "kind_zh": _TEXT,
        "length_m": "float64",
        "green_m": "float64",
        "route_fid": "int64",
    },
    "taps": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "asset_id": _TEXT,
        "main_spec": _TEXT,
        "feeder_id": _TEXT,
        "operator": _TEXT,
        "operator_zh": _TEXT,
        "route_fid": "int64",
    },
    "crossings": {
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "role": _TEXT,
        "kind": _TEXT,
        "kind_zh": _TEXT,
        "name": _TEXT,
        "source": _TEXT,
        "major": "bool",
        "road_id": _TEXT,
        "road_class": _TEXT,
        "road_class_zh": _TEXT,
        "width_m": "float64",
        "trenchless_allowed": "boolean",
        "method_zh": _TEXT,
        "route_fid": "int64",
    },
    "trench_segments": {
        "kind": _TEXT,
        "kind_zh": _TEXT,
        "road_id": _TEXT,
        "road_name": _TEXT,
        "side": _TEXT,
        "side_zh": _TEXT,
        "surface": _TEXT,
        "surface_zh": _TEXT,
        "length_m": "float64",
        "utilities": _TEXT,
        "utilities_zh": _TEXT,
        "trenches": _TEXT,
        "trenches_n": "int64",
        "shared": "bool",
        "section_fits": "boolean",
        "section_width_m": "float64",
        "section_available_m": "float64",
        "section_message": _TEXT,
    },
    "checklist": {
        "item_no": "int64",
        "kind": _TEXT,
        "category": _TEXT,
        "utility": _TEXT,
        "utility_zh": _TEXT,
        "description": _TEXT,
        "ref_layer": _TEXT,
        "ref_fid": "int64",
        "x": "float64",
        "y": "float64",
        "lon": "float64",
        "lat": "float64",
        "checked": "bool",
        "remarks": _TEXT,
        "checked_by": _TEXT,
        "checked_on": "datetime64[ms]",
    },
    "package_info": {
        "project_id": _TEXT,
        "name": _TEXT,
        "generated_at": _TEXT,
        "as_of": _TEXT,
        "profile": _TEXT,
        "profile_chain": _TEXT,
        "workspace_crs": _TEXT,
        "linkplan_version": _TEXT,
        "layers": _TEXT,
    },
}
"""Layer → column → dtype (``object`` columns hold text or ``None``)."""


def frame(
    name: str, rows: Sequence[Mapping[str, Any]], geometry: Sequence[Any] | None, crs: CRS
) -> Layer:
    """Return the layer ``name`` with its fixed schema (an empty layer keeps its columns)."""
    schema = SCHEMAS[name]
    df = pd.DataFrame(list(rows), columns=list(schema))
    for col, dtype in schema.items():
        if dtype == _TEXT:
            df[col] = pd.Series(
                [None if _missing(v) else str(v) for v in df[col]], index=df.index, dtype=object
            )
        else:
            df[col] = df[col].astype(dtype)  # type: ignore[call-overload]
    if LAYER_GEOMETRY[name] is None:
        return df
    geoms = list(geometry or [])
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=crs), crs=crs)


def crs_label(crs: CRS) -> str:
    """Return ``EPSG:4546`` for a CRS with an EPSG code, else its name."""
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else crs.name


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))
