"""How the maps draw things: utility colours, Chinese labels, line styles.

Utility colours follow the convention of Chinese underground-utility drawings (CJJ 61《城市地下
管线探测技术规程》: 给水 天蓝, 燃气 粉红, 热力 橘黄, 电力 红, 通信 绿 — recalled, not checked
against the text), so a survey team reads them as on their paper plans. Presentation only: no
rule depends on them.
"""

from __future__ import annotations

from api.report import SURFACE_ZH, UTILITY_ZH, path_labels
from gis import vocabulary

__all__ = [
    "CROSSING_ZH",
    "PATH_COLOURS",
    "SURFACE_ZH",
    "UTILITY_COLOURS",
    "UTILITY_ZH",
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
