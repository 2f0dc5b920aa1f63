"""`linkplan coordinate` on the demo district: packages printed and written as a layer."""

import pyogrio
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from gis.workspace import write_workspace


def test_coordinate_writes_packages_that_gdal_reads(tmp_path):
    ws = tmp_path / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "coordinate",
            str(ws),
            "--from",
            "2027-01-01",
            "--to",
            "2027-12-31",
            "--demand",
            str(forms),
        ],
    )
    assert res.exit_code == 0, res.output
    # JM-2026-014's gas and telecom lines share 200 m of 掇刀路: one excavation, not two; the
    # 团林组团 site JM-2026-007 (in the seed's scope) crosses 响岭路 once for water and power
    assert "JM-2026-014 / gas、telecom / 掇刀路" in res.output
    assert "JM-2026-007 / power、water / 响岭路" in res.output
    assert "avoided 216.0" in res.output  # 200 m of 掇刀路 and the 16 m crossing of 响岭路
    layers = dict(pyogrio.list_layers(ws))
    assert layers["construction_packages"] == "MultiLineString"
    packages = pyogrio.read_dataframe(ws, layer="construction_packages")
    joint = packages[packages["n_works"] > 1].set_index("projects")
    assert sorted(joint.index) == ["JM-2026-007", "JM-2026-014"]
    assert (joint.loc["JM-2026-014", "dug_m"], joint.loc["JM-2026-014", "dug_m_without"]) == (
        200.0,
        400.0,
    )
    # 响岭路 (secondary): 12 m carriageway + 2 × 2 m from one sidewalk centre line to the other,
    # 16 m as drawn (one measure), dug once for water and power instead of twice
    assert (joint.loc["JM-2026-007", "dug_m"], joint.loc["JM-2026-007", "dug_m_without"]) == (
        16.0,
        32.0,
    )
    assert joint.geometry.length["JM-2026-014"] == pytest.approx(200.0)
    works = pyogrio.read_dataframe(ws, layer="planned_works")
    assert set(works["utility"]) >= {"water", "gas", "telecom"}
    # the contract layers are still there, untouched
    assert len(pyogrio.read_dataframe(ws, layer="sites")) == 16
