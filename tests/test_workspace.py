"""Workspace files: round trips, atomic imports that leave nothing behind, the CLI."""

import hashlib
import subprocess
import sys

import geopandas as gpd
import pyogrio
import pytest
from typer.testing import CliRunner

from api.cli import app
from gis.errors import ValidationError
from gis.workspace import import_layers, open_workspace, write_workspace

from .geometries import CRS, corner_site, crossroads, scope, water_sw


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "ws.gpkg"
    write_workspace(
        {"roads": crossroads(), "scope": scope(), "sites": corner_site(), "water": water_sw()},
        path,
    )
    return path


def test_written_workspace_reads_back_with_gdal(ws_path):
    layers = {str(name): geom for name, geom in pyogrio.list_layers(ws_path)}
    assert layers == {
        "roads": "LineString",
        "scope": "MultiPolygon",
        "sites": "MultiPolygon",
        "water": "LineString",
    }
    roads = pyogrio.read_dataframe(ws_path, layer="roads")
    assert list(roads["name"]) == ["东西大道", "南北路"]
    assert roads.crs.to_epsg() == 4546
    assert roads.geometry.length.tolist() == pytest.approx([200.0, 200.0])
    ws = open_workspace(ws_path)
    assert ws.crs.to_epsg() == 4546
    assert ws.report.ok
    G = ws.corridor_graph()
    assert ws.corridor_graph() is G  # built once, reused


def test_failed_import_leaves_the_workspace_untouched(ws_path):
    before = _digest(ws_path)
    bad = water_sw()
    bad.loc[0, "status"] = "abandoned"
    bad = gpd.GeoDataFrame(
        {
            "asset_id": ["G1", "G1"],
            "status": ["existing", "abandoned"],
            "pressure_class": ["medium_b", "ultra"],
            "diameter_mm": [160.0, 0.0],
        },
        geometry=list(water_sw().geometry) * 2,
        crs=CRS,
    )
    with pytest.raises(ValidationError) as info:
        import_layers(ws_path, {"gas": bad})
    codes = sorted(p.code for p in info.value.problems)
    assert codes == ["bad_value", "duplicate_id", "unknown_enum", "unknown_enum"]
    assert _digest(ws_path) == before
    assert sorted(p.name for p in ws_path.parent.iterdir()) == ["ws.gpkg"]


def test_successful_import_reprojects_and_keeps_other_layers(ws_path):
    gas = gpd.GeoDataFrame(
        {
            "asset_id": ["G1"],
            "status": ["existing"],
            "pressure_class": ["medium_b"],
            "diameter_mm": [160.0],
        },
        geometry=list(water_sw().geometry),
        crs=CRS,
    ).to_crs(4326)
    import_layers(ws_path, {"gas": gas})
    names = [str(n) for n, _ in pyogrio.list_layers(ws_path)]
    assert sorted(names) == ["gas", "roads", "scope", "sites", "water"]
    stored = pyogrio.read_dataframe(ws_path, layer="gas")
    assert stored.crs.to_epsg() == 4546
    assert stored.geometry.length.iloc[0] == pytest.approx(60.0, abs=1e-3)


def test_cli_validate_lists_every_error_and_exits_non_zero(ws_path, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(ws_path)])
    assert ok.exit_code == 0, ok.output
    assert "0 error(s)" in ok.output
    roads = crossroads()
    roads.loc[0, "road_class"] = "motorway"
    roads.loc[1, "road_id"] = "a"
    bad = tmp_path / "bad.gpkg"
    write_workspace({"roads": roads, "sites": corner_site()}, bad)
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "3 error(s)" in res.output
    assert "scope: got layer missing" in res.output
    assert "roads feature a field 'road_class': got 'motorway' (unknown value)" in res.output


def test_console_script_reports_domain_errors_without_traceback(tmp_path):
    missing = tmp_path / "nope.gpkg"
    res = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "validate", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2
    assert f"workspace {missing} does not exist" in res.stderr
    assert "Traceback" not in res.stderr
