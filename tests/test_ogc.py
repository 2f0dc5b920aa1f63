"""OGC API – Features: the HTTP contract with TestClient, and GDAL's own OAPIF driver reading it.

Both on the embedded SQLite and on a real PostGIS. GDAL reads from a server in a child process:
pyogrio holds the GIL while GDAL waits for the next page, so a server thread in this process
could never answer it.
"""

from __future__ import annotations

import copy
import datetime as dt
import multiprocessing as mp
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import add_exception_handlers
from api.report import assessment_to_dict
from api.routes import ogc
from data.demo_district import REFERENCE_DATE, build_district
from gis.profile import load_profile
from gis.schema import LAYERS
from gis.storage.models import AssessmentRecord, PlanRecord, ProjectRecord
from gis.storage.store import Store, make_engine
from gis.workspace import Workspace
from planning.assess import assess_sites
from tests.test_storage import _fresh

SEEDED = (
    "scope", "roads", "sites", "major_lines", "green_space", "intents",
    "water", "gas", "heat", "power", "telecom",
)  # fmt: skip
DERIVED = ("routes", "prelay_plan", "coordination_plan")
ASSESSED = ("JM-2026-005", "JM-2026-013")
STREET_BOX = (112.1890, 30.8820, 112.2020, 30.8838)
"""Around 石化大道 (DD-02-03 … DD-02-05, lat ≈ 30.8829) and the north-west corner of JM-2026-005."""
BASE = "http://testserver/ogc"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _app(store: Store) -> FastAPI:
    app = FastAPI()
    app.include_router(ogc.router)
    add_exception_handlers(app)
    app.state.linkplan = SimpleNamespace(store=store)
    return app


def _id_field(name: str) -> str:
    spec = LAYERS.get(name)
    return spec.id_field if spec is not None and spec.id_field else "feature_id"


def _expected_in_box(gdf: gpd.GeoDataFrame, id_field: str, box: tuple[float, ...]) -> set[str]:
    """Ids whose WGS84 geometry intersects ``box``, computed with shapely on the demo frame."""
    wgs = gdf.to_crs("EPSG:4326")
    hits = shapely.intersects(np.asarray(wgs.geometry.array), shapely.box(*box))
    # a layer without an id field is stored with its features' positions as ids
    ids = wgs[id_field] if id_field in wgs.columns else range(len(wgs))
    return {str(i) for i, hit in zip(ids, hits) if hit}


@dataclass
class Served:
    store: Store
    client: TestClient
    url: str
    layers: dict[str, gpd.GeoDataFrame]
    routes: dict[str, dict[str, Any]]
    """Expected route features: id → (project_id, utility, role, route dict)."""
    plan_id: int


def _seed(store: Store) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, dict[str, Any]], int]:
    layers = build_district("demo")
    for name in SEEDED:
        store.import_layer(name, layers[name], user="test")
    # two real assessments, stored as the service stores them; an older doctored one before
    ws = Workspace.from_layers(layers, crs="EPSG:4546")
    done = assess_sites(
        ws,
        profile=load_profile("jingmen-2023"),
        site_ids=list(ASSESSED),
        as_of=dt.date.fromisoformat(REFERENCE_DATE),
    )
    results = {a.project_id: (a, assessment_to_dict(a, crs=ws.crs)) for a in done}
    stale = copy.deepcopy(results[ASSESSED[0]][1])
    for u in stale["utilities"].values():
        if u["route"] is not None:
            u["length_m"] = -1.0
    as_of = dt.datetime.fromisoformat(REFERENCE_DATE)
    with store.session.begin() as s:
        for pid in ASSESSED:
            s.add(ProjectRecord(project_id=pid, intake={"site_id": pid}, created_by="test"))
        s.flush()
        s.add(
            AssessmentRecord(
                project_id=ASSESSED[0], created_at=dt.datetime(2026, 1, 1), as_of=as_of,
                profile="jingmen-2023", versions={}, approval_path=None, result=stale,
            )
        )  # fmt: skip
        for pid in ASSESSED:
            a, result = results[pid]
            s.add(
                AssessmentRecord(
                    project_id=pid, created_at=dt.datetime(2026, 2, 1), as_of=as_of,
                    profile="jingmen-2023", versions={}, approval_path=a.approval_path, result=result,
                )
            )  # fmt: skip
        s.add(PlanRecord(kind="prelay", created_at=dt.datetime(2026, 1, 1), versions={},
                         summary={}, features=_plan_fc(("OLD-1",))))  # fmt: skip
        newer = PlanRecord(kind="prelay", created_at=dt.datetime(2026, 3, 1), versions={},
                           summary={}, features=_plan_fc(("PW-1", "PW-2")))  # fmt: skip
        s.add(newer)
        s.flush()
        plan_id = newer.id
    routes: dict[str, dict[str, Any]] = {}
    for pid in ASSESSED:
        for u, r in results[pid][1]["utilities"].items():
            if r["route"] is not None:
                routes[f"{pid}:{u}"] = {"project_id": pid, "utility": u, "role": "main", **r}
            if r.get("backup"):
                routes[f"{pid}:{u}:backup"] = {
                    "project_id": pid, "utility": u, "role": "backup",
                    "approval": r["approval"], **r["backup"],
                }  # fmt: skip
    assert len(routes) >= 5  # the demo sites do get routes
    return layers, routes, plan_id


def _plan_fc(ids: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"asset_id": fid, "utility": "water", "length_m": 100.0 + i},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[112.19 + i * 0.001, 30.885], [112.19 + i * 0.001, 30.886]],
                },
            }
            for i, fid in enumerate(ids)
        ],
    }


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]
)
def served(request, tmp_path_factory) -> Iterator[Served]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('ogc') / 'linkplan.db'}"
    else:
        url = request.getfixturevalue("postgis_url")
    engine = make_engine(url)
    _fresh(engine)
    store = Store(engine)
    layers, routes, plan_id = _seed(store)
    with TestClient(_app(store)) as client:
        yield Served(store, client, url, layers, routes, plan_id)
    engine.dispose()


def _all_pages(client: TestClient, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``next`` links from ``url``; return every feature and every page."""
    features: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        page = r.json()
        pages.append(page)
        features += page["features"]
        url = next((x["href"] for x in page["links"] if x["rel"] == "next"), "")
    return features, pages


# ------------------------------------------------------------------------ HTTP contract
def test_landing_conformance_and_openapi(served):
    c = served.client
    for path in ("/ogc", "/ogc/", "/ogc/?f=json"):
        r = c.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
    links = {x["rel"]: x for x in r.json()["links"]}
    assert links["self"]["href"] == f"{BASE}/"
    assert links["service-desc"]["href"] == "http://testserver/openapi.json"
    assert links["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert links["conformance"]["href"] == f"{BASE}/conformance"
    assert links["data"]["href"] == f"{BASE}/collections"
    assert c.get("/ogc/conformance").json()["conformsTo"] == [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]
    paths = c.get(links["service-desc"]["href"]).json()["paths"]
    ours = {p: v["get"] for p, v in paths.items() if p.startswith("/ogc")}
    assert set(ours) == {
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/{collectionId}",
        "/ogc/collections/{collectionId}/items",
        "/ogc/collections/{collectionId}/items/{featureId}",
    }
    for path, op in ours.items():
        assert CJK.search(op["summary"]) and CJK.search(op["description"]), path
    limit = next(
        p
        for p in ours["/ogc/collections/{collectionId}/items"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == ogc.MAX_LIMIT
    assert limit["schema"]["default"] == ogc.DEFAULT_LIMIT
    assert (
        "application/geo+json"
        in ours["/ogc/collections/{collectionId}/items"]["responses"]["200"]["content"]
    )


def test_collections_list_every_layer_with_title_and_extent(served):
    body = served.client.get("/ogc/collections").json()
    got = {c["id"]: c for c in body["collections"]}
    assert set(got) == set(served.store.latest()) | set(DERIVED)
    assert set(served.store.latest()) == set(SEEDED)
    assert got["water"]["title"] == "供水管网"
    assert got["sites"]["title"] == "项目用地"
    assert got["routes"]["title"] == "外线路由"
    for name in SEEDED:
        c = got[name]
        links = {x["rel"]: x for x in c["links"]}
        assert links["items"]["href"] == f"{BASE}/collections/{name}/items"
        assert links["items"]["type"] == "application/geo+json"
        assert c["crs"] == [ogc.CRS84]
        # the extent covers the layer in WGS84, and not by much more: it bounds the layer's box
        # in EPSG:4546, turned by the grid convergence (~0.6° here), so tens of metres more
        (x0, y0, x1, y1), = c["extent"]["spatial"]["bbox"]  # fmt: skip
        bx0, by0, bx1, by1 = served.layers[name].to_crs("EPSG:4326").total_bounds
        assert x0 <= bx0 + 1e-7 and y0 <= by0 + 1e-7 and x1 >= bx1 - 1e-7 and y1 >= by1 - 1e-7
        assert max(bx0 - x0, by0 - y0, x1 - bx1, y1 - by1) < 1e-3
    one = served.client.get("/ogc/collections/water?f=json")
    assert one.status_code == 200
    assert one.json() == got["water"]
    assert (
        served.client.get("/ogc/collections/coordination_plan").json()["id"] == "coordination_plan"
    )


@pytest.mark.parametrize(
    "name", ["roads", "water", "gas", "power", "telecom", "sites", "scope", "green_space"]
)
def test_items_in_a_bbox_are_exactly_those_intersecting_it(served, name):
    box = ",".join(str(v) for v in STREET_BOX)
    features, pages = _all_pages(served.client, f"/ogc/collections/{name}/items?bbox={box}")
    expected = _expected_in_box(served.layers[name], _id_field(name), STREET_BOX)
    assert {f["id"] for f in features} == expected
    assert pages[0]["numberMatched"] == len(expected) == pages[0]["numberReturned"]
    if name == "roads":
        assert {"DD-02-03", "DD-02-04", "DD-02-05"} <= expected
        assert not any(i.startswith("DD-01-") for i in expected)
    if name == "sites":
        assert expected == {"JM-2026-005"}
    if name in ("water", "telecom"):
        assert 0 < len(expected) < len(served.layers[name]) / 2


def test_bbox_paging_and_bad_bboxes(served):
    box = ",".join(str(v) for v in STREET_BOX)
    whole, _ = _all_pages(served.client, f"/ogc/collections/telecom/items?bbox={box}&limit=10000")
    paged, pages = _all_pages(served.client, f"/ogc/collections/telecom/items?bbox={box}&limit=3")
    assert [f["id"] for f in paged] == [f["id"] for f in whole]
    assert len(pages) == -(-len(whole) // 3)
    assert all(p["numberMatched"] == len(whole) for p in pages)
    nxt = next(x["href"] for x in pages[0]["links"] if x["rel"] == "next")
    assert (
        nxt.startswith(f"{BASE}/collections/telecom/items?")
        and "bbox=" in nxt
        and "offset=3" in nxt
    )
    # outside the working CRS's area of use (and the whole world) are answered, not errors
    far = served.client.get("/ogc/collections/telecom/items?bbox=0,0,1,1").json()
    assert (far["numberMatched"], far["features"]) == (0, [])
    world = served.client.get("/ogc/collections/sites/items?bbox=-180,-90,180,90").json()
    assert world["numberMatched"] == len(served.layers["sites"])
    for bad in ("1,2,3", "a,b,c,d", "112.2,30.9,112.1,30.8", "112,95,113,96", "nan,1,2,3"):
        r = served.client.get(f"/ogc/collections/water/items?bbox={bad}")
        assert r.status_code == 400, bad
        assert "minx,miny,maxx,maxy" in r.json()["detail"] and bad in r.json()["detail"]


def test_limit_offset_pages_concatenate_to_the_whole_layer(served):
    stored = served.store.layer("telecom")
    features, pages = _all_pages(served.client, "/ogc/collections/telecom/items?limit=40&f=json")
    assert [f["id"] for f in features] == list(stored["asset_id"])  # stable, stored order
    assert [p["numberReturned"] for p in pages] == [40] * 5 + [len(stored) - 200]
    assert all(p["numberMatched"] == served.store.count("telecom") for p in pages)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["timeStamp"]) for p in pages)
    second = {x["rel"]: x["href"] for x in pages[1]["links"]}
    assert second["self"] == f"{BASE}/collections/telecom/items?limit=40&offset=40"
    assert second["prev"] == f"{BASE}/collections/telecom/items?limit=40&offset=0"
    assert second["next"] == f"{BASE}/collections/telecom/items?limit=40&offset=80"
    assert "prev" not in {x["rel"] for x in pages[0]["links"]}
    # default 100, a limit over the maximum is served as the maximum
    assert served.client.get("/ogc/collections/telecom/items").json()["numberReturned"] == 100
    big = served.client.get("/ogc/collections/telecom/items?limit=20000").json()
    assert big["numberReturned"] == len(stored) and not any(
        x["rel"] == "next" for x in big["links"]
    )
    assert served.client.get("/ogc/collections/telecom/items?limit=0").status_code == 422
    assert served.client.get("/ogc/collections/telecom/items?offset=10000").json()["features"] == []
    assert served.client.get(f"/ogc/collections/telecom/items?offset={2**63}").status_code == 422


def test_single_feature_geojson_in_crs84(served):
    r = served.client.get("/ogc/collections/water/items/W-0003")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    f = r.json()
    demo = served.layers["water"].to_crs("EPSG:4326").set_index("asset_id").loc["W-0003"]
    assert f["type"] == "Feature" and f["id"] == "W-0003"
    coords = np.asarray(f["geometry"]["coordinates"])
    np.testing.assert_allclose(coords, shapely.get_coordinates(demo.geometry), atol=5.1e-8, rtol=0)
    assert np.array_equal(coords, np.round(coords, 7))  # lon, lat rounded to 7 decimals
    assert f["properties"] == {
        "asset_id": "W-0003", "status": "existing", "role": "distribution",
        "diameter_mm": demo.diameter_mm, "along_road": demo.along_road, "side": demo.side,
    }  # fmt: skip
    assert {x["rel"]: x["href"] for x in f["links"]} == {
        "self": f"{BASE}/collections/water/items/W-0003",
        "collection": f"{BASE}/collections/water",
    }
    # missing optional values are null, never NaN; features without an id field get their index
    power = served.client.get("/ogc/collections/power/items?limit=1000")
    assert "NaN" not in power.text
    missing = set(
        served.layers["power"].loc[served.layers["power"].spare_capacity_kva.isna(), "asset_id"]
    )
    assert missing
    for feat in power.json()["features"]:
        assert (feat["properties"]["spare_capacity_kva"] is None) == (feat["id"] in missing)
    scope = served.client.get("/ogc/collections/scope/items/0").json()
    assert scope["geometry"]["type"] == "Polygon" and scope["properties"]["feature_id"] == "0"


def test_unknown_collection_and_feature_are_404_naming_them(served):
    r = served.client.get("/ogc/collections/sewer/items")
    assert r.status_code == 404
    assert "'sewer'" in r.json()["detail"] and "water" in r.json()["detail"]
    assert served.client.get("/ogc/collections/sewer").status_code == 404
    r = served.client.get("/ogc/collections/water/items/W-9999")
    assert r.status_code == 404
    assert "'W-9999'" in r.json()["detail"] and "'water'" in r.json()["detail"]
    r = served.client.get("/ogc/collections/water/items/%00")  # PostgreSQL text refuses NUL
    assert r.status_code == 404
    r = served.client.get("/ogc/collections/routes/items/JM-2026-999:water")
    assert r.status_code == 404 and "'JM-2026-999:water'" in r.json()["detail"]


def test_routes_of_the_latest_assessments_and_the_latest_plan(served):
    features, pages = _all_pages(served.client, "/ogc/collections/routes/items?limit=4")
    assert {f["id"] for f in features} == set(served.routes)
    assert pages[0]["numberMatched"] == len(served.routes)
    for f in features:
        want = served.routes[f["id"]]
        p = f["properties"]
        assert (p["project_id"], p["utility"], p["role"]) == (
            want["project_id"],
            want["utility"],
            want["role"],
        )
        assert p["length_m"] == want["length_m"] >= 0  # the latest assessment (the stale one: -1)
        # from the red line (seed 二): the lead-in and the sum beside the part along the road
        assert p["lead_in_m"] == want["lead_in_m"] > 0
        assert p["red_line_m"] == pytest.approx(p["lead_in_m"] + p["length_m"])
        assert p["approval_path"] == want["approval"]["path"]
        assert f["geometry"] == {"type": "LineString", "coordinates": want["route"]["coordinates"]}
    one = next(iter(served.routes))
    r = served.client.get(f"/ogc/collections/routes/items/{one}")
    assert r.status_code == 200 and r.json()["id"] == one
    # bbox on routes: exactly those intersecting it
    lines = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in features}
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(list(lines.values())))
    box = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    inside = {i for i, g in lines.items() if g.intersects(shapely.box(*box))}
    got = served.client.get(
        "/ogc/collections/routes/items", params={"bbox": ",".join(map(str, box))}
    )
    assert {f["id"] for f in got.json()["features"]} == inside
    extent = served.client.get("/ogc/collections/routes").json()["extent"]["spatial"]["bbox"][0]
    assert extent == pytest.approx([x0, y0, x1, y1], abs=1e-7)
    # plans: the latest pre-lay plan only; no coordination plan yet → an empty collection
    plan = served.client.get("/ogc/collections/prelay_plan/items").json()
    assert [f["id"] for f in plan["features"]] == [
        f"{served.plan_id}:PW-1",
        f"{served.plan_id}:PW-2",
    ]
    assert plan["features"][0]["properties"]["plan_id"] == served.plan_id
    empty = served.client.get("/ogc/collections/coordination_plan/items").json()
    assert (empty["numberMatched"], empty["features"]) == (0, [])


def test_routes_collection_exists_and_is_empty_without_assessments(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    _fresh(engine)
    store = Store(engine)
    layers = build_district("demo")
    for name in ("scope", "roads", "sites"):
        store.import_layer(name, layers[name])
    with TestClient(_app(store)) as c:
        ids = [x["id"] for x in c.get("/ogc/collections").json()["collections"]]
        assert ids == ["roads", "scope", "sites", *DERIVED]
        routes = c.get("/ogc/collections/routes").json()
        assert routes["title"] == "外线路由" and "extent" not in routes
        items = c.get("/ogc/collections/routes/items").json()
        assert (items["numberMatched"], items["numberReturned"], items["features"]) == (0, 0, [])
    engine.dispose()


# --------------------------------------------------------------------------- GDAL (OAPIF)
def _serve(database_url: str, conn: Connection) -> None:
    """Child process: serve the OGC router on a free port of 127.0.0.1, send the port back."""
    import uvicorn

    app = _app(Store(make_engine(database_url)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    conn.send(sock.getsockname()[1])
    conn.close()
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


@contextmanager
def _server(database_url: str) -> Iterator[int]:
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_serve, args=(database_url, send), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(60):
            raise RuntimeError("the OGC API server did not start within 60 s")
        try:
            port = int(receive.recv())
        except EOFError:
            proc.join(5)
            msg = f"the OGC API server process ended (exit code {proc.exitcode}) before listening"
            raise RuntimeError(msg) from None
        yield port
    finally:
        receive.close()
        proc.terminate()
        proc.join(15)
        if proc.is_alive():
            proc.kill()
            proc.join()
        proc.close()


def test_gdal_oapif_driver_reads_linkplan(served, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    store = served.store
    with _server(served.url) as port:
        url = f"OAPIF:http://127.0.0.1:{port}/ogc"
        listed = dict(pyogrio.list_layers(url))
        assert set(listed) == set(SEEDED) | set(DERIVED)
        assert listed["water"] == "LineString" and listed["sites"] == "Polygon"
        info = pyogrio.read_info(url, layer="telecom")
        assert info["features"] == store.count("telecom")  # from numberMatched
        assert info["crs"] == "EPSG:4326"
        # PAGE_SIZE=50: GDAL gets every feature only by following the next links
        assert min(store.count("water"), store.count("telecom"), store.count("roads")) > 50
        for name in ("water", "telecom", "sites", "roads"):
            got = pyogrio.read_dataframe(url, layer=name, PAGE_SIZE=50)
            stored = store.layer(name).to_crs("EPSG:4326")
            id_field = _id_field(name)
            assert len(got) == store.count(name)
            assert list(got["id"]) == list(stored[id_field]) == list(got[id_field])
            for a, b in zip(got.geometry, stored.geometry):
                np.testing.assert_allclose(
                    shapely.get_coordinates(a), shapely.get_coordinates(b), atol=1e-6, rtol=0
                )
        # GDAL's default page size, taken from the limit's maximum in the OpenAPI document
        assert len(pyogrio.read_dataframe(url, layer="telecom")) == store.count("telecom")
        # a bbox read: GDAL sends the box in CRS84 and gets exactly the intersecting features
        for name in ("water", "roads", "sites"):
            got = pyogrio.read_dataframe(url, layer=name, bbox=STREET_BOX, PAGE_SIZE=5)
            assert set(got["id"]) == _expected_in_box(
                served.layers[name], _id_field(name), STREET_BOX
            )
        attrs = pyogrio.read_dataframe(
            url, layer="water", read_geometry=False, columns=["diameter_mm"]
        )
        assert list(attrs["diameter_mm"]) == list(served.layers["water"]["diameter_mm"])
        routes = pyogrio.read_dataframe(url, layer="routes")
        assert set(routes["id"]) == set(served.routes)
        assert set(routes.geometry.geom_type) == {"LineString"}
