"""Attribute checks: every field of a layer against the contract (gis.schema), ids unique.

Values are normalised on the way (numbers, ISO dates, enumeration aliases of
:mod:`gis.vocabulary`); a missing required field, an empty required value, a wrong value and a
duplicate id are each reported, naming layer, feature, field, value and what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import geopandas as gpd
import pandas as pd

from gis import vocabulary
from gis.errors import Problem
from gis.schema import FieldSpec, LayerSpec
from gis.validate.report import feature_label

__all__ = ["check_fields", "duplicate_ids"]


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


def _check_number(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Check an ``int`` or ``float`` field's value (finite, integral, at least its minimum)."""
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


def _check_date(value: Any) -> tuple[Any, str | None]:
    """Check a ``date`` field's value: a date, a timestamp or ISO text (as an ISO date)."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat(), None
    except ValueError:
        return value, "not a date"


def _check_csv_enum(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Check a ``csv_enum`` field's value: comma-separated choices (or their aliases)."""
    parts = [_enum_value(spec, p) for p in str(value).split(",") if p.strip()]
    bad = [p for p in parts if p not in spec.choices]
    if bad or not parts:
        return value, f"unknown value(s) {', '.join(bad) or '(empty)'}"
    return ",".join(parts), None


def _check_value(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Return the normalised value and ``None``, or the value and a reason it is wrong."""
    if spec.kind in ("int", "float"):
        return _check_number(spec, value)
    if spec.kind == "date":
        return _check_date(value)
    if spec.kind == "enum":
        text = _enum_value(spec, str(value))
        return (text, None) if text in spec.choices else (value, "unknown value")
    if spec.kind == "csv_enum":
        return _check_csv_enum(spec, value)
    return str(value).strip(), None


def check_fields(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Check and normalise every field of ``spec`` in ``gdf`` (in place), then the ids."""
    for fspec in spec.fields:
        if fspec.name in gdf.columns:
            _check_field(gdf, spec, fspec, problems)
        elif fspec.required:
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
    problems.extend(duplicate_ids(gdf, spec))
    return gdf


def _check_field(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, fspec: FieldSpec, problems: list[Problem]
) -> None:
    """Check every value of one field, report the empty and wrong ones, store the normalised."""
    cleaned: list[Any] = []
    for row, value in enumerate(list(gdf[fspec.name])):
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


def duplicate_ids(gdf: gpd.GeoDataFrame, spec: LayerSpec, note: str = "") -> list[Problem]:
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
