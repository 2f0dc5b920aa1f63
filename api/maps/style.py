"""How the maps draw things: utility colours, Chinese labels, one table of line styles.

Utility colours follow the convention of Chinese underground-utility drawings (CJJ 61《城市地下
管线探测技术规程》: 给水 天蓝, 燃气 粉红, 热力 橘黄, 电力 红, 通信 绿 — recalled, not checked
against the text), so a survey team reads them as on their paper plans. Presentation only: no
rule depends on them.

Every other line on a map is drawn from :data:`LINE_STYLES`, and the legend draws its samples
from the same table, so no two kinds of line look alike (each differs from every other in
colour, and the dashed ones also in dash pattern) and the legend always shows the line as drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.report import SURFACE_ZH, UTILITY_ZH, path_labels
from gis import vocabulary

__all__ = [
    "CROSSING_ZH",
    "LINE_STYLES",
    "PATH_COLOURS",
    "ROUTE_OFFSET_PX",
    "SURFACE_ZH",
    "UTILITY_COLOURS",
    "UTILITY_ZH",
    "LineStyle",
    "enum_zh",
    "path_labels",
    "surface_zh",
]

UTILITY_COLOURS = {
    "water": "#00a0e9",
    "gas": "#ff69b4",
    "heat": "#ff9900",
    "power": "#e60012",
    "telecom": "#009944",
}

PATH_COLOURS = {
    "commitment": "#2e9e44",
    "joint": "#f08c00",
    "not_applicable": "#8c8c8c",
    None: "#c2185b",
}

CROSSING_ZH: dict[str, str] = vocabulary.MAJOR_LINE_KINDS.labels()

ROAD_CLASS_ZH: dict[str, str] = vocabulary.ROAD_CLASSES.labels()

ROUTE_OFFSET_PX: dict[str, int] = {
    "water": -12,
    "gas": -6,
    "heat": 0,
    "power": 6,
    "telecom": 12,
}
"""Each utility's route is drawn this many screen pixels beside its line (left negative), so
routes sharing a sidewalk lie side by side, always in the same order, at every zoom."""


@dataclass(frozen=True)
class LineStyle:
    """One kind of line: how Leaflet draws it and how the legend names it.

    Attributes
    ----------
    colour, weight, opacity, dash
        Leaflet's ``color``, ``weight`` (px), ``opacity`` and ``dashArray`` (``None``: solid).
    label
        The legend's Chinese words (``{threshold}`` is filled in by the caller).
    halo
        Drawn over a wider white line, so it stands out on any other line.
    """

    colour: str
    weight: float
    label: str
    opacity: float = 0.9
    dash: str | None = None
    halo: bool = False

    def leaflet(self, **more: Any) -> dict[str, Any]:
        """Return the Leaflet path options of this style (``more`` added)."""
        out: dict[str, Any] = {
            "color": self.colour,
            "weight": self.weight,
            "opacity": self.opacity,
            "dashArray": self.dash,
            "lineCap": "butt" if self.dash else "round",
        }
        return out | more


LINE_STYLES: dict[str, LineStyle] = {
    "road": LineStyle("#c8c8c8", 8, "道路（背景）", opacity=0.8),
    "major_line": LineStyle("#5d4037", 4, "重要管线/道路/铁路/河道", dash="14 4 2 4"),
    "protected_road": LineStyle("#7b1fa2", 12, "受保护道路（五年内不得开挖）", opacity=0.35),
    "reach": LineStyle("#00897b", 3, "沿道路 {threshold} m 可达范围", dash="2 7"),
    "reference_circle": LineStyle(
        "#9e9e9e", 1.5, "直线 {threshold} m 参考圈（政策按沿道路长度判断）", dash="4 6"
    ),
    "planned_main": LineStyle("#555555", 2, "规划管线（各专业颜色，短虚线）", dash="6 4"),
    "prelay_main": LineStyle("#555555", 5, "提前布局新建管线（各专业颜色，粗长虚线）", dash="10 6"),
    "scope": LineStyle("#1565c0", 2, "联动接入适用范围（蓝色点划线）", dash="12 4 2 4"),
    "route": LineStyle("#333333", 5, "外线（各专业颜色，粗实线，并排绘出）", opacity=0.95),
    "backup_route": LineStyle("#333333", 5, "备供外线（专业颜色，长虚线）", dash="16 6"),
    "lead_in": LineStyle("#424242", 2.5, "红线引入段（专业颜色，细虚线）", dash="3 5"),
    "trench": LineStyle("#8d6e63", 16, "同沟敷设段（宽带）", opacity=0.45),
    "trench_conflict": LineStyle("#c62828", 16, "同沟断面不足（宽带）", opacity=0.45),
    "measure": LineStyle(
        "#0d47a1", 3, "测距线（白边深蓝虚线）", opacity=1.0, dash="10 5", halo=True
    ),
}
"""Every kind of line the maps draw besides the utility networks, with its legend words."""


def enum_zh(field: str, value: Any) -> str:
    """Return a network attribute's value in Chinese words (codes are never shown).

    Examples
    --------
    >>> enum_zh("pressure_class", "medium_b"), enum_zh("operator", "china_telecom")
    ('中压B', '中国电信')
    >>> enum_zh("medium", "steam"), enum_zh("diameter_mm", 200)
    ('蒸汽', '200')
    """
    vocab = {
        "pressure_class": vocabulary.GAS_PRESSURE_CLASSES,
        "medium": vocabulary.HEAT_MEDIA,
        "operator": vocabulary.OPERATORS,
        "role": vocabulary.NETWORK_ROLES,
    }.get(field)
    return vocab.label(value) if vocab is not None else str(value)


def surface_zh(key: str) -> str:
    """Return the Chinese label of a surface key (``carriageway:arterial`` → 主干路车行道).

    Examples
    --------
    >>> surface_zh("carriageway:arterial"), surface_zh("sidewalk"), surface_zh("lead_in")
    ('主干路车行道', '人行道', '红线至人行道引入段')
    """
    if key.startswith("carriageway:"):
        return ROAD_CLASS_ZH.get(key.split(":", 1)[1], key.split(":", 1)[1]) + "车行道"
    return SURFACE_ZH.get(key, key)
