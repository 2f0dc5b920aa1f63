"""Typed, validated policy profiles (issue 13 item 1).

Every shipped profile loads and every value it declares is read as a typed attribute; a broken
copy (unknown key, wrong type, missing value) is refused with one error naming the file, the
dotted key and the value of each problem; ``linkplan profile check/show`` on the command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from gis.errors import ProfileError
from gis.profile import PROFILE_DIRS, Profile, check_profile, load_profile

SHIPPED = sorted(
    (p for folder in PROFILE_DIRS for p in folder.glob("*.yaml")), key=lambda p: p.stem
)
PROJECT = Path(__file__).resolve().parent.parent


def test_every_shipped_profile_is_found() -> None:
    assert [p.stem for p in SHIPPED] == [
        "clearances",
        "example-200m",
        "gb-defaults",
        "jingmen-2023",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_profile_loads_with_a_source_for_every_value(path: Path) -> None:
    profile = load_profile(path.stem)
    entries = list(profile.entries())
    assert entries
    for key, label, _value, source, file in entries:
        assert source.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", label), f"{key}: no Chinese label ({label!r})"
        assert Path(file).is_file()


def test_values_are_typed_and_extends_is_followed() -> None:
    jingmen, example = load_profile("jingmen-2023"), load_profile("example-200m")
    assert example.chain == ("example-200m", "jingmen-2023", "gb-defaults", "clearances")
    assert (jingmen.commitment.max_length_m, example.commitment.max_length_m) == (300.0, 200.0)
    assert example.source("commitment.max_length_m").startswith("illustrative")
    assert example.commitment.allowed_surfaces == frozenset({"sidewalk", "green"})
    assert example.roads.carriageway_width_m["arterial"] == 16.0  # from gb-defaults
    assert example.cross_section.working_space_m == 0.3  # from clearances
    # whole numbers of days stay whole (they are printed in reasons: 2 个工作日, not 2.0)
    assert (
        jingmen.deadlines.submission_working_days,
        jingmen.deadlines.connection_working_days,
    ) == (2, 0.5)
    assert isinstance(jingmen.deadlines.submission_working_days, int)
    assert jingmen.demand.default.power_kva == 630.0


def test_a_section_the_profile_lacks_is_an_error_when_read() -> None:
    with pytest.raises(ProfileError, match=r"'gb-defaults'.*commitment\.max_length_m"):
        _ = load_profile("gb-defaults").commitment.max_length_m


def test_removed_keys_are_gone() -> None:
    """Declared keys no code read are removed (settlements per year, the crossing order)."""
    keys = {k for k, *_ in load_profile("jingmen-2023").entries()}
    assert "finance.city_share" in keys
    assert "finance.settlements_per_year" not in keys
    assert "cross_section.crossing_order" not in keys


def _broken_copy(tmp_path: Path) -> Path:
    """A copy of jingmen-2023 with an unknown key, a wrong type and a missing value."""
    source = PROJECT / "planning" / "profiles" / "jingmen-2023.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["commitment"]["max_length_m"]["value"] = "abc"
    data["commitment"]["max_lenght_m"] = {"value": 250.0, "source": "typo"}
    del data["coverage"]["max_connection_m"]
    data["coverage"]["note"] = {"value": "x", "source": "y"}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_broken_copy_names_every_problem_at_once(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path)
    with pytest.raises(ProfileError) as err:
        check_profile(path)
    lines = str(err.value).splitlines()
    assert "有 4 处问题" in lines[0] and "has 4 problems" in lines[0]
    by_key = {re.search(r"key (\S+),", line).group(1): line for line in lines[1:]}  # type: ignore[union-attr]
    assert set(by_key) == {
        "commitment.max_length_m",
        "commitment.max_lenght_m",
        "coverage.max_connection_m",
        "coverage.note",
    }
    wrong = by_key["commitment.max_length_m"]
    assert (
        str(path) in wrong and "'abc'" in wrong and "应为数值" in wrong and "valid number" in wrong
    )
    unknown = by_key["commitment.max_lenght_m"]
    assert str(path) in unknown and "250.0" in unknown and "未知的键" in unknown
    missing = by_key["coverage.max_connection_m"]
    assert "缺少取值" in missing and "(none)" in missing and "Field required" in missing


def test_override_is_blamed_on_the_file_that_sets_it(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(
        "name: city\nextends: jingmen-2023\ndescription: t\nversion: 1\n"
        "guards:\n  min_removed: {value: 2.5, source: test}\n"
        "roads:\n  carriageway_width_m: {value: {arterial: wide}, source: test}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        check_profile(path)
    text = str(err.value)
    assert f"file {path}, key guards.min_removed, value 2.5" in text and "应为整数" in text
    assert f"file {path}, key roads.carriageway_width_m.arterial, value 'wide'" in text


def test_a_value_without_source_or_a_bare_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(
        "name: bare\nextends: gb-defaults\ndescription: t\nversion: 1\n"
        "coverage:\n  max_connection_m: 800\n"
        "finance:\n  city_share: {value: 0.4}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        check_profile(path)
    text = str(err.value)
    assert "key coverage.max_connection_m, value 800" in text
    assert "key finance.city_share.source" in text and "缺少来源说明" in text


def test_with_value_is_validated_and_keeps_the_source() -> None:
    base = load_profile("jingmen-2023")
    strict = base.with_value("commitment.max_length_m", 150, source="test")
    assert (
        strict.commitment.max_length_m == 150.0
        and strict.source("commitment.max_length_m") == "test"
    )
    assert base.commitment.max_length_m == 300.0
    with pytest.raises(ProfileError, match=r"key commitment\.max_length_m, value 'abc'"):
        base.with_value("commitment.max_length_m", "abc", source="test")
    with pytest.raises(AttributeError, match="frozen"):
        base.name = "x"  # type: ignore[misc]
    assert Profile.from_data("p", {}).name == "p"


def test_allowed_surfaces_drive_the_commitment_decision() -> None:
    from planning.approval import RouteFacts, decide

    jingmen = load_profile("jingmen-2023")
    facts = RouteFacts(120.0, surfaces={"sidewalk": 80.0, "green": 10.0, "lead_in": 30.0})
    path, reasons = decide(facts, profile=jingmen)
    assert path == "commitment" and "挖掘人行道、临时占用绿地" in reasons[0].text
    no_green = jingmen.with_value("commitment.allowed_surfaces", ["sidewalk"], source="test")
    path, reasons = decide(facts, profile=no_green)
    assert path == "joint"
    assert [(r.rule, r.code) for r in reasons] == [("R5", "surface_green")]
    assert "临时占用绿地 10.0 m" in reasons[0].text and "允许的挖掘人行道" in reasons[0].text
    # a line on the sidewalk only is still notify-and-commit under that profile
    assert (
        decide(RouteFacts(120.0, surfaces={"sidewalk": 90.0}), profile=no_green)[0] == "commitment"
    )
    with pytest.raises(ProfileError, match="allowed_surfaces"):
        jingmen.with_value("commitment.allowed_surfaces", ["carriageway"], source="test")


runner = CliRunner()


def test_cli_profile_show_prints_key_label_value_and_source() -> None:
    result = runner.invoke(app, ["profile", "show", "jingmen-2023"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "配置 jingmen-2023（jingmen-2023 → gb-defaults → clearances）" in out
    block = out.split("\ncommitment.max_length_m  ", 1)[1].split("\n\n", 1)[0]
    assert block.startswith("告知承诺制 · 告知承诺外线长度上限（m，不含）")
    assert "值 (value): 300.0" in block
    assert "来源 (source): seed 四(二)1 施工长度小于300米的外线工程" in block
    assert "jingmen-2023.yaml" in block


def test_cli_profile_check_exits_0_or_1(tmp_path: Path) -> None:
    good = runner.invoke(
        app, ["profile", "check", str(PROJECT / "planning/profiles/example-200m.yaml")]
    )
    assert good.exit_code == 0 and "有效" in good.output
    bad = runner.invoke(app, ["profile", "check", str(_broken_copy(tmp_path))])
    assert bad.exit_code == 1
    assert "commitment.max_lenght_m" in bad.output and "'abc'" in bad.output
