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


def test_cli_imports_dxf_epanet_and_gcj02(tmp_path):
    import os

    import ezdxf
    import wntr

    from gis.chinacoords import wgs84_to_gcj02

    from .geometries import ORIGIN

    runner = CliRunner()
    ws = tmp_path / "ws.gpkg"
    write_workspace({"roads": crossroads(), "scope": scope(), "sites": corner_site()}, ws)
    # DXF in the workspace CRS: two mapped layers, one unmapped
    doc = ezdxf.new()
    msp = doc.modelspace()
    x0, y0 = ORIGIN
    msp.add_line((x0 - 90, y0 + 12), (x0 - 30, y0 + 12), dxfattribs={"layer": "WS-给水"})
    msp.add_lwpolyline(
        [(x0 + 20, y0 - 12), (x0 + 50, y0 - 12), (x0 + 50, y0 - 52)],
        dxfattribs={"layer": "GAS-中压"},
    )
    msp.add_line((x0, y0), (x0 + 1, y0 + 1), dxfattribs={"layer": "TEXT"})
    dxf = tmp_path / "pipes.dxf"
    doc.saveas(dxf)
    args = [
        "import",
        str(ws),
        str(dxf),
        "--source-crs",
        "EPSG:4546",
        "--dxf-map",
        "WS-*=water",
        "--dxf-map",
        "GAS*=gas",
    ]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1  # diameters and pressure class are not in the drawing
    problems = {(p.layer, p.field, p.code) for p in refused.exception.problems}
    assert problems == {
        ("water", "diameter_mm", "missing_field"),
        ("gas", "diameter_mm", "missing_field"),
        ("gas", "pressure_class", "missing_field"),
    }
    assert [str(n) for n, _ in pyogrio.list_layers(ws)] == ["roads", "scope", "sites"]
    ok = runner.invoke(
        app, [*args, "--default", "diameter_mm=160", "--default", "pressure_class=medium_a"]
    )
    assert ok.exit_code == 0, ok.output
    gas = pyogrio.read_dataframe(ws, layer="gas")
    assert gas.geometry.length.iloc[0] == pytest.approx(70.0)  # 30 + 40 by hand
    assert gas["pressure_class"].iloc[0] == "medium_a"
    # EPANET: ky10 in US survey feet (EPSG:3089) lands far outside this Jingmen workspace
    inp = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "ky10.inp")
    res = runner.invoke(app, ["import", str(ws), inp, "--source-crs", "EPSG:3089"])
    assert res.exit_code == 1
    outside = [p for p in res.exception.problems if p.code == "outside_extent"]
    assert len(outside) == 1043  # every pipe, each named
    # GCJ-02 sites picked on 高德: converted at the edge onto the site they really are
    wgs = gpd.GeoSeries(corner_site().geometry, crs=CRS).to_crs(4326).iloc[0]
    lon, lat = wgs.exterior.xy
    glon, glat = wgs84_to_gcj02(list(lon), list(lat))
    picked = gpd.GeoDataFrame(
        {"project_id": ["S9"], "name": ["高德选点厂房"], "enterprise_type": ["commercial"]},
        geometry=[type(wgs)(list(zip(glon, glat)))],
        crs=4326,
    )
    src = tmp_path / "picked.geojson"
    picked.to_file(src)
    res = runner.invoke(
        app, ["import", str(ws), str(src), "--layer", "sites", "--source-crs", "gcj02"]
    )
    assert res.exit_code == 0, res.output
    sites = pyogrio.read_dataframe(ws, layer="sites")
    assert sites.geometry.iloc[0].hausdorff_distance(corner_site().geometry.iloc[0]) < 0.01
