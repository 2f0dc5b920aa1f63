"""What the system hands out: checklist categories, survey layers, basemaps, documents."""

from __future__ import annotations

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "BASEMAPS",
    "CHECKLIST_CATEGORIES",
    "DOCUMENT_KINDS",
    "SURVEY_LAYERS",
]

CHECKLIST_CATEGORIES: Vocabulary[str] = Vocabulary(
    "checklist category",
    "核查类别",
    (
        Term("applicability", "适用性"),
        Term("coverage", "管网覆盖"),
        Term("tap", "接驳点"),
        Term("major_crossing", "重大管线穿越"),
        Term("carriageway", "车行道破路"),
        Term("dig_once", "禁挖道路"),
        Term("section", "同沟断面"),
        Term("green", "绿地恢复"),
    ),
)
"""The survey checklist's categories, in checklist order."""

SURVEY_LAYERS: Vocabulary[str] = Vocabulary(
    "survey layer",
    "踏勘包图层",
    (
        Term("site", "项目地块（建筑区划红线）"),
        Term("routes", "外线路由（主供、备供）"),
        Term("taps", "接驳点（公共管网上的接入位置）"),
        Term("crossings", "穿(跨)越点：重大管(线、路)与车行道"),
        Term("trench_segments", "开挖段（联合施工同沟段）"),
        Term("checklist", "踏勘核查表"),
        Term("package_info", "踏勘包信息"),
    ),
)
"""The survey package's layers and their descriptions."""

BASEMAPS: Vocabulary[str] = Vocabulary(
    "basemap",
    "底图",
    (
        Term("none", "无底图（离线）"),
        Term("tianditu", "天地图"),
        Term("osm", "OpenStreetMap"),
        Term("gaode", "高德地图"),
    ),
)

DOCUMENT_KINDS: Vocabulary[str] = Vocabulary(
    "document",
    "文书",
    (
        Term("intake_form", "附件2 需求信息采集单", (), {"file": "附件2_需求信息采集单"}),
        Term("approval_sheet", "附件3 综合审批意见单", (), {"file": "附件3_综合审批意见单"}),
        Term("planning_opinion", "规划意见（草拟）", (), {"file": "规划意见_草拟"}),
    ),
)
"""The documents of a project. Form ``file``: the name of its file."""
