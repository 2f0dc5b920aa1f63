"""One vocabulary: every enumeration labelled, every reader accepting the same aliases."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any, get_args

import geopandas as gpd
import pytest
from shapely import LineString, Point

from api.maps.basemap import BASEMAPS as MAP_BASEMAPS
from api.maps.style import surface_zh
from api.report import assessment_table, path_labels
from api.routes.intents import IntentCreate
from api.security import ROLE_ZH, ROLES
from gis import schema, vocabulary
from gis.errors import InputFormatError
from gis.io.intents import read_intents
from gis.profile import load_profile
from gis.validate import validate_layers
from gis.vocabulary import (
    OPERATORS,
    ROAD_CLASSES,
    UTILITIES,
    VOCABULARIES,
    Vocabulary,
    approval_path_label,
)
from planning import approval, ledger
from planning.assess import Assessment
from planning.intake import parse_intake

from .geometries import CRS, at, corner_site, crossroads, scope, water_sw
from .test_intake import full_form

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = [v.name for v in VOCABULARIES]


# ------------------------------------------------------------------- every enumeration


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=NAMES)
def test_every_value_has_a_label_and_parses_back(vocab: Vocabulary[Any]) -> None:
    assert vocab.values, vocab.name
    assert len(set(vocab.values)) == len(vocab.values)
    for value in vocab.values:
        label = vocab.label(value)
        assert label.strip() and label != value
        assert vocab.parse(label) == value
        assert vocab.parse(value) == value
        for form in vocab.term(value).forms.values():
            assert vocab.parse(form) == value


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=NAMES)
def test_aliases_name_one_value_each(vocab: Vocabulary[Any]) -> None:
    owner: dict[str, Any] = {}
    for term in vocab.terms:
        for word in {vocabulary.normalise(w) for w in term.words()}:
            assert owner.setdefault(word, term.value) == term.value, (vocab.name, word)
            assert vocab.parse(word) == term.value
    # labels are one per value: no two values share a label
    labels = [vocab.label(v) for v in vocab.values]
    assert len(set(labels)) == len(labels)


def test_labels_are_chinese_except_proper_names() -> None:
    proper = {"OpenStreetMap"}
    for vocab in VOCABULARIES:
        for value in vocab.values:
            label = vocab.label(value)
            assert CJK.search(label) or label in proper, (vocab.name, value, label)


def test_an_unknown_word_names_what_was_expected() -> None:
    with pytest.raises(InputFormatError) as exc:
        UTILITIES.parse("雨水")
    text = str(exc.value)
    assert "'雨水'" in text and "water (供水)" in text and "telecom (通信)" in text


def test_a_word_naming_two_values_is_refused() -> None:
    with pytest.raises(ValueError, match="'主干' names both 'a' and 'b'"):
        Vocabulary("x", "x", (vocabulary.Term("a", "主干"), vocabulary.Term("b", "主干")))


def test_the_enumerations_of_the_code_are_the_vocabularys() -> None:
    assert schema.UTILITIES == UTILITIES.values == ("water", "gas", "heat", "power", "telecom")
    assert ROAD_CLASSES.values == schema.ROAD_CLASSES
    assert OPERATORS.values == schema.TELECOM_OPERATORS
    assert vocabulary.MAJOR_LINE_KINDS.values == schema.MAJOR_LINE_KINDS
    assert vocabulary.GAS_PRESSURE_CLASSES.values == schema.GAS_PRESSURE_CLASSES
    assert vocabulary.ENTERPRISE_TYPES.values == schema.ENTERPRISE_TYPES
    assert vocabulary.LEDGER_STEPS.values == ledger.STEPS
    assert get_args(ledger.Status) == vocabulary.LEDGER_STATUSES.values
    assert vocabulary.BASEMAPS.values == MAP_BASEMAPS
    assert vocabulary.ROLES.values == ROLES and ROLE_ZH["survey"] == "联合踏勘组"
    choices = {f.choices for spec in schema.LAYERS.values() for f in spec.fields if f.choices}
    assert all(vocabulary.for_values(c) is not None for c in choices)


# ---------------------------------------------------------------- one label per value


def test_road_class_access_has_one_name_in_maps_reasons_and_documents() -> None:
    assert ROAD_CLASSES.label("access") == "街坊路"
    assert approval.CLASS_ZH["access"] == "街坊路"
    assert surface_zh("carriageway:access") == "街坊路车行道"
    assert ROAD_CLASSES.parse("街巷") == "access"


def test_joint_path_label_takes_its_limits_from_the_profile() -> None:
    profile = load_profile("jingmen-2023")
    assert approval_path_label("joint", profile) == "联合审批（2+3 个工作日）"
    slower = profile.with_value("deadlines.submission_working_days", 4, source="test")
    slower = slower.with_value("deadlines.approval_working_days", 7.5, source="test")
    assert approval_path_label("joint", slower) == "联合审批（4+7.5 个工作日）"
    assert approval_path_label("commitment", slower) == "告知承诺制（即时办结）"
    assert approval_path_label(None, slower) == "需提前布局管网"
    assert path_labels(slower)["joint"] == "联合审批（4+7.5 个工作日）"
    site = Assessment(
        project_id="S1",
        name="示例",
        applicable=True,
        approval_path="joint",
        reasons=[],
        utilities={},
        needs_prelay=[],
        as_of=dt.date(2026, 1, 5),
    )
    assert "联合审批（4+7.5 个工作日）" in assessment_table([site], profile=slower)


# ---------------------------------------------------- every reader accepts the same words

UTILITY_WORDS = sorted(UTILITIES.words().items())


def _intake_utilities(word: str) -> list[str]:
    form = full_form()
    form["utilities"] = [word]
    for u in UTILITIES.values:
        if u != UTILITIES.parse(word):
            form.pop(u, None)
    return parse_intake(form).utilities


def _spreadsheet_utilities(tmp: Path, word: str) -> str:
    path = tmp / "intents.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["意向编号", "项目名称", "预计开工日期", "登记单位", "需求专业", "经度", "纬度"],
                ["YX-1", "示例", "2027-03-01", "市招商局", word, "112.2", "30.9"],
            ]
        )
    return str(read_intents(path, default_area_m2=10_000.0)["utilities"].iloc[0])


def _import_utilities(word: str) -> str:
    intents = gpd.GeoDataFrame(
        {
            "intent_id": ["I1"],
            "name": ["新材料"],
            "expected_start": ["2026-10-01"],
            "registered_by": ["市招商局"],
            "utilities": [word],
        },
        geometry=[at(Point(50, 50).buffer(20))],
        crs=CRS,
    )
    report = validate_layers(
        {"roads": crossroads(), "scope": scope(), "sites": corner_site(), "intents": intents},
        working_crs=CRS,
    )
    assert report.ok, report.errors
    return str(report.layers["intents"]["utilities"].iloc[0])


@pytest.mark.parametrize(("word", "value"), UTILITY_WORDS)
def test_every_reader_accepts_every_utility_word(tmp_path: Path, word: str, value: str) -> None:
    assert _intake_utilities(word) == [value]  # 附件2 form (and the project API bodies)
    assert _spreadsheet_utilities(tmp_path, word) == value  # intents spreadsheet
    assert IntentCreate.model_validate(_intent_body(word)).utilities == [value]  # API
    assert _import_utilities(word) == value  # GeoPackage import


def _intent_body(word: str) -> dict[str, Any]:
    square = [[112.2, 30.9], [112.201, 30.9], [112.201, 30.901], [112.2, 30.9]]
    return {
        "intent_id": "YX-1",
        "name": "示例",
        "expected_start": "2027-03-01",
        "utilities": [word],
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }


@pytest.mark.parametrize(("word", "value"), sorted(OPERATORS.words().items()))
def test_form_and_import_accept_every_operator_word(word: str, value: str) -> None:
    form = full_form()
    form["telecom"]["preferred_operators"] = [word]
    intake = parse_intake(form)
    assert intake.telecom is not None and intake.telecom.preferred_operators == [value]
    telecom = gpd.GeoDataFrame(
        {"asset_id": ["T1"], "status": ["existing"], "operator": [word]},
        geometry=[at(LineString([(0, 60), (100, 60)]))],
        crs=CRS,
    )
    report = validate_layers(
        {"roads": crossroads(), "scope": scope(), "sites": corner_site(), "telecom": telecom},
        working_crs=CRS,
    )
    assert report.ok, report.errors
    assert report.layers["telecom"]["operator"].iloc[0] == value


@pytest.mark.parametrize(("word", "value"), sorted(ROAD_CLASSES.words().items()))
def test_import_accepts_every_road_class_word(word: str, value: str) -> None:
    roads = crossroads()
    roads.loc[0, "road_class"] = word
    report = validate_layers(
        {"roads": roads, "scope": scope(), "sites": corner_site(), "water": water_sw()},
        working_crs=CRS,
    )
    assert report.ok, report.errors
    assert report.layers["roads"]["road_class"].iloc[0] == value


def test_an_unknown_utility_is_still_refused_by_every_reader(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="雨水"):
        _intake_utilities("雨水")
    with pytest.raises(Exception, match="雨水"):
        _spreadsheet_utilities(tmp_path, "雨水")
    with pytest.raises(Exception, match="water"):
        IntentCreate.model_validate(_intent_body("雨水"))
    with pytest.raises(AssertionError, match="雨水"):
        _import_utilities("雨水")


# ------------------------------------------------------------- no label table elsewhere


def _label_tables(path: Path, values: set[Any]) -> list[str]:
    """Dict literals in ``path`` whose keys are enumeration values and whose values are Chinese."""

    def chinese(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return bool(CJK.search(node.value))
        return isinstance(node, ast.Tuple) and any(chinese(e) for e in node.elts)

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict):
            continue
        hits = [
            k.value
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and k.value in values and chinese(v)
        ]
        if len(hits) >= 2:
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(f"{where}:{node.lineno} {hits}")
    return found


def test_no_label_table_outside_the_vocabulary() -> None:
    values = {v for vocab in VOCABULARIES for v in vocab.values if v is not None}
    sources = [p for d in ("api", "gis", "planning") for p in sorted((ROOT / d).rglob("*.py"))]
    found = [
        hit
        for p in sources
        if not p.is_relative_to(ROOT / "gis" / "vocabulary")
        for hit in _label_tables(p, values)
    ]
    assert found == []


def test_the_guard_finds_a_label_table(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    text = (
        'ZH = {"water": "供水", "gas": "燃气", "other": 1}\nOK = {"title": "标题", "x": "说明"}\n'
    )
    sample.write_text(text, encoding="utf-8")
    assert _label_tables(sample, {"water", "gas"}) == ["sample.py:1 ['water', 'gas']"]
