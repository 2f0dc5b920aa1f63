"""Chinese name parts for the city-size benchmark district (plausible, invented).

Road names follow local usage: 大道 for arterials, 路 for secondary and branch roads, 街 for
access roads, 快速路 for expressways, with ordinals (二路, 三路 …) in planned new districts.
Place words mix real Jingmen 掇刀区 names (象山, 白云, 月亮湖, 竹皮河 …) with invented ones;
no name here is meant to locate a real street.
"""

from __future__ import annotations

__all__ = [
    "CITY_REGISTRARS",
    "COMPANY_CORES",
    "INDUSTRY_WORDS",
    "ORDINALS",
    "ROAD_PLACE_WORDS",
    "ROAD_SUFFIX",
]

ROAD_PLACE_WORDS: tuple[str, ...] = (
    "象山",
    "白云",
    "掇刀",
    "迎宾",
    "杨湾",
    "凤凰",
    "长宁",
    "月亮湖",
    "天鹅",
    "延年",
    "响岭",
    "团林",
    "麻城",
    "子陵",
    "牌楼",
    "漳河",
    "石化",
    "福耀",
    "名泉",
    "龙泉",
    "东宝",
    "虎牙",
    "兴隆",
    "培公",
    "荆楚",
    "楚天",
    "汉通",
    "泉口",
    "竹园",
    "双喜",
    "星光",
    "文昌",
    "明德",
    "杏林",
    "朝阳",
    "康庄",
    "和平",
    "光明",
    "民生",
    "振兴",
    "高新",
    "创业",
    "科技",
    "工业",
    "物流",
    "通达",
    "顺风",
    "荷花",
    "桃园",
    "松林",
    "鸿运",
    "学苑",
    "体育",
    "会展",
    "新港",
    "月湖",
    "金桥",
    "银河",
    "长青",
    "望城",
)
"""Place words for road names (60)."""

ORDINALS: tuple[str, ...] = ("", "二", "三", "四", "五", "六", "七", "八", "九", "十")
"""Ordinals for numbered roads; the first road of a name has none (象山大道, 象山二路 …)."""

ROAD_SUFFIX: dict[str, str] = {
    "expressway": "快速路",
    "arterial": "大道",
    "secondary": "路",
    "branch": "路",
    "access": "街",
}
"""Suffix by road class."""

COMPANY_CORES: tuple[str, ...] = (
    "恒泰",
    "鑫源",
    "华瑞",
    "荆鹏",
    "宏达",
    "金盛",
    "嘉禾",
    "中科",
    "楚韵",
    "天润",
    "瑞丰",
    "聚能",
    "博远",
    "汉江",
    "荆力",
    "明阳",
    "东方",
    "新宇",
    "德润",
    "永信",
    "国泰",
    "安琪",
    "凯旋",
    "盛世",
    "长江",
    "华中",
    "九州",
    "天成",
    "远大",
    "合力",
)
"""Company name cores (字号)."""

INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "industrial": (
        "新材料",
        "精密机械",
        "化工",
        "食品",
        "电子",
        "汽车零部件",
        "生物医药",
        "新能源",
        "包装",
        "纺织",
        "磷化工",
        "储能电池",
        "智能装备",
        "建材",
    ),
    "commercial": ("商贸", "物流", "酒店", "购物中心", "冷链", "电商产业园", "汽车销售", "餐饮"),
    "real_estate": ("花园", "华府", "名苑", "悦府", "公馆"),
    "public": ("学校", "医院", "文体中心", "社区服务中心"),
    "other": ("农业科技", "文化传媒", "仓储"),
}
"""Industry or project words by enterprise type."""

CITY_REGISTRARS: tuple[str, ...] = (
    "荆门市招商局",
    "掇刀区招商服务中心",
    "荆门高新区招商局",
    "漳河新区招商局",
)
"""Who registers an investment intent (一口登记)."""
