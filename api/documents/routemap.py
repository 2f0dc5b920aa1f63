"""A schematic route map of a site's external lines (附图：外线路由示意图), as a vector figure.

Roads are drawn as their carriageways to scale (grey, named along the road), each external
line in its utility's colour (backup supplies dashed), the frontage where it leaves the site as
a black dot and the tap as a dot in the line's colour with the main's id; a north arrow, a
scale bar and a legend complete it. Coordinates are those of the corridor graph (metres in the
working CRS), so the figure is true to scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import shapely
from shapely import box
from shapely.geometry.base import BaseGeometry

from api.documents import drafting
from api.documents.render import Box, Dot, Figure, Shape, Stroke, Text, metres
from gis.address import road_name
from planning.assess import Assessment

__all__ = ["UTILITY_COLOURS", "route_map"]

UTILITY_COLOURS = {
    "water": "#0070C0",
    "gas": "#D4A000",
    "heat": "#E46C0A",
    "power": "#D00000",
    "telecom": "#00A050",
}
"""Line colours by utility (the usual colours of pipeline drawings: 给水蓝、燃气黄、热力橙、电力红、通信绿)."""

_WIDTH_MM = 170.0
_MIN_HEIGHT_MM = 70.0
_MAX_HEIGHT_MM = 115.0
_MARGIN_SHARE = 0.2
_MIN_EXTENT_M = 160.0
_LINE_GAP_MM = 0.9
"""Lines sharing a sidewalk are drawn this far apart on the map."""
_SCALE_STEPS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)


def _extent(geoms: Sequence[BaseGeometry]) -> tuple[float, float, float, float, float, float]:
    """Return the map window (minx, miny, maxx, maxy), the figure height and the scale (mm/m)."""
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(geoms, dtype=object))
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    dx = max(x1 - x0, _MIN_EXTENT_M) * (1.0 + 2 * _MARGIN_SHARE)
    dy = max(y1 - y0, _MIN_EXTENT_M) * (1.0 + 2 * _MARGIN_SHARE)
    scale = _WIDTH_MM / dx
    height = dy * scale
    if height > _MAX_HEIGHT_MM:
        height = _MAX_HEIGHT_MM
        scale = height / dy
        dx = _WIDTH_MM / scale
    elif height < _MIN_HEIGHT_MM:
        height = _MIN_HEIGHT_MM
        dy = height / scale
    return cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2, height, scale


def _pieces(geom: BaseGeometry) -> list[Any]:
    return [
        g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "LineString" and not g.is_empty
    ]


def _angle(line: Any) -> float:
    """Direction of a line in degrees, turned to read left to right (−90, 90]."""
    (ax, ay), (bx, by) = line.coords[0], line.coords[-1]
    a = math.degrees(math.atan2(by - ay, bx - ax))
    if a > 90.0:
        a -= 180.0
    elif a <= -90.0:
        a += 180.0
    return a


def route_map(assessment: Assessment, G: nx.Graph) -> Figure:
    """Return the schematic map of the site's external lines on the corridor graph's roads."""
    lines = drafting.lines_of(assessment)
    geoms = [line.route.geometry for line in lines] + [line.route.tap_point for line in lines]
    x0, y0, x1, y1, height, scale = _extent(geoms)
    window = box(x0, y0, x1, y1)

    def mm_xy(x: float, y: float) -> tuple[float, float]:
        return ((x - x0) * scale, (y - y0) * scale)

    roads: list[Shape] = []
    routes: list[Shape] = []
    legend: list[Shape] = []
    segments = G.graph["segments"]
    near = segments.iloc[segments.sindex.query(window, predicate="intersects")]
    longest: dict[str, Any] = {}
    for row in near.itertuples():
        width = float(row.width_m) if np.isfinite(row.width_m) else 0.0
        for piece in _pieces(row.geometry.intersection(window)):
            roads.append(
                Stroke(
                    tuple(mm_xy(x, y) for x, y in piece.coords),
                    "#D9D9D9",
                    max(0.8, width * scale),
                    butt=True,
                )
            )
            name = road_name(row.name)
            if name and (name not in longest or piece.length > longest[name].length):
                longest[name] = piece
    for name, piece in longest.items():
        mid = piece.interpolate(0.5, normalized=True)
        x, y = mm_xy(mid.x, mid.y)
        roads.append(
            Text(
                x, y - 1.0, name, size_pt=7, colour="#555555", anchor="middle", angle=_angle(piece)
            )
        )
    placed: list[tuple[float, float]] = []
    for k, line in enumerate(lines):
        colour = UTILITY_COLOURS.get(line.utility, "#000000")
        path = line.route.geometry
        if len(lines) > 1 and line.route.length_m > 0:
            # lines along the same sidewalk are drawn side by side, _LINE_GAP_MM apart
            shift = (k - (len(lines) - 1) / 2.0) * _LINE_GAP_MM / scale
            moved = shapely.offset_curve(path, shift)
            if moved.geom_type == "LineString" and not moved.is_empty:
                path = moved
        coords = list(path.coords)
        if len(coords) >= 2 and line.route.length_m > 0:
            routes.append(
                Stroke(
                    tuple(mm_xy(x, y) for x, y in coords),
                    colour,
                    0.7,
                    dash="备供" in line.label,
                )
            )
        start = G.nodes[line.route.nodes[0]]
        sx, sy = mm_xy(float(start["x"]), float(start["y"]))
        routes.append(Dot(sx, sy, 1.0, "#000000"))
        tap = line.route.tap_point
        tx, ty = mm_xy(tap.x, tap.y)
        routes.append(Dot(tx, ty, 0.9, colour))
        lx_, ly_ = tx + 1.5, ty + 1.2
        while any(abs(lx_ - px) < 14.0 and abs(ly_ - py) < 2.8 for px, py in placed):
            ly_ += 3.0  # keep the ids of taps close together readable
        placed.append((lx_, ly_))
        routes.append(Text(lx_, ly_, line.route.tap_asset, size_pt=6.5, colour=colour))
    # legend (top left)
    n = len(lines) + 1
    lx, ly, lh = 3.0, height - 3.0 - 4.5 * n, 4.5 * n
    legend.append(Box(lx, ly, 50.0, lh))
    for k, line in enumerate(lines):
        y = ly + lh - 3.2 - 4.5 * k
        colour = UTILITY_COLOURS.get(line.utility, "#000000")
        legend.append(
            Stroke(((lx + 2, y + 0.8), (lx + 9, y + 0.8)), colour, 0.7, dash="备供" in line.label)
        )
        legend.append(
            Text(lx + 11, y, f"{line.label}外线 {metres(line.route.length_m)} m", size_pt=6.5)
        )
    y = ly + lh - 3.2 - 4.5 * len(lines)
    legend.append(Dot(lx + 5.5, y + 0.8, 1.0, "#000000"))
    legend.append(Text(lx + 11, y, "红线外接入点；彩色点：接驳管线", size_pt=6.5))
    # north arrow (top right)
    nx_, top = _WIDTH_MM - 8.0, height - 4.0
    legend.append(Stroke(((nx_, top - 10), (nx_, top)), "#000000", 0.35))
    legend.append(Stroke(((nx_ - 1.6, top - 3), (nx_, top), (nx_ + 1.6, top - 3)), "#000000", 0.35))
    legend.append(Text(nx_, top - 14, "北", size_pt=8, anchor="middle"))
    # scale bar (bottom left)
    target = (x1 - x0) / 5.0
    bar_m = max((s for s in _SCALE_STEPS_M if s <= target), default=_SCALE_STEPS_M[0])
    bar = bar_m * scale
    legend.append(Stroke(((4, 5), (4 + bar, 5)), "#000000", 0.6))
    legend.append(Stroke(((4, 4), (4, 6)), "#000000", 0.3))
    legend.append(Stroke(((4 + bar, 4), (4 + bar, 6)), "#000000", 0.3))
    legend.append(Text(4 + bar / 2, 7, f"{bar_m} m", size_pt=6.5, anchor="middle"))
    denominator = 1000.0 / scale
    caption = (
        f"附图：外线路由示意图（地块 {assessment.project_id}，比例约 1:{denominator:,.0f}，"
        f"坐标系 {_crs_name(G)}）"
    )
    return Figure(_WIDTH_MM, height, shapes=(*roads, *routes, *legend), caption=caption)


def _crs_name(G: nx.Graph) -> str:
    crs = G.graph.get("crs")
    if crs is None:
        return "未知"
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else str(getattr(crs, "name", crs))
