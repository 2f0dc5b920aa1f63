"""Uploads are opened as what they claim to be, and nothing else (issue 12, items 1 and 8).

An OGR VRT named ``network.geojson`` once made GDAL read ID numbers and phones out of a
database into the water layer, read a server-side file and fetch an outside URL. These tests
hand such files to the readers, to ``POST /networks/{layer}`` (both backends) and to
``linkplan import`` / ``linkplan load``, with a local HTTP server standing for "outside" that
must receive no request at all.
"""

from __future__ import annotations

import http.server
import io
import json
import re
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pyogrio
import pytest
from shapely import LineString
from typer.testing import CliRunner

from api.cli import app as cli_app
from gis.errors import InputFormatError
from gis.io.files import read_vector
from gis.io.load import load_for_import
from gis.io.sniff import gdal_offline
from gis.workspace import read_layers
from tests.service import auth, client_fixture

SECRET_ID = "110101199001011234"
SECRET_PHONE = "13800138000"
CRS = "EPSG:4546"


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture
def outside() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server standing for the outside world: its URL and the paths asked."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, Path]:
    """A database and a server-side CSV holding an ID number and a phone."""
    db = tmp_path / "service.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE people (id TEXT, phone TEXT, x REAL, y REAL)")
        con.execute("INSERT INTO people VALUES (?, ?, 500000, 3400000)", (SECRET_ID, SECRET_PHONE))
    csv = tmp_path / "people.csv"
    csv.write_text(f"id,phone,x,y\n{SECRET_ID},{SECRET_PHONE},500000,3400000\n")
    return {"db": db, "csv": csv}


def _vrt(source: str, sql: str | None = None) -> bytes:
    query = f"<SrcSQL>{sql}</SrcSQL>" if sql else ""
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="water">'
        f"<SrcDataSource>{source}</SrcDataSource>{query}"
        '<GeometryField encoding="PointFromColumns" x="x" y="y"/>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def _vrts(secrets: dict[str, Path], url: str) -> dict[str, bytes]:
    return {
        "sql-on-database": _vrt(str(secrets["db"]), "SELECT id, phone, x, y FROM people"),
        "server-file": _vrt(str(secrets["csv"])),
        "outside-url": _vrt(f"/vsicurl/{url}/water.geojson"),
    }


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _water() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"asset_id": ["W-1"], "status": ["existing"], "diameter_mm": [200.0]},
        geometry=[LineString([(500000, 3400000), (500100, 3400000)])],
        crs=CRS,
    )


def _shapefile(folder: Path) -> Path:
    folder.mkdir()
    gdf = gpd.GeoDataFrame(
        {"asset_id": [f"W-{i}" for i in range(20)], "status": ["existing"] * 20},
        geometry=[LineString([(i, 0), (i, 1)]) for i in range(20)],
        crs=CRS,
    )
    gdf.to_file(folder / "water.shp")
    return folder / "water.shp"


def _geojson(**extra: object) -> bytes:
    data = json.loads(_water().to_json(drop_id=True))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}
    data.update(extra)
    return json.dumps(data).encode()


# ------------------------------------------------------------------------------- readers

DISGUISES = ["network.geojson", "network.json", "network.gpkg", "network.zip"]


def _disguised(name: str, vrt: bytes) -> bytes:
    """The VRT under ``name``; in a zip, as the three parts of a Shapefile."""
    if name.endswith(".zip"):
        return _zipped({f"network{ext}": vrt for ext in (".shp", ".shx", ".dbf")})
    return vrt


@pytest.mark.parametrize("name", DISGUISES)
@pytest.mark.parametrize("kind", ["sql-on-database", "server-file", "outside-url"])
def test_a_vrt_is_refused_under_any_extension(tmp_path, secrets, outside, name, kind):
    url, hits = outside
    path = tmp_path / name
    path.write_bytes(_disguised(name, _vrts(secrets, url)[kind]))
    with pytest.raises(InputFormatError) as err:
        read_vector(path)
    declared = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}
    expected = declared.get(path.suffix, "Shapefile .shp")
    assert f"declared as {expected} looks like an OGR VRT (XML)" in str(err.value)
    assert "已拒绝" in str(err.value)
    assert hits == []


def test_the_vrt_really_leaks_without_the_checks(tmp_path, secrets):
    """The attack is real: GDAL left to itself opens the VRT and reads the database."""
    path = tmp_path / "network.geojson"
    path.write_bytes(_vrts(secrets, "http://127.0.0.1:9")["sql-on-database"])
    leaked = pyogrio.read_dataframe(path)
    assert leaked["id"].tolist() == [SECRET_ID]


def test_geojson_cannot_make_gdal_fetch_a_url(tmp_path, outside):
    url, hits = outside
    link = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    for name, data in {
        "link-crs.geojson": _geojson(crs=link),
        "file-crs.geojson": _geojson(crs={"type": "name", "properties": {"name": "/etc/passwd"}}),
        "vsi-value.geojson": _geojson(note=f"/vsicurl/{url}/x"),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputFormatError, match="已拒绝"):
            read_vector(path)
    assert hits == []
    plain = tmp_path / "plain.geojson"
    plain.write_bytes(_geojson())
    assert read_vector(plain)["asset_id"].tolist() == ["W-1"]


def test_gdal_is_kept_off_the_network_while_reading(tmp_path, outside):
    """The second line: even a file the checks let through could not reach out."""
    url, hits = outside
    path = tmp_path / "link.geojson"
    link = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    path.write_bytes(_geojson(crs=link))
    with gdal_offline():
        pyogrio.read_dataframe(path)  # GDAL would fetch the crs; the request cannot leave
        with pytest.raises(pyogrio.errors.DataSourceError):
            pyogrio.read_dataframe(f"/vsicurl/{url}/water.geojson")
    assert hits == []
    assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") is None  # restored after
    pyogrio.read_dataframe(path)  # the control: outside the block GDAL does fetch it
    assert hits == ["/crs.wkt"]


def test_other_formats_are_refused_whatever_they_are_called(tmp_path):
    sqlite = tmp_path / "plain.sqlite"
    sqlite3.connect(sqlite).execute("CREATE TABLE t (a)").connection.commit()
    cases = {
        "db.gpkg": (sqlite.read_bytes(), "an SQLite database (not a GeoPackage)"),
        "roads.geojson": (b'{"type": "Topology", "objects": {}}', "top-level type is 'Topology'"),
        "roads.json": (b"<?xml version='1.0'?><kml/>", "looks like XML"),
        "roads.vrt": (b"<OGRVRTDataSource/>", "format '.vrt' is not accepted"),
        "roads.kml": (b"<kml/>", "format '.kml' is not accepted"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputFormatError, match=re.escape(expected)):
            read_vector(path)


def test_a_zip_may_hold_shapefile_parts_only(tmp_path):
    folder = _shapefile(tmp_path / "shp").parent
    members = {f.name: f.read_bytes() for f in folder.iterdir()}
    good = tmp_path / "good.zip"
    good.write_bytes(_zipped(members))
    assert len(read_vector(good)) == 20
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_zipped({**members, "water.vrt": b"<OGRVRTDataSource/>"}))
    with pytest.raises(
        InputFormatError, match=r"holds 'water.vrt', which is not part of a Shapefile"
    ):
        read_vector(bad)


# ------------------------------------------------------------------------------- GeoPackage


def _gpkg(tmp_path: Path, name: str, *statements: str) -> Path:
    path = tmp_path / name
    _water().to_file(path, layer="water", driver="GPKG")
    with sqlite3.connect(path) as con:
        for statement in statements:
            con.execute(statement)
    return path


def _with_virtual_ogr(path: Path, source: Path) -> None:
    """Add a VirtualOGR table (it cannot be created without GDAL's module: write the schema)."""
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA writable_schema = ON")
        sql = f"CREATE VIRTUAL TABLE evil USING VirtualOGR('{source}')"
        con.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) "
            "VALUES ('table', 'evil', 'evil', 0, ?)",
            (sql,),
        )


def test_a_geopackage_that_runs_sql_is_refused(tmp_path, secrets):
    view = _gpkg(
        tmp_path,
        "view.gpkg",
        "CREATE VIEW leak AS SELECT fid, geom, asset_id AS id FROM water",
        "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
        "VALUES ('leak', 'attributes', 'leak')",
    )
    virtual = _gpkg(tmp_path, "virtual.gpkg")
    _with_virtual_ogr(virtual, secrets["db"])
    generated = _gpkg(tmp_path, "generated.gpkg", "CREATE TABLE g (a TEXT, b TEXT AS (upper(a)))")
    trigger = _gpkg(
        tmp_path,
        "trigger.gpkg",
        "CREATE TRIGGER steal AFTER INSERT ON water BEGIN DELETE FROM water; END",
    )
    cases = {
        view: "view 'leak'",
        virtual: "virtual table 'evil' using VirtualOGR",
        generated: "generated column 'b' in table 'g'",
        trigger: "trigger 'steal'",
    }
    for path, expected in cases.items():
        for read in (lambda p: read_vector(p, layer="water"), read_layers):
            with pytest.raises(InputFormatError, match=expected) as err:
                read(path)
            assert "GeoPackage" in str(err.value) and "已拒绝" in str(err.value)
    plain = _gpkg(tmp_path, "plain.gpkg")  # GDAL's own R-tree index and triggers are fine
    assert read_vector(plain)["asset_id"].tolist() == ["W-1"]
    assert list(read_layers(plain)) == ["water"]


# ------------------------------------------------------------------------------- .dbf


def test_a_corrupt_dbf_is_named_as_such(tmp_path):
    shp = _shapefile(tmp_path / "cut")
    dbf = shp.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes()[:-100])  # cut short
    with pytest.raises(InputFormatError) as err:
        read_vector(shp)
    message = str(err.value)
    assert f"the .dbf attribute table {str(dbf)!r} is corrupt" in message
    assert "it is cut short: its header says 20 records" in message and "已损坏" in message
    # zipped, with a .dbf that is not a dBASE file at all
    shp = _shapefile(tmp_path / "garbage")
    shp.with_suffix(".dbf").write_bytes(b"this is not a table" * 10)
    members = {f.name: f.read_bytes() for f in shp.parent.iterdir()}
    archive = tmp_path / "water.zip"
    archive.write_bytes(_zipped(members))
    with pytest.raises(InputFormatError) as err:
        read_vector(archive)
    assert f"the .dbf attribute table '{archive}!water.dbf' is corrupt" in str(err.value)
    assert "its first byte 0x74 is not a dBASE version" in str(err.value)


# ------------------------------------------------------------------------------- other readers


@pytest.mark.parametrize(
    ("name", "fmt", "declared"),
    [
        ("drawing.dxf", "dxf", "DXF"),
        ("net.inp", "epanet", "EPANET .inp"),
        ("roads.graphml", "osm-graphml", "OSM GraphML"),
        ("city.osm.pbf", "osm-pbf", "OSM PBF"),
    ],
)
def test_other_import_formats_refuse_a_vrt(tmp_path, secrets, name, fmt, declared):
    path = tmp_path / name
    path.write_bytes(_vrt(str(secrets["db"]), "SELECT id, phone, x, y FROM people"))
    with pytest.raises(InputFormatError, match=f"declared as {declared} looks like an OGR VRT"):
        load_for_import(path, fmt=fmt, source_crs=CRS, dxf_map={"*": "water"})


def test_osm_xml_with_a_vrt_inside_is_refused(tmp_path, secrets):
    """GDAL's XML parser accepts two roots: an <osm> file may carry a VRT after it."""
    path = tmp_path / "city.osm.pbf"
    vrt = _vrt(str(secrets["db"]), "SELECT id, phone, x, y FROM people")
    path.write_bytes(b"<?xml version='1.0'?><osm version='0.6'></osm>" + vrt)
    with pytest.raises(InputFormatError, match="XML holding 'ogrvrtdatasource'"):
        load_for_import(path, fmt="osm-pbf")


# ------------------------------------------------------------------------------- command line


def test_linkplan_import_refuses_a_vrt(tmp_path, secrets, outside):
    url, hits = outside
    ws = tmp_path / "ws.gpkg"
    for kind, vrt in _vrts(secrets, url).items():
        source = tmp_path / f"{kind}.geojson"
        source.write_bytes(vrt)
        res = CliRunner().invoke(cli_app, ["import", str(ws), str(source), "--layer", "water"])
        assert res.exit_code != 0
        assert isinstance(res.exception, InputFormatError)
        assert "OGR VRT (XML)" in str(res.exception)
    assert hits == [] and not ws.exists()


def test_linkplan_load_refuses_a_vrt_or_a_geopackage_with_a_view(tmp_path, secrets, monkeypatch):
    stored: list[str] = []

    def import_layers(
        layers: dict[str, gpd.GeoDataFrame], **kwargs: object
    ) -> list[SimpleNamespace]:
        stored.extend(layers)
        return [
            SimpleNamespace(
                layer=name, version=2, n_features=len(gdf), added=[], removed=[], changed=[]
            )
            for name, gdf in layers.items()
        ]

    store = SimpleNamespace(import_layers=import_layers, engine=SimpleNamespace(dispose=lambda: None))
    monkeypatch.setattr(
        "api.state.load_state", lambda settings, **kw: SimpleNamespace(store=store)
    )
    vrt = tmp_path / "vrt.gpkg"
    vrt.write_bytes(_vrt(str(secrets["db"]), "SELECT id, phone, x, y FROM people"))
    view = _gpkg(tmp_path, "view.gpkg", "CREATE VIEW leak AS SELECT * FROM water")
    for path, expected in ((vrt, "OGR VRT (XML)"), (view, "view 'leak'")):
        res = CliRunner().invoke(cli_app, ["load", str(path)])
        assert isinstance(res.exception, InputFormatError)
        assert expected in str(res.exception)
    assert stored == []
    res = CliRunner().invoke(cli_app, ["load", str(_gpkg(tmp_path, "plain.gpkg"))])
    assert res.exit_code == 0, res.output
    assert stored == ["water"]


# ------------------------------------------------------------------------------- web API


client = client_fixture(max_upload_mb=2)


WATER = auth("water")


@pytest.mark.parametrize("name", DISGUISES)
def test_upload_of_a_vrt_is_refused_and_nothing_leaks(client, secrets, outside, name):
    url, hits = outside
    before = client.get("/networks?layer=water", headers=WATER).json()
    for kind, vrt in _vrts(secrets, url).items():
        res = client.post(
            "/networks/water",
            headers=WATER,
            files={"file": (name, io.BytesIO(_disguised(name, vrt)), "application/geo+json")},
        )
        assert res.status_code == 422, (kind, res.text)
        detail = res.json()["detail"]
        assert f"'{name}" in detail and "OGR VRT (XML)" in detail and "已拒绝" in detail
        assert SECRET_ID not in res.text and str(secrets["db"]) not in detail
    assert client.get("/networks?layer=water", headers=WATER).json() == before
    ogc = client.get("/ogc/collections/water/items?limit=1000", headers=WATER)
    assert SECRET_ID not in ogc.text and SECRET_PHONE not in ogc.text
    assert hits == []


def test_upload_of_geojson_with_a_link_crs_makes_no_request(client, outside):
    url, hits = outside
    link = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    res = client.post(
        "/networks/water",
        headers=WATER,
        files={"file": ("water.geojson", io.BytesIO(_geojson(crs=link)), "application/geo+json")},
    )
    assert res.status_code == 422
    assert 'a crs of type "name"' in res.json()["detail"]
    assert hits == []
