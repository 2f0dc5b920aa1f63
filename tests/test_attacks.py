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

from api.app import create_app
from api.seed import DEV_TOKENS
from gis.errors import InputFormatError
from gis.io.files import read_vector
from gis.settings import Settings

CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A development service on its own SQLite database (demo district, 16 projects)."""
    url = f"sqlite:///{tmp_path / 'linkplan.db'}"
    app = create_app(Settings(database_url=url, env="development", max_upload_mb=2))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.linkplan.store.engine.dispose()


def _auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEV_TOKENS[who]}"}


def _upload(client: TestClient, layer: str, raw: bytes, *, confirm: bool = False):
    return client.post(
        f"/networks/{layer}",
        headers=_auth("admin"),
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
    assert client.get("/networks/water/versions", headers=_auth("admin")).json()[-1]["version"] == 1


def test_reassess_names_a_project_whose_site_was_removed(client):
    """A confirmed removal of a site in use leaves one orphan project: the rest still work."""
    sites = client.get("/ogc/collections/sites/items?limit=1000", headers=_auth("admin")).json()
    kept = [f for f in sites["features"] if f["properties"]["project_id"] != "JM-2026-001"]
    raw = json.dumps({"type": "FeatureCollection", "features": kept}).encode()
    assert _upload(client, "sites", raw).status_code == 409  # the guard asks first
    assert _upload(client, "sites", raw, confirm=True).status_code == 201
    r = client.post("/projects/reassess", headers=_auth("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["without_site"] == ["JM-2026-001"]
    assert len(body["reassessed"]) == 15
    assert "JM-2026-001" not in {a["project_id"] for a in body["reassessed"]}
