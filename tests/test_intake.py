"""The demand intake form (seed 附件2): identifiers, every problem at once, demand summary."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gis.errors import InputFormatError, ProfileError, ValidationError
from gis.profile import load_profile
from gis.schema import UTILITIES
from planning.intake import (
    FORM_LABELS_ZH,
    GasEquipment,
    GasRequest,
    HeatRequest,
    Intake,
    PowerRequest,
    TelecomRequest,
    WaterRequest,
    check_intake,
    credit_code_check_char,
    credit_code_issue,
    default_intake,
    id_number_check_char,
    id_number_issue,
    load_intake,
    parse_intake,
    phone_issue,
    project_code_issue,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "planning" / "data" / "intake_example.yaml"

# ------------------------------------------------------------------ independent check digits
# Written from the standards' text, not from planning.intake: GB 32100-2015 附录A (weights are
# 3^(i) mod 31, check = 31 - (sum mod 31), 31 → 0) and GB 11643-1999 §8.2 (ISO 7064 MOD 11-2:
# weights 2^(17-i) mod 11, check value (12 - sum mod 11) mod 11, 10 written X).

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(first17: str) -> str:
    total = 0
    for i, ch in enumerate(first17):
        total += USCC_ALPHABET.index(ch) * pow(3, i, 31)
    value = 31 - total % 31
    return USCC_ALPHABET[0 if value == 31 else value]


def gb11643_check(first17: str) -> str:
    total = sum(int(ch) * (2 ** (17 - i) % 11) for i, ch in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def kind(issue: tuple[str, str] | None) -> str:
    assert issue is not None
    return issue[0]


def said(issue: tuple[str, str, str] | None) -> str:
    assert issue is not None
    return issue[1]


PUBLISHED_USCC = "91350100M000100Y43"  # the example used in GB 32100 write-ups and hutool tests
PUBLISHED_ID = "11010519491231002X"  # the example number of GB 11643-1999 itself

FORM_USCC = "91420804MA49K7C232"  # the example form's (fictional) code
FORM_ID = "420802198506151238"


def test_independent_check_digits_agree_with_published_examples() -> None:
    assert uscc_check(PUBLISHED_USCC[:17]) == PUBLISHED_USCC[17] == "3"
    assert gb11643_check(PUBLISHED_ID[:17]) == PUBLISHED_ID[17] == "X"
    assert uscc_check(FORM_USCC[:17]) == FORM_USCC[17]
    assert gb11643_check(FORM_ID[:17]) == FORM_ID[17]


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_credit_code_check_char_matches_independent(first17: str) -> None:
    assert credit_code_check_char(first17) == uscc_check(first17)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_number_check_char_matches_independent(first17: str) -> None:
    assert id_number_check_char(first17) == gb11643_check(first17)


def test_credit_code_issues() -> None:
    assert credit_code_issue(PUBLISHED_USCC) is None
    assert credit_code_issue(FORM_USCC) is None
    assert credit_code_issue(" " + PUBLISHED_USCC.lower() + " ") is None  # normalised
    wrong_check = PUBLISHED_USCC[:17] + "4"
    assert credit_code_issue(wrong_check) is not None
    assert kind(credit_code_issue(wrong_check)) == "credit_code_check_digit"
    assert "'3'" in said(credit_code_issue(wrong_check))
    inner = PUBLISHED_USCC[:10] + "1" + PUBLISHED_USCC[11:]  # 0 → 1 inside the code
    assert kind(credit_code_issue(inner)) == "credit_code_check_digit"
    for bad in (
        "91350100M000100Y4",
        "91350100M000100Y433",
        "91350100I000100Y43",
        "913501A0M000100Y43",
    ):
        assert kind(credit_code_issue(bad)) == "credit_code_format", bad


@given(st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_in_a_credit_code_is_caught(pos: int, ch: str) -> None:
    if PUBLISHED_USCC[pos] == ch:
        return
    mutated = PUBLISHED_USCC[:pos] + ch + PUBLISHED_USCC[pos + 1 :]
    assert credit_code_issue(mutated) is not None


def test_id_number_issues() -> None:
    assert id_number_issue(PUBLISHED_ID) is None
    assert id_number_issue(PUBLISHED_ID.lower()) is None
    assert id_number_issue(FORM_ID) is None
    assert kind(id_number_issue(PUBLISHED_ID[:17] + "1")) == "id_number_check_digit"
    # 1949-02-30 does not exist; give it a correct check digit so only the date is wrong
    feb30 = "11010519490230002"
    assert kind(id_number_issue(feb30 + gb11643_check(feb30))) == "id_number_birth_date"
    future = "11010520990101002"
    assert kind(id_number_issue(future + gb11643_check(future))) == "id_number_birth_date"
    born_2000 = "11010520000101002"
    number = born_2000 + gb11643_check(born_2000)
    assert id_number_issue(number, today=dt.date(2026, 1, 1)) is None
    assert kind(id_number_issue(number, today=dt.date(1999, 12, 31))) == "id_number_birth_date"
    for bad in ("110105491231002", "11010519491231002Y", "1101051949123100２X", "1101051949123100"):
        assert kind(id_number_issue(bad)) == "id_number_format", bad


@given(st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_substitution_in_an_id_number_is_caught(pos: int, ch: str) -> None:
    if PUBLISHED_ID[pos] == ch:
        return
    mutated = PUBLISHED_ID[:pos] + ch + PUBLISHED_ID[pos + 1 :]
    assert id_number_issue(mutated, today=dt.date(2026, 1, 1)) is not None


@pytest.mark.parametrize(
    "phone",
    [
        "13912345678",
        "+8613912345678",
        "199 1234 5678",
        "0724-2345678",
        "0724-23456789",
        "07242345678",
        "(0724)2345678",
        "010-62345678",
        "0724-2345678-123",
        "0724-2345678转8001",
    ],
)
def test_valid_phones(phone: str) -> None:
    assert phone_issue(phone) is None


@pytest.mark.parametrize(
    "phone",
    [
        "12345",
        "2345678",
        "12912345678",
        "1391234567",
        "139123456789",
        "0724-1234567",
        "724-2345678",
        "0724-234567",
        "tel 0724",
    ],
)
def test_invalid_phones(phone: str) -> None:
    assert phone_issue(phone) == phone_issue("x") and kind(phone_issue(phone)) == "phone_format"


@pytest.mark.parametrize(
    "code",
    [
        "2301-420804-04-01-123456",
        "2612-420800-04-03-000001",
        "2019-420804-36-03-012345",
        "2015-420000-78-01-000001",
    ],
)
def test_valid_project_codes(code: str) -> None:
    assert project_code_issue(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "JM-2026-001",
        "2313-420804-04-01-123456",
        "2300-420804-04-01-123456",
        "2021-420804-04-01-123456",
        "230142080404011234",
        "2301-42080-04-01-123456",
        "2301-420804-4-01-123456",
        "2301-420804-04-01-12345",
    ],
)
def test_invalid_project_codes(code: str) -> None:
    assert kind(project_code_issue(code)) == "project_code_format"


# ------------------------------------------------------------------ forms


def full_form() -> dict[str, Any]:
    """A correct form requesting all five utilities."""
    return copy.deepcopy(
        {
            "form_number": "2026年(7)号",
            "project_name": "荆门示例新材料项目",
            "applicant": "荆门示例新材料有限公司",
            "credit_code": FORM_USCC,
            "project_code": "2601-420804-04-01-583216",
            "address": "掇刀区示例路1号",
            "id_number": FORM_ID,
            "legal_representative": "张示例",
            "contact": "李示例",
            "phone": "13912345678",
            "site_id": "JM-2026-001",
            "utilities": ["water", "power", "gas", "heat", "telecom"],
            "water": {"water_m3_day": 60},
            "power": {
                "business_type": "new",
                "main_capacity_kva": 1250,
                "backup_capacity_kva": 630,
            },
            "gas": {
                "equipment": [
                    {
                        "name": "燃气热水锅炉",
                        "count": 2,
                        "burner_diameter_mm": 50,
                        "working_pressure_kpa": 5,
                        "equipment_pressure_kpa": 3,
                        "normal_m3_h": 25,
                        "full_load_m3_h": 30,
                    },
                    {
                        "name": "食堂灶具",
                        "count": 4,
                        "working_pressure_kpa": 2,
                        "normal_m3_h": 4,
                        "full_load_m3_h": 5,
                    },
                ]
            },
            "heat": {
                "pressure_mpa": 0.6,
                "temperature_c": 180,
                "normal_t_h": 1.5,
                "full_load_t_h": 2,
                "hours_per_day": 16,
                "days_per_year": 300,
            },
            "telecom": {
                "ftth": True,
                "weak_current_ready": False,
                "bandwidth_households": 2,
                "base_stations": 1,
                "cable_tv_households": 0,
                "free_operator_choice": True,
            },
        }
    )


def pairs(exc: ValidationError) -> set[tuple[str | None, str, str]]:
    return {(p.field, p.code, p.severity) for p in exc.problems}


def test_full_form_parses_without_problems() -> None:
    check = check_intake(full_form())
    assert check.ok and check.problems == ()
    intake = check.intake
    assert intake is not None
    assert intake.requested == UTILITIES
    assert intake.feature == "2601-420804-04-01-583216"
    assert intake.warnings == ()
    assert intake.gas is not None and intake.gas.equipment[1].burner_diameter_mm is None
    assert intake.telecom is not None and intake.telecom.preferred_operators == []


def test_form_values_are_normalised() -> None:
    form = full_form()
    form["utilities"] = "用水、用电，用气,供热 网络"
    form["credit_code"] = FORM_USCC.lower()
    form["id_number"] = PUBLISHED_ID.lower()
    form["power"]["business_type"] = "扩容"
    form["telecom"].update(
        ftth="是", weak_current_ready="否", preferred_operators=["中国移动", "china_telecom"]
    )
    form["phone"] = 13912345678  # YAML reads unquoted digits as a number
    form["applicant"] = "  荆门示例新材料有限公司 "
    intake = parse_intake(form)
    assert intake.utilities == ["water", "power", "gas", "heat", "telecom"]
    assert intake.credit_code == FORM_USCC and intake.id_number == PUBLISHED_ID
    assert intake.power is not None and intake.power.business_type == "expansion"
    assert intake.telecom is not None
    assert (intake.telecom.ftth, intake.telecom.weak_current_ready) == (True, False)
    assert intake.telecom.preferred_operators == ["china_mobile", "china_telecom"]
    assert intake.phone == "13912345678" and intake.applicant == "荆门示例新材料有限公司"


def test_every_problem_at_once_with_field_paths() -> None:
    form = full_form()
    form.update(
        project_name="  ",
        credit_code=PUBLISHED_USCC[:17] + "4",
        id_number=PUBLISHED_ID[:17] + "1",
        phone="2345678",
        project_code="JM-2026-001",
        contact=None,
        colour="red",
    )
    del form["address"]
    form["utilities"] = ["water", "sewer", "power", "gas", "heat", "telecom"]
    form["water"]["water_m3_day"] = -5
    form["power"].update(business_type="permanent", main_capacity_kva="lots")
    form["gas"]["equipment"][0].update(count=0, full_load_m3_h=20)  # full 20 < normal 25
    form["gas"]["equipment"][1].update(normal_m3_h=True, burner="DN50")
    form["heat"].update(full_load_t_h=1.0, hours_per_day=25, days_per_year=400, temperature_c="nan")
    form["telecom"].update(
        weak_current_ready="maybe", base_stations=-1, preferred_operators=["att"]
    )
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    err = info.value
    assert pairs(err) == {
        ("project_name", "missing", "error"),
        ("credit_code", "credit_code_check_digit", "error"),
        ("id_number", "id_number_check_digit", "error"),
        ("phone", "phone_format", "error"),
        ("project_code", "project_code_format", "error"),
        ("contact", "missing", "error"),
        ("address", "missing", "error"),
        ("colour", "unknown_field", "error"),
        ("utilities[1]", "invalid_choice", "error"),
        ("water.water_m3_day", "negative", "error"),
        ("power.business_type", "invalid_choice", "error"),
        ("power.main_capacity_kva", "wrong_type", "error"),
        ("gas.equipment[0].count", "out_of_range", "error"),
        ("gas.equipment[0].full_load_m3_h", "full_load_below_normal", "error"),
        ("gas.equipment[1].normal_m3_h", "wrong_type", "error"),
        ("gas.equipment[1].burner", "unknown_field", "error"),
        ("heat.full_load_t_h", "full_load_below_normal", "error"),
        ("heat.hours_per_day", "out_of_range", "error"),
        ("heat.days_per_year", "out_of_range", "error"),
        ("heat.temperature_c", "wrong_type", "error"),
        ("telecom.weak_current_ready", "wrong_type", "error"),
        ("telecom.base_stations", "negative", "error"),
        ("telecom.preferred_operators[0]", "invalid_choice", "error"),
    }
    # every problem names the layer and the form; values are the ones received
    assert {p.layer for p in err.problems} == {"intake"}
    assert {p.feature for p in err.problems} == {"JM-2026-001"}
    by_field = {p.field: p for p in err.problems}
    assert by_field["water.water_m3_day"].value == "-5"
    assert "用水规模" in by_field["water.water_m3_day"].expected
    assert "m³/d" in by_field["water.water_m3_day"].expected
    assert by_field["gas.equipment[0].count"].value == "0"
    assert "≥ 1" in by_field["gas.equipment[0].count"].expected
    assert by_field["heat.hours_per_day"].expected.startswith("a number ≤ 24")
    assert by_field["heat.days_per_year"].expected.startswith("a number ≤ 366")
    assert by_field["gas.equipment[0].full_load_m3_h"].value == "20"
    assert "25" in by_field["gas.equipment[0].full_load_m3_h"].expected
    assert "'3'" in by_field["credit_code"].expected
    assert by_field["address"].value == "(missing)"
    assert "normal_m3_h" in by_field["gas.equipment[1].burner"].expected
    assert by_field["telecom.preferred_operators[0]"].value == "att"
    # the message lists every error, with its count
    text = str(err)
    assert "23 error(s)" in text
    assert "gas.equipment[1].normal_m3_h" in text and "JM-2026-001" in text


def test_feature_without_code() -> None:
    form = full_form()
    del form["project_code"]
    form["water"]["water_m3_day"] = -1
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    assert {p.feature for p in info.value.problems} == {"(no code)"}
    assert pairs(info.value) == {
        ("project_code", "missing", "error"),
        ("water.water_m3_day", "negative", "error"),
    }


def edit(form: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = form
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        ("credit_code", "91350100M000100Y4", "credit_code", "credit_code_format"),
        ("credit_code", PUBLISHED_USCC[:17] + "0", "credit_code", "credit_code_check_digit"),
        ("id_number", "1101051949123100", "id_number", "id_number_format"),
        ("id_number", "110105194913310021", "id_number", "id_number_birth_date"),
        ("id_number", PUBLISHED_ID[:17] + "0", "id_number", "id_number_check_digit"),
        ("phone", "139-1234", "phone", "phone_format"),
        ("project_code", "2026-001", "project_code", "project_code_format"),
        ("legal_representative", "", "legal_representative", "missing"),
        ("utilities", [], "utilities", "empty"),
        (
            "utilities",
            ["water", "power", "gas", "heat", "telecom", "sewer"],
            "utilities[5]",
            "invalid_choice",
        ),
        ("water.water_m3_day", DELETE, "water", "missing_section"),  # an empty section is blank
        ("water.water_m3_day", -0.5, "water.water_m3_day", "negative"),
        ("water.water_m3_day", True, "water.water_m3_day", "wrong_type"),
        ("water.water_m3_day", 0, "water.water_m3_day", "zero_demand"),
        ("water.litres", 5, "water.litres", "unknown_field"),
        ("power.business_type", "upgrade", "power.business_type", "invalid_choice"),
        (
            "power",
            {"business_type": "new", "main_capacity_kva": 0},
            "power.main_capacity_kva",
            "zero_demand",
        ),
        ("power.backup_capacity_kva", -1, "power.backup_capacity_kva", "negative"),
        ("gas.equipment", [], "gas.equipment", "empty"),
        ("gas.equipment.0.name", " ", "gas.equipment[0].name", "missing"),
        ("gas.equipment.0.count", 1.5, "gas.equipment[0].count", "wrong_type"),
        (
            "gas.equipment.1.working_pressure_kpa",
            -2,
            "gas.equipment[1].working_pressure_kpa",
            "negative",
        ),
        (
            "gas.equipment.1.full_load_m3_h",
            3,
            "gas.equipment[1].full_load_m3_h",
            "full_load_below_normal",
        ),
        (
            "gas",
            {"equipment": [{"name": "x", "count": 1, "normal_m3_h": 0, "full_load_m3_h": 0}]},
            "gas.equipment",
            "zero_demand",
        ),
        ("heat.pressure_mpa", "high", "heat.pressure_mpa", "wrong_type"),
        ("heat.full_load_t_h", 1.0, "heat.full_load_t_h", "full_load_below_normal"),
        ("heat.hours_per_day", 24.5, "heat.hours_per_day", "out_of_range"),
        ("heat.days_per_year", 367, "heat.days_per_year", "out_of_range"),
        ("heat.days_per_year", -1, "heat.days_per_year", "negative"),
        ("telecom.ftth", DELETE, "telecom.ftth", "missing"),
        ("telecom.cable_tv_households", 0.5, "telecom.cable_tv_households", "wrong_type"),
        (
            "telecom",
            {"ftth": True, "weak_current_ready": True, "free_operator_choice": False},
            "telecom",
            "zero_demand",
        ),
        ("heat", None, "heat", "missing_section"),
        ("telecom", "yes", "telecom", "wrong_type"),
    ],
)
def test_each_error_kind(path: str, value: Any, field: str, code: str) -> None:
    form = full_form()
    edit(form, path, value)
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    assert pairs(info.value) == {(field, code, "error")}


def test_missing_section_when_key_absent() -> None:
    form = full_form()
    del form["gas"]
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    (problem,) = info.value.problems
    assert (problem.field, problem.code, problem.value) == ("gas", "missing_section", "(missing)")
    assert "用气" in problem.expected


def test_warnings_do_not_block_and_are_kept() -> None:
    form = full_form()
    form["utilities"] = ["water", "power", "water"]  # gas, heat, telecom sections filled anyway
    form["power"]["backup_capacity_kva"] = 2000  # more than the main 1250 kVA
    intake = parse_intake(form)
    assert {(p.field, p.code, p.severity) for p in intake.warnings} == {
        ("utilities[2]", "duplicate_utility", "warning"),
        ("gas", "section_not_requested", "warning"),
        ("heat", "section_not_requested", "warning"),
        ("telecom", "section_not_requested", "warning"),
        ("power.backup_capacity_kva", "backup_exceeds_main", "warning"),
    }
    assert intake.utilities == ["water", "power"]
    summary = intake.demand_summary(profile="jingmen-2023")
    assert summary.utilities == ("water", "power")
    assert summary.gas is None and summary.heat is None and summary.telecom is None


def test_errors_and_warnings_reported_together_errors_first() -> None:
    form = full_form()
    form["utilities"] = ["water", "power"]
    form["water"]["water_m3_day"] = -1
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    severities = [p.severity for p in info.value.problems]
    assert severities == ["error", "warning", "warning", "warning"]
    assert "1 error(s)" in str(info.value)
    assert "section_not_requested" not in str(info.value)  # the message lists errors only
    check = check_intake(form)
    assert check.intake is None and len(check.errors) == 1 and len(check.warnings) == 3


def test_empty_unrequested_section_is_no_warning() -> None:
    form = full_form()
    form["utilities"] = ["water"]
    for utility in ("power", "gas", "heat", "telecom"):
        form[utility] = {} if utility == "gas" else None
    assert parse_intake(form).warnings == ()


def test_identity_optional_for_planning() -> None:
    form = {"project_name": "意向项目", "utilities": "water", "water": {"water_m3_day": 10}}
    with pytest.raises(ValidationError) as info:
        parse_intake(form)
    assert {p.field for p in info.value.problems} == {
        "applicant",
        "credit_code",
        "project_code",
        "address",
        "id_number",
        "legal_representative",
        "contact",
        "phone",
    }
    assert parse_intake(form, require_identity=False).water == WaterRequest(water_m3_day=10)


def test_not_a_mapping() -> None:
    check = check_intake(["water"])
    assert check.intake is None
    assert [(p.code, p.value) for p in check.problems] == [("wrong_type", "list")]
    with pytest.raises(ValidationError):
        parse_intake("water")


def test_direct_construction_runs_consistency_checks() -> None:
    form = full_form()
    form["heat"]["full_load_t_h"] = 1.0
    with pytest.raises(pydantic.ValidationError, match="full_load_below_normal"):
        Intake.model_validate(form)
    form = full_form()
    form["utilities"] = ["water", "power", "gas", "heat"]
    intake = Intake.model_validate(form)
    assert [p.code for p in intake.warnings] == ["section_not_requested"]


# ------------------------------------------------------------------ files


def test_example_yaml_loads() -> None:
    intake = load_intake(EXAMPLE)
    assert intake.warnings == ()
    assert intake.site_id == "JM-2026-001"
    assert intake.requested == ("water", "power")
    assert intake.credit_code == FORM_USCC and intake.id_number == FORM_ID
    assert intake.phone == "0724-2345678"
    summary = intake.demand_summary(profile="jingmen-2023")
    assert summary.power is not None and summary.power.main_kva == 630.0
    assert not summary.power.needs_second_feeder


def test_example_yaml_template_sections_load(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("#> ", "").replace("#>\n", "\n")
    text = text.replace(
        "utilities: [water, power]", "utilities: [water, power, gas, heat, telecom]"
    )
    path = tmp_path / "all.yaml"
    path.write_text(text, encoding="utf-8")
    intake = load_intake(path)
    assert intake.requested == UTILITIES and intake.warnings == ()
    gas = intake.demand_summary().gas
    assert gas is not None and (gas.normal_m3_h, gas.full_load_m3_h) == (66.0, 80.0)


def test_json_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "form.json"
    good.write_text(json.dumps(full_form(), ensure_ascii=False), encoding="utf-8")
    assert load_intake(good).requested == UTILITIES
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("project_name: [unclosed\n", encoding="utf-8")
    a_list = tmp_path / "list.yml"
    a_list.write_text("- water\n", encoding="utf-8")
    wrong = tmp_path / "form.txt"
    wrong.write_text("x", encoding="utf-8")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("项目名称: 示例".encode("gbk"))
    for path in (bad_yaml, a_list, wrong, gbk, tmp_path / "missing.yaml"):
        with pytest.raises(InputFormatError, match=path.name):
            load_intake(path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        yaml.safe_dump({**full_form(), "phone": "12"}, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ValidationError) as info:
        load_intake(broken)
    assert pairs(info.value) == {("phone", "phone_format", "error")}


# ------------------------------------------------------------------ demand summary


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    path = tmp_path / "test-demand.yaml"
    path.write_text(
        "name: test-demand\nextends: jingmen-2023\n"
        "demand:\n"
        "  water_peak_factor: {value: 2.5, source: test}\n"
        "  water_hours_per_day: {value: 20, source: test}\n",
        encoding="utf-8",
    )
    return path


def test_demand_summary_by_hand(profile_path: Path) -> None:
    profile = load_profile(str(profile_path))
    summary = parse_intake(full_form()).demand_summary(profile=profile)
    assert summary.utilities == UTILITIES
    # water: 60 m³/d × K_h 2.5 / 20 h = 7.5 m³/h (the profile's values, not the fallbacks)
    assert summary.water is not None
    assert (summary.water.daily_m3, summary.water.peak_factor, summary.water.hours_per_day) == (
        60.0,
        2.5,
        20.0,
    )
    assert summary.water.peak_m3_h == pytest.approx(7.5)
    # gas: per-unit loads × count: 2 × 25 + 4 × 4 = 66; 2 × 30 + 4 × 5 = 80
    assert summary.gas is not None
    assert summary.gas.normal_m3_h == pytest.approx(66.0)
    assert summary.gas.full_load_m3_h == pytest.approx(80.0)
    assert summary.gas.max_working_pressure_kpa == 5.0 and summary.gas.units == 6
    # steam: 1.5 t/h × 16 h × 300 d = 7200 t a year
    assert summary.heat is not None
    assert (summary.heat.pressure_mpa, summary.heat.temperature_c) == (0.6, 180.0)
    assert (summary.heat.normal_t_h, summary.heat.full_load_t_h) == (1.5, 2.0)
    assert summary.heat.annual_t == pytest.approx(7200.0)
    assert summary.power is not None
    assert (summary.power.business_type, summary.power.main_kva, summary.power.backup_kva) == (
        "new",
        1250.0,
        630.0,
    )
    assert summary.power.needs_second_feeder
    assert summary.telecom is not None
    assert (summary.telecom.bandwidth_households, summary.telecom.base_stations) == (2, 1)
    assert (
        summary.telecom.ftth
        and not summary.telecom.weak_current_ready
        and summary.telecom.free_operator_choice
    )
    as_dict = summary.as_dict()
    assert as_dict["gas"]["full_load_m3_h"] == pytest.approx(80.0)
    json.dumps(as_dict)
    # the quantities planning.suitability sizes with
    demand = summary.to_demand(profile=profile)
    assert demand.utilities == UTILITIES
    assert demand.water_peak_m3_h == pytest.approx(7.5)
    assert demand.gas_peak_m3_h == pytest.approx(80.0)
    assert (demand.steam_pressure_mpa, demand.steam_temperature_c, demand.steam_t_h) == (
        0.6,
        180.0,
        2.0,
    )
    assert (demand.power_kva, demand.backup_kva) == (1250.0, 630.0)
    assert demand.operators_needed == profile.suitability.telecom_operators_free_choice


def test_heat_without_hours_has_no_annual_use() -> None:
    form = full_form()
    del form["heat"]["hours_per_day"]
    heat = parse_intake(form).demand_summary().heat
    assert heat is not None and heat.annual_t is None


def test_operators_without_free_choice() -> None:
    form = full_form()
    form["telecom"].update(
        free_operator_choice=False, preferred_operators=["china_mobile", "china_unicom"]
    )
    assert parse_intake(form).demand_summary().to_demand().operators_needed == 2
    form["telecom"]["preferred_operators"] = []
    assert parse_intake(form).demand_summary().to_demand().operators_needed == 1


def test_default_intake_round_trips_the_profile_demand() -> None:
    profile = load_profile("jingmen-2023")
    d = profile.demand.default
    intake = default_intake(profile)
    assert intake.requested == UTILITIES
    assert intake.credit_code is None and intake.project_code is None
    demand = intake.demand_summary(profile=profile).to_demand(profile=profile)
    assert demand.water_peak_m3_h == pytest.approx(d.water_peak_m3_h)
    assert demand.gas_peak_m3_h == pytest.approx(d.gas_peak_m3_h)
    assert demand.steam_pressure_mpa == d.steam_pressure_mpa
    assert demand.steam_temperature_c == d.steam_temperature_c
    assert demand.steam_t_h == d.steam_t_h
    assert demand.power_kva == d.power_kva and demand.backup_kva == d.backup_kva
    assert demand.operators_needed == d.operators_needed
    assert intake.telecom is not None and intake.telecom.bandwidth_households >= 1


def test_default_intake_water_uses_profile_factors(profile_path: Path) -> None:
    profile = load_profile(str(profile_path))
    intake = default_intake(profile, utilities=["water"])
    peak = profile.demand.default.water_peak_m3_h
    assert intake.water is not None
    assert intake.water.water_m3_day == pytest.approx(peak * 20 / 2.5)
    assert intake.requested == ("water",) and intake.power is None


def test_default_intake_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sewer"):
        default_intake("jingmen-2023", utilities=["water", "sewer"])
    path = tmp_path / "no-steam.yaml"
    path.write_text(
        "name: no-steam\nextends: gb-defaults\n"
        "demand:\n  default:\n    value: {water_peak_m3_h: 5.0, power_kva: 100}\n    source: test\n",
        encoding="utf-8",
    )
    # an incomplete default demand is refused when the profile loads, naming each missing value
    with pytest.raises(ProfileError, match=r"demand\.default\.steam_t_h") as err:
        load_profile(str(path))
    assert "demand.default.gas_peak_m3_h" in str(err.value)
    assert "demand.default.power_kva" not in str(err.value)


def test_intake_params_come_from_the_profile_with_sources() -> None:
    profile = load_profile("jingmen-2023")
    for key in ("demand.water_peak_factor", "demand.water_hours_per_day", "demand.default_telecom"):
        assert profile.source(key)
    assert profile.demand.water_peak_factor == 2.0


# ------------------------------------------------------------------ the model itself


def test_every_field_documents_label_and_unit() -> None:
    models = (
        Intake,
        WaterRequest,
        PowerRequest,
        GasRequest,
        GasEquipment,
        HeatRequest,
        TelecomRequest,
    )
    for model in models:
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name}"
            extra = info.json_schema_extra
            assert isinstance(extra, dict) and extra.get("zh"), f"{model.__name__}.{name}"
            if "unit" in extra:
                assert str(extra["unit"]) in info.description, f"{model.__name__}.{name}"
    # the form's boxes, by dotted path
    for path, zh in {
        "project_name": "项目名称",
        "applicant": "申请单位",
        "credit_code": "信用代码",
        "project_code": "项目代码",
        "address": "项目地址",
        "id_number": "身份证号",
        "legal_representative": "法定代表人",
        "contact": "联系人",
        "phone": "联系电话",
        "utilities": "申请联合报装接入内容",
        "water.water_m3_day": "用水规模",
        "power.business_type": "业务类型",
        "power.main_capacity_kva": "主供容量",
        "power.backup_capacity_kva": "备供容量",
        "gas.equipment.name": "设备名称",
        "gas.equipment.count": "数量",
        "gas.equipment.burner_diameter_mm": "燃烧器口径",
        "heat.hours_per_day": "生产时间",
        "heat.days_per_year": "年生产天数",
        "telecom.bandwidth_households": "带宽需求",
        "telecom.base_stations": "无线基站覆盖需求",
        "telecom.cable_tv_households": "有线电视需求",
    }.items():
        assert FORM_LABELS_ZH[path] == zh
    schema = Intake.model_json_schema()
    assert schema["properties"]["credit_code"]["zh"] == "信用代码"


def test_module_is_pure() -> None:
    code = (
        "import sys, planning.intake; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'folium', 'geopandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
