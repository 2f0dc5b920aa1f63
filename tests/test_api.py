"""The web service on both backends (embedded SQLite and real PostGIS): every route, every role
boundary, masking, versioned uploads, the ledger on a controlled clock, concurrency."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString

from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from tests.service import auth, client_fixture

CRS = "EPSG:4546"


client = client_fixture(max_upload_mb=2)


def _form(pid: str) -> dict:
    return next(f for f in demo_intakes() if f["site_id"] == pid)


def _upload(client, layer: str, gdf: gpd.GeoDataFrame, who: str, name: str = "layer.geojson"):
    data = json.loads(gdf.to_json(drop_id=True))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}
    return client.post(
        f"/networks/{layer}",
        headers=auth(who),
        files={"file": (name, io.BytesIO(json.dumps(data).encode()), "application/geo+json")},
    )


# ------------------------------------------------------------------ authentication and roles


def test_every_route_needs_a_token(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if not path.startswith(("/projects", "/networks", "/plans", "/ledger", "/maps", "/ogc")):
            continue
        for method in ops:
            url = path.replace("{project_id}", "JM-2026-001").replace("{layer}", "water")
            url = url.replace("{kind}", "prelay").replace("{step}", "surveyed")
            url = url.replace("{collectionId}", "water").replace("{featureId}", "W-0001")
            res = client.request(method.upper(), url)
            assert res.status_code == 401, (method, path, res.status_code)
            assert res.headers.get("www-authenticate", "").lower().startswith("bearer")
    res = client.get("/projects", headers={"Authorization": "Bearer wrong"})
    assert res.status_code == 401
    water = client.get("/ogc/collections/water/items", headers=auth("survey"))
    assert water.status_code == 200 and water.json()["numberMatched"] == 243


@pytest.mark.parametrize(
    ("who", "method", "url", "expected"),
    [
        ("survey", "post", "/projects/JM-2026-001/planning-opinion", 403),
        ("intake", "post", "/projects/JM-2026-001/planning-opinion", 403),
        ("planning", "post", "/projects/JM-2026-001/planning-opinion", 200),
        ("admin", "post", "/projects/JM-2026-001/planning-opinion", 200),
        ("investment", "post", "/projects", 403),
        ("survey", "post", "/projects", 403),
        ("water", "post", "/projects", 403),
        ("survey", "post", "/plans/prelay", 403),
        ("investment", "post", "/plans/prelay", 403),
        ("survey", "get", "/projects/JM-2026-001", 200),
        ("water", "get", "/networks?layer=gas", 200),
    ],
)
def test_role_boundaries(client, who, method, url, expected):
    body = {"text": "同意按研判路由实施。"} if "opinion" in url else _form("JM-2026-001")
    res = client.request(method.upper(), url, headers=auth(who), json=body)
    assert res.status_code == expected, res.text
    if expected == 403:
        assert res.json()["error"] in {"PermissionDeniedError", "PermissionError"} or "role" in res.text


def test_utility_planners_edit_only_their_network(client):
    gas = build_district("demo")["gas"]
    res = _upload(client, "gas", gas, "water")
    assert res.status_code == 403 and "gas" in res.text
    res = client.get("/networks?layer=gas", headers=auth("water"))
    assert res.status_code == 200 and res.json()[-1]["version"] == 1  # read the others: yes


def test_personal_data_masked_for_roles_that_do_not_need_it(client):
    form = _form("JM-2026-003")
    clear = client.get("/projects/JM-2026-003", headers=auth("intake")).json()["intake"]
    assert clear["id_number"] == form["id_number"] and clear["phone"] == form["phone"]
    for who in ("survey", "water", "planning", "investment"):
        shown = client.get("/projects/JM-2026-003", headers=auth(who)).json()["intake"]
        assert shown["id_number"] != form["id_number"] and "*" in shown["id_number"]
        assert shown["id_number"][-4:] == form["id_number"][-4:]
        assert "*" in shown["phone"] and shown["phone"][-4:] == form["phone"][-4:]
        assert shown["applicant"] == form["applicant"]


# ------------------------------------------------------------------ projects and assessments


def test_intake_errors_all_at_once_with_field_paths(client):
    bad = {**_form("JM-2026-001"), "credit_code": "91420804MA4000010X", "phone": "12", "site_id": "X"}
    bad["water"] = {"water_m3_day": -3}
    res = client.post("/projects", headers=auth("intake"), json=bad)
    assert res.status_code == 422
    fields = {p["field"] for p in res.json()["problems"]}
    assert {"credit_code", "phone"} <= fields
    assert any(f and f.startswith("water") for f in fields)


def test_create_project_on_a_new_site_then_assess_it(client):
    layers = build_district("demo")
    sites = layers["sites"]
    donor = sites[sites["project_id"] == "JM-2026-001"]
    new = donor.copy()
    new["project_id"] = "JM-2026-101"
    new["name"] = "新注册项目"
    res = _upload(client, "sites", gpd.GeoDataFrame(
        pd.concat([sites, new], ignore_index=True), crs=sites.crs
    ), "admin", "sites.geojson")
    assert res.status_code == 201, res.text
    assert res.json()["added_ids"] == ["JM-2026-101"]
    form = {**_form("JM-2026-001"), "site_id": "JM-2026-101", "project_name": "新注册项目"}
    res = client.post("/projects", headers=auth("intake"), json=form)
    assert res.status_code == 201, res.text
    assert res.json()["time_nodes"]["form_complete"]
    again = client.post("/projects", headers=auth("intake"), json=form)
    assert again.status_code == 422 and "exists" in again.text
    run = client.post("/projects/JM-2026-101/assessment", headers=auth("survey"))
    assert run.status_code == 201, run.text
    body = run.json()
    # the same site as JM-2026-001: water 120 m along 掇刀路, notify-and-commit
    assert body["approval_path"] == "commitment"
    assert body["result"]["utilities"]["water"]["length_m"] == pytest.approx(120.0, abs=0.5)
    assert body["versions"]["sites"] == 2  # the assessment records the new sites version
    listed = client.get("/projects?approval_path=commitment", headers=auth("survey")).json()
    assert "JM-2026-101" in [p["project_id"] for p in listed]


def test_bad_upload_leaves_the_previous_version(client):
    before = client.get("/networks?layer=water", headers=auth("water")).json()
    water = build_district("demo")["water"].copy()
    water.loc[water.index[:3], "diameter_mm"] = -1  # three bad rows
    res = _upload(client, "water", water, "water")
    assert res.status_code == 422
    assert sum(p["field"] == "diameter_mm" for p in res.json()["problems"]) == 3
    after = client.get("/networks?layer=water", headers=auth("water")).json()
    assert after == before
    # not a layer file at all
    res = client.post(
        "/networks/water",
        headers=auth("water"),
        files={"file": ("notes.txt", io.BytesIO(b"hello"), "text/plain")},
    )
    assert res.status_code == 422 and "expected a .gpkg" in res.text
    # over the upload limit (2 MB here)
    res = client.post(
        "/networks/water",
        headers=auth("water"),
        files={"file": ("big.geojson", io.BytesIO(b" " * (3 * 1024 * 1024)), "application/json")},
    )
    assert res.status_code == 413


def test_new_network_version_and_reassessment(client):
    water = build_district("demo")["water"].copy()
    # a new main in the sidewalk in front of JM-2026-003 (its frontage is 4.5 m west of the
    # red line on 迎宾大道; the nearest main was 450 m away before)
    site = build_district("demo")["sites"].set_index("project_id").geometry["JM-2026-003"]
    x0, y0, _, y1 = site.bounds
    extra = gpd.GeoDataFrame(
        {"asset_id": ["W-NEW"], "status": ["existing"], "diameter_mm": [300.0]},
        geometry=[LineString([(x0 - 4.5, y0 - 10), (x0 - 4.5, y1 + 10)])],
        crs=CRS,
    )
    before = client.post("/projects/JM-2026-003/assessment", headers=auth("survey")).json()
    res = _upload(client, "water", gpd.GeoDataFrame(
        pd.concat([water, extra], ignore_index=True), crs=CRS
    ), "water")
    assert res.status_code == 201, res.text
    assert res.json()["added_ids"] == ["W-NEW"] and res.json()["removed_ids"] == []
    after = client.post("/projects/JM-2026-003/assessment", headers=auth("survey")).json()
    assert after["versions"]["water"] == before["versions"]["water"] + 1
    assert (
        after["result"]["utilities"]["water"]["length_m"]
        < before["result"]["utilities"]["water"]["length_m"]
    )
    latest = client.get("/projects/JM-2026-003/assessment", headers=auth("survey")).json()
    assert latest["id"] == after["id"]


# ------------------------------------------------------------------ ledger, plans, maps


def test_ledger_warnings_on_a_controlled_clock(client):
    # accepted Sun 2025-09-28 10:00 (a 调休 working day), joint path: submission due 09-30 18:00
    res = client.post(
        "/projects/JM-2026-004/nodes/form_complete",
        headers=auth("intake"),
        json={"at": "2025-09-28T10:00:00"},
    )
    assert res.status_code == 200, res.text
    client.post("/projects/JM-2026-004/assessment", headers=auth("survey"))
    early = client.get("/ledger", params={"now": "2025-09-28T11:00:00"}, headers=auth("survey")).json()
    assert not any(e["project_id"] == "JM-2026-004" for items in early.values() for e in items)
    late = client.get("/ledger", params={"now": "2025-09-30T16:30:00"}, headers=auth("survey")).json()
    entries = [e for items in late.values() for e in items if e["project_id"] == "JM-2026-004"]
    assert entries and all(e["status"] == "approaching" for e in entries)
    assert entries[0]["deadline"].startswith("2025-09-30T18:00")
    over = client.get("/ledger", params={"now": "2025-10-09T09:00:00"}, headers=auth("survey")).json()
    assert any(
        e["project_id"] == "JM-2026-004" and e["status"] == "overdue"
        for items in over.values()
        for e in items
    )


def test_prelay_and_coordination_plans(client):
    res = client.post("/plans/prelay", headers=auth("water"))
    assert res.status_code == 201, res.text
    plan = res.json()
    assert plan["utility"] == "water"
    assert {f["properties"]["utility"] for f in plan["features"]["features"]} <= {"water"}
    got = client.get("/plans/prelay/latest", headers=auth("survey")).json()
    assert got["id"] == plan["id"]
    res = client.post("/plans/coordination", headers=auth("planning"))
    assert res.status_code == 201, res.text
    assert res.json()["summary"]["works"] >= 1
    assert client.get("/plans/coordination/latest", headers=auth("water")).status_code == 200


def test_maps_and_documents_through_the_api(client):
    res = client.get("/maps/projects/JM-2026-005", headers=auth("survey"))
    assert res.status_code == 200 and "linkplanMeasure" in res.text
    form = _form("JM-2026-004")
    sheet = client.get(
        "/projects/JM-2026-004/documents/intake_form", headers=auth("survey")
    ).text
    assert form["id_number"] not in sheet and form["id_number"][-4:] in sheet
    sheet = client.get("/projects/JM-2026-004/documents/intake_form", headers=auth("intake")).text
    assert form["id_number"] in sheet


def test_fifty_concurrent_assessments_agree(client):
    def run(_: int):
        res = client.post("/projects/JM-2026-002/assessment", headers=auth("survey"))
        return res.status_code, res.json().get("result", {}).get("utilities", {}).get("water", {}).get("length_m")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(run, range(50)))
    assert all(code == 201 for code, _ in results), results[:3]
    assert len({length for _, length in results}) == 1  # every request got the same answer
    assert results[0][1] == pytest.approx(300.0, abs=0.5)  # the exact-300 m demo case


def test_update_project_and_its_site_is_kept(client):
    form = {**_form("JM-2026-007"), "contact": "新联系人"}
    tag = client.get("/projects/JM-2026-007", headers=auth("intake")).headers["etag"]
    res = client.put("/projects/JM-2026-007", headers={**auth("intake"), "If-Match": tag}, json=form)
    assert res.status_code == 200, res.text
    assert res.json()["intake"]["contact"] == "新联系人"
    moved = client.put(
        "/projects/JM-2026-007",
        headers={**auth("intake"), "If-Match": res.headers["etag"]},
        json={**form, "site_id": "JM-2026-008"},
    )
    assert moved.status_code == 422 and "keeps its site" in moved.json()["detail"]
    assert client.put("/projects/NOPE", headers=auth("intake"), json=form).status_code == 404


def test_reassess_after_a_new_network_version(client):
    first = client.post("/projects/reassess", headers=auth("survey")).json()
    again = client.post("/projects/reassess", headers=auth("survey")).json()
    assert again["reassessed"] == [] and len(again["unchanged"]) == len(
        first["unchanged"]
    ) + len(first["reassessed"])
    power = build_district("demo")["power"]
    res = _upload(client, "power", power, "power")
    assert res.status_code == 201 and res.json()["changed"] == 0  # same data, new version
    third = client.post("/projects/reassess", headers=auth("survey")).json()
    assert third["versions"]["power"] == first["versions"]["power"] + 1
    assert third["unchanged"] == []
    assert {a["versions"]["power"] for a in third["reassessed"]} == {third["versions"]["power"]}


def test_every_read_route_answers_and_links_resolve(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if "get" not in ops or path.startswith("/ogc/collections/{collectionId}/items/"):
            continue
        url = path.replace("{project_id}", "JM-2026-005").replace("{kind}", "prelay")
        url = url.replace("{collectionId}", "water")
        url = url.replace("{layer}", "water").replace("{version}", "1")
        if "{kind}" in path and "documents" in path:
            url = path.replace("{project_id}", "JM-2026-005").replace("{kind}", "approval_sheet")
        if url.endswith("/plans/prelay/latest"):
            client.post("/plans/prelay", headers=auth("admin"))
        if url.endswith("/assessment"):
            client.post("/projects/JM-2026-005/assessment", headers=auth("admin"))
        res = client.get(url, headers=auth("admin"))
        assert res.status_code == 200, (url, res.status_code, res.text[:200])
    links = client.get("/projects/JM-2026-005", headers=auth("survey")).json()["links"]
    for name, link in links.items():
        res = client.get(link, headers=auth("survey"))
        assert res.status_code == 200, (name, link, res.text[:200])


def test_investment_office_registers_intents(client):
    from shapely import get_coordinates
    from shapely.geometry import mapping, shape

    from gis.chinacoords import wgs84_to_gcj02

    intents = build_district("demo")["intents"]
    donor = intents.to_crs("EPSG:4326").geometry.iloc[0]
    body = {
        "intent_id": "YX-2026-901",
        "name": "新材料产业园二期",
        "expected_start": "2027-06-01",
        "utilities": ["water", "power"],
        "power_kva": 2500,
        "geometry": mapping(donor),
    }
    assert client.post("/intents", headers=auth("survey"), json=body).status_code == 403
    res = client.post("/intents", headers=auth("investment"), json=body)
    assert res.status_code == 201, res.text
    assert res.json()["added_ids"] == ["YX-2026-901"] and res.json()["removed_ids"] == []
    # the same parcel picked on 高德 (GCJ-02): stored at the WGS84 position, as an update
    lon, lat = wgs84_to_gcj02(get_coordinates(donor)[:, 0], get_coordinates(donor)[:, 1])
    gcj = {"type": "Polygon", "coordinates": [list(zip(lon.tolist(), lat.tolist()))]}
    res = client.post(
        "/intents",
        headers=auth("investment"),
        json={**body, "geometry": gcj, "coordinates": "gcj02", "power_kva": 3000},
    )
    assert res.status_code == 201 and res.json()["changed_ids"] == ["YX-2026-901"]
    listed = client.get("/intents", headers=auth("water")).json()["features"]
    mine = next(f for f in listed if f["properties"]["intent_id"] == "YX-2026-901")
    got = get_coordinates(shape(mine["geometry"]))
    assert abs(got - get_coordinates(donor)).max() < 1e-6  # back on WGS84 to ~0.1 m
    assert mine["properties"]["power_kva"] == 3000 and mine["properties"]["registered_by"] == "investment"
    bad = client.post("/intents", headers=auth("investment"), json={**body, "geometry": {"type": "Polygon"}})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("who", "step", "expected"),
    [
        ("intake", "form_complete", 200),
        ("water", "form_complete", 403),
        ("water", "submitted", 200),  # JM-2026-001 asked for water and power
        ("gas", "submitted", 403),  # … not for gas
        ("survey", "surveyed", 200),
        ("survey", "approved", 403),
        ("planning", "approved", 200),
        ("investment", "registered", 200),
        ("admin", "connected", 200),
    ],
)
def test_time_nodes_are_recorded_by_the_department_of_the_step(client, who, step, expected):
    res = client.post(
        f"/projects/JM-2026-001/nodes/{step}",
        headers=auth(who),
        json={"at": "2026-11-30T09:00:00"},
    )
    assert res.status_code == expected, res.text
