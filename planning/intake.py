"""The demand intake form (seed 附件2 用户水、气、热、电、网需求信息采集单) as a validated model.

One form in (一表采集), every problem out at once (一次性告知): :func:`parse_intake` never stops at
the first mistake. It runs two passes over the submitted mapping and reports both together:

1. **Field checks** by pydantic: types, required fields, non-negative numbers, ranges, unknown
   fields, and the identifier checks (统一社会信用代码 check character per GB 32100-2015,
   身份证号 birth date and check digit per GB 11643-1999, phone and 投资项目代码 formats).
2. **Consistency checks** on the raw mapping, run even when pass 1 failed: a requested utility
   needs its section and a non-zero demand; a section filled for a utility that was not requested
   is a warning; a backup capacity above the main capacity is a warning; a full load below the
   normal load is an error.

Each finding is a :class:`~gis.errors.Problem` on layer ``"intake"``, feature = the form's
``project_code`` (or ``"(no code)"``), field = a dotted path into the submitted data with
0-based list indices (``"gas.equipment[1].count"`` is the *second* equipment row).

Units are those printed on the form; each field's description states its unit and the form's
Chinese label is in the field's ``json_schema_extra["zh"]`` (collected in :data:`FORM_LABELS_ZH`).

Gas loads (天然气负荷) are **per unit**: each equipment row describes one kind of appliance by
its nameplate (燃烧器口径, 设备压力 and the loads on the same row are properties of one unit),
and the row's total is ``count × load``. Reading a row total as per unit would over-size the
connection, never under-size it. :meth:`Intake.demand_summary` multiplies by ``count``.

Examples
--------
>>> intake = parse_intake({
...     "project_name": "示例项目",
...     "utilities": ["water"],
...     "water": {"water_m3_day": 48},
... }, require_identity=False)
>>> intake.water.water_m3_day
48.0
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from gis import vocabulary
from gis.errors import InputFormatError, Problem, ProfileError, ValidationError
from gis.profile import Profile, load_profile
from gis.schema import TELECOM_OPERATORS, UTILITIES

if TYPE_CHECKING:
    from planning.suitability import Demand

__all__ = [
    "CREDIT_CODE_CHARS",
    "CREDIT_CODE_WEIGHTS",
    "DEFAULT_PROFILE",
    "FORM_LABELS_ZH",
    "IDENTITY_FIELDS",
    "ID_NUMBER_WEIGHTS",
    "PROJECT_CODE_RE",
    "UTILITY_LABELS_ZH",
    "DemandSummary",
    "GasEquipment",
    "GasRequest",
    "GasSizing",
    "HeatRequest",
    "HeatSizing",
    "Intake",
    "IntakeCheck",
    "PowerRequest",
    "PowerSizing",
    "TelecomRequest",
    "TelecomSizing",
    "WaterRequest",
    "WaterSizing",
    "check_intake",
    "credit_code_check_char",
    "credit_code_issue",
    "default_intake",
    "id_number_check_char",
    "id_number_issue",
    "load_intake",
    "load_intakes",
    "parse_intake",
    "phone_issue",
    "project_code_issue",
]

LAYER = "intake"
"""The ``layer`` of every :class:`~gis.errors.Problem` this module reports."""

NO_CODE = "(no code)"
"""The ``feature`` of problems on a form without a usable ``project_code``."""

DEFAULT_PROFILE = "jingmen-2023"
"""Profile read by :meth:`Intake.demand_summary` when none is given."""

Issue = tuple[str, str]
"""``(code, expected)``: what is wrong with an identifier, as a Problem's ``code`` and ``expected``."""

# --------------------------------------------------------------------------------------------
# Identifiers: pure check functions
# --------------------------------------------------------------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015 §4 code characters (no I, O, S, V, Z); a character's value is its index."""

CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""GB 32100-2015 附录A weights of characters 1–17 (3**i mod 31)."""

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999 §8.2 weights of digits 1–17 (2**(17-i) mod 11)."""

_ID_CHECK_CHARS = "10X98765432"
"""GB 11643-1999 §8.2: check character by ``sum mod 11``."""

PROJECT_CODE_RE = re.compile(r"^(\d{2})(\d{2})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
"""投资项目代码 (national fixed-asset investment project code), 24 characters.

Source: GB/T 40058-2021《全国固定资产投资项目代码编码规范》 §4 (components: 时间代码, 地区代码,
中央业务指导部门代码, 项目类型代码, 随机码, 校验码) and 发改投资〔2020〕1439号
《固定资产投资项目代码管理规范》, written ``YYMM-RRRRRR-DD-TT-NNNNNN``: time of assignment
(YYMM), 6-digit region (GB/T 2260 行政区划代码, e.g. 420804 掇刀区), 2-digit department, 2-digit
project type, then 6 digits of random and check code, e.g. ``2301-420804-04-01-123456``. Codes
assigned on the 在线平台 before the 2020 switch have the same shape with a 4-digit year as time
code (``2019-420804-36-03-012345``) and stay valid for projects under way, so the time code may
be YYMM with month 01–12 or a year 2015–2020. The check code is not verified.
"""

_MOBILE_RE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(
    r"^(?:\(0(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2})-?)[2-9]\d{6,7}(?:(?:-|转|ext\.?|x)\d{1,6})?$"
)
_PHONE_EXPECTED = (
    "a mainland mobile number 1[3-9] + 9 digits (e.g. 13912345678) or a landline with its area "
    "code (e.g. 0724-2345678 or 0724-23456789 for 荆门, optional extension -123)"
)


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character of the first 17 characters of a credit code.

    Parameters
    ----------
    first17
        Characters 1–17 of a 统一社会信用代码, upper case, from :data:`CREDIT_CODE_CHARS`.

    Returns
    -------
    str
        Character 18: ``CREDIT_CODE_CHARS[(31 - sum % 31) % 31]``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 code characters.

    Examples
    --------
    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARS for c in first17):
        msg = f"expected 17 characters from {CREDIT_CODE_CHARS!r}, got {first17!r}"
        raise ValueError(msg)
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_issue(code: str) -> Issue | None:
    """Say what is wrong with a 统一社会信用代码 (GB 32100-2015), or ``None`` if it is valid.

    Leading and trailing spaces are ignored and lower case is read as upper case. The
    organisation-code check character inside (character 17, GB 11714) is not verified: codes
    of 个体工商户 need not follow it.

    Examples
    --------
    >>> credit_code_issue("91350100M000100Y43") is None
    True
    >>> credit_code_issue("91350100M000100Y44")[0]
    'credit_code_check_digit'
    >>> credit_code_issue("9135010")[0]
    'credit_code_format'
    """
    text = code.strip().upper()
    if len(text) != 18:
        return ("credit_code_format", f"18 characters (GB 32100-2015), got {len(text)}")
    bad = sorted({c for c in text if c not in CREDIT_CODE_CHARS})
    if bad:
        return (
            "credit_code_format",
            f"only 0-9 and A-Y without I, O, S, V, Z (GB 32100-2015); not {''.join(bad)!r}",
        )
    if not text[2:8].isdigit():
        return (
            "credit_code_format",
            "characters 3–8 are the 6-digit 登记管理机关行政区划码 (GB 32100-2015)",
        )
    check = credit_code_check_char(text[:17])
    if text[17] != check:
        return (
            "credit_code_check_digit",
            f"check character {check!r} for {text[:17]} (GB 32100-2015 附录A)",
        )
    return None


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character of the first 17 digits of an ID number.

    Parameters
    ----------
    first17
        Digits 1–17 of a 公民身份号码.

    Returns
    -------
    str
        ``"10X98765432"[sum % 11]``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 digits.

    Examples
    --------
    >>> id_number_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        msg = f"expected 17 digits, got {first17!r}"
        raise ValueError(msg)
    total = sum(int(c) * w for c, w in zip(first17, ID_NUMBER_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def id_number_issue(number: str, *, today: dt.date | None = None) -> Issue | None:
    """Say what is wrong with an 18-character 公民身份号码 (GB 11643-1999), or ``None``.

    Checks the shape (17 digits and a check character 0–9 or X), the birth date in characters
    7–14 (a real calendar date, not before 1900 and not after ``today``) and the check character.
    The old 15-digit numbers are no longer valid ID cards and are rejected.

    Examples
    --------
    >>> id_number_issue("11010519491231002X") is None
    True
    >>> id_number_issue("110105194912310021")[0]
    'id_number_check_digit'
    >>> id_number_issue("110105194902300021")[0]
    'id_number_birth_date'
    """
    text = number.strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or not text.isascii():
        return ("id_number_format", "18 characters: 17 digits and a check character 0-9 or X")
    if not (text[17].isdigit() or text[17] == "X"):
        return ("id_number_format", "18 characters: 17 digits and a check character 0-9 or X")
    limit = today or dt.date.today()
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > limit:
        return (
            "id_number_birth_date",
            f"a real birth date YYYYMMDD between 1900 and {limit:%Y-%m-%d} in characters 7–14",
        )
    check = id_number_check_char(text[:17])
    if text[17] != check:
        return (
            "id_number_check_digit",
            f"check character {check!r} for {text[:17]} (GB 11643-1999)",
        )
    return None


def phone_issue(phone: str) -> Issue | None:
    """Say what is wrong with a contact phone number, or ``None`` if it has a valid form.

    Accepted: a mainland mobile number ``1[3-9]`` + 9 digits (optionally ``+86``), or a
    landline with its area code (``0724-2345678``, ``0724-23456789``, ``(0724)2345678``,
    ``010-12345678``) and an optional extension (``-123``, ``转123``). Spaces are ignored.

    Examples
    --------
    >>> phone_issue("13912345678") is None
    True
    >>> phone_issue("0724-2345678") is None
    True
    >>> phone_issue("2345678")[0]
    'phone_format'
    """
    text = (
        re.sub(r"\s+", "", phone).replace("－", "-").replace("（", "(").replace("）", ")").lower()
    )
    if _MOBILE_RE.match(text) or _LANDLINE_RE.match(text):
        return None
    return ("phone_format", _PHONE_EXPECTED)


def project_code_issue(code: str) -> Issue | None:
    """Say what is wrong with a 投资项目代码, or ``None`` if it has the national form.

    See :data:`PROJECT_CODE_RE` for the format and its sources.

    Examples
    --------
    >>> project_code_issue("2301-420804-04-01-123456") is None
    True
    >>> project_code_issue("2019-420804-36-03-012345") is None
    True
    >>> project_code_issue("JM-2026-001")[0]
    'project_code_format'
    """
    expected = (
        "a 投资项目代码 like 2301-420804-04-01-123456: YYMM (or a year 2015–2020) - 6-digit "
        "行政区划代码 - 2 digits - 2 digits - 6 digits (GB/T 40058-2021)"
    )
    match = PROJECT_CODE_RE.match(code.strip())
    if match is None:
        return ("project_code_format", expected)
    century_or_year, month = match.group(1), match.group(2)
    as_year = int(century_or_year + month)
    if not (1 <= int(month) <= 12 or 2015 <= as_year <= 2020):
        return ("project_code_format", expected)
    return None


# --------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------


def _raise_issue(issue: Issue | None) -> None:
    if issue is not None:
        code, expected = issue
        raise PydanticCustomError(code, "expected {expected}", {"expected": expected})


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _no_bool(value: Any) -> Any:
    # pydantic's lax mode reads True as 1; on a form a yes/no in a number field is a mistake
    if isinstance(value, bool):
        _raise_issue(("wrong_type", "a number, not yes/no"))
    return value


_YES = {"是", "有", "具备", "需要", "y"}
_NO = {"否", "无", "不具备", "不需要", "n"}


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return value


def _check_credit_code(value: str) -> str:
    _raise_issue(credit_code_issue(value))
    return value


def _check_id_number(value: str) -> str:
    _raise_issue(id_number_issue(value))
    return value


def _check_phone(value: str) -> str:
    _raise_issue(phone_issue(value))
    return value


def _check_project_code(value: str) -> str:
    _raise_issue(project_code_issue(value))
    return value


UTILITY_LABELS_ZH: dict[str, str] = vocabulary.UTILITIES.labels(form="form")
"""The form's tick boxes of 申请联合报装接入内容, by utility name of :data:`gis.schema.UTILITIES`."""


def _utility_alias(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return vocabulary.UTILITIES.lookup(text) or text.lower()
    return value


def _check_utility(value: str) -> str:
    if value not in UTILITIES:
        expected = ", ".join(f"{u} ({UTILITY_LABELS_ZH[u]})" for u in UTILITIES)
        _raise_issue(("invalid_choice", f"one of {expected}"))
    return value


def _split_list(value: Any) -> Any:
    # "water,power" (the intents layer's form) or "用水、用电"
    if isinstance(value, str):
        return [part for part in re.split(r"[,，、;；\s]+", value) if part]
    return value


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _empty_to_none(value: Any) -> Any:
    # an empty section ("gas:" or "gas: {}") is a section left blank
    if isinstance(value, Mapping) and not value:
        return None
    return value


def _business_alias(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return vocabulary.BUSINESS_TYPES.lookup(text) or text.lower()
    return value


def _operator_alias(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return vocabulary.OPERATORS.lookup(text) or text.lower()
    return value


def _check_operator(value: str) -> str:
    if value not in TELECOM_OPERATORS:
        expected = ", ".join(TELECOM_OPERATORS)
        _raise_issue(("invalid_choice", f"one of {expected}"))
    return value


Number = Annotated[float, BeforeValidator(_no_bool)]
Count = Annotated[int, BeforeValidator(_no_bool)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
"""Free text of the form (an address): at most 500 characters."""
OptText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A name (project, enterprise, person, equipment): at most 200 characters."""
OptName = Annotated[Name | None, BeforeValidator(_blank_to_none)]
OptCode = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None,
    BeforeValidator(_blank_to_none),
]
"""A short identifier (form number, site id): at most 64 characters."""
CreditCode = Annotated[
    Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True),
        AfterValidator(_check_credit_code),
    ]
    | None,
    BeforeValidator(_blank_to_none),
]
IdNumber = Annotated[
    Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True),
        AfterValidator(_check_id_number),
    ]
    | None,
    BeforeValidator(_blank_to_none),
]
Phone = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_phone)] | None,
    BeforeValidator(_blank_to_none),
]
ProjectCode = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_project_code)]
    | None,
    BeforeValidator(_blank_to_none),
]
UtilityName = Annotated[str, BeforeValidator(_utility_alias), AfterValidator(_check_utility)]
OperatorName = Annotated[str, BeforeValidator(_operator_alias), AfterValidator(_check_operator)]
BusinessType = Annotated[Literal["new", "expansion", "temporary"], BeforeValidator(_business_alias)]


def _field(
    zh: str, description: str, *, unit: str | None = None, default: Any = ..., **kw: Any
) -> Any:
    extra: dict[str, JsonValue] = {"zh": zh}
    if unit is not None:
        extra["unit"] = unit
    if "default_factory" not in kw:
        kw["default"] = default
    return Field(description=description, json_schema_extra=extra, **kw)


# --------------------------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------------------------


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
        found = _consistency(self.model_dump(), flagged=set(), require_identity=False)
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
        prof = load_profile(profile) if isinstance(profile, str) else profile
        wanted = set(self.utilities)
        water = power = gas = heat = telecom = None
        if "water" in wanted and self.water is not None:
            factor, hours = _water_factors(prof)
            daily = self.water.water_m3_day
            water = WaterSizing(
                daily_m3=daily,
                peak_factor=factor,
                hours_per_day=hours,
                peak_m3_h=daily * factor / hours,
            )
        if "power" in wanted and self.power is not None:
            power = PowerSizing(
                business_type=self.power.business_type,
                main_kva=self.power.main_capacity_kva,
                backup_kva=self.power.backup_capacity_kva,
            )
        if "gas" in wanted and self.gas is not None:
            rows = self.gas.equipment
            pressures = [r.working_pressure_kpa for r in rows if r.working_pressure_kpa is not None]
            gas = GasSizing(
                normal_m3_h=sum(r.count * r.normal_m3_h for r in rows),
                full_load_m3_h=sum(r.count * r.full_load_m3_h for r in rows),
                max_working_pressure_kpa=max(pressures) if pressures else None,
                units=sum(r.count for r in rows),
            )
        if "heat" in wanted and self.heat is not None:
            h = self.heat
            annual = None
            if h.hours_per_day is not None and h.days_per_year is not None:
                annual = h.normal_t_h * h.hours_per_day * h.days_per_year
            heat = HeatSizing(
                pressure_mpa=h.pressure_mpa,
                temperature_c=h.temperature_c,
                normal_t_h=h.normal_t_h,
                full_load_t_h=h.full_load_t_h,
                annual_t=annual,
            )
        if "telecom" in wanted and self.telecom is not None:
            t = self.telecom
            telecom = TelecomSizing(
                ftth=t.ftth,
                weak_current_ready=t.weak_current_ready,
                bandwidth_households=t.bandwidth_households,
                base_stations=t.base_stations,
                cable_tv_households=t.cable_tv_households,
                free_operator_choice=t.free_operator_choice,
                preferred_operators=tuple(t.preferred_operators),
            )
        return DemandSummary(
            utilities=self.requested, water=water, power=power, gas=gas, heat=heat, telecom=telecom
        )


# --------------------------------------------------------------------------------------------
# Demand summary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterSizing:
    """Water sizing: ``peak_m3_h = daily_m3 × peak_factor / hours_per_day``."""

    daily_m3: float
    peak_factor: float
    hours_per_day: float
    peak_m3_h: float


@dataclass(frozen=True)
class PowerSizing:
    """Power sizing in kVA; a backup capacity means a second route to another feeder."""

    business_type: str
    main_kva: float
    backup_kva: float

    @property
    def needs_second_feeder(self) -> bool:
        """``True`` when a backup supply (备供) was requested."""
        return self.backup_kva > 0


@dataclass(frozen=True)
class GasSizing:
    """Gas sizing: totals over the equipment rows, ``Σ count × per-unit load`` (m³/h)."""

    normal_m3_h: float
    full_load_m3_h: float
    max_working_pressure_kpa: float | None
    units: int


@dataclass(frozen=True)
class HeatSizing:
    """Steam sizing; ``annual_t = normal_t_h × hours_per_day × days_per_year`` when both are given."""

    pressure_mpa: float
    temperature_c: float
    normal_t_h: float
    full_load_t_h: float
    annual_t: float | None


@dataclass(frozen=True)
class TelecomSizing:
    """Telecom needs as on the form."""

    ftth: bool
    weak_current_ready: bool
    bandwidth_households: int
    base_stations: int
    cable_tv_households: int
    free_operator_choice: bool
    preferred_operators: tuple[str, ...]


@dataclass(frozen=True)
class DemandSummary:
    """Sizing quantities per requested utility (``None`` for a utility not requested)."""

    utilities: tuple[str, ...]
    water: WaterSizing | None = None
    power: PowerSizing | None = None
    gas: GasSizing | None = None
    heat: HeatSizing | None = None
    telecom: TelecomSizing | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return plain data (for JSON and tables)."""
        return asdict(self)

    def to_demand(self, *, profile: Profile | str = DEFAULT_PROFILE) -> Demand:
        """Return the quantities :mod:`planning.suitability` sizes a connection with.

        Gas and steam are taken at full load; telecom needs the profile's
        ``suitability.telecom_operators_free_choice`` operators when the user may choose freely,
        else as many as the preferred operators (at least one).
        """
        # imported here: planning.suitability pulls in geopandas, the form itself does not
        from planning.suitability import Demand

        prof = load_profile(profile) if isinstance(profile, str) else profile
        operators = 1
        if self.telecom is not None:
            if self.telecom.free_operator_choice:
                operators = prof.suitability.telecom_operators_free_choice
            else:
                operators = max(1, len(self.telecom.preferred_operators))
        return Demand(
            utilities=self.utilities,
            water_peak_m3_h=self.water.peak_m3_h if self.water else 0.0,
            gas_peak_m3_h=self.gas.full_load_m3_h if self.gas else 0.0,
            steam_pressure_mpa=self.heat.pressure_mpa if self.heat else 0.0,
            steam_temperature_c=self.heat.temperature_c if self.heat else 0.0,
            steam_t_h=self.heat.full_load_t_h if self.heat else 0.0,
            power_kva=self.power.main_kva if self.power else 0.0,
            backup_kva=self.power.backup_kva if self.power else 0.0,
            operators_needed=operators,
        )


# --------------------------------------------------------------------------------------------
# Profile values
# --------------------------------------------------------------------------------------------


def _water_factors(profile: Profile) -> tuple[float, float]:
    factor = profile.demand.water_peak_factor
    hours = profile.demand.water_hours_per_day
    if not (factor > 0 and 0 < hours <= 24):
        msg = (
            f"profile {profile.name!r}: demand.water_peak_factor must be > 0 and "
            f"demand.water_hours_per_day in (0, 24], got {factor} and {hours}"
        )
        raise ProfileError(msg)
    return factor, hours


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
        factor, hours = _water_factors(prof)
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


# --------------------------------------------------------------------------------------------
# Parsing with every problem at once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeCheck:
    """The outcome of checking a form.

    Attributes
    ----------
    intake
        The parsed form, or ``None`` when there is any error.
    problems
        Every finding, errors first.
    """

    intake: Intake | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems of severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """``True`` when there is no error."""
        return not self.errors


def _feature_of(data: Mapping[str, Any]) -> str:
    code = data.get("project_code")
    if isinstance(code, str) and code.strip():
        return code.strip()
    return NO_CODE


def _text(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.strip() else "(blank)"
    if isinstance(value, Mapping | list | tuple):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def _fmt(number: Any) -> str:
    return f"{number:g}" if isinstance(number, int | float) else str(number)


def _path(loc: Sequence[str | int]) -> str | None:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _field_at(loc: Sequence[str | int]) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """Return the field info at ``loc`` and the model that holds it."""
    model: type[BaseModel] | None = Intake
    info: FieldInfo | None = None
    parent: type[BaseModel] | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None, model
        parent = model
        info = model.model_fields[part]
        inner = _models_in(info.annotation)
        model = inner[0] if inner else None
    return info, parent


def _label(info: FieldInfo | None) -> str:
    extra = info.json_schema_extra if info is not None else None
    if not isinstance(extra, dict):
        return ""
    zh, unit = extra.get("zh"), extra.get("unit")
    return f" ({zh}, {unit})" if unit else f" ({zh})"


_CUSTOM_CODES = frozenset(
    {
        "wrong_type",
        "invalid_choice",
        "credit_code_format",
        "credit_code_check_digit",
        "id_number_format",
        "id_number_birth_date",
        "id_number_check_digit",
        "phone_format",
        "project_code_format",
    }
)
"""Codes raised by this module's own field validators (their ``ctx["expected"]`` says what)."""

_TYPE_EXPECTED = {
    "float": "a finite number",
    "finite": "a finite number",
    "int": "a whole number",
    "bool": "yes or no (true/false, 是/否)",
    "string": "text",
    "model": "a mapping of the section's fields",
    "dict": "a mapping of the section's fields",
    "list": "a list",
}


def _from_pydantic(err: Mapping[str, Any], feature: str) -> Problem:
    kind = str(err["type"])
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    info, parent = _field_at(loc)
    value = _text(err.get("input"))
    if kind in {"missing", "string_too_short"}:
        code, expected, value = "missing", "a value", "(missing)" if kind == "missing" else value
    elif kind == "too_short":
        code, expected = "empty", f"at least {ctx.get('min_length', 1)} item(s)"
    elif kind == "string_too_long":
        code, expected = "too_long", f"at most {ctx.get('max_length')} characters"
        text = str(err.get("input"))
        value = f"{text[:40]}…（共 {len(text)} 字 / {len(text)} characters）"
    elif kind == "extra_forbidden":
        allowed = ", ".join(parent.model_fields) if parent is not None else ""
        code, expected = "unknown_field", f"one of the form's fields: {allowed}"
        info = None
    elif kind == "literal_error":
        code, expected = "invalid_choice", f"one of {ctx.get('expected', '')}"
    elif kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        sign = "≥" if kind == "greater_than_equal" else ">"
        code = "negative" if bound == 0 else "out_of_range"
        expected = f"a number {sign} {_fmt(bound)}"
    elif kind in {"less_than_equal", "less_than"}:
        bound = ctx.get("le", ctx.get("lt"))
        code, expected = (
            "out_of_range",
            f"a number {'≤' if kind == 'less_than_equal' else '<'} {_fmt(bound)}",
        )
    elif kind in _CUSTOM_CODES:
        code, expected = kind, str(ctx.get("expected", err.get("msg", "")))
    else:
        code = "wrong_type"
        prefix = kind.split("_")[0]
        expected = _TYPE_EXPECTED.get(prefix, str(err.get("msg", "another type")))
    return Problem(
        layer=LAYER,
        feature=feature,
        field=_path(loc),
        value=value,
        expected=expected + _label(info),
        severity="error",
        code=code,
    )


def _num(section: Any, key: str) -> float | None:
    """Return ``section[key]`` if it reads as a number (pydantic reports it otherwise)."""
    if not isinstance(section, Mapping):
        return None
    value = section.get(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _requested(raw: Any) -> tuple[list[str], list[int]]:
    """Return the valid requested utilities in order, and the indices of duplicates."""
    items = _split_list(raw)
    if not isinstance(items, list | tuple):
        return [], []
    seen: list[str] = []
    duplicates: list[int] = []
    for index, item in enumerate(items):
        name = _utility_alias(item)
        if name not in UTILITIES:
            continue
        if name in seen:
            duplicates.append(index)
        else:
            seen.append(name)
    return seen, duplicates


def _filled(section: Any) -> bool:
    if section is None:
        return False
    return not (isinstance(section, Mapping) and not section)


def _consistency(
    data: Mapping[str, Any], *, flagged: set[str | None], require_identity: bool
) -> list[Problem]:
    """Cross-field checks on the raw form; skips values already reported in ``flagged``."""
    feature = _feature_of(data)
    found: list[Problem] = []

    def add(field: str, value: Any, expected: str, code: str, severity: str = "error") -> None:
        found.append(
            Problem(
                layer=LAYER,
                feature=feature,
                field=field,
                value=value if isinstance(value, str) else _text(value),
                expected=expected,
                severity="warning" if severity == "warning" else "error",
                code=code,
            )
        )

    def ok(path: str) -> bool:
        return path not in flagged

    if require_identity:
        for name in IDENTITY_FIELDS:
            value = data.get(name)
            if (value is None or (isinstance(value, str) and not value.strip())) and ok(name):
                label = _label(Intake.model_fields[name])
                add(name, "(missing)", f"a value{label}: required on a submitted form", "missing")

    items = _split_list(data.get("utilities"))
    wanted, duplicates = _requested(items)
    for index in duplicates:
        add(
            f"utilities[{index}]",
            items[index],
            "each utility once",
            "duplicate_utility",
            "warning",
        )

    for utility in UTILITIES:
        section = data.get(utility)
        zh = UTILITY_LABELS_ZH[utility]
        if utility in wanted and not _filled(section) and ok(utility):
            add(
                utility,
                "(missing)",
                f"the {utility} section ({zh}报装接入) filled, since {utility} ({zh}) is requested",
                "missing_section",
            )
        elif utility not in wanted and _filled(section) and ok("utilities"):
            add(
                utility,
                "(filled)",
                f"{utility} ({zh}) ticked in 申请联合报装接入内容, or this section left empty",
                "section_not_requested",
                "warning",
            )

    def zero(path: str, quantity: float | None, what: str, utility: str) -> None:
        if utility in wanted and quantity == 0 and ok(path):
            add(
                path,
                "0",
                f"{what} > 0, since {utility} ({UTILITY_LABELS_ZH[utility]}) is requested",
                "zero_demand",
            )

    def below(path: str, full: float | None, normal: float | None, other: str) -> None:
        if full is not None and normal is not None and full < normal and ok(path) and ok(other):
            add(
                path,
                _fmt(full),
                f"a full load ≥ the normal load {normal:g} ({other})",
                "full_load_below_normal",
            )

    water = data.get("water")
    zero("water.water_m3_day", _num(water, "water_m3_day"), "a daily water use", "water")

    power = data.get("power")
    main, backup = _num(power, "main_capacity_kva"), _num(power, "backup_capacity_kva")
    zero("power.main_capacity_kva", main, "a main capacity", "power")
    path = "power.backup_capacity_kva"
    if main is not None and backup is not None and backup > main and ok(path):
        add(
            path,
            _fmt(backup),
            f"a backup capacity ≤ the main capacity {main:g} kVA",
            "backup_exceeds_main",
            "warning",
        )

    gas = data.get("gas")
    rows = gas.get("equipment") if isinstance(gas, Mapping) else None
    if isinstance(rows, list):
        total: float | None = 0.0
        for index, row in enumerate(rows):
            base = f"gas.equipment[{index}]"
            normal, full, count = (
                _num(row, "normal_m3_h"),
                _num(row, "full_load_m3_h"),
                _num(row, "count"),
            )
            below(f"{base}.full_load_m3_h", full, normal, f"{base}.normal_m3_h")
            if total is not None and full is not None and count is not None:
                total += full * count
            else:
                total = None
        if rows:
            zero("gas.equipment", total, "a total full load", "gas")

    heat = data.get("heat")
    below(
        "heat.full_load_t_h",
        _num(heat, "full_load_t_h"),
        _num(heat, "normal_t_h"),
        "heat.normal_t_h",
    )
    zero("heat.full_load_t_h", _num(heat, "full_load_t_h"), "a full-load steam use", "heat")

    telecom = data.get("telecom")
    if isinstance(telecom, Mapping):
        needs = [
            0.0 if telecom.get(key) is None else _num(telecom, key)
            for key in ("bandwidth_households", "base_stations", "cable_tv_households")
        ]
        if all(n is not None for n in needs):
            zero(
                "telecom",
                sum(n or 0.0 for n in needs),
                "a bandwidth, base-station or cable TV need",
                "telecom",
            )
    return found


def check_intake(data: Any, *, require_identity: bool = True) -> IntakeCheck:
    """Check a submitted form and return every problem, without raising.

    Parameters
    ----------
    data
        The form as a mapping (from YAML, JSON or a web form).
    require_identity
        Require the applicant's identity fields (:data:`IDENTITY_FIELDS`), as on a submitted
        form; ``False`` for planning intakes that only describe demand.

    Returns
    -------
    IntakeCheck
        The intake (``None`` on any error) and every problem, errors first.
    """
    if not isinstance(data, Mapping):
        problem = Problem(
            layer=LAYER,
            feature=NO_CODE,
            field=None,
            value=type(data).__name__,
            expected="a mapping of the form's fields",
            code="wrong_type",
        )
        return IntakeCheck(intake=None, problems=(problem,))
    feature = _feature_of(data)
    problems: list[Problem] = []
    intake: Intake | None = None
    try:
        intake = Intake.model_validate(data, context={_SKIP_CONSISTENCY: True})
    except PydanticValidationError as exc:
        problems += [_from_pydantic(err, feature) for err in exc.errors()]
    flagged = {p.field for p in problems}
    problems += _consistency(data, flagged=flagged, require_identity=require_identity)
    ordered = tuple(sorted(problems, key=lambda p: {"error": 0, "warning": 1}.get(p.severity, 2)))
    errors = [p for p in ordered if p.severity == "error"]
    if errors:
        intake = None
    elif intake is not None:
        intake._warnings = [p for p in ordered if p.severity != "error"]
    return IntakeCheck(intake=intake, problems=ordered)


def parse_intake(data: Any, *, require_identity: bool = True) -> Intake:
    """Parse a submitted form, reporting every problem at once (一次性告知).

    Parameters
    ----------
    data
        The form as a mapping.
    require_identity
        See :func:`check_intake`.

    Returns
    -------
    Intake
        The form; its :attr:`Intake.warnings` holds warning-severity findings.

    Raises
    ------
    ValidationError
        If there is any error; ``problems`` lists all findings, errors first, then warnings.
    """
    check = check_intake(data, require_identity=require_identity)
    if check.intake is None:
        where = _feature_of(data) if isinstance(data, Mapping) else NO_CODE
        summary = f"intake form {where}: {len(check.errors)} problem(s) to correct"
        raise ValidationError(problems=list(check.problems), summary=summary)
    return check.intake


def load_intake(path: str | Path, *, require_identity: bool = True) -> Intake:
    """Read a form from a YAML (``.yaml``/``.yml``) or JSON (``.json``) file and parse it.

    Raises
    ------
    InputFormatError
        If the file cannot be read as its format, or is not a mapping.
    ValidationError
        If the form has errors (all of them, see :func:`parse_intake`).
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".yaml", ".yml", ".json"}:
        msg = f"{file}: expected a .yaml, .yml or .json intake form, got {suffix or 'no suffix'!r}"
        raise InputFormatError(msg)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{file}: cannot read the intake form as UTF-8 text: {exc}"
        raise InputFormatError(msg) from exc
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        msg = f"{file}: not valid {suffix[1:].upper()}: {exc}"
        raise InputFormatError(msg) from exc
    if not isinstance(data, Mapping):
        msg = f"{file}: expected a mapping of the form's fields, got {type(data).__name__}"
        raise InputFormatError(msg)
    return parse_intake(data, require_identity=require_identity)


def load_intakes(path: str | Path, *, require_identity: bool = True) -> dict[str, Intake]:
    """Read one form, or a list of forms, from a YAML or JSON file, keyed by ``site_id``.

    Every form of a list is checked and every problem of every form is reported together;
    a form without ``site_id`` cannot be matched to a site and is an error.
    """
    file = Path(path)
    if file.suffix.lower() in {".yaml", ".yml", ".json"} and file.is_file():
        text = file.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            msg = f"{file}: not valid {file.suffix[1:].upper()}: {exc}"
            raise InputFormatError(msg) from exc
        if isinstance(data, list):
            out: dict[str, Intake] = {}
            problems: list[Problem] = []
            for k, form in enumerate(data):
                try:
                    intake = parse_intake(form, require_identity=require_identity)
                except ValidationError as exc:
                    problems.extend(exc.problems)
                    continue
                if not intake.site_id:
                    problems.append(
                        Problem(
                            LAYER,
                            f"form #{k + 1}",
                            "site_id",
                            "empty",
                            "the project_id of the site in the workspace",
                            code="missing",
                        )
                    )
                    continue
                out[intake.site_id] = intake
            if problems:
                raise ValidationError(
                    problems=problems, summary=f"{file}: intake forms have errors"
                )
            return out
    intake = load_intake(file, require_identity=require_identity)
    if not intake.site_id:
        problem = Problem(
            LAYER,
            intake.feature,
            "site_id",
            "empty",
            "the project_id of the site in the workspace",
            code="missing",
        )
        raise ValidationError(problems=[problem], summary=f"{file}: intake form has errors")
    return {intake.site_id: intake}


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
