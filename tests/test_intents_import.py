"""``linkplan import … --layer intents``: a register added to or updated by id, as POST /intents.

The intents spreadsheet may name its columns as the 附件2 form does (用水规模(立方米/日),
主供容量(千伏安（千瓦）) …); a column that is not read is named in a warning; the stored intents
are kept unless ``--replace``, which says how many it removed.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
from typer.testing import CliRunner

from api.cli import app
from data.demo_district import build_district
from gis.workspace import write_workspace

DEMO_IDS = ["YX-2026-001", "YX-2026-002", "YX-2026-003", "YX-2026-004", "YX-2026-005"]

# the 附件2 form's names for the demand, and a 备供容量 the intents layer has no field for
HEADER = (
    "意向编号,项目名称,预计开工日期,登记单位,需求专业,用水规模(立方米/日),"
    "主供容量（千伏安（千瓦））,备供容量(千伏安),天然气负荷（方/小时）,正常生产小时用量（T/H）,"
    "经度,纬度,用地面积(亩)"
)
ROW_NEW = (
    "YX-2026-011,荆门瑞丰新能源电池材料项目,2027-05-01,荆门市招商局,"
    '"水,气,热,电",600,10000,2000,400,15,112.183760,30.879366,150'
)


def _csv(tmp_path: Path, *rows: str, name: str = "intents.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8-sig")
    return path


def _intents(ws: Path):
    return pyogrio.read_dataframe(ws, layer="intents").set_index("intent_id")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """The demo workspace, with its five registered intents."""
    path = tmp_path / "demo.gpkg"
    write_workspace(build_district("demo"), path)
    return path


def _import(ws: Path, source: Path, *extra: str):
    return CliRunner().invoke(app, ["import", str(ws), str(source), "--layer", "intents", *extra])


def test_form_column_names_fill_the_demand_and_the_register_is_kept(ws, tmp_path):
    res = _import(ws, _csv(tmp_path, ROW_NEW))
    assert res.exit_code == 0, res.output
    intents = _intents(ws)
    # the stored intents are all still there, with their own demand, and the new one is added
    assert sorted(intents.index) == [*DEMO_IDS, "YX-2026-011"]
    assert intents.loc["YX-2026-001", "water_m3_day"] == 800.0
    new = intents.loc["YX-2026-011"]
    assert (new["water_m3_day"], new["power_kva"], new["gas_m3_h"], new["steam_t_h"]) == (
        600.0,
        10000.0,
        400.0,
        15.0,
    )
    assert new["utilities"] == "water,gas,heat,power"
    assert "intents：新增 1 条，更新 0 条，保留原有 5 条" in res.output
    # 备供容量 is not a field of the intents layer: kept as it is, and the user is told
    assert "列「备供容量(千伏安)」未读取" in res.output
    assert str(new["备供容量(千伏安)"]) == "2000"
    assert res.output.count("未读取") == 1


def test_an_intent_registered_again_is_updated_in_place_of_the_old(ws, tmp_path):
    updated = ROW_NEW.replace("YX-2026-011,荆门瑞丰", "YX-2026-002,掇刀冷链").replace(
        ",600,", ",90,"
    )
    res = _import(ws, _csv(tmp_path, updated))
    assert res.exit_code == 0, res.output
    intents = _intents(ws)
    assert sorted(intents.index) == DEMO_IDS
    assert intents.loc["YX-2026-002", "water_m3_day"] == 90.0
    assert intents.loc["YX-2026-002", "power_kva"] == 10000.0
    assert intents.loc["YX-2026-003", "water_m3_day"] == 300.0
    assert "新增 0 条，更新 1 条，保留原有 4 条" in res.output


def test_replace_removes_the_register_and_says_how_many(ws, tmp_path):
    res = _import(ws, _csv(tmp_path, ROW_NEW), "--replace")
    assert res.exit_code == 0, res.output
    assert list(_intents(ws).index) == ["YX-2026-011"]
    assert "整体替换，新增 1 条，更新 0 条，删除原有 5 条：" + ", ".join(DEMO_IDS) in res.output


def test_a_file_with_only_known_columns_warns_of_nothing(ws, tmp_path):
    header = HEADER.replace(",备供容量(千伏安)", "")
    row = ROW_NEW.replace(",2000,", ",")
    path = tmp_path / "clean.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    res = _import(ws, path)
    assert res.exit_code == 0, res.output
    assert "未读取" not in res.output
    assert _intents(ws).loc["YX-2026-011", "power_kva"] == 10000.0
