"""One vocabulary: every enumeration, its Chinese labels and the aliases accepted on input.

Modelled on Django's ``TextChoices``: each enumeration is one :class:`Vocabulary` of
:class:`Term` declarations (value, Chinese label, aliases). Every reader (附件2 form, the intents
spreadsheet, the API bodies, GeoPackage import) parses with :meth:`Vocabulary.parse`, and every
writer (tables, maps, documents, survey packages) labels with :meth:`Vocabulary.label`, so a value
has one name everywhere. Where a text needs another wording of the same value (the form's tick
boxes, the pipeline names of GB 50289's tables, a document's action phrase), the term carries it
as a named *form* (:meth:`Vocabulary.label` with ``form=``); forms are accepted as aliases too.

Labels containing numbers of the policy are built from the profile
(:func:`approval_path_label`), never written here.

This module is in ``gis`` (the bottom layer) so that ``gis``, ``planning`` and ``api`` all use it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gis.errors import InputFormatError

__all__ = [
    "APPROVAL_PATHS",
    "BASEMAPS",
    "BUSINESS_TYPES",
    "CHECKLIST_CATEGORIES",
    "DOCUMENT_KINDS",
    "ENTERPRISE_TYPES",
    "GAS_PRESSURE_CLASSES",
    "HEAT_MEDIA",
    "INTENT_COLUMNS",
    "LEDGER_PATHS",
    "LEDGER_STATUSES",
    "LEDGER_STEPS",
    "MAJOR_LINE_KINDS",
    "NETWORK_STATUSES",
    "OPERATORS",
    "ROAD_CLASSES",
    "ROLES",
    "ROUTE_ROLES",
    "SURFACES",
    "SURVEY_LAYERS",
    "UTILITIES",
    "VOCABULARIES",
    "Term",
    "Vocabulary",
    "approval_path_label",
    "for_values",
    "normalise",
]

V = TypeVar("V", bound=Hashable)


def normalise(text: str) -> str:
    """Return the lookup form of an input word: NFKC (full-width → half-width), stripped, casefolded.

    Examples
    --------
    >>> normalise(" Ｗater ")
    'water'
    """
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class Term(Generic[V]):
    """One value of an enumeration: its Chinese label, accepted aliases and named wordings."""

    value: V
    zh: str
    aliases: tuple[str, ...] = ()
    forms: Mapping[str, str] = field(default_factory=dict)
    """Other names of the value in a given context (accepted on input like aliases)."""
    notes: Mapping[str, str] = field(default_factory=dict)
    """Texts about the value in a given context (a phrase, a check): not names, not parsed."""

    def words(self) -> Iterator[str]:
        """Yield every word that names this term on input (value, label, forms, aliases)."""
        if isinstance(self.value, str):
            yield self.value
        yield self.zh
        yield from self.forms.values()
        yield from self.aliases


class Vocabulary(Generic[V]):
    """An enumeration: ordered terms, their labels and a parser accepting every alias.

    Parameters
    ----------
    name
        English name, used in error messages (``utility``, ``road class`` …).
    zh
        Chinese name of the enumeration.
    terms
        The terms in display order.
    """

    def __init__(self, name: str, zh: str, terms: tuple[Term[V], ...]) -> None:
        self.name = name
        self.zh = zh
        self.terms = terms
        self._by_value: dict[V, Term[V]] = {t.value: t for t in terms}
        self._by_word: dict[str, V] = {}
        for t in terms:
            for word in t.words():
                key = normalise(word)
                other = self._by_word.setdefault(key, t.value)
                if other != t.value:
                    msg = f"{name}: {word!r} names both {other!r} and {t.value!r}"
                    raise ValueError(msg)

    @property
    def values(self) -> tuple[V, ...]:
        """The values in display order."""
        return tuple(t.value for t in self.terms)

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def __iter__(self) -> Iterator[V]:
        return iter(self.values)

    def term(self, value: V) -> Term[V]:
        """Return the term of a value (``KeyError`` if it is not one)."""
        return self._by_value[value]

    def label(self, value: Any, *, form: str | None = None, default: str | None = None) -> str:
        """Return the Chinese label of ``value`` (its ``form`` wording or note if it has one).

        An unknown value returns ``default``, or the value itself as text when no default is given.

        Examples
        --------
        >>> ROAD_CLASSES.label("access"), UTILITIES.label("water", form="pipeline")
        ('街坊路', '给水')
        >>> UTILITIES.label("sewer")
        'sewer'
        """
        t = self._by_value.get(value)
        if t is None:
            return str(value) if default is None else default
        return t.forms.get(form, t.notes.get(form, t.zh)) if form else t.zh

    def labels(self, *, form: str | None = None) -> dict[V, str]:
        """Return value → label for every term (a view for tables and legends)."""
        return {t.value: self.label(t.value, form=form) for t in self.terms}

    def expected(self) -> str:
        """Return what a reader expects, in English and Chinese: ``water (供水), gas (燃气) …``."""
        return ", ".join(f"{t.value} ({t.zh})" for t in self.terms)

    def lookup(self, text: str) -> V | None:
        """Return the value named by ``text`` (value, label, form or alias), or ``None``.

        (For the enumerations with a ``None`` value, :meth:`parse` tells it from an unknown word.)
        """
        return self._by_word.get(normalise(text))

    def words(self) -> dict[str, V]:
        """Return every accepted input word (normalised) → its value."""
        return dict(self._by_word)

    def parse(self, text: Any) -> V:
        """Return the value named by ``text``; an unknown word raises what was expected.

        Raises
        ------
        InputFormatError
            ``text`` names no value; the message lists the values and labels.

        Examples
        --------
        >>> UTILITIES.parse("自来水"), OPERATORS.parse("荆门广电"), ROAD_CLASSES.parse("街巷")
        ('water', 'china_broadnet', 'access')
        """
        if isinstance(text, str):
            key = normalise(text)
            if key in self._by_word:
                return self._by_word[key]
        elif text in self._by_value:
            return text
        msg = f"{self.name} {text!r}: 应为 {self.zh} 之一 (expected one of {self.expected()})"
        raise InputFormatError(msg)


# ------------------------------------------------------------------------------ utilities

UTILITIES: Vocabulary[str] = Vocabulary(
    "utility",
    "专业",
    (
        Term(
            "water",
            "供水",
            ("水", "给水", "用水", "自来水"),
            {
                "form": "用水",
                "pipeline": "给水",
            },
            notes={"tap_check": "位置、埋深、管径与水压余量"},
        ),
        Term(
            "gas",
            "燃气",
            ("气", "供气", "用气", "天然气"),
            {
                "form": "用气",
                "pipeline": "燃气",
            },
            notes={"tap_check": "位置、埋深、压力级制、管径与调压条件"},
        ),
        Term(
            "heat",
            "供热",
            ("热", "汽", "热力", "用热", "蒸汽", "供汽", "用汽", "steam"),
            {
                "form": "供热",
                "pipeline": "热力",
            },
            notes={"tap_check": "位置、埋深、介质参数（压力、温度）与供热余量"},
        ),
        Term(
            "power",
            "供电",
            ("电", "电力", "用电", "electricity"),
            {
                "form": "用电",
                "pipeline": "电力",
            },
            notes={"tap_check": "位置、电压等级、馈线与可用容量"},
        ),
        Term(
            "telecom",
            "通信",
            ("网", "通讯", "网络", "宽带", "光纤", "电信"),
            {
                "form": "网络",
                "pipeline": "通信",
            },
            notes={"tap_check": "位置、管孔与光缆余量"},
        ),
    ),
)
"""The five utilities (水气热电网). Forms: ``form`` the 附件2 tick boxes, ``pipeline`` the
pipeline names of GB 50289-2016's tables; note ``tap_check``: what a survey checks at the tap."""

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

APPROVAL_PATHS: Vocabulary[str | None] = Vocabulary(
    "approval path",
    "审批路径",
    (
        Term("commitment", "告知承诺制", ("告知承诺",)),
        Term("joint", "联合审批"),
        Term("not_applicable", "不适用联动接入", ("不适用",)),
        Term(None, "需提前布局管网", ("prelay",)),
    ),
)
"""The decision's paths (``None``: no network in reach, the network is laid first)."""

LEDGER_PATHS: Vocabulary[str | None] = Vocabulary(
    "ledger path",
    "审批路径",
    (
        Term("commitment", APPROVAL_PATHS.label("commitment"), ("告知承诺",)),
        Term("joint", APPROVAL_PATHS.label("joint")),
        Term(None, "路径未定", ("pending",)),
    ),
)
"""The path of a project in the ledger (``None``: not assessed yet)."""


def approval_path_label(path: str | None, profile: Any) -> str:
    """Return the path's label with its time limits from the profile (``联合审批（2+3 个工作日）``).

    Parameters
    ----------
    path
        An :data:`APPROVAL_PATHS` value.
    profile
        The policy profile: ``deadlines.submission_working_days`` and
        ``deadlines.approval_working_days`` give the joint path's two limits.
    """
    if path == "commitment":
        return f"{APPROVAL_PATHS.label(path)}（即时办结）"
    if path == "joint":
        submit = float(profile.deadlines.submission_working_days)
        approve = float(profile.deadlines.approval_working_days)
        return f"{APPROVAL_PATHS.label(path)}（{submit:g}+{approve:g} 个工作日）"
    return APPROVAL_PATHS.label(path, default="-")


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

ROUTE_ROLES: Vocabulary[str] = Vocabulary(
    "route role", "供电方式", (Term("main", "主供"), Term("backup", "备供"))
)

ROLES: Vocabulary[str] = Vocabulary(
    "role",
    "角色",
    (
        Term("admin", "系统管理员"),
        Term("investment", "招商局（意向登记）"),
        Term("intake", "受理窗口（市场监管局、自然资源和规划局、行政审批局）"),
        Term("utility", "公用事业企业规划人员"),
        Term("survey", "联合踏勘组"),
        Term("planning", "自然资源和规划局（规划意见）"),
    ),
)
"""The users' roles (seed 七、职责分工)."""

LEDGER_STEPS: Vocabulary[str] = Vocabulary(
    "step",
    "办理环节",
    (
        Term("registered", "登记", (), {"limit": "登记"}),
        Term("form_complete", "采集单齐全", (), {"limit": "采集"}),
        Term("assessed", "研判", (), {"limit": "研判"}),
        Term("surveyed", "踏勘", (), {"limit": "踏勘"}),
        Term("submitted", "提交审批", (), {"limit": "资料提交"}),
        Term("approved", "审批办结", (), {"limit": "审批"}),
        Term("constructed", "施工完成", (), {"limit": "施工"}),
        Term("connected", "接入完成", (), {"limit": "接入"}),
    ),
)
"""The ledger's time nodes. Form ``limit``: what the step's time limit is called (审批时限)."""

LEDGER_STATUSES: Vocabulary[str] = Vocabulary(
    "status",
    "办理状态",
    (
        Term("error", "无法计算"),
        Term("overdue", "已逾期"),
        Term("approaching", "临近时限"),
        Term("on_time", "正常"),
        Term("untimed", "无时限"),
        Term("done", "已办结"),
    ),
)

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
        # English names carry it; "water" … name the quantity only in a quantity column
        Term(
            "water_m3_day",
            "用水量",
            ("日用水量", "用水需求", "water"),
            {"header": "用水量(立方米/日)"},
        ),
        Term(
            "power_kva",
            "用电容量",
            ("用电需求", "报装容量", "用电报装容量", "power"),
            {"header": "用电容量(千伏安)"},
        ),
        Term(
            "gas_m3_h",
            "用气量",
            ("用气需求", "小时用气量", "gas"),
            {"header": "用气量(立方米/小时)"},
        ),
        Term(
            "steam_t_h",
            "用汽量",
            ("用汽需求", "蒸汽用量", "蒸汽需求", "steam"),
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

VOCABULARIES: tuple[Vocabulary[Any], ...] = (
    UTILITIES,
    OPERATORS,
    ROAD_CLASSES,
    MAJOR_LINE_KINDS,
    SURFACES,
    APPROVAL_PATHS,
    LEDGER_PATHS,
    GAS_PRESSURE_CLASSES,
    HEAT_MEDIA,
    NETWORK_STATUSES,
    ENTERPRISE_TYPES,
    BUSINESS_TYPES,
    ROUTE_ROLES,
    ROLES,
    LEDGER_STEPS,
    LEDGER_STATUSES,
    CHECKLIST_CATEGORIES,
    SURVEY_LAYERS,
    BASEMAPS,
    DOCUMENT_KINDS,
    INTENT_COLUMNS,
)
"""Every enumeration, for the vocabulary test."""


def for_values(values: tuple[Any, ...]) -> Vocabulary[Any] | None:
    """Return the enumeration whose values are exactly ``values`` (a schema field's choices).

    Examples
    --------
    >>> for_values(("existing", "planned")) is NETWORK_STATUSES
    True
    """
    wanted = set(values)
    return next((v for v in VOCABULARIES if set(v.values) == wanted), None)
