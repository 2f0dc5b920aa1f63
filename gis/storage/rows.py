"""The values a layer version is stored as, and what an import reports.

:class:`LayerRows` turns a validated layer into the rows to write (ids, JSON-ready attributes,
geometries, bounds); :func:`jsonable` makes a value JSON-ready; :class:`ImportResult` is the new
version and what changed against the previous one.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.schema import LAYERS

__all__ = ["ImportResult", "LayerRows", "jsonable"]


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: the new version and what changed against the previous one."""

    layer: str
    version: int
    n_features: int
    added: list[str]
    removed: list[str]
    changed: list[str]

    def summary(self) -> dict[str, Any]:
        """Return counts and ids, JSON-ready."""
        return {
            "layer": self.layer,
            "version": self.version,
            "n_features": self.n_features,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "added_ids": self.added,
            "removed_ids": self.removed,
            "changed_ids": self.changed,
        }


@dataclass(frozen=True)
class LayerRows:
    """A validated layer as the rows to store: feature ids, attributes, geometries, bounds."""

    ids: list[str]
    attrs: list[dict[str, Any]]
    geoms: list[Any]
    bounds: np.ndarray

    @classmethod
    def of(cls, layer: str, clean: gpd.GeoDataFrame) -> LayerRows:
        """Return the rows of a validated layer (ids from its id field, or the row numbers)."""
        spec = LAYERS.get(layer)
        id_field = spec.id_field if spec is not None and spec.id_field else None
        ids = (
            clean[id_field].astype(str).tolist()
            if id_field
            else [str(i) for i in range(len(clean))]
        )
        attrs = [
            {k: jsonable(v) for k, v in row.items() if k != "geometry"}
            for row in clean.drop(columns="geometry").to_dict("records")
        ]
        geoms = list(clean.geometry)
        return cls(ids, attrs, geoms, shapely.bounds(np.asarray(geoms, dtype=object)))


def jsonable(value: Any) -> Any:
    """Return a JSON-ready value: NaN/NaT/NA → None, numpy scalars → Python, dates → ISO.

    Examples
    --------
    >>> jsonable(np.float64("nan")), jsonable(np.int64(3)), jsonable([pd.Timestamp("2027-01-02")])
    (None, 3, ['2027-01-02T00:00:00'])
    """
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    return value
