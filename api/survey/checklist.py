"""The survey team's checklist (踏勘核查表): one row per thing to verify at one place.

Checks of the same ``(kind, key)`` — one major line crossed by the main and backup supply, one
frontage whose lead-in several utilities share — are merged into one row naming everyone
concerned, so the field team visits each place once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from shapely import Point

from api.survey.labels import utility_zh
from api.survey.schema import CHECKLIST_CATEGORY_ZH

__all__ = ["Checklist"]


@dataclass
class _Group:
    kind: str
    template: str
    ref_layer: str
    ref_fid: int
    point: Point | None
    utilities: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


class Checklist:
    """Collects the checks of one package and returns them as checklist rows."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, Hashable], _Group] = {}

    def check(
        self,
        kind: str,
        key: Hashable,
        label: str,
        template: str,
        ref_layer: str,
        ref_fid: int,
        point: Point | None,
        utilities: Sequence[str] = (),
    ) -> None:
        """Add a thing to verify; checks of the same ``(kind, key)`` are one row on site.

        ``label`` names who is concerned (``供水``, ``供电（备供）``); the row's description is
        ``template`` with ``{who}`` replaced by the labels joined, and its reference is the
        first check's feature.
        """
        group = self.groups.get((kind, key))
        if group is None:
            self.groups[(kind, key)] = _Group(
                kind,
                template,
                ref_layer,
                ref_fid,
                point,
                utilities=list(utilities),
                labels=[label] if label else [],
            )
            return
        group.utilities += [u for u in utilities if u not in group.utilities]
        if label and label not in group.labels:
            group.labels.append(label)

    def rows(self, lonlat: Callable[[float, float], tuple[float, float]]) -> list[dict[str, Any]]:
        """Return the checklist rows, by category (:data:`CHECKLIST_CATEGORY_ZH` order).

        ``lonlat`` gives the WGS84 longitude and latitude of a point in the working CRS.
        """
        rows: list[dict[str, Any]] = []
        order = list(CHECKLIST_CATEGORY_ZH)
        for g in sorted(self.groups.values(), key=lambda g: order.index(g.kind)):
            has_xy = g.point is not None and not g.point.is_empty
            x = float(g.point.x) if has_xy else math.nan  # type: ignore[union-attr]
            y = float(g.point.y) if has_xy else math.nan  # type: ignore[union-attr]
            lon, lat = lonlat(x, y)
            rows.append(
                {
                    "item_no": len(rows) + 1,
                    "kind": g.kind,
                    "category": CHECKLIST_CATEGORY_ZH[g.kind],
                    "utility": ",".join(g.utilities) or None,
                    "utility_zh": "、".join(utility_zh(u) for u in g.utilities) or None,
                    "description": g.template.replace("{who}", "、".join(g.labels)),
                    "ref_layer": g.ref_layer,
                    "ref_fid": g.ref_fid,
                    "x": x,
                    "y": y,
                    "lon": lon,
                    "lat": lat,
                    "checked": False,
                    "remarks": None,
                    "checked_by": None,
                    "checked_on": pd.NaT,
                }
            )
        return rows
