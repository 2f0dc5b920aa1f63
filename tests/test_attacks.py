"""Attacks and office mishaps against the service that once got a 500 or broke it for everyone.

Found by the issue 12 review ("a service that cannot be fooled"):

* a GeoJSON nested deeper than Python's JSON parser goes (a JSON bomb) crashed the format
  check with a ``RecursionError`` (HTTP 500) instead of being refused as not GeoJSON;
* a line of a single point made GEOS raise while the file was read (HTTP 500) instead of a
  refusal naming the file;
* after a sites upload that removed a project's site (confirmed, as the guard asks),
  ``POST /projects/reassess`` answered 404 for every project because of that one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gis.crs import resolve_crs
from gis.errors import CRSError, InputFormatError
from gis.io.files import read_vector
from tests.service import auth, serve

CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A development service on its own SQLite database (demo district, 16 projects)."""
    url = f"sqlite:///{tmp_path / 'linkplan.db'}"
    with serve(url, max_upload_mb=2, raise_server_exceptions=False) as c:
        yield c


def _upload(client: TestClient, layer: str, raw: bytes, *, confirm: bool = False):
    return client.post(
        f"/networks/{layer}",
        headers=auth("admin"),
        data={"confirm": "true"} if confirm else {},
        files={"file": ("attack.geojson", io.BytesIO(raw), "application/geo+json")},
    )


def _bomb(depth: int = 100_000) -> bytes:
    return ('{"type": "FeatureCollection", "features": ' + "[" * depth + "]" * depth + "}").encode()


def _one_point_line() -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"asset_id": "W-1", "status": "existing", "diameter_mm": 200},
        "geometry": {"type": "LineString", "coordinates": [[500000, 3400000]]},
    }
    return json.dumps({"type": "FeatureCollection", "crs": CRS, "features": [feature]}).encode()


def test_a_json_bomb_is_refused_as_not_geojson(tmp_path):
    path = tmp_path / "bomb.geojson"
    path.write_bytes(_bomb())
    with pytest.raises(InputFormatError) as err:
        read_vector(path)
    assert "declared as GeoJSON looks like JSON nested too deeply to parse" in str(err.value)


def test_a_json_bomb_upload_is_a_422_naming_the_file(client):
    r = _upload(client, "water", _bomb())
    assert r.status_code == 422
    assert "'attack.geojson'" in r.json()["detail"]
    assert "nested too deeply" in r.json()["detail"]


def test_a_line_of_one_point_is_refused_naming_the_file(tmp_path, client):
    path = tmp_path / "one-point.geojson"
    path.write_bytes(_one_point_line())
    with pytest.raises(InputFormatError, match=r"cannot read .*one-point\.geojson.*point array"):
        read_vector(path)
    r = _upload(client, "water", _one_point_line())
    assert r.status_code == 422
    assert "cannot read 'attack.geojson'" in r.json()["detail"]
    assert client.get("/networks/water/versions", headers=auth("admin")).json()[-1]["version"] == 1


def test_reassess_names_a_project_whose_site_was_removed(client):
    """A confirmed removal of a site in use leaves one orphan project: the rest still work."""
    sites = client.get("/ogc/collections/sites/items?limit=1000", headers=auth("admin")).json()
    kept = [f for f in sites["features"] if f["properties"]["project_id"] != "JM-2026-001"]
    raw = json.dumps({"type": "FeatureCollection", "features": kept}).encode()
    assert _upload(client, "sites", raw).status_code == 409  # the guard asks first
    assert _upload(client, "sites", raw, confirm=True).status_code == 201
    r = client.post("/projects/reassess", headers=auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["without_site"] == ["JM-2026-001"]
    assert len(body["reassessed"]) == 15
    assert "JM-2026-001" not in {a["project_id"] for a in body["reassessed"]}


def test_a_source_crs_that_makes_proj_open_a_file_is_refused(client):
    """``+nadgrids=/etc/passwd`` would make PROJ open a server file while reading the upload."""
    for crs in ("+proj=longlat +nadgrids=/etc/passwd", "+init=/etc/passwd:1", "+proj=longlat +geoidgrids=x.tif"):
        with pytest.raises(CRSError, match="references a file"):
            resolve_crs(crs)
    feature = {
        "type": "Feature",
        "properties": {"asset_id": "W-1", "status": "existing", "diameter_mm": 200},
        "geometry": {"type": "LineString", "coordinates": [[112.2, 31.0], [112.201, 31.0]]},
    }
    raw = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    r = client.post(
        "/networks/water",
        headers=auth("admin"),
        data={"source_crs": "+proj=longlat +nadgrids=/etc/passwd"},
        files={"file": ("attack.geojson", io.BytesIO(raw), "application/geo+json")},
    )
    assert r.status_code == 422, r.text
    assert "references a file" in r.json()["detail"]
    assert resolve_crs("EPSG:4546").to_epsg() == 4546  # EPSG codes, WKT and aliases still work


def test_a_project_is_not_created_on_a_site_removed_after_its_form_was_checked(
    client, monkeypatch
):
    """The form is checked against the sites first; the site is checked again under the lock.

    Request A checks its form (site X exists); request B then stores a sites layer without X
    (no project uses X yet, so no guard stops it); A must not create a project on X.
    """
    import api.routes.projects as projects
    from data.demo_intakes import demo_intakes

    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-016")
    state = client.app.state.linkplan
    with state.store.write() as s:
        s.delete(s.get(projects.ProjectRecord, "JM-2026-016"))
    checked = projects._validated(state, {**form})  # A: the form and site X are fine
    sites = client.get("/ogc/collections/sites/items?limit=1000", headers=auth("admin")).json()
    kept = [f for f in sites["features"] if f["properties"]["project_id"] != "JM-2026-016"]
    raw = json.dumps({"type": "FeatureCollection", "features": kept}).encode()
    assert _upload(client, "sites", raw).status_code == 201  # B: X removed, nobody asked
    monkeypatch.setattr(projects, "_validated", lambda state, data: checked)
    r = client.post("/projects", headers=auth("intake"), json=form)
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["code"] == "unknown_site"
    with state.store.session() as s:
        assert s.get(projects.ProjectRecord, "JM-2026-016") is None
