"""The 用户水、气、热、电、网需求信息采集单 (seed 附件2) as a pydantic model, one field per box.

Sections per utility (用水/用电/用气/供热/网络报装接入), the applicant's identity fields, the
labels of the form (:data:`FORM_LABELS_ZH`) and the profile's default demand as a form
(:func:`default_intake`). Units are those printed on the form; each field's description states
its unit and its Chinese label is in ``json_schema_extra["zh"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from gis.errors import Problem
from gis.profile import Profile, load_profile
from gis.schema import UTILITIES
from planning.intake._common import NO_CODE, _models_in
from planning.intake.consistency import cross_field_problems
from planning.intake.fields import (
    BusinessType,
    Count,
    CreditCode,
    IdNumber,
    Name,
    Number,
    OperatorName,
    OptCode,
    OptName,
    OptText,
    Phone,
    ProjectCode,
    UtilityName,
    YesNo,
    _dedupe,
    _empty_to_none,
    _field,
    _split_list,
)
from planning.intake.sizing import DEFAULT_PROFILE, DemandSummary, summarise, water_factors

__all__ = [
    "FORM_LABELS_ZH",
    "IDENTITY_FIELDS",
    "GasEquipment",
    "GasRequest",
    "HeatRequest",
    "Intake",
    "PowerRequest",
    "TelecomRequest",
    "WaterRequest",
    "default_intake",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class WaterRequest(_Section):
    """用水报装接入: the water section of the form."""

    water_m3_day: Number = _field(
        "用水规模",
        "Daily water use (用水规模), m³/d (立方米/日), as stated on the form.",
        unit="m³/d",
        ge=0,
        allow_inf_nan=False,
    )


class PowerRequest(_Section):
    """用电报装接入: the power section of the form."""

    business_type: BusinessType = _field(
        "业务类型",
        "Business type (业务类型): new (新装), expansion (扩容) or temporary (临时用电).",
    )
    main_capacity_kva: Number = _field(
        "主供容量",
        "Main supply capacity (主供容量), kVA; the form says 千伏安 (千瓦), a figure in kW is "
        "taken as kVA (the form's own equivalence, power factor 1).",
        unit="kVA",
        ge=0,
        allow_inf_nan=False,
    )
    backup_capacity_kva: Number = _field(
        "备供容量",
        "Backup supply capacity (备供容量), kVA (千伏安/千瓦); 0 = no backup. A backup means a "
        "second route to a different feeder.",
        unit="kVA",
        default=0.0,
        ge=0,
        allow_inf_nan=False,
    )


class GasEquipment(_Section):
    """One row of the gas table (用气设备): one kind of appliance, loads **per unit**."""

    name: Name = _field("设备名称", "Equipment name (设备名称), e.g. 燃气蒸汽锅炉.")
    count: Count = _field("数量", "Number of identical units (数量), ≥ 1.", unit="units", ge=1)
    burner_diameter_mm: Number | None = _field(
        "燃烧器口径",
        "Burner connection diameter (燃烧器口径), mm (DN); the form prints no unit, mm is assumed.",
        unit="mm",
        default=None,
        ge=0,
        allow_inf_nan=False,
    )
    working_pressure_kpa: Number | None = _field(
        "用气压力（工作）",
        "Gas supply working pressure (用气压力 工作), kPa (gauge).",
        unit="kPa",
        default=None,
        ge=0,
        allow_inf_nan=False,
    )
    equipment_pressure_kpa: Number | None = _field(
        "用气压力（设备）",
        "Pressure the equipment needs at its inlet (用气压力 设备), kPa (gauge).",
        unit="kPa",
        default=None,
        ge=0,
        allow_inf_nan=False,
    )
    normal_m3_h: Number = _field(
        "天然气负荷（正常工作）",
        "Natural gas load of ONE unit in normal operation (天然气负荷 正常工作), m³/h (方/小时); "
        "the row's total is count × this.",
        unit="m³/h",
        ge=0,
        allow_inf_nan=False,
    )
    full_load_m3_h: Number = _field(
        "天然气负荷（满负荷）",
        "Natural gas load of ONE unit at full load (天然气负荷 满负荷), m³/h (方/小时); "
        "the row's total is count × this; not below the normal load.",
        unit="m³/h",
        ge=0,
        allow_inf_nan=False,
    )


class GasRequest(_Section):
    """用气报装接入: the gas section of the form (its equipment table)."""

    equipment: list[GasEquipment] = _field(
        "用气设备",
        "Equipment rows (设备名称, 数量, 燃烧器口径, 用气压力, 天然气负荷), at least one.",
        min_length=1,
    )


class HeatRequest(_Section):
    """供热报装接入: the heat (steam) section of the form (用热参数)."""

    pressure_mpa: Number = _field(
        "压力",
        "Steam pressure needed at the site (压力), MPa (gauge, 表压).",
        unit="MPa",
        ge=0,
        allow_inf_nan=False,
    )
    temperature_c: Number = _field(
        "温度", "Steam temperature needed (温度), °C.", unit="°C", ge=0, allow_inf_nan=False
    )
    normal_t_h: Number = _field(
        "正常生产小时用量",
        "Steam use per hour in normal production (正常生产小时用量), t/h.",
        unit="t/h",
        ge=0,
        allow_inf_nan=False,
    )
    full_load_t_h: Number = _field(
        "满负荷小时用量",
        "Steam use per hour at full load (满负荷小时用量), t/h; not below the normal use.",
        unit="t/h",
        ge=0,
        allow_inf_nan=False,
    )
    hours_per_day: Number | None = _field(
        "生产时间",
        "Production hours per day (生产时间), h/d, 0–24.",
        unit="h/d",
        default=None,
        ge=0,
        le=24,
        allow_inf_nan=False,
    )
    days_per_year: Count | None = _field(
        "年生产天数",
        "Production days per year (年生产天数), d/a, 0–366.",
        unit="d/a",
        default=None,
        ge=0,
        le=366,
    )


class TelecomRequest(_Section):
    """网络报装接入: the telecom section of the form."""

    ftth: YesNo = _field(
        "通信设施是否采用光纤到户/光纤到用户单元方式建设",
        "Communication facilities built as fibre to the home / user unit (光纤到户): yes/no.",
    )
    weak_current_ready: YesNo = _field(
        "红线内弱电配套设施是否具备",
        "Weak-current facilities (ducts, rooms) inside the red line ready (红线内弱电配套设施): yes/no.",
    )
    bandwidth_households: Count = _field(
        "带宽需求",
        "Broadband demand (带宽需求), households/user units (户).",
        unit="户",
        default=0,
        ge=0,
    )
    base_stations: Count = _field(
        "无线基站覆盖需求",
        "Wireless base-station coverage demand (无线基站覆盖需求), stations (个).",
        unit="个",
        default=0,
        ge=0,
    )
    cable_tv_households: Count = _field(
        "有线电视需求",
        "Cable TV demand (有线电视需求), households/user units (户).",
        unit="户",
        default=0,
        ge=0,
    )
    free_operator_choice: YesNo = _field(
        "用户是否可自由选择通信业务经营者",
        "The user may freely choose the telecom operator (用户是否可自由选择通信业务经营者): yes/no.",
    )
    preferred_operators: list[OperatorName] = _field(
        "意向运营商",
        "Not on the form (Linkplan extension): preferred operators from "
        "gis.schema.TELECOM_OPERATORS; empty = any.",
        default_factory=list,
    )


_SECTIONS: dict[str, type[_Section]] = {
    "water": WaterRequest,
    "power": PowerRequest,
    "gas": GasRequest,
    "heat": HeatRequest,
    "telecom": TelecomRequest,
}

IDENTITY_FIELDS: tuple[str, ...] = (
    "applicant",
    "credit_code",
    "project_code",
    "address",
    "id_number",
    "legal_representative",
    "contact",
    "phone",
)
"""Fields a submitted form must fill (``require_identity=True``); a planning intake
(:func:`default_intake`, a 招商局 intent) may leave them empty."""

_SKIP_CONSISTENCY = "linkplan_skip_consistency"


class Intake(BaseModel):
    """The 用户水、气、热、电、网需求信息采集单 (seed 附件2), one field per box of the form.

    Build it with :func:`parse_intake` (all problems at once, as :class:`~gis.errors.ValidationError`)
    or :func:`load_intake`. Constructing it directly also runs the consistency checks, but reports
    them as one pydantic error.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    form_number: OptCode = _field(
        "编号", "Form number (编号 ____年（）号), as written by the 行政审批局.", default=None
    )
    project_name: Name = _field("项目名称", "Project name (项目名称).")
    applicant: OptName = _field("申请单位", "Applying enterprise (申请单位).", default=None)
    credit_code: CreditCode = _field(
        "信用代码",
        "Unified social credit code of the applicant (统一社会信用代码), 18 characters, GB 32100-2015.",
        default=None,
    )
    project_code: ProjectCode = _field(
        "项目代码",
        "National investment project code (投资项目代码), e.g. 2301-420804-04-01-123456.",
        default=None,
    )
    address: OptText = _field("项目地址", "Project address (项目地址).", default=None)
    id_number: IdNumber = _field(
        "身份证号",
        "ID number of the legal representative (身份证号), 18 characters, GB 11643-1999.",
        default=None,
    )
    legal_representative: OptName = _field(
        "法定代表人", "Legal representative (法定代表人).", default=None
    )
    contact: OptName = _field("联系人", "Contact person (联系人).", default=None)
    phone: Phone = _field(
        "联系电话",
        "Contact phone (联系电话): mobile, or landline with area code (荆门 0724).",
        default=None,
    )
    site_id: OptCode = _field(
        "地块编号",
        "Not on the form: project_id of the site polygon in the workspace's sites layer.",
        default=None,
    )
    utilities: Annotated[
        list[UtilityName], BeforeValidator(_split_list), AfterValidator(_dedupe)
    ] = _field(
        "申请联合报装接入内容",
        "Requested utilities (申请联合报装接入内容): water 用水, power 用电, gas 用气, heat 供热, "
        "telecom 网络; names of gis.schema.UTILITIES, at least one.",
        min_length=1,
    )
    water: Annotated[WaterRequest | None, BeforeValidator(_empty_to_none)] = _field(
        "用水报装接入", "Water section (选填).", default=None
    )
    power: Annotated[PowerRequest | None, BeforeValidator(_empty_to_none)] = _field(
        "用电报装接入", "Power section (选填).", default=None
    )
    gas: Annotated[GasRequest | None, BeforeValidator(_empty_to_none)] = _field(
        "用气报装接入", "Gas section (选填).", default=None
    )
    heat: Annotated[HeatRequest | None, BeforeValidator(_empty_to_none)] = _field(
        "供热报装接入", "Heat (steam) section (选填).", default=None
    )
    telecom: Annotated[TelecomRequest | None, BeforeValidator(_empty_to_none)] = _field(
        "网络报装接入", "Telecom section (选填).", default=None
    )

    _warnings: list[Problem] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Intake:
        if isinstance(info.context, Mapping) and info.context.get(_SKIP_CONSISTENCY):
            return self
        found = cross_field_problems(self.model_dump(), flagged=set())
        errors = [p for p in found if p.severity == "error"]
        if errors:
            msg = "; ".join(str(p) for p in errors)
            raise ValueError(msg)
        self._warnings = [p for p in found if p.severity != "error"]
        return self

    @property
    def feature(self) -> str:
        """The form's label in problems: its ``project_code``, or ``"(no code)"``."""
        return self.project_code or NO_CODE

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Warning-severity problems found when the form was parsed (it is usable)."""
        return tuple(self._warnings)

    @property
    def requested(self) -> tuple[str, ...]:
        """Requested utilities, each once, in :data:`gis.schema.UTILITIES` order."""
        return tuple(u for u in UTILITIES if u in self.utilities)

    def demand_summary(self, *, profile: Profile | str = DEFAULT_PROFILE) -> DemandSummary:
        """Return the sizing quantities of every requested utility.

        Parameters
        ----------
        profile
            Policy profile (or its name) with ``demand.water_peak_factor`` and
            ``demand.water_hours_per_day``.

        Returns
        -------
        DemandSummary
            Water peak hourly flow ``Q_d × K_h / T`` (m³/h); gas totals ``Σ count × load``
            (m³/h); steam pressure, temperature and t/h; power main and backup kVA; telecom needs.
            Utilities that were not requested are ``None`` (a section filled without its tick box
            only raised a warning).
        """
        return summarise(self, profile=profile)


def default_intake(profile: Profile | str, *, utilities: Iterable[str] = UTILITIES) -> Intake:
    """Return the profile's default demand of a small industrial enterprise as an intake.

    Used for a site or a 招商局 intent whose demand is not known yet; identity fields are empty.
    The profile's ``demand.default`` holds sizing quantities (the keys
    :func:`planning.assess.default_demand` reads); they become form sections so that
    ``default_intake(p).demand_summary(profile=p)`` gives them back:

    - water: ``water_m3_day = water_peak_m3_h × T / K_h`` (``demand.water_hours_per_day``,
      ``demand.water_peak_factor``);
    - gas: one appliance with normal = full load = ``gas_peak_m3_h``;
    - heat: ``steam_pressure_mpa``, ``steam_temperature_c``, normal = full = ``steam_t_h``;
    - power: a new connection (新装) of ``power_kva``, backup ``backup_kva``;
    - telecom: ``demand.default_telecom``, free operator choice when ``operators_needed > 1``.

    Parameters
    ----------
    profile
        Policy profile (or its name).
    utilities
        Utilities to request (names of :data:`gis.schema.UTILITIES`).

    Raises
    ------
    ValueError
        If a utility name is unknown.
    ProfileError
        If the profile lacks a value the requested utilities need.

    Examples
    --------
    >>> intake = default_intake("jingmen-2023", utilities=["water", "power"])
    >>> intake.requested, intake.power.main_capacity_kva
    (('water', 'power'), 630.0)
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    wanted = list(dict.fromkeys(utilities))
    unknown = [u for u in wanted if u not in UTILITIES]
    if unknown:
        msg = f"unknown utilities {unknown}: expected names from {list(UTILITIES)}"
        raise ValueError(msg)
    d = prof.demand.default
    sections: dict[str, dict[str, Any]] = {}
    if "water" in wanted:
        factor, hours = water_factors(prof)
        sections["water"] = {"water_m3_day": d.water_peak_m3_h * hours / factor}
    if "power" in wanted:
        sections["power"] = {
            "business_type": "new",
            "main_capacity_kva": d.power_kva,
            "backup_capacity_kva": d.backup_kva,
        }
    if "gas" in wanted:
        load = d.gas_peak_m3_h
        row = {"name": "默认用气设备", "count": 1, "normal_m3_h": load, "full_load_m3_h": load}
        sections["gas"] = {"equipment": [row]}
    if "heat" in wanted:
        steam = d.steam_t_h
        sections["heat"] = {
            "pressure_mpa": d.steam_pressure_mpa,
            "temperature_c": d.steam_temperature_c,
            "normal_t_h": steam,
            "full_load_t_h": steam,
        }
    if "telecom" in wanted:
        telecom: dict[str, Any] = prof.demand.default_telecom.model_dump()
        telecom.setdefault("free_operator_choice", d.operators_needed > 1)
        sections["telecom"] = telecom
    data: dict[str, Any] = {
        "project_name": f"默认需求：小型工业企业 (profile {prof.name})",
        "utilities": wanted,
        **sections,
    }
    return Intake.model_validate(data)


def _labels(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "zh" in extra:
            out[prefix + name] = str(extra["zh"])
        for inner in _models_in(info.annotation):
            out.update(_labels(inner, f"{prefix}{name}."))
    return out


FORM_LABELS_ZH: dict[str, str] = _labels(Intake)
"""Chinese label of every field by dotted path without indices, e.g. ``"gas.equipment.count"``."""
