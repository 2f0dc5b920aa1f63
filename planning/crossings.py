"""Major lines a route crosses (R4): the ``major_lines`` layer plus lines derived by profile rules.

Derived major lines: water mains of transmission size, sub-high and high pressure gas, power
lines of 35 kV and above (profile ``major_lines.*``). Crossing an expressway or arterial
carriageway is found from the route's carriageway-crossing edges, not from geometry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from gis import vocabulary
from gis.profile import Profile

__all__ = ["KIND_ZH", "Crossing", "MajorLines", "major_lines"]

KIND_ZH = vocabulary.MAJOR_LINE_KINDS.labels()
"""Chinese names of the major line kinds (a view of :data:`gis.vocabulary.MAJOR_LINE_KINDS`)."""


@dataclass(frozen=True)
class Crossing:
    """One crossing of a major line or road, located in the working CRS."""

    kind: str
    name: str
    x: float
    y: float
    source: str

    @property
    def kind_zh(self) -> str:
        """Return the Chinese name of the kind."""
        return KIND_ZH.get(self.kind, self.kind)


def major_lines(layers: Mapping[str, gpd.GeoDataFrame], profile: Profile) -> gpd.GeoDataFrame:
    """Collect the major lines of a workspace: the layer itself and those derived from networks.

    Returns
    -------
    GeoDataFrame
        ``kind``, ``name``, ``source`` (layer it came from) and the line, in the workspace CRS.
    """
    parts = []
    ml = layers.get("major_lines")
    if ml is not None and len(ml):
        parts.append(ml.assign(source="major_lines")[["kind", "name", "source", "geometry"]])
    water = layers.get("water")
    if water is not None and len(water):
        big = water[
            water["diameter_mm"] >= profile.major_lines.water_trunk_min_diameter_mm
        ]
        parts.append(_derived(big, "water_trunk", "water", "DN{:g} 输水干管", "diameter_mm"))
    gas = layers.get("gas")
    if gas is not None and len(gas):
        hp = gas[gas["pressure_class"].isin(list(profile.major_lines.gas_trunk_classes))]
        parts.append(_derived(hp, "gas_trunk", "gas", "{} 燃气干线", "pressure_class"))
    power = layers.get("power")
    if power is not None and len(power):
        hv = power[power["voltage_kv"] >= profile.major_lines.hv_power_min_kv]
        parts.append(_derived(hv, "hv_power", "power", "{:g} kV 电力线路", "voltage_kv"))
    crs = next((g.crs for g in layers.values() if g is not None), None)
    if not parts:
        return gpd.GeoDataFrame({"kind": [], "name": [], "source": []}, geometry=[], crs=crs)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=crs)


def _derived(
    gdf: gpd.GeoDataFrame, kind: str, source: str, label: str, field: str
) -> gpd.GeoDataFrame:
    names = [label.format(v) + f"（{a}）" for v, a in zip(gdf[field], gdf["asset_id"].astype(str))]
    return gpd.GeoDataFrame(
        {"kind": kind, "name": names, "source": source}, geometry=list(gdf.geometry), crs=gdf.crs
    )


class MajorLines:
    """Major lines indexed for fast crossing tests against many routes."""

    def __init__(self, lines: gpd.GeoDataFrame, *, merge_m: float = 10.0) -> None:
        self.lines = lines.reset_index(drop=True)
        self.geoms = np.asarray(self.lines.geometry.values, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.merge_m = merge_m

    def crossed_by(self, route: LineString) -> list[Crossing]:
        """Return every major line the route crosses, one crossing per line per place."""
        hits = self.tree.query(route, predicate="intersects")
        out: list[Crossing] = []
        for i in hits:
            inter = shapely.intersection(route, self.geoms[i])
            pts = shapely.get_coordinates(inter)
            if not len(pts):
                continue
            row = self.lines.iloc[int(i)]
            for x, y in pts:
                c = Crossing(
                    str(row["kind"]), str(row["name"]), float(x), float(y), str(row["source"])
                )
                # the same kind within merge distance is one crossing (a trunk drawn twice)
                if not any(
                    o.kind == c.kind and np.hypot(o.x - c.x, o.y - c.y) < self.merge_m for o in out
                ):
                    out.append(c)
        return out
