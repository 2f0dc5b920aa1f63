"""Accepted data must not break or wipe the service (issue 12, item 6), on both backends.

Refused: empty required layers, coordinates far outside the working CRS's area (1e300), a
network mostly off the roads (GCJ-02 declared as WGS84), and — unless confirmed — a version
that removes most of a layer or a site a project uses. Layer history is readable and
restorable through the store and the API.
"""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString

from data.demo_district import build_district
from gis import chinacoords
from gis.errors import ConfirmationRequiredError, ValidationError
from gis.storage.guards import GCJ02_HINT
from gis.storage.models import ProjectRecord
from tests.service import auth, client_fixture
from tests.test_storage import store  # noqa: F401  (the fixture, both backends)

CRS = "EPSG:4546"
DEMO = build_district("demo")


def _base(store) -> None:  # noqa: F811
    for name in ("scope", "roads", "sites"):
        store.import_layer(name, DEMO[name], user="test")


def _gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer as 高德 shows it: GCJ-02 lon/lat, but declared as WGS84."""
    ll = gdf.to_crs("EPSG:4326")

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = chinacoords.wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return ll.set_geometry(shapely.transform(np.asarray(ll.geometry.values), shift), crs="EPSG:4326")


def _frame(gdf: gpd.GeoDataFrame, id_field: str) -> list[tuple]:
    """Features as sorted (id, attributes, WKB) rows, for exact comparison of versions."""
    rows = []
    for rec, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry):
        attrs = tuple(sorted((k, None if pd.isna(v) else v) for k, v in rec.items()))
        rows.append((rec[id_field], attrs, geom.wkb_hex))
    return sorted(rows)


# ---------------------------------------------------------------------------------- store


def test_empty_roads_refused_and_the_stored_roads_kept(store):  # noqa: F811
    _base(store)
    empty = DEMO["roads"].iloc[:0]
    with pytest.raises(ValidationError) as err:
        store.import_layer("roads", empty)
    [p] = [p for p in err.value.problems if p.severity == "error"]
    assert (p.layer, p.code) == ("roads", "empty_layer") and "roads" in p.expected
    assert store.count("roads") == 92 and store.latest()["roads"] == 1


def test_vertex_at_1e300_refused_naming_the_feature(store):  # noqa: F811
    _base(store)
    water = DEMO["water"].copy()
    line = water.geometry.iloc[5]
    water.loc[water.index[5], "geometry"] = LineString([*line.coords, (1e300, line.coords[-1][1])])
    with pytest.raises(ValidationError) as err:
        store.import_layer("water", water)
    bad = [p for p in err.value.problems if p.code == "outside_crs_area"]
    assert [(p.layer, p.feature, p.field) for p in bad] == [
        ("water", water["asset_id"].iloc[5], "geometry")
    ]
    assert "1e+300" in bad[0].value and "EPSG:4546" in bad[0].value
    assert "x within [241227, 758773]" in bad[0].expected  # 109.5°–112.5°E widened by 100 km
    assert "water" not in store.latest()


def test_gcj02_network_refused_with_the_hint_accepted_with_confirm(store):  # noqa: F811
    _base(store)
    shifted = _gcj02(DEMO["water"])
    with pytest.raises(ConfirmationRequiredError) as err:
        store.import_layer("water", shifted)
    [p] = err.value.problems
    assert p.code == "confirm_off_road" and GCJ02_HINT in p.expected
    # the demo shifts by ~610 m: 232 of the 243 pipes
    # (88 mains, 155 junction pipes) end up mostly > 30 m from every road
    assert p.value.startswith("232/243 ") and "typically 159 m away" in p.value
    assert "water" not in store.latest()
    # the advice works: the same file declared as GCJ-02 lands on the roads, no confirmation
    fixed = store.import_layer("water", shifted, source_crs="gcj02")
    assert fixed.version == 1
    # an uploader who knows better may still store it as it is
    forced = store.import_layer("water", shifted, confirm=True)
    assert forced.version == 2 and forced.n_features == 243


def test_one_feature_upload_refused_with_the_count_then_confirmed(store):  # noqa: F811
    _base(store)
    store.import_layer("water", DEMO["water"])
    one = DEMO["water"].iloc[:1]
    with pytest.raises(ConfirmationRequiredError) as err:
        store.import_layer("water", one, user="水务")
    [p] = err.value.problems
    assert p.code == "confirm_removal"
    assert "removes 242 of the 243 stored features" in p.value
    assert sorted(DEMO["water"]["asset_id"])[1] in p.value  # the ids it would remove
    assert store.latest()["water"] == 1 and store.count("water") == 243
    done = store.import_layer("water", one, user="水务", confirm=True)
    assert (done.version, done.n_features, len(done.removed)) == (2, 1, 242)


def test_removing_a_site_of_a_live_project_names_the_project(store):  # noqa: F811
    _base(store)
    with store.session.begin() as s:
        s.add(ProjectRecord(project_id="JM-2026-003", intake={"project_name": "荆门某厂房"}))
    sites = DEMO["sites"]
    fewer = sites[~sites["project_id"].isin(["JM-2026-003", "JM-2026-004"])]
    with pytest.raises(ConfirmationRequiredError) as err:
        store.import_layer("sites", fewer)
    # JM-2026-004 has no project: removing it alone is an ordinary edit
    assert [(p.code, p.feature) for p in err.value.problems] == [
        ("confirm_site_in_use", "JM-2026-003")
    ]
    assert "荆门某厂房" in err.value.problems[0].value
    assert store.latest()["sites"] == 1
    assert store.import_layer("sites", fewer, confirm=True).removed == ["JM-2026-003", "JM-2026-004"]


def test_restore_version_1_after_a_bad_version_2(store):  # noqa: F811
    _base(store)
    store.import_layer("water", DEMO["water"], user="水务")
    store.import_layer("water", DEMO["water"].iloc[:1], user="水务", confirm=True)
    restored = store.restore_version("water", 1, user="admin")
    assert (restored.version, restored.n_features, len(restored.added)) == (3, 243, 242)
    assert _frame(store.layer("water", version=3), "asset_id") == _frame(
        store.layer("water", version=1), "asset_id"
    )
    v3 = store.versions("water")[-1]
    assert (v3.source, v3.created_by) == ("restore of version 1", "admin")
    # a layer without an id field keeps its attributes, with no positional id added
    store.import_layer("major_lines", DEMO["major_lines"])
    store.import_layer("major_lines", DEMO["major_lines"].iloc[:1], confirm=True)
    back = store.restore_version("major_lines", 1)
    assert back.changed == [] and back.n_features == len(DEMO["major_lines"])
    assert sorted(store.layer("major_lines", version=3).columns) == sorted(
        store.layer("major_lines", version=1).columns
    )


# ------------------------------------------------------------------------------------ API


client = client_fixture(max_upload_mb=2)


def _post(client, layer: str, gdf: gpd.GeoDataFrame, who: str, **form: str):
    data = json.loads(gdf.to_crs("EPSG:4326").to_json(drop_id=True))
    return client.post(
        f"/networks/{layer}",
        headers=auth(who),
        data=form,
        files={"file": ("layer.geojson", io.BytesIO(json.dumps(data).encode()), "application/geo+json")},
    )


def _latest(client, layer: str) -> int:
    versions = client.get(f"/networks/{layer}/versions", headers=auth("survey")).json()
    return int(versions[-1]["version"])


def test_api_refuses_empty_roads_and_absurd_coordinates(client):
    res = _post(client, "roads", DEMO["roads"].iloc[:0], "admin")
    assert res.status_code == 422, res.text
    assert [(p["layer"], p["code"]) for p in res.json()["problems"]] == [("roads", "empty_layer")]
    water = DEMO["water"].copy()
    water.loc[water.index[0], "geometry"] = LineString([(616_000.0, 3_419_000.0), (1e300, 3_419_000.0)])
    data = json.loads(water.to_json(drop_id=True))  # EPSG:4546, declared
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}
    res = client.post(
        "/networks/water",
        headers=auth("water"),
        files={"file": ("w.geojson", io.BytesIO(json.dumps(data).encode()), "application/geo+json")},
    )
    assert res.status_code == 422, res.text
    bad = [p for p in res.json()["problems"] if p["code"] == "outside_crs_area"]
    assert [(p["feature"], p["field"]) for p in bad] == [(water["asset_id"].iloc[0], "geometry")]
    assert client.get("/ogc/collections", headers=auth("survey")).status_code == 200
    res = client.get("/ogc/collections/water/items", headers=auth("survey"))
    assert res.status_code == 200 and res.json()["numberMatched"] == 243


def test_api_confirmations_and_history(client):
    before = _latest(client, "water")
    # a GCJ-02 network declared as WGS84: 409 with the hint, nothing stored
    res = _post(client, "water", _gcj02(DEMO["water"]), "water")
    assert res.status_code == 409, res.text
    assert GCJ02_HINT in res.json()["problems"][0]["expected"] and GCJ02_HINT in res.text
    # a one-feature upload: 409 saying 242 pipes go; accepted with confirm
    res = _post(client, "water", DEMO["water"].iloc[:1], "water")
    assert res.status_code == 409 and "removes 242 of the 243" in res.json()["problems"][0]["value"]
    assert _latest(client, "water") == before
    res = _post(client, "water", DEMO["water"].iloc[:1], "water", confirm="true")
    assert res.status_code == 201 and len(res.json()["removed_ids"]) == 242
    bad = res.json()["version"]
    # history: listed, each version readable, the good one restored as a new version
    listed = client.get("/networks/water/versions", headers=auth("survey")).json()
    assert [v["version"] for v in listed][-2:] == [before, bad] and listed[-1]["removed"] == 242
    res = client.post(f"/networks/water/versions/{before}/restore", headers=auth("gas"))
    assert res.status_code == 403
    res = client.post(f"/networks/water/versions/{before}/restore", headers=auth("water"))
    assert res.status_code == 201, res.text
    assert res.json()["version"] == bad + 1 and len(res.json()["added_ids"]) == 242

    def features(v: int) -> list:
        body = client.get(f"/networks/water/versions/{v}?limit=1000", headers=auth("survey")).json()
        assert body["features"]["numberMatched"] == body["n_features"]
        return sorted(body["features"]["features"], key=lambda f: f["properties"]["asset_id"])

    assert features(bad + 1) == features(before) and len(features(before)) == 243
    lon, lat = features(before)[0]["geometry"]["coordinates"][0]
    assert 112.0 < lon < 112.3 and 30.8 < lat < 31.0  # CRS84
    assert client.get("/networks/water/versions/99", headers=auth("survey")).status_code == 404
    # a sites version without a site a project uses: 409 naming the project
    sites = DEMO["sites"]
    res = _post(client, "sites", sites[sites["project_id"] != "JM-2026-005"], "admin")
    assert res.status_code == 409, res.text
    assert [(p["code"], p["feature"]) for p in res.json()["problems"]] == [
        ("confirm_site_in_use", "JM-2026-005")
    ]
