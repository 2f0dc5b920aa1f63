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
    # JM-2026-014's gas and telecom lines share 200 m of 掇刀路: one excavation, not two
    assert "JM-2026-014 / gas、telecom / 掇刀路" in res.output
    assert "avoided 200.0" in res.output
    layers = dict(pyogrio.list_layers(ws))
    assert layers["construction_packages"] == "MultiLineString"
    packages = pyogrio.read_dataframe(ws, layer="construction_packages")
    joint = packages[packages["n_works"] > 1]
    assert list(joint["projects"]) == ["JM-2026-014"]
    assert joint["dug_m"].iloc[0] == 200.0 and joint["dug_m_without"].iloc[0] == 400.0
    assert joint.geometry.length.iloc[0] == pytest.approx(200.0)
    works = pyogrio.read_dataframe(ws, layer="planned_works")
    assert set(works["utility"]) >= {"water", "gas", "telecom"}
    # the contract layers are still there, untouched
    assert len(pyogrio.read_dataframe(ws, layer="sites")) == 16
