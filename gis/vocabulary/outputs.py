"""What the system hands out: checklist categories, survey layers, basemaps, documents."""

from __future__ import annotations

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "BASEMAPS",
    "CHECKLIST_CATEGORIES",
    "DOCUMENT_KINDS",
    "PROBLEM_KINDS",
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
        Term("lead_ins", "红线引入段（建筑区划红线至外线沿道路段起点）"),
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

PROBLEM_KINDS: Vocabulary[str] = Vocabulary(
    "problem kind",
    "问题类别",
    (
        # the findings of the validators and readers (gis.errors.Problem ``code``)
        Term("invalid", "取值无效"),
        Term("missing_field", "缺少字段"),
        Term("missing_value", "字段无值"),
        Term("missing_layer", "缺少图层"),
        Term("missing_crs", "缺少坐标参考系"),
        Term("missing_node", "缺少节点"),
        Term("missing", "缺少取值"),
        Term("empty", "内容为空"),
        Term("empty_layer", "图层为空"),
        Term("empty_geometry", "几何为空"),
        Term("invalid_geometry", "几何无效"),
        Term("repaired_geometry", "几何已修复"),
        Term("wrong_geometry_type", "几何类型不符"),
        Term("wrong_type", "数据类型不符"),
        Term("type", "类型不符"),
        Term("exploded", "多部件已拆分"),
        Term("outside_extent", "超出范围"),
        Term("outside_crs_area", "超出坐标系适用范围"),
        Term("crs", "坐标参考系不符"),
        Term("bad_coordinates", "坐标无效"),
        Term("bad_value", "数值无效"),
        Term("bad_unit", "单位无效"),
        Term("invalid_enum", "不在可选值内"),
        Term("duplicate_id", "编号重复"),
        Term("duplicate_column", "列名重复"),
        Term("extra_layer", "多余图层"),
        Term("extra_cells", "多余单元格"),
        Term("exists", "已存在"),
        Term("unknown_site", "地块不存在"),
        Term("unknown_utility", "专业不存在"),
        Term("unknown_step", "办理环节不存在"),
        Term("unknown_parameter", "未知参数"),
        Term("repeated_parameter", "参数重复"),
        Term("site_mismatch", "地块不一致"),
        Term("site_changed", "地块已变更"),
        Term("no_network", "无可用管网"),
        Term("confirm_site_in_use", "地块仍在使用，需确认"),
        Term("confirm_removal", "删除需确认"),
        Term("confirm_off_road", "偏离道路，需确认"),
        # FastAPI/pydantic request validation (``type`` of each error)
        Term("literal_error", "不在所列取值内"),
        Term("enum", "不在枚举值内"),
        Term("string_type", "应为文本"),
        Term("int_parsing", "应为整数", (), {"expected": "整数（如 1、2、3）"}),
        Term("int_type", "应为整数类型"),
        Term("float_parsing", "应为数值", (), {"expected": "数字"}),
        Term("float_type", "应为数值类型"),
        Term("finite_number", "应为有限数值"),
        Term("bool_parsing", "应为是/否", (), {"expected": "是或否（true / false）"}),
        Term("date_parsing", "日期格式无效", (), {"expected": "日期，如 2026-12-08"}),
        Term("date_from_datetime_parsing", "应为日期（不含时间）"),
        Term("datetime_parsing", "日期时间格式无效", (), {"expected": "日期和时间，如 2026-12-08T09:30"}),
        Term("datetime_from_date_parsing", "日期时间无法解析"),
        Term("greater_than", "数值应更大", (), {"bound": "大于"}),
        Term("greater_than_equal", "数值低于下限", (), {"bound": "不小于"}),
        Term("less_than", "数值应更小", (), {"bound": "小于"}),
        Term("less_than_equal", "数值超过上限", (), {"bound": "不大于"}),
        Term("string_too_short", "文本过短", (), {"bound": "长度不少于"}),
        Term("string_too_long", "文本过长", (), {"bound": "长度不超过"}),
        Term("string_pattern_mismatch", "格式不符"),
        Term("too_short", "条目过少"),
        Term("too_long", "条目过多"),
        Term("json_invalid", "JSON 格式无效"),
        Term("dict_type", "应为对象"),
        Term("model_attributes_type", "应为对象结构"),
        Term("list_type", "应为列表"),
        Term("extra_forbidden", "未知的键"),
        Term("value_error", "取值不合要求"),
    ),
)
"""What a validation problem is about (``Problem.code``): the Chinese beside the English."""
