"""A project as registered and collected (附件2 and the intents spreadsheet).

Enterprise and business types, the supply roles of its routes (主供/备供) and the columns of the
intents spreadsheet.
"""

from __future__ import annotations

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "BUSINESS_TYPES",
    "DEMAND_SOURCES",
    "ENTERPRISE_TYPES",
    "INTENT_COLUMNS",
    "ROUTE_ROLES",
]

ENTERPRISE_TYPES: Vocabulary[str] = Vocabulary(
    "enterprise type",
    "企业类型",
    (
        Term("industrial", "工业"),
        Term("commercial", "商业"),
        Term("real_estate", "房地产开发"),
        Term("public", "公共"),
        Term("other", "其他"),
    ),
)

BUSINESS_TYPES: Vocabulary[str] = Vocabulary(
    "business type",
    "业务类型",
    (
        Term("new", "新装"),
        Term("expansion", "扩容"),
        Term("temporary", "临时用电", ("临时",)),
    ),
)
"""The 附件2 form's power business types."""

DEMAND_SOURCES: Vocabulary[str] = Vocabulary(
    "demand source",
    "需求来源",
    (
        Term("form", "需求信息采集单（附件2）", ("采集单",)),
        Term("profile_default", "默认需求（未提交采集单，按小型工业企业估算）", ("默认需求",)),
    ),
)
"""Which demand an assessment used: the site's 附件2 form, or the default when it has none."""

ROUTE_ROLES: Vocabulary[str] = Vocabulary(
    "route role", "供电方式", (Term("main", "主供"), Term("backup", "备供"))
)

INTENT_COLUMNS: Vocabulary[str] = Vocabulary(
    "intents column",
    "意向登记表列",
    (
        Term("intent_id", "意向编号", ("id", "意向登记编号", "登记编号", "项目编号", "编号")),
        Term("name", "项目名称", ("意向项目名称", "名称")),
        Term(
            "expected_start",
            "预计开工日期",
            ("预计开工时间", "计划开工日期", "计划开工时间", "开工日期", "开工时间"),
        ),
        Term("registered_by", "登记单位", ("登记部门", "招商单位", "招商部门")),
        Term("utilities", "需求专业", ("接入需求", "接入专业", "需求类型", "水气热电网需求")),
        Term("lon", "经度", ("lng", "long", "longitude")),
        Term("lat", "纬度", ("latitude",)),
        Term("x", "东坐标", ("easting",)),
        Term("y", "北坐标", ("northing",)),
        Term(
            "wkt",
            "用地范围",
            ("geometry", "geom", "几何", "用地红线", "红线范围"),
            {"header": "用地范围, WKT"},
        ),
        # quantities: the Chinese names need a unit in brackets (用水量(立方米/日)); the
        # English names carry it; "water" … name the quantity only in a quantity column.
        # The 附件2 form's names are aliases: 用水规模, 主供容量, 天然气负荷, 用热 …
        Term(
            "water_m3_day",
            "用水量",
            ("日用水量", "用水需求", "用水规模", "water"),
            {"header": "用水量(立方米/日)"},
        ),
        Term(
            "power_kva",
            "用电容量",
            ("用电需求", "报装容量", "用电报装容量", "主供容量", "power"),
            {"header": "用电容量(千伏安)"},
        ),
        Term(
            "gas_m3_h",
            "用气量",
            ("用气需求", "小时用气量", "用气规模", "天然气负荷", "gas"),
            {"header": "用气量(立方米/小时)"},
        ),
        Term(
            "steam_t_h",
            "用汽量",
            (
                "用汽需求",
                "蒸汽用量",
                "蒸汽需求",
                "用热量",
                "用热规模",
                "正常生产小时用量",
                "steam",
            ),
            {"header": "用汽量(吨/小时)"},
        ),
        Term(
            "area_m2",
            "用地面积",
            ("占地面积", "面积", "area"),
            {"header": "用地面积(平方米) or 用地面积(亩)"},
        ),
    ),
)
"""The intents spreadsheet's columns (gis.io.intents). Form ``header``: the header to write."""
