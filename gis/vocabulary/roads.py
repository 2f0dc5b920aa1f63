"""The ground a route runs over: road classes, major lines crossed, surfaces dug.

A major line kind notes how a survey expects it crossed; a surface, the works on it.
"""

from __future__ import annotations

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "DEFAULT_CROSSING_METHOD_ZH",
    "MAJOR_LINE_KINDS",
    "ROAD_CLASSES",
    "SURFACES",
    "TRENCH_SEGMENT_KINDS",
]

# 街坊路, not 街巷: the contract (gis.schema.ROAD_CLASSES) and the decision reasons already say
# 街坊路, the term of the road-classification standards for the lanes inside a block below
# 支路 (CJJ 37 names the four classes 快速路/主干路/次干路/支路); 街巷 is the colloquial word,
# kept as an alias.
ROAD_CLASSES: Vocabulary[str] = Vocabulary(
    "road class",
    "道路等级",
    (
        Term("expressway", "快速路"),
        Term("arterial", "主干路", ("主干道",)),
        Term("secondary", "次干路", ("次干道",)),
        Term("branch", "支路"),
        Term("access", "街坊路", ("街巷",)),
    ),
)

# the decision reasons' names (planning.crossings), the more precise of the two old tables;
# the map's former wordings are aliases
MAJOR_LINE_KINDS: Vocabulary[str] = Vocabulary(
    "major line kind",
    "重大管(线、路)类型",
    (
        Term("railway", "铁路", (), notes={"method": "顶管/框架涵，需铁路部门同意"}),
        Term(
            "expressway", "快速路", ("快速路/高速公路", "高速公路"), notes={"method": "顶管/定向钻"}
        ),
        Term("arterial_road", "主干路", ("主干道",), notes={"method": "顶管/定向钻或开挖"}),
        Term("river", "河道", (), notes={"method": "定向钻/随桥架设/倒虹吸，需水务部门同意"}),
        Term(
            "hv_power", "高压电力线路", (), notes={"method": "交叉净距与保护措施，需供电部门同意"}
        ),
        Term(
            "gas_trunk",
            "次高压/高压燃气干线",
            ("燃气干线",),
            notes={"method": "交叉净距与保护措施，需燃气部门同意"},
        ),
        Term("water_trunk", "输水干管", (), notes={"method": "交叉净距与保护措施，需供水部门同意"}),
        Term(
            "oil_pipeline",
            "输油管道",
            (),
            notes={"method": "交叉净距与保护措施，需管道产权单位同意"},
        ),
    ),
)
"""Kinds of major lines a route may cross. Note ``method``: how a survey expects it crossed."""

DEFAULT_CROSSING_METHOD_ZH = "顶管/定向钻/架空"
"""The crossing method of a kind without its own (a road crossing)."""

SURFACES: Vocabulary[str] = Vocabulary(
    "surface",
    "开挖面",
    (
        Term("sidewalk", "人行道", notes={"works": "挖掘人行道"}),
        Term("green", "绿地", notes={"works": "临时占用绿地"}),
        Term("carriageway", "车行道"),
        # one wording: the maps and documents said 红线至人行道引入段, the survey 红线引入段
        Term(
            "lead_in", "红线至人行道引入段", ("红线引入段",), notes={"works": "红线至人行道引入段"}
        ),
    ),
)
"""Surfaces a route digs. Note ``works``: the works on it as a document names them."""

TRENCH_SEGMENT_KINDS: Vocabulary[str] = Vocabulary(
    "trench segment kind",
    "开挖段类型",
    (
        Term("sidewalk", "沿人行道开挖"),
        Term("crossing", "横穿车行道"),
    ),
)
"""The stretches of a joint trench (:class:`planning.shared_trench.TrenchSegment` ``kind``)."""
