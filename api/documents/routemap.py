"""A schematic route map of a site's external lines (附图：外线路由示意图), as a vector figure.

Roads are drawn as their carriageways to scale (grey, named along the road), the site's red
line, each external line in its utility's colour as on the web maps (backup supplies dashed),
the frontage where it leaves the site as a black dot, the crossings that decide the approval
path (a major line red, a carriageway orange, as on the project map, each named once) and the
tap as a dot in the line's colour with the main's id; a north arrow, a scale bar and a legend
complete it. Labels are placed where they overlap no other label, nor the legend (a road's
name is left out when there is no free place along it). Coordinates are those of the corridor graph (metres in the
working CRS), so the figure is true to scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import shapely
import shapely.affinity
from shapely import Point, box
from shapely.geometry.base import BaseGeometry

from api.documents import drafting
from api.documents.render import Box, Dot, Figure, Shape, Stroke, Text, metres
from api.maps.style import UTILITY_COLOURS
from gis.address import road_name
from planning.assess import Assessment

__all__ = ["UTILITY_COLOURS", "route_map", "text_width_mm"]

RED_LINE_COLOUR = "#e00000"
"""The site's red line, as on the project map."""

MAJOR_CROSSING_COLOUR = "#d32f2f"
CARRIAGEWAY_COLOUR = "#fb8c00"
"""Crossings of a major line or road, and of a carriageway, as on the project map."""

_PT_MM = 25.4 / 72.0
"""Millimetres per typographic point."""
_WIDTH_MM = 170.0
_MIN_HEIGHT_MM = 70.0
_MAX_HEIGHT_MM = 115.0
_MARGIN_SHARE = 0.2
_MIN_EXTENT_M = 160.0
_LINE_GAP_MM = 0.9
"""Lines sharing a sidewalk are drawn this far apart on the map."""
_SCALE_STEPS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)
_LEGEND_MIN_W_MM = 56.0


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


class _Labels:
    """Places the figure's labels where they overlap no other label (nor the legend)."""

    def __init__(self, width: float, height: float) -> None:
        self.frame = box(0.0, 0.0, width, height)
        self.taken: list[BaseGeometry] = []

    def reserve(self, area: BaseGeometry) -> None:
        """Keep labels off ``area`` (mm): the legend, the north arrow, the scale bar."""
        self.taken.append(area)

    def free(self, area: BaseGeometry, avoid: Sequence[BaseGeometry] = ()) -> bool:
        """Return whether ``area`` lies in the frame and clear of every label and ``avoid``."""
        if not self.frame.contains(area):
            return False
        return not any(area.intersects(other) for other in (*self.taken, *avoid))

    def place(
        self, text: str, x: float, y: float, *, size_pt: float, colour: str = "#000000"
    ) -> Text | None:
        """Return ``text`` beside the point ``(x, y)`` where it is free, or ``None``."""
        w, h = text_width_mm(text, size_pt), size_pt * _PT_MM
        for reach in (1.0, 2.0, 3.5, 5.0):
            for dx, dy, anchor in _AROUND:
                lx, ly = x + dx * reach, y + dy * reach
                left = {"start": lx, "middle": lx - w / 2, "end": lx - w}[anchor]
                area = box(left, ly - 0.25 * h, left + w, ly + 0.9 * h)
                if self.free(area):
                    self.taken.append(area)
                    return Text(lx, ly, text, size_pt=size_pt, colour=colour, anchor=anchor)
        return None


_AROUND: tuple[tuple[float, float, Literal["start", "middle", "end"]], ...] = (
    (1.5, 1.2, "start"),
    (1.5, -3.2, "start"),
    (-1.5, 1.2, "end"),
    (-1.5, -3.2, "end"),
    (0.0, 2.2, "middle"),
    (0.0, -4.2, "middle"),
)
"""Where a point's label is tried (mm from the point, scaled by the reach), in order."""


def text_width_mm(text: str, size_pt: float) -> float:
    """Return the printed width of ``text`` (mm): Chinese characters full width, others 0.6."""
    ems = sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text)
    return ems * size_pt * _PT_MM


def _footprint(x: float, y: float, w: float, h: float, angle: float) -> BaseGeometry:
    """Return the area of a text centred on ``(x, y)`` and turned ``angle`` degrees."""
    rect = box(x - w / 2, y - 0.25 * h, x + w / 2, y + 0.9 * h)
    return shapely.affinity.rotate(rect, angle, origin=(x, y)) if angle else rect


@dataclass(frozen=True)
class _Frame:
    """The map window (working CRS) and its scale on the figure."""

    x0: float
    y0: float
    x1: float
    y1: float
    height: float
    scale: float

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (float((x - self.x0) * self.scale), float((y - self.y0) * self.scale))

    def line(self, geom: BaseGeometry) -> BaseGeometry:
        """Return a line of the working CRS in figure millimetres."""
        return shapely.transform(geom, lambda c: (c - [self.x0, self.y0]) * self.scale)


def _roads(G: nx.Graph, f: _Frame) -> tuple[list[Shape], dict[str, Any]]:
    """Return the carriageways to scale (grey) and each road's longest piece in the window."""
    window = box(f.x0, f.y0, f.x1, f.y1)
    segments = G.graph["segments"]
    near = segments.iloc[segments.sindex.query(window, predicate="intersects")]
    out: list[Shape] = []
    longest: dict[str, Any] = {}
    for row in near.itertuples():
        width = float(row.width_m) if np.isfinite(row.width_m) else 0.0
        for piece in _pieces(row.geometry.intersection(window)):
            out.append(
                Stroke(
                    tuple(f.xy(x, y) for x, y in piece.coords),
                    "#D9D9D9",
                    max(0.8, width * f.scale),
                    butt=True,
                )
            )
            name = road_name(row.name)
            if name and (name not in longest or piece.length > longest[name].length):
                longest[name] = piece
    return out, longest


def _road_names(
    longest: dict[str, Any], f: _Frame, labels: _Labels, drawn: Sequence[BaseGeometry]
) -> list[Shape]:
    """Name each road along its longest piece, where the name covers no label nor line."""
    out: list[Shape] = []
    size = 7.0
    for name, piece in longest.items():
        w, h = text_width_mm(name, size), size * _PT_MM
        angle = _angle(piece)
        spots = [piece.interpolate(t, normalized=True) for t in _ALONG]
        chosen = None
        for avoid in (drawn, ()):
            for spot in spots:
                x, y = f.xy(spot.x, spot.y)
                area = _footprint(x, y, w, h, angle)
                if labels.free(area, avoid):
                    chosen = (x, y, area)
                    break
            if chosen is not None:
                break
        if chosen is None:
            continue  # no room: the road is still drawn, its name is in the text
        x, y, area = chosen
        labels.reserve(area)
        out.append(Text(x, y, name, size_pt=size, colour="#555555", anchor="middle", angle=angle))
    return out


_ALONG = (0.5, 0.3, 0.7, 0.15, 0.85)
"""Where along a road its name is tried (share of the piece's length)."""


def _red_line(red_line: BaseGeometry | None, f: _Frame) -> list[Shape]:
    """Return the site's red line (建筑区划红线) as drawn on the web maps."""
    if red_line is None or red_line.is_empty:
        return []
    window = box(f.x0, f.y0, f.x1, f.y1)
    edge = shapely.boundary(red_line).intersection(window)
    return [
        Stroke(tuple(f.xy(x, y) for x, y in piece.coords), RED_LINE_COLOUR, 0.5)
        for piece in _pieces(shapely.line_merge(edge))
    ]


def _crossing_points(lines: Sequence[drafting.Line]) -> list[tuple[float, float, str, bool]]:
    """Return the places the lines cross a major line or a carriageway, each once."""
    out: dict[tuple[str, int, int], tuple[float, float, str, bool]] = {}
    for line in lines:
        r = line.route
        for c in r.crossings:
            if np.isfinite(c.x) and np.isfinite(c.y):
                key = (c.kind, round(c.x), round(c.y))
                out.setdefault(key, (c.x, c.y, f"穿越{c.kind_zh}「{c.name}」", True))
        for cw in r.carriageways:
            if np.isfinite(cw.x) and np.isfinite(cw.y):
                key = ("carriageway", round(cw.x), round(cw.y))
                out.setdefault(key, (cw.x, cw.y, f"横穿「{cw.name}」车行道", False))
    return list(out.values())


def route_map(
    assessment: Assessment, G: nx.Graph, *, red_line: BaseGeometry | None = None
) -> Figure:
    """Return the schematic map of the site's external lines on the corridor graph's roads.

    Parameters
    ----------
    assessment
        The site's assessment.
    G
        The corridor graph (roads, working CRS).
    red_line
        The site's polygon (建筑区划红线), drawn in the web maps' red when given.

    Returns
    -------
    Figure
        Roads to scale, the red line, each line in its utility's colour (those of the web maps,
        :data:`api.maps.style.UTILITY_COLOURS`), the crossings that decide the approval path,
        taps with their mains' ids, legend, north arrow and scale bar; labels never overlap.
    """
    lines = drafting.lines_of(assessment)
    geoms = [line.route.geometry for line in lines] + [line.route.tap_point for line in lines]
    if red_line is not None and not red_line.is_empty:
        geoms.append(red_line)
    f = _Frame(*_extent(geoms))
    labels = _Labels(_WIDTH_MM, f.height)
    legend = _legend(lines, f, labels)
    roads, longest = _roads(G, f)
    edges = _red_line(red_line, f)
    routes, drawn = _routes(lines, f)
    marks = _crossings(lines, f, labels)
    taps = _taps(lines, f, labels)
    names = _road_names(longest, f, labels, drawn)
    denominator = 1000.0 / f.scale
    caption = (
        f"附图：外线路由示意图（地块 {assessment.project_id}，比例约 1:{denominator:,.0f}，"
        f"坐标系 {_crs_name(G)}）"
    )
    shapes = (*roads, *names, *edges, *routes, *marks, *taps, *legend)
    return Figure(_WIDTH_MM, f.height, shapes=shapes, caption=caption)


def _routes(lines: Sequence[drafting.Line], f: _Frame) -> tuple[list[Shape], list[BaseGeometry]]:
    """Return the lines (side by side where they share a sidewalk) and their areas in mm."""
    out: list[Shape] = []
    drawn: list[BaseGeometry] = []
    for k, line in enumerate(lines):
        colour = UTILITY_COLOURS.get(line.utility, "#000000")
        path = line.route.geometry
        if len(lines) > 1 and line.route.length_m > 0:
            # lines along the same sidewalk are drawn side by side, _LINE_GAP_MM apart
            shift = (k - (len(lines) - 1) / 2.0) * _LINE_GAP_MM / f.scale
            moved = shapely.offset_curve(path, shift)
            if moved.geom_type == "LineString" and not moved.is_empty:
                path = moved
        coords = list(path.coords)
        if len(coords) >= 2 and line.route.length_m > 0:
            out.append(
                Stroke(
                    tuple(f.xy(x, y) for x, y in coords),
                    colour,
                    0.7,
                    dash="备供" in line.label,
                )
            )
            drawn.append(f.line(path).buffer(0.6))
        start = _frontage_xy(line)
        sx, sy = f.xy(*start)
        out.append(Dot(sx, sy, 1.0, "#000000"))
        drawn.append(Point(sx, sy).buffer(1.0))
    return out, drawn


def _frontage_xy(line: drafting.Line) -> tuple[float, float]:
    """Return the frontage (first node) of a line in the working CRS."""
    data = line.route.graph.nodes[line.route.nodes[0]]
    return float(data["x"]), float(data["y"])


def _crossings(lines: Sequence[drafting.Line], f: _Frame, labels: _Labels) -> list[Shape]:
    """Return the crossings as on the web maps (major red, carriageway orange), labelled."""
    out: list[Shape] = []
    for x, y, text, major in _crossing_points(lines):
        mx, my = f.xy(x, y)
        r = 1.4 if major else 1.1
        out.append(Dot(mx, my, r + 0.3, "#000000"))
        out.append(Dot(mx, my, r, MAJOR_CROSSING_COLOUR if major else CARRIAGEWAY_COLOUR))
        labels.reserve(Point(mx, my).buffer(r + 0.3))
        label = labels.place(text, mx, my, size_pt=6.5)
        if label is not None:
            out.append(label)
    return out


def _taps(lines: Sequence[drafting.Line], f: _Frame, labels: _Labels) -> list[Shape]:
    """Return each tap as a dot in its line's colour, labelled with the main's id once."""
    out: list[Shape] = []
    named: set[tuple[str, int, int]] = set()
    for line in lines:
        colour = UTILITY_COLOURS.get(line.utility, "#000000")
        tap = line.route.tap_point
        tx, ty = f.xy(tap.x, tap.y)
        out.append(Dot(tx, ty, 0.9, colour))
        key = (line.route.tap_asset, round(tx), round(ty))
        if key in named:
            continue
        named.add(key)
        label = labels.place(line.route.tap_asset, tx, ty, size_pt=6.5, colour=colour)
        if label is not None:
            out.append(label)
    return out


def _legend(lines: Sequence[drafting.Line], f: _Frame, labels: _Labels) -> list[Shape]:
    """Return the legend (top left), north arrow (top right) and scale bar (bottom left)."""
    out: list[Shape] = []
    n = len(lines) + 3
    lx, lh = 3.0, 4.5 * n
    ly = f.height - 3.0 - lh
    # each line's length from the red line (seed 二): the lead-in plus the drawn part
    texts = [
        f"{line.label}外线 {metres(line.route.red_line_m)} m（引入 "
        f"{metres(line.route.lead_in_m)} + 沿道路 {metres(line.route.length_m)}）"
        for line in lines
    ]
    width = max([_LEGEND_MIN_W_MM] + [13.0 + text_width_mm(t, 6.5) for t in texts])
    out.append(Box(lx, ly, width, lh))
    labels.reserve(box(lx, ly, lx + width, ly + lh))

    def row(k: int) -> float:
        return ly + lh - 3.2 - 4.5 * k

    for k, (line, text) in enumerate(zip(lines, texts, strict=True)):
        y = row(k)
        colour = UTILITY_COLOURS.get(line.utility, "#000000")
        out.append(
            Stroke(((lx + 2, y + 0.8), (lx + 9, y + 0.8)), colour, 0.7, dash="备供" in line.label)
        )
        out.append(Text(lx + 11, y, text, size_pt=6.5))
    y = row(len(lines))
    out.append(Stroke(((lx + 2, y + 0.8), (lx + 9, y + 0.8)), RED_LINE_COLOUR, 0.5))
    out.append(Text(lx + 11, y, "项目用地红线", size_pt=6.5))
    y = row(len(lines) + 1)
    out.append(Dot(lx + 4.0, y + 0.8, 1.4, MAJOR_CROSSING_COLOUR))
    out.append(Dot(lx + 7.0, y + 0.8, 1.1, CARRIAGEWAY_COLOUR))
    out.append(Text(lx + 11, y, "穿越重大管(线、路)；横穿车行道", size_pt=6.5))
    y = row(len(lines) + 2)
    out.append(Dot(lx + 5.5, y + 0.8, 1.0, "#000000"))
    out.append(Text(lx + 11, y, "红线外接入点；彩色点：接驳管线", size_pt=6.5))
    # north arrow (top right)
    nx_, top = _WIDTH_MM - 8.0, f.height - 4.0
    out.append(Stroke(((nx_, top - 10), (nx_, top)), "#000000", 0.35))
    out.append(Stroke(((nx_ - 1.6, top - 3), (nx_, top), (nx_ + 1.6, top - 3)), "#000000", 0.35))
    out.append(Text(nx_, top - 14, "北", size_pt=8, anchor="middle"))
    labels.reserve(box(nx_ - 3, top - 15, nx_ + 3, top))
    # scale bar (bottom left)
    target = (f.x1 - f.x0) / 5.0
    bar_m = max((s for s in _SCALE_STEPS_M if s <= target), default=_SCALE_STEPS_M[0])
    bar = bar_m * f.scale
    out.append(Stroke(((4, 5), (4 + bar, 5)), "#000000", 0.6))
    out.append(Stroke(((4, 4), (4, 6)), "#000000", 0.3))
    out.append(Stroke(((4 + bar, 4), (4 + bar, 6)), "#000000", 0.3))
    out.append(Text(4 + bar / 2, 7, f"{bar_m} m", size_pt=6.5, anchor="middle"))
    labels.reserve(box(3, 3, 5 + bar, 10))
    return out


def _crs_name(G: nx.Graph) -> str:
    crs = G.graph.get("crs")
    if crs is None:
        return "未知"
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else str(getattr(crs, "name", crs))
