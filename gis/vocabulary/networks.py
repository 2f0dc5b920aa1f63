"""The utility networks: the five utilities (水气热电网), operators and asset attributes.

The attributes of a network asset: gas pressure class, heat medium, existing or planned.
"""

from __future__ import annotations

from gis.vocabulary.core import Term, Vocabulary

__all__ = [
    "GAS_PRESSURE_CLASSES",
    "HEAT_MEDIA",
    "NETWORK_ROLES",
    "NETWORK_STATUSES",
    "OPERATORS",
    "SOURCE_KINDS",
    "UTILITIES",
]

# fmt: off
_UTILITY_ROWS = (
    # value, label, aliases; 附件2 tick box (form), GB 50289 name (pipeline), what feeds the
    # network (source); note tap_check
    ("water", "供水", ("水", "给水", "用水", "自来水"), "用水", "给水", "水源",
     "位置、埋深、管径与水压余量"),
    ("gas", "燃气", ("气", "供气", "用气", "天然气"), "用气", "燃气", "气源",
     "位置、埋深、压力级制、管径与调压条件"),
    ("heat", "供热", ("热", "汽", "热力", "用热", "蒸汽", "供汽", "用汽", "steam"), "供热", "热力", "热源",
     "位置、埋深、介质参数（压力、温度）与供热余量"),
    ("power", "供电", ("电", "电力", "用电", "electricity"), "用电", "电力", "电源",
     "位置、电压等级、馈线与可用容量"),
    ("telecom", "通信", ("网", "通讯", "网络", "宽带", "光纤", "电信"), "网络", "通信", "局端",
     "位置、管孔与光缆余量"),
)
# fmt: on

# the capacity check (issue 16): the calculation, the model, and the attributes judged without one
_CAPACITY_NOTES = {
    "water": ("水力计算", "水力模型", "管径"),
    "gas": ("水力计算", "水力模型", "压力级制与管径"),
    "heat": ("水力计算", "水力模型", "介质参数"),
    "power": ("潮流计算", "潮流模型", "电压等级与剩余容量"),
    "telecom": ("", "", "运营商"),
}

UTILITIES: Vocabulary[str] = Vocabulary(
    "utility",
    "专业",
    tuple(
        Term(
            value,
            zh,
            aliases,
            {"form": form, "pipeline": pipeline, "source": source},
            notes={
                "tap_check": check,
                **dict(
                    zip(
                        ("capacity_check", "capacity_model", "capacity_attributes"),
                        _CAPACITY_NOTES[value],
                        strict=True,
                    )
                ),
            },
        )
        for value, zh, aliases, form, pipeline, source, check in _UTILITY_ROWS
    ),
)
"""The five utilities (水气热电网). Forms: ``form`` the 附件2 tick boxes, ``pipeline`` the
pipeline names of GB 50289-2016's tables, ``source`` what feeds the network (气源, 热源 …);
notes: ``tap_check``, what a survey checks at the tap; ``capacity_check``, ``capacity_model``,
``capacity_attributes``: the capacity check's calculation, its model, and the attributes judged
without one (issue 16)."""

OPERATORS: Vocabulary[str] = Vocabulary(
    "telecom operator",
    "通信运营商",
    (
        Term("china_mobile", "中国移动"),
        Term("china_unicom", "中国联通"),
        Term("china_telecom", "中国电信"),
        Term("china_broadnet", "中国广电", ("荆门广电",)),
    ),
)

# 街坊路, not 街巷: the contract (gis.schema.ROAD_CLASSES) and the decision reasons already say
# 街坊路, the term of the road-classification standards for the lanes inside a block below

GAS_PRESSURE_CLASSES: Vocabulary[str] = Vocabulary(
    "gas pressure class",
    "燃气压力级制",
    (
        Term("low", "低压"),
        Term("medium_b", "中压B"),
        Term("medium_a", "中压A"),
        Term("subhigh_b", "次高压B"),
        Term("subhigh_a", "次高压A"),
        Term("high_b", "高压B"),
        Term("high_a", "高压A"),
    ),
)
"""GB 50028 pressure classes, low to high."""

HEAT_MEDIA: Vocabulary[str] = Vocabulary(
    "heat medium", "供热介质", (Term("steam", "蒸汽"), Term("hot_water", "热水"))
)

NETWORK_STATUSES: Vocabulary[str] = Vocabulary(
    "asset status", "管线状态", (Term("existing", "现状"), Term("planned", "规划"))
)

NETWORK_ROLES: Vocabulary[str] = Vocabulary(
    "pipe role",
    "管段用途",
    (
        Term("distribution", "配水/配气管段", ("配水管", "配气管", "支管", "干管")),
        Term("connection", "连通管段", ("连通管", "连接管", "路口连通管")),
    ),
)
"""What a pipe of a network is for (optional ``role`` field; empty: distribution).

A ``connection`` joins mains under a road junction: it carries flow in the network models but
no new connection is made on it (its inside lies under the junction's carriageway)."""

SOURCE_KINDS: Vocabulary[str] = Vocabulary(
    "network source kind",
    "供应源类型",
    (
        Term("reservoir", "水厂/水库", ("水厂", "水库", "清水池"), notes={"utility": "water"}),
        Term("tank", "水塔/高位水池", ("水塔", "高位水池"), notes={"utility": "water"}),
        Term("gas_station", "燃气门站", ("门站",), notes={"utility": "gas"}),
        Term("regulator", "调压站", ("调压箱",), notes={"utility": "gas"}),
        Term("heat_source", "热源厂", ("热源", "热电厂", "锅炉房"), notes={"utility": "heat"}),
        Term("substation", "变电站", ("变电所", "配电变压器"), notes={"utility": "power"}),
    ),
)
"""What feeds a network (the ``sources`` layer's ``kind``); note ``utility``: whose source."""
