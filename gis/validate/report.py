"""The outcome of a validation: the cleaned layers and every problem, and how to name a feature."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd

from gis.errors import Problem, ValidationError
from gis.schema import LayerSpec

__all__ = ["ValidationReport", "feature_label"]


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
