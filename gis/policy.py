"""Typed sections of a policy profile: one frozen pydantic model per YAML section.

A profile file is validated against :class:`Policy` when it is loaded (:mod:`gis.profile`):
an unknown key, a value of the wrong type or a missing value is an error naming the file, the
dotted key and the value. Code reads values as attributes, e.g.
``profile.commitment.max_length_m``; each field's ``title`` is its Chinese label (shown by
``linkplan profile show``). Numbers are strict: ``"300"`` is not a length.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, field_validator

__all__ = ["SECTIONS", "ClearanceTable", "Policy"]

Steps = tuple[tuple[float, float], ...]
"""``[[up to, value], ...]`` step tables, in rising order."""


def _n(zh: str) -> Any:
    """Declare a strict number (an ``int`` is accepted for a ``float``, a string is not)."""
    return Field(strict=True, title=zh)


def _f(zh: str) -> Any:
    return Field(title=zh)


def _s(zh: str) -> Any:
    """Declare a section (or top-level value) a profile may lack."""
    return Field(default=None, title=zh)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClearanceTable(_Section):
    """A clearance that depends on attributes of the two pipes (``by`` one per level)."""

    by: tuple[str, ...] = _f("取决于的属性")
    table: dict[str, Any] = _f("取值表")

    @field_validator("by", mode="before")
    @classmethod
    def _one_attribute(cls, value: Any) -> Any:
        """``by: gas.pressure_class`` is a table of one level."""
        return [value] if isinstance(value, str) else value


class CrossSection(_Section):
    """管线综合横断面 (cross-section of a shared trench)."""

    horizontal_order: tuple[str, ...] = _f("水平排列次序")
    gas_transmission_classes: tuple[str, ...] = _f("输气燃气压力级制")
    water_transmission_min_diameter_mm: float = _n("输水管最小管径（mm）")
    default_laying: dict[str, str] = _f("默认敷设方式")
    working_space_m: float = _n("沟槽工作面宽度（m）")
    water_outside_diameter_mm: Steps = _f("给水管外径表（DN → 外径 mm）")
    gas_outside_allowance_mm: float = _n("燃气管外径附加（mm）")
    heat_width_m: dict[str, float] = _f("热力管位宽度（m）")
    power_width_m: Steps = _f("电力排管宽度（kV → m）")
    telecom_width_m: float = _n("通信管道宽度（m）")
    clearance_m: dict[str, float | ClearanceTable] = _f("最小水平净距（m）")


class Roads(_Section):
    """道路 (roads)."""

    carriageway_width_m: dict[str, float] = _f("车行道宽度（m，按道路等级）")
    sidewalk_width_m: dict[str, float] = _f("人行道及绿化带宽度（m，按道路等级）")
    median_is_green: bool = Field(default=False, strict=True, title="中央分隔带可作道路绿地敷设")


class Osm(_Section):
    """OpenStreetMap 导入 (OSM import)."""

    highway_class: dict[str, str] = _f("OSM highway 标签 → 道路等级")


class Attach(_Section):
    """地块与管网挂接道路 (attaching sites and assets to roads)."""

    site_frontage_max_m: float = _n("地块临路最大距离（m）")
    asset_max_offset_m: float = _n("管网距道路中心线最大距离（m）")
    sample_step_m: float = _n("管网采样间距（m）")


class Validation(_Section):
    """数据校验 (validation)."""

    repair_max_area_change: float = _n("几何修复最大面积变化比例")
    extent_margin_m: float = _n("超出工作范围的容差（m）")
    crs_area_margin_m: float = _n("超出坐标系适用范围的容差（m）")


class Guards(_Section):
    """数据替换保护 (guards on replacing stored layers)."""

    max_removed_share: float = _n("无需确认的最大删除比例")
    min_removed: int = _n("需确认的最少删除要素数")
    max_off_road_share: float = _n("无需确认的最大离路管网比例")
    off_road_min_assets: int = _n("检查离路比例的最少管网要素数")


class Graph(_Section):
    """道路走廊图 (corridor graph)."""

    junction_snap_m: float = _n("路口端点合并距离（m）")
    end_snap_m: float = _n("到达路段端点的容差（m）")
    grade_separated_classes: frozenset[str] = _f("立交道路等级")


class Suitability(_Section):
    """管网接入适配 (which mains may be tapped)."""

    water_min_diameter_mm: Steps = _f("可接驳给水管最小管径（m³/h → mm）")
    water_max_tap_diameter_mm: float = _n("不可接驳的给水输水管管径（mm）")
    gas_tap_classes: tuple[str, ...] = _f("可接驳燃气压力级制")
    gas_low_pressure_max_m3_h: float = _n("低压供气最大流量（m³/h）")
    power_voltage_kv: Steps = _f("供电电压（kVA → kV）")
    telecom_operators_free_choice: int = _n("自由选择运营商所需运营商数")


class MajorLines(_Section):
    """重大管(线、路) (major lines and roads)."""

    water_trunk_min_diameter_mm: float = _n("重大给水管最小管径（mm）")
    gas_trunk_classes: tuple[str, ...] = _f("重大燃气管压力级制")
    hv_power_min_kv: float = _n("重大电力线最低电压（kV）")
    major_road_classes: dict[str, str] = _f("重大道路等级 → 穿越类别")


class DigOnce(_Section):
    """禁挖保护 (dig-once protection)."""

    detour_allowance: float = _n("为避让禁挖道路允许的绕行比例")
    new_road_years: int = _n("新建道路禁挖年限（年）")
    repaired_road_years: int = _n("大修道路禁挖年限（年）")


class Applicability(_Section):
    """适用范围 (applicability)."""

    excluded_enterprise_types: frozenset[str] = _f("不适用的企业类型")
    eligible_enterprise_types: frozenset[str] = _f("适用的企业类型")


class Commitment(_Section):
    """告知承诺制 (notify-and-commit)."""

    max_length_m: float = _n("告知承诺外线长度上限（m，不含）")
    allowed_surfaces: frozenset[Literal["sidewalk", "green"]] = _f("告知承诺允许挖掘的地面")
    trenchless_road_classes: frozenset[str] = _f("允许顶管/定向钻穿越的道路等级")
    major_crossing_kinds: frozenset[str] = _f("重大管(线、路)穿越类别")


class Coverage(_Section):
    """公共管网覆盖 (coverage)."""

    max_connection_m: float = _n("覆盖范围内最大接入距离（m）")


Days = StrictInt | StrictFloat
"""A whole number stays a whole number (it is printed in the reasons: 2 个工作日, not 2.0)."""


class Deadlines(_Section):
    """办理时限 (time limits)."""

    submission_working_days: Days = _f("联合审批提交资料时限（工作日）")
    approval_working_days: Days = _f("联合审批办结时限（工作日）")
    connection_working_days: Days = _f("完成接入时限（工作日）")
    general_reply_hours: Days = _f("一般事项反馈时限（小时）")
    complex_reply_working_days: Days = _f("复杂事项反馈时限（工作日）")


class Finance(_Section):
    """费用分担 (cost sharing)."""

    city_share: float = _n("市级财政承担比例")


class DefaultDemand(_Section):
    """无采集单时的默认需求 (a small industrial enterprise)."""

    water_peak_m3_h: float = _n("用水高峰流量（m³/h）")
    gas_peak_m3_h: float = _n("用气高峰流量（m³/h）")
    steam_pressure_mpa: float = _n("蒸汽压力（MPa）")
    steam_temperature_c: float = _n("蒸汽温度（℃）")
    steam_t_h: float = _n("蒸汽流量（t/h）")
    power_kva: float = _n("用电容量（kVA）")
    backup_kva: float = _n("备用电源容量（kVA）")
    operators_needed: int = _n("所需运营商数")


class DefaultTelecom(_Section):
    """无采集单时的默认通信需求."""

    ftth: bool = _f("光纤到户")
    weak_current_ready: bool = _f("弱电管道已具备")
    bandwidth_households: int = _n("宽带户数")
    base_stations: int = _n("基站数")
    cable_tv_households: int = _n("有线电视户数")


class Demand(_Section):
    """需求 (demand)."""

    default: DefaultDemand = _f("默认需求")
    water_peak_factor: float = _n("用水时变化系数 K_h")
    water_hours_per_day: float = _n("每日用水小时数")
    default_telecom: DefaultTelecom = _f("默认通信需求")


class SharedTrench(_Section):
    """同沟共建 (shared trench)."""

    max_extra_m_per_saved_m: float = _n("每节省 1 m 沟槽允许增加的管线长度（m）")


class Coordination(_Section):
    """协同施工 (coordinated construction)."""

    window_days: int = _n("协同施工时间窗（天）")
    max_gap_m: StrictInt | StrictFloat | None = Field(
        default=None, title="协同施工最大间隔（m，可选）"
    )


class TrenchRates(_Section):
    """沟槽单价（元/m）."""

    sidewalk: float = _n("人行道")
    green: float = _n("绿地")
    lead_in: float = _n("地块内引入段")
    carriageway: dict[str, float] = _f("车行道（按道路等级）")


class Costs(_Section):
    """费用估算 (indicative costs)."""

    trench_per_m: TrenchRates = _f("沟槽单价（元/m）")
    pipe_per_m: dict[str, float] = _f("管线单价（元/m，按专业）")
    crossing_items: dict[str, float] = _f("重大穿越包干价（元/处）")
    shared_widening: float = _n("同沟每增加一个专业的沟槽加价比例")


class PrelayPenalty(_Section):
    """预铺路径搜索惩罚（m）."""

    dig_once: float = _n("禁挖道路")
    major_crossing: float = _n("重大穿越")


class Prelay(_Section):
    """提前布局周边管网 (pre-laying mains)."""

    intent_frontage_max_m: float = _n("登记意向临路最大距离（m）")
    lead_time_days: dict[str, int] = _f("管网延伸提前期（天，按专业）")
    penalty_m: PrelayPenalty = _f("路径搜索惩罚（m）")
    gas_main_diameter_mm: Steps = _f("燃气干管管径（m³/h → DN）")
    steam_main_diameter_mm: Steps = _f("蒸汽干管管径（t/h → DN）")
    power_feeder_kva: float = _n("10 kV 馈线最大负荷（kVA）")


class Ledger(_Section):
    """全过程台账 (ledger)."""

    warn_share: float = _n("预警时间比例")
    departments: dict[str, tuple[str, ...]] = _f("各环节责任部门")
    utility_units: dict[str, str] = _f("各专业公用事业单位")


class WaterCapacity(_Section):
    """供水：接入点服务压力与流速 (water capacity check)."""

    min_service_pressure_mpa: float = _n("最小服务压力（MPa）")
    max_velocity_m_s: float = _n("最大流速（m/s）")
    peak_hour_factor: float = _n("时变化系数")
    default_source_head_m: float = _n("水源缺省总水头（m）")
    roughness_c: float = _n("海曾-威廉系数 C")
    specific_flow_l_s_m: float = _n("比流量（L/(s·m)）")


class GasCapacity(_Section):
    """燃气：接入点压力与流速 (gas capacity check)."""

    min_tap_pressure_kpa: dict[str, float] = _f("接入点最低压力（kPa，按压力级制）")
    max_velocity_m_s: float = _n("最大流速（m/s）")
    peak_factor: float = _n("高峰系数")


class HeatCapacity(_Section):
    """供热：接入点资用压差 (heat capacity check)."""

    min_differential_mpa: float = _n("用户入口最小资用压差（MPa）")
    max_velocity_m_s: float = _n("最大流速（m/s）")
    supply_return_dt_k: float = _n("供回水温差（K）")


class PowerCapacity(_Section):
    """供电：电压偏差与负载率 (power capacity check)."""

    voltage_band_pu: tuple[float, float] = _f("允许电压范围（标幺值）")
    max_line_loading_pct: float = _n("线路最大负载率（%）")
    max_trafo_loading_pct: float = _n("变压器最大负载率（%）")
    power_factor: float = _n("功率因数")


class Capacity(_Section):
    """管网承载能力校核（水力计算、潮流计算）."""

    water: WaterCapacity = _f("供水")
    gas: GasCapacity = _f("燃气")
    heat: HeatCapacity = _f("供热")
    power: PowerCapacity = _f("供电")
    max_taps_tried: StrictInt = _f("校核不通过时依次试接的接入点数")


class Policy(_Section):
    """A whole profile after ``extends`` is followed; a section a profile lacks is ``None``."""

    name: str = _f("名称")
    description: str = Field(default="", title="说明")
    version: int = Field(default=1, strict=True, title="版本")
    cross_section: CrossSection | None = _s("管线综合横断面")
    roads: Roads | None = _s("道路")
    osm: Osm | None = _s("OSM 导入")
    attach: Attach | None = _s("挂接道路")
    validation: Validation | None = _s("数据校验")
    guards: Guards | None = _s("数据替换保护")
    graph: Graph | None = _s("道路走廊图")
    suitability: Suitability | None = _s("管网接入适配")
    major_lines: MajorLines | None = _s("重大管(线、路)")
    dig_once: DigOnce | None = _s("禁挖保护")
    applicability: Applicability | None = _s("适用范围")
    commitment: Commitment | None = _s("告知承诺制")
    coverage: Coverage | None = _s("公共管网覆盖")
    deadlines: Deadlines | None = _s("办理时限")
    office_hours: tuple[tuple[str, str], ...] | None = _s("办公时间")
    finance: Finance | None = _s("费用分担")
    demand: Demand | None = _s("需求")
    shared_trench: SharedTrench | None = _s("同沟共建")
    coordination: Coordination | None = _s("协同施工")
    costs: Costs | None = _s("费用估算")
    prelay: Prelay | None = _s("提前布局管网")
    ledger: Ledger | None = _s("全过程台账")
    capacity: Capacity | None = _s("管网承载能力校核")


META = ("name", "description", "version")
SECTIONS: tuple[str, ...] = tuple(k for k in Policy.model_fields if k not in META)
"""Top-level keys that hold values with sources (sections, and the ``office_hours`` leaf)."""
