"""Validating layers: one layer's checks in order, then the workspace's set of layers.

:func:`validate_layer` runs a layer's checks (fields, coordinates, geometry, projection to the
working CRS, the CRS's area of use); :func:`validate_layers` checks the set of layers (missing,
empty, extra) and every layer with each other (the extent of the scope).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
from pyproj import CRS

from gis.crs import require_projected
from gis.errors import Problem
from gis.profile import Profile, load_profile
from gis.schema import LAYERS, NETWORK_LAYERS, LayerSpec
from gis.validate.coordinates import check_crs_area, check_degrees, check_finite, extent_problems
from gis.validate.fields import check_fields, duplicate_ids
from gis.validate.geometry import check_geometry, explode_lines
from gis.validate.report import ValidationReport

__all__ = ["validate_layer", "validate_layers"]


def validate_layer(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    *,
    working_crs: CRS,
    profile: Profile,
    source_crs: Any = None,
) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Validate one layer and bring it to the working CRS.

    Returns the cleaned layer (``None`` when it cannot be projected) and its problems.
    The extent check needs the scope and is done by :func:`validate_layers`.
    """
    from gis.crs import to_working_crs  # local: crs imports settings at call time

    problems: list[Problem] = []
    gdf = gdf.reset_index(drop=True)
    if gdf.crs is None and source_crs is None:
        problems.append(
            Problem(
                spec.name,
                None,
                "crs",
                "no CRS",
                "a CRS declared by the file (e.g. a .prj), or "
                "the source CRS given on import (--source-crs)",
                code="missing_crs",
            )
        )
    gdf = check_fields(gdf.copy(), spec, problems)
    if gdf.crs is None and source_crs is None:
        return None, problems
    gdf = check_finite(gdf, spec, problems)
    source = CRS.from_user_input(gdf.crs) if source_crs is None and gdf.crs is not None else None
    if source is not None and source.is_geographic:
        gdf = check_degrees(gdf, spec, problems)
    gdf = check_geometry(gdf, spec, problems, profile.validation.repair_max_area_change)
    if spec.geometry == "line":
        before = {(p.feature, p.code) for p in problems}
        gdf = explode_lines(gdf, spec, problems)
        # ids made for the parts of a split line may collide with ids already in the layer
        problems.extend(
            p
            for p in duplicate_ids(gdf, spec, " after splitting multi-part lines")
            if (p.feature, p.code) not in before
        )
    gdf = to_working_crs(gdf, working_crs, layer=spec.name, source_crs=source_crs)
    margin = profile.validation.crs_area_margin_m
    gdf = check_crs_area(gdf, spec, problems, crs=CRS.from_user_input(working_crs), margin=margin)
    return gdf, problems


def _empty_layer(spec: LayerSpec) -> Problem:
    return Problem(
        spec.name,
        None,
        None,
        "图层为空 (empty layer: 0 features)",
        f"必需图层 {spec.name}（{spec.title_zh}）至少包含一个要素 "
        f"(the required layer {spec.name!r} needs at least one feature)",
        code="empty_layer",
    )


def validate_layers(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    working_crs: Any,
    profile: Profile | None = None,
    source_crs: Mapping[str, Any] | Any = None,
) -> ValidationReport:
    """Validate every layer of a workspace, reporting all problems at once.

    Parameters
    ----------
    layers
        Layer name → GeoDataFrame as read (any CRS). Unknown names are reported as info.
    working_crs
        The projected CRS the workspace works in.
    profile
        Engineering profile (default ``gb-defaults``).
    source_crs
        Override of the CRS the coordinates are in: one value for all layers or a mapping
        by layer name (``"gcj02"``/``"bd09"`` convert Chinese web-map coordinates).
    """
    profile = profile or load_profile("gb-defaults")
    target = require_projected(working_crs, what="the workspace")
    report = ValidationReport()
    # (1) the set of layers: extra, missing, empty
    report.problems.extend(_extra_layer(name) for name in layers if name not in LAYERS)
    for name, spec in LAYERS.items():
        gdf = layers.get(name)
        if gdf is None:
            report.problems.extend(_missing_layer(spec))
            continue
        if spec.required and len(gdf) == 0:
            report.problems.append(_empty_layer(spec))
            continue
        # (2) each layer by itself, brought to the working CRS
        src = source_crs.get(name) if isinstance(source_crs, Mapping) else source_crs
        cleaned, problems = validate_layer(
            gdf, spec, working_crs=target, profile=profile, source_crs=src
        )
        report.problems.extend(problems)
        if cleaned is not None:
            report.layers[name] = cleaned
    # (3) the layers with each other: every feature near the scope
    report.problems.extend(extent_problems(report.layers, profile.validation.extent_margin_m))
    order = {"error": 0, "warning": 1, "info": 2}
    report.problems.sort(key=lambda p: order[p.severity])
    return report


def _extra_layer(name: str) -> Problem:
    return Problem(
        name,
        None,
        None,
        "layer not in the contract",
        f"one of {', '.join(LAYERS)}; kept in the file but not used",
        severity="info",
        code="extra_layer",
    )


def _missing_layer(spec: LayerSpec) -> list[Problem]:
    """Return an error for a missing required layer, an info for a missing network."""
    if spec.required:
        required = ", ".join(r for r in LAYERS if LAYERS[r].required)
        return [
            Problem(
                spec.name,
                None,
                None,
                "layer missing",
                f"a {spec.geometry} layer {spec.name!r} ({spec.title_zh}); "
                f"required layers: {required}",
                code="missing_layer",
            )
        ]
    if spec.name in NETWORK_LAYERS:
        return [
            Problem(
                spec.name,
                None,
                None,
                "layer missing",
                f"a {spec.title_zh} layer, if the utility "
                "has a network: every request for it needs pre-laying",
                severity="info",
                code="no_network",
            )
        ]
    return []
