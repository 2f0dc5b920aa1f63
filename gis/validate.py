"""Validation of workspace layers against the contract, reporting every problem at once.

The policy's 一次性告知 (tell everything at once) applies to data too: validation never stops at
the first problem. Each :class:`~gis.errors.Problem` names the layer, feature, field, the value
received and what was expected. Geometry is repaired where :func:`shapely.make_valid` keeps a
polygon's area within the profile's tolerance (reported as a warning), rejected otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from gis import vocabulary
from gis.crs import require_projected
from gis.errors import Problem, ValidationError
from gis.profile import Profile, load_profile
from gis.schema import LAYERS, NETWORK_LAYERS, FieldSpec, LayerSpec

__all__ = [
    "ValidationReport",
    "feature_label",
    "validate_layer",
    "validate_layers",
    "working_area",
]


@dataclass
class ValidationReport:
    """The outcome of validating a set of layers.

    Attributes
    ----------
    layers
        The cleaned layers (in the working CRS, repaired geometry, parts exploded, normalised
        values); layers with errors are included as far as they could be cleaned.
    problems
        Every finding, errors first.
    """

    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """``True`` when there is no error (warnings and info are allowed)."""
        return not self.errors

    def raise_for_errors(self, summary: str = "workspace validation failed") -> None:
        """Raise :class:`~gis.errors.ValidationError` listing every error, if any."""
        if not self.ok:
            raise ValidationError(problems=self.errors, summary=summary)


def feature_label(gdf: gpd.GeoDataFrame, spec: LayerSpec | None, row: int) -> str:
    """Name feature ``row`` by its id field when it has one, else by its 1-based position."""
    if spec is not None and spec.id_field and spec.id_field in gdf.columns:
        value = gdf[spec.id_field].iloc[row]
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            text = str(value).strip()
            if text:
                return text
    return f"#{row + 1}"


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _enum_value(spec: FieldSpec, text: str) -> str:
    """Return the value a word names (an alias of :mod:`gis.vocabulary`), else the word stripped."""
    vocab = vocabulary.for_values(spec.choices)
    value = vocab.lookup(text) if vocab is not None else None
    return value if isinstance(value, str) else text.strip()


def _check_value(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Return the normalised value and ``None``, or the value and a reason it is wrong."""
    if spec.kind in ("int", "float"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value, "not a number"
        if math.isnan(number) or math.isinf(number):
            return value, "not a finite number"
        if spec.kind == "int" and not number.is_integer():
            return value, "not an integer"
        if spec.minimum is not None and (
            number < spec.minimum or (spec.exclusive and number == spec.minimum)
        ):
            return value, "out of range"
        return (int(number) if spec.kind == "int" else number), None
    if spec.kind == "date":
        if isinstance(value, dt.datetime | pd.Timestamp):
            return value.date().isoformat(), None
        if isinstance(value, dt.date):
            return value.isoformat(), None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat(), None
        except ValueError:
            return value, "not a date"
    if spec.kind == "enum":
        text = _enum_value(spec, str(value))
        return (text, None) if text in spec.choices else (value, "unknown value")
    if spec.kind == "csv_enum":
        parts = [_enum_value(spec, p) for p in str(value).split(",") if p.strip()]
        bad = [p for p in parts if p not in spec.choices]
        if bad or not parts:
            return value, f"unknown value(s) {', '.join(bad) or '(empty)'}"
        return ",".join(parts), None
    return str(value).strip(), None


def _check_fields(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    for fspec in spec.fields:
        if fspec.name not in gdf.columns:
            if fspec.required:
                problems.append(
                    Problem(
                        spec.name,
                        None,
                        fspec.name,
                        "no such field",
                        f"field {fspec.name!r} ({fspec.expected()}); fields present: "
                        f"{', '.join(c for c in gdf.columns if c != 'geometry') or 'none'}",
                        code="missing_field",
                    )
                )
            continue
        values = list(gdf[fspec.name])
        cleaned: list[Any] = []
        for row, value in enumerate(values):
            if _is_missing(value):
                if fspec.required and not fspec.nullable:
                    problems.append(
                        Problem(
                            spec.name,
                            feature_label(gdf, spec, row),
                            fspec.name,
                            "empty",
                            fspec.expected(),
                            code="missing_value",
                        )
                    )
                cleaned.append(None)
                continue
            norm, reason = _check_value(fspec, value)
            if reason is not None:
                code = "unknown_enum" if fspec.kind in ("enum", "csv_enum") else "bad_value"
                problems.append(
                    Problem(
                        spec.name,
                        feature_label(gdf, spec, row),
                        fspec.name,
                        f"{value!r} ({reason})",
                        fspec.expected(),
                        code=code,
                    )
                )
            cleaned.append(norm)
        if fspec.kind in ("int", "float"):
            gdf[fspec.name] = pd.to_numeric(pd.Series(cleaned, index=gdf.index), errors="coerce")
        else:
            gdf[fspec.name] = pd.Series(cleaned, index=gdf.index, dtype=object)
    problems.extend(_duplicate_ids(gdf, spec))
    return gdf


def _duplicate_ids(gdf: gpd.GeoDataFrame, spec: LayerSpec, note: str = "") -> list[Problem]:
    """Report every id used by more than one feature."""
    if not spec.id_field or spec.id_field not in gdf.columns:
        return []
    ids = gdf[spec.id_field]
    dup = ids[ids.notna() & ids.duplicated(keep=False)]
    return [
        Problem(
            spec.name,
            value,
            spec.id_field,
            f"{value!r} used by {int((dup.astype(str) == value).sum())} features{note}",
            "a unique id per feature",
            code="duplicate_id",
        )
        for value in sorted(set(dup.astype(str)))
    ]


def _check_degrees(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """In a geographic layer, reject coordinates outside ±180/±90 (typically swapped lon/lat)."""
    bounds = shapely.bounds(np.asarray(gdf.geometry.values))
    bad = (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1) | (np.abs(bounds[:, [0, 2]]) > 180).any(
        axis=1
    )
    for row in np.flatnonzero(bad):
        x, y = bounds[row, 0], bounds[row, 1]
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"coordinates starting at ({x:.6f}, {y:.6f}) in a lon/lat CRS",
                "longitude within ±180 and latitude within ±90 (swapped lon/lat?)",
                code="outside_extent",
            )
        )
    return gdf[~bad].copy() if bad.any() else gdf


_ABSURD = 1e8
"""Largest coordinate (any unit) accepted when the working CRS declares no area of use."""


def _first_bad_vertex(geom: Any, ok: Any) -> tuple[float, float]:
    """Return the first vertex of ``geom`` for which ``ok(x, y)`` is false."""
    xy = shapely.get_coordinates(geom)
    bad = ~ok(xy[:, 0], xy[:, 1])
    x, y = xy[int(np.argmax(bad))] if bad.any() else (xy[0] if len(xy) else (math.nan, math.nan))
    return float(x), float(y)


def _check_finite(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Reject features with a vertex that is not a finite number (NaN, ±inf)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    bad_vertex = ~np.isfinite(xy).all(axis=1)
    if not bad_vertex.any():
        return gdf
    bad = np.zeros(len(gdf), dtype=bool)
    bad[owner[bad_vertex]] = True
    for row in np.flatnonzero(bad):
        x, y = _first_bad_vertex(geoms[row], lambda a, b: np.isfinite(a) & np.isfinite(b))
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"vertex ({x}, {y})",
                "finite coordinates (numbers, not NaN or infinity)",
                code="bad_coordinates",
            )
        )
    return gdf[~bad].copy()


@lru_cache(maxsize=32)
def working_area(crs: CRS, margin: float) -> tuple[float, float, float, float] | None:
    """Return the bounds, in ``crs``, of its area of use widened by ``margin`` (its units).

    ``None`` when the CRS declares no area of use.

    Examples
    --------
    >>> [round(v / 1000) for v in working_area(CRS.from_epsg(4546), 100_000.0)]
    [241, 1903, 759, 5098]
    """
    area = crs.area_of_use
    if area is None:
        return None
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0, x1, y1 = t.transform_bounds(area.west, area.south, area.east, area.north, densify_pts=21)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def _check_area(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    problems: list[Problem],
    *,
    crs: CRS,
    margin: float,
) -> gpd.GeoDataFrame:
    """Reject features (in ``crs``) with a vertex outside the CRS's widened area of use.

    Catches coordinates in another CRS or unit than declared and absurd values (1e300) that
    would break every later bounding-box computation; without a declared area of use, any
    coordinate beyond ±1e8 or not finite is refused. Features are kept for the extent check
    against the scope, except those a projection made infinite.
    """
    box = working_area(crs, margin)
    x0, y0, x1, y1 = box if box is not None else (-_ABSURD, -_ABSURD, _ABSURD, _ABSURD)

    def ok(x: Any, y: Any) -> Any:
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # False for NaN

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(len(gdf), dtype=bool)
    bad[owner[~ok(xy[:, 0], xy[:, 1])]] = True
    name = crs.to_string()
    where = (
        f"the area of use of {name} ({crs.area_of_use.name}) widened by {margin / 1000:g} km"
        if box is not None and crs.area_of_use is not None
        else "a plausible coordinate"
    )
    for row in np.flatnonzero(bad):
        x, y = _first_bad_vertex(geoms[row], ok)
        problems.append(
            Problem(
                spec.name,
                feature_label(gdf, spec, int(row)),
                "geometry",
                f"vertex ({x:.6g}, {y:.6g}) in {name}",
                f"x within [{x0:.0f}, {x1:.0f}] and y within [{y0:.0f}, {y1:.0f}]: {where}; "
                "a wrong CRS or unit?",
                code="outside_crs_area",
            )
        )
    finite = np.ones(len(gdf), dtype=bool)
    finite[owner[~np.isfinite(xy).all(axis=1)]] = False
    return gdf[finite].copy() if not finite.all() else gdf


def _check_geometry(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem], max_area_change: float
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    keep = np.ones(len(gdf), dtype=bool)
    for row, geom in enumerate(geoms):
        label = feature_label(gdf, spec, row)
        if geom is None or geom.is_empty:
            problems.append(
                Problem(
                    spec.name,
                    label,
                    "geometry",
                    "empty geometry",
                    f"a non-empty {' or '.join(spec.geometry_types)}",
                    code="empty_geometry",
                )
            )
            keep[row] = False
            continue
        if geom.geom_type not in spec.geometry_types:
            problems.append(
                Problem(
                    spec.name,
                    label,
                    "geometry",
                    geom.geom_type,
                    " or ".join(spec.geometry_types),
                    code="wrong_geometry_type",
                )
            )
            keep[row] = False
            continue
        if geom.is_valid:
            continue
        reason = shapely.is_valid_reason(geom)
        if spec.geometry == "line":
            problems.append(
                Problem(
                    spec.name,
                    label,
                    "geometry",
                    f"invalid line ({reason})",
                    "a line with at least two distinct points",
                    code="invalid_geometry",
                )
            )
            keep[row] = False
            continue
        fixed = shapely.make_valid(geom)
        polys = shapely.get_parts(fixed)
        polys = [p for p in polys if p.geom_type in ("Polygon", "MultiPolygon")]
        repaired = shapely.union_all(polys) if polys else None
        before = abs(geom.area)  # shoelace area of the polygon as drawn
        after = repaired.area if repaired is not None else 0.0
        change = abs(after - before) / before if before > 0 else 1.0
        if repaired is not None and change <= max_area_change:
            geoms[row] = repaired
            problems.append(
                Problem(
                    spec.name,
                    label,
                    "geometry",
                    f"invalid polygon ({reason})",
                    f"a valid polygon: repaired, area changed {change:.2%} "
                    f"(≤ {max_area_change:.0%} allowed)",
                    severity="warning",
                    code="repaired_geometry",
                )
            )
        else:
            problems.append(
                Problem(
                    spec.name,
                    label,
                    "geometry",
                    f"invalid polygon ({reason})",
                    f"a valid polygon; repair would change its area by {change:.1%} "
                    f"(> {max_area_change:.0%}): fix the source data",
                    code="invalid_geometry",
                )
            )
            keep[row] = False
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out[keep].copy()


def _explode_lines(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    multi = gdf.geometry.geom_type == "MultiLineString"
    if not multi.any():
        return gdf
    merged = gdf.copy()
    merged.loc[multi, "geometry"] = shapely.line_merge(np.asarray(gdf.geometry[multi].values))
    still = merged.geometry.geom_type == "MultiLineString"
    if not still.any():
        return merged
    out = merged.explode(index_parts=True)
    if spec.id_field and spec.id_field in out.columns:
        part = out.index.get_level_values(1)
        was_multi = still.reindex(out.index.get_level_values(0)).to_numpy()
        ids = out[spec.id_field].astype(object).to_numpy()
        new_ids = [
            f"{i}-{p + 1}" if m and i is not None else i for i, p, m in zip(ids, part, was_multi)
        ]
        out[spec.id_field] = new_ids
    for row in np.flatnonzero(still.to_numpy()):
        n = len(shapely.get_parts(merged.geometry.iloc[row]))
        problems.append(
            Problem(
                spec.name,
                feature_label(merged, spec, int(row)),
                "geometry",
                f"MultiLineString of {n} disjoint parts",
                f"one LineString per feature: split into {n} features with ids suffixed -1..-{n}",
                severity="info",
                code="exploded",
            )
        )
    return out.reset_index(drop=True)


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
    gdf = _check_fields(gdf.copy(), spec, problems)
    if gdf.crs is None and source_crs is None:
        return None, problems
    gdf = _check_finite(gdf, spec, problems)
    source = CRS.from_user_input(gdf.crs) if source_crs is None and gdf.crs is not None else None
    if source is not None and source.is_geographic:
        gdf = _check_degrees(gdf, spec, problems)
    gdf = _check_geometry(
        gdf, spec, problems, profile.validation.repair_max_area_change
    )
    if spec.geometry == "line":
        before = {(p.feature, p.code) for p in problems}
        gdf = _explode_lines(gdf, spec, problems)
        # ids made for the parts of a split line may collide with ids already in the layer
        problems.extend(
            p
            for p in _duplicate_ids(gdf, spec, " after splitting multi-part lines")
            if (p.feature, p.code) not in before
        )
    gdf = to_working_crs(gdf, working_crs, layer=spec.name, source_crs=source_crs)
    margin = profile.validation.crs_area_margin_m
    gdf = _check_area(gdf, spec, problems, crs=CRS.from_user_input(working_crs), margin=margin)
    return gdf, problems


def _extent_problems(layers: Mapping[str, gpd.GeoDataFrame], margin_m: float) -> list[Problem]:
    scope = layers.get("scope")
    if scope is None or scope.empty:
        return []
    area = shapely.union_all(np.asarray(scope.geometry.values)).envelope.buffer(margin_m)
    problems = []
    for name, gdf in layers.items():
        if name == "scope" or gdf.empty:
            continue
        spec = LAYERS[name]
        inside = shapely.intersects(np.asarray(gdf.geometry.values), area)
        for row in np.flatnonzero(~inside):
            c = gdf.geometry.iloc[row].representative_point()
            problems.append(
                Problem(
                    name,
                    feature_label(gdf, spec, int(row)),
                    "geometry",
                    f"at ({c.x:.1f}, {c.y:.1f}) in {gdf.crs.to_string()}",
                    f"within {margin_m / 1000:g} km of the workspace scope; swapped lon/lat or a "
                    "wrong CRS?",
                    code="outside_extent",
                )
            )
    return problems


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
    for name in layers:
        if name not in LAYERS:
            report.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "layer not in the contract",
                    f"one of {', '.join(LAYERS)}; kept in the file but not used",
                    severity="info",
                    code="extra_layer",
                )
            )
    for name, spec in LAYERS.items():
        gdf = layers.get(name)
        if gdf is None:
            if spec.required:
                report.problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        "layer missing",
                        f"a {spec.geometry} layer {name!r} "
                        f"({spec.title_zh}); required layers: {', '.join(r for r in LAYERS if LAYERS[r].required)}",
                        code="missing_layer",
                    )
                )
            elif name in NETWORK_LAYERS:
                report.problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        "layer missing",
                        f"a {spec.title_zh} layer, if the utility "
                        "has a network: every request for it needs pre-laying",
                        severity="info",
                        code="no_network",
                    )
                )
            continue
        if spec.required and len(gdf) == 0:
            report.problems.append(_empty_layer(spec))
            continue
        src = source_crs.get(name) if isinstance(source_crs, Mapping) else source_crs
        cleaned, problems = validate_layer(
            gdf, spec, working_crs=target, profile=profile, source_crs=src
        )
        report.problems.extend(problems)
        if cleaned is not None:
            report.layers[name] = cleaned
    report.problems.extend(
        _extent_problems(report.layers, profile.validation.extent_margin_m)
    )
    order = {"error": 0, "warning": 1, "info": 2}
    report.problems.sort(key=lambda p: order[p.severity])
    return report
