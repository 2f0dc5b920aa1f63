"""The window's and the applicant's pages (/ui/window…, /ui/apply, /ui/applications)."""

from __future__ import annotations

import re

import pytest

from data.demo_intakes import demo_intakes
from gis import vocabulary
from gis.crs import transformer
from tests.service import client_fixture
from tests.web import csrf_of, signed_in

client = client_fixture()

X0, Y0 = 613_000.0, 3_418_000.0  # in the demo scope, on no site


def _pasted(x0: float = X0, y0: float = Y0) -> str:
    t = transformer("EPSG:4546", "EPSG:4326")
    corners = [(x0, y0), (x0 + 100, y0), (x0 + 100, y0 + 50), (x0, y0 + 50)]
    return "\n".join("{:.8f},{:.8f}".format(*t.transform(x, y)) for x, y in corners)


def _fields(**changes) -> dict:
    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-003")
    out = {k: v for k, v in form.items() if isinstance(v, str) and k != "site_id"}
    out.update({"project_name": "荆门恒泰新材料二期", "water.water_m3_day": "80", "system": "wgs84"})
    out.update(changes)
    return out


def _errors(html: str) -> dict[str, str]:
    """The error text beside each field: field name → text."""
    return dict(re.findall(r'<p class="error" id="e-([\w.\[\]]+)" role="alert">([^<]*)</p>', html))


@pytest.fixture(scope="module")
def clerk(client):
    return signed_in(client, "intake")


@pytest.fixture(scope="module")
def applicant(client):
    return signed_in(client, "applicant")


def test_clerk_sees_three_errors_at_once_then_accepts(clerk):
    token = csrf_of(clerk, "/ui/window/new")
    bad = _fields(phone="12345", credit_code="91420804MA400003XX", csrf_token=token)
    r = clerk.post("/ui/window/new", data={**bad, "utilities": ["water"]})
    assert r.status_code == 422
    errors = _errors(r.text)
    assert set(errors) == {"phone", "credit_code", "parcel"}, errors
    assert "12345" in errors["phone"] and "用地红线" in errors["parcel"]
    assert "共 3 处需要修改" in r.text
    # the values typed are kept
    assert 'value="荆门恒泰新材料二期"' in r.text
    fixed = _fields(csrf_token=token, pasted=_pasted(), missing="营业执照（副本）")
    r = clerk.post("/ui/window/new", data={**fixed, "utilities": ["water"]}, follow_redirects=False)
    # POST-redirect-GET: a reload of the result never registers the application again
    assert r.status_code == 303, r.text[:2000]
    assert re.fullmatch(r"/ui/window/result/JM-\d{4}-\d{3}", r.headers["location"])
    r = clerk.get(r.headers["location"])
    assert r.status_code == 200
    pid = re.search(r"已受理：(JM-\d{4}-\d{3})", r.text)[1]
    assert f'href="/ui/projects/{pid}"' in r.text
    assert "审批路径" in r.text and 'id="utility-results"' in r.text and "供水" in r.text
    assert "medium_b" not in r.text and "joint" not in r.text


def test_applicant_applies_and_the_window_accepts_with_missing_items(client, applicant, clerk):
    token = csrf_of(applicant, "/ui/apply")
    data = _fields(csrf_token=token, pasted=_pasted(615_000, 3_420_000))
    r = applicant.post("/ui/apply", data={**data, "utilities": ["water"]}, follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    pid = r.headers["location"].rsplit("=", 1)[1]
    mine = applicant.get("/ui/applications")
    assert f'id="app-{pid}"' in mine.text and "待受理" in mine.text
    waiting = clerk.get("/ui/window")
    assert f'id="pending-{pid}"' in waiting.text
    token = csrf_of(clerk, "/ui/window")
    r = clerk.post(
        f"/ui/window/{pid}/accept",
        data={"csrf_token": token, "missing": ["营业执照（副本）"], "missing_other": "环评批复"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/ui/window/result/{pid}"
    again = clerk.get(r.headers["location"])  # reloading the result: the page again, no error
    assert again.status_code == 200 and f"已受理：{pid}" in again.text
    assert again.text == clerk.get(r.headers["location"]).text
    assert f'id="pending-{pid}"' not in clerk.get("/ui/window").text
    mine = applicant.get("/ui/applications").text
    assert "已受理（容缺）" in mine and "营业执照（副本）、环评批复" in mine
    assert "市自然资源和规划局" in mine and "尚未出具" in mine


def test_the_applicant_lists_only_its_own_and_cannot_use_the_window(applicant):
    mine = applicant.get("/ui/applications").text
    assert 'id="app-JM-2026-001"' in mine  # the demo's applicant owns JM-2026-001 only
    assert 'id="app-JM-2026-002"' not in mine
    assert applicant.get("/ui/window").status_code == 403
    assert applicant.get("/ui/window/new").status_code == 403
    token = csrf_of(applicant, "/ui/apply")
    r = applicant.post("/ui/window/JM-2026-002/accept", data={"csrf_token": token})
    assert r.status_code == 403


def test_a_form_without_its_csrf_token_is_refused(clerk, client):
    before = len(client.app.state.linkplan.store.layer("sites"))
    r = clerk.post("/ui/window/new", data={**_fields(pasted=_pasted(613_500, 3_420_500)), "utilities": ["water"]})
    assert r.status_code == 403
    assert len(client.app.state.linkplan.store.layer("sites")) == before


def test_preview_names_the_overlapped_project(clerk, client):
    site = client.app.state.linkplan.store.layer("sites").set_index("project_id").loc["JM-2026-003"]
    c = site.geometry.centroid
    token = csrf_of(clerk, "/ui/window/new")
    r = clerk.post(
        "/ui/parcels/preview",
        data={"pasted": _pasted(c.x - 50, c.y - 25), "system": "wgs84"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["area_m2"] == pytest.approx(5000, abs=1)
    assert any(f"JM-2026-003「{site['name']}」" in w and "5,000 m²" in w for w in body["warnings"])
    assert body["geometry"]["type"] == "Polygon"
    bad = clerk.post(
        "/ui/parcels/preview", data={"pasted": "112.2,31\nx", "system": "wgs84"},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 422 and "第 2 行「x」" in bad.json()["errors"][0]


_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_every_problem_beside_a_field_is_in_chinese(clerk):
    token = csrf_of(clerk, "/ui/window/new")
    form = clerk.get("/ui/window/new").text
    assert '<form method="post" action="/ui/window/new"' in form and 'id="intake-form" novalidate' in form
    bad = _fields(
        csrf_token=token, credit_code="123456", phone="12345", address="", id_number="4208041973",
        project_code="2026-1", pasted=_pasted(613_200, 3_418_200),
    )
    bad.update({"gas.equipment[0].name": "锅炉", "gas.equipment[0].count": "0",
                "gas.equipment[0].normal_m3_h": "5", "gas.equipment[0].full_load_m3_h": "4"})
    r = clerk.post("/ui/window/new", data={**bad, "utilities": ["water", "gas"]})
    assert r.status_code == 422
    errors = _errors(r.text)
    assert set(errors) == {
        "credit_code", "phone", "address", "id_number", "project_code",
        "gas.equipment[0].count", "gas.equipment[0].full_load_m3_h",
    }, errors
    assert errors["credit_code"] == "信用代码：收到「123456」，应为 18 位统一社会信用代码（GB 32100-2015），实为 6 位"
    assert errors["address"] == "项目地址：未填写，此项为必填项"
    assert errors["phone"].startswith("联系电话：收到「12345」，应为 11 位手机号")
    assert errors["gas.equipment[0].count"] == "用气设备第 1 行「数量」：收到「0」，应为 不小于 1 的数（单位：台）"
    assert "不小于正常工作负荷 5 的满负荷" in errors["gas.equipment[0].full_load_m3_h"]
    for field, text in errors.items():  # no English words beside any field
        assert not _LATIN_WORD.search(text), (field, text)
    summary = re.search(r'<div class="alert alert-error" role="alert" id="form-errors">(.*?)</div>', r.text, re.S)[1]
    assert not _LATIN_WORD.search(re.sub(r"<[^>]+>", "", summary)), summary


def test_a_project_id_in_use_is_told_with_the_other_problems_beside_its_field(clerk, client):
    before = len(client.app.state.linkplan.store.layer("sites"))
    token = csrf_of(clerk, "/ui/window/new")
    data = _fields(csrf_token=token, site_id="JM-2026-003", phone="12345", pasted=_pasted(613_400, 3_418_400))
    r = clerk.post("/ui/window/new", data={**data, "utilities": ["water"]})
    assert r.status_code == 422
    errors = _errors(r.text)
    assert set(errors) == {"site_id", "phone"}, errors
    assert errors["site_id"] == "项目编号 JM-2026-003 已被使用，请换一个编号或留空自动编号"
    assert "project_id" not in r.text and "共 2 处需要修改" in r.text
    assert len(client.app.state.linkplan.store.layer("sites")) == before


def _rows(html: str) -> dict[str, tuple[str, str]]:
    """The result table: utility → (path, reasons text)."""
    found = re.findall(
        r'<tr data-utility="(\w+)"><td>[^<]*</td><td>([^<]*)</td>\s*<td>(.*?)</td></tr>', html, re.S
    )
    return {u: (path, re.sub(r"<[^>]+>", " ", reasons).strip()) for u, path, reasons in found}


def test_the_result_shows_each_utility_as_the_project_page_does(clerk, client):
    token = csrf_of(clerk, "/ui/window/new")
    data = _fields(csrf_token=token, pasted=_pasted(613_600, 3_418_600))
    data.update({"gas.equipment[0].name": "锅炉", "gas.equipment[0].count": "2",
                 "gas.equipment[0].normal_m3_h": "20", "gas.equipment[0].full_load_m3_h": "30"})
    r = clerk.post("/ui/window/new", data={**data, "utilities": ["water", "gas"]}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    pid = r.headers["location"].rsplit("/", 1)[1]
    page = clerk.get(r.headers["location"]).text
    rows = _rows(page)
    assert set(rows) == {"water", "gas"}
    # quantities as people read them: 80 m³/d × K_h / T = 6.66667 m³/h is told as 6.7
    assert "高峰 6.7 m³/h" in rows["water"][1] and not re.search(r"\d\.\d{3,}", page)
    project = clerk.get(f"/ui/projects/{pid}").text
    for utility, (path, reasons) in rows.items():
        badge = re.search(rf'data-utility="{utility}">\s*<h3>[^<]*<span class="badge">([^<]*)</span>', project)[1]
        assert path == badge, (utility, path, badge)
        assert reasons, utility  # each utility's reasons, from the stored assessment
    stored = client.app.state.linkplan
    from api.process.records import latest_assessment

    water = latest_assessment(stored, pid).result["utilities"]["water"]["approval"]
    assert rows["water"][0] == vocabulary.APPROVAL_PATHS.label(water["path"])
    assert water["reasons"][0]["text"] in rows["water"][1]


def test_an_applicant_is_not_told_whose_land_its_red_line_overlaps(applicant, client):
    site = client.app.state.linkplan.store.layer("sites").set_index("project_id").loc["JM-2026-003"]
    c = site.geometry.centroid
    token = csrf_of(applicant, "/ui/apply")
    r = applicant.post(
        "/ui/parcels/preview",
        data={"pasted": _pasted(c.x - 50, c.y - 25), "system": "wgs84"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    warnings = r.json()["warnings"]
    assert any(w.startswith("与已登记的其他项目用地重叠 约 5,000 m²") for w in warnings), warnings
    assert "JM-2026-003" not in r.text and site["name"] not in r.text


def _scope_bbox(client) -> str:
    ws, _ = client.app.state.linkplan.workspace()
    t = transformer(ws.crs, "EPSG:4326")
    x0, y0, x1, y1 = ws.layer("scope").total_bounds
    (w, e), (s, n) = t.transform([x0, x1], [y0, y1])
    return f"{w},{s},{e},{n}"


def test_the_drawing_map_gets_the_roads_and_sites_of_its_view(clerk, applicant, client):
    bbox = _scope_bbox(client)
    body = clerk.get(f"/ui/map/context?bbox={bbox}").json()
    roads = [f for f in body["features"] if f["properties"]["kind"] == "road"]
    sites = [f for f in body["features"] if f["properties"]["kind"] == "site"]
    ws, _ = client.app.state.linkplan.workspace()
    named = set(ws.layer("roads")["name"].dropna().astype(str)) - {""}
    assert roads and {f["properties"]["name"] for f in roads} & named
    assert {f["properties"]["project_id"] for f in sites} >= {"JM-2026-001", "JM-2026-003"}
    lon, lat = roads[0]["geometry"]["coordinates"][0]
    w, s, e, n = (float(v) for v in bbox.split(","))
    assert w - 0.1 < lon < e + 0.1 and s - 0.1 < lat < n + 0.1  # WGS84 degrees
    # the applicant sees the outlines of the land, not whose it is
    mine = applicant.get(f"/ui/map/context?bbox={bbox}").json()
    outlines = [f for f in mine["features"] if f["properties"]["kind"] == "site"]
    assert len(outlines) == len(sites) and all(f["properties"] == {"kind": "site"} for f in outlines)
    # a small view gets only what meets it; a bad box is refused in Chinese
    x, y = 613_000.0, 3_418_000.0
    t = transformer("EPSG:4546", "EPSG:4326")
    (w2, e2), (s2, n2) = t.transform([x, x + 10], [y, y + 10])
    small = clerk.get(f"/ui/map/context?bbox={w2},{s2},{e2},{n2}").json()
    assert len(small["features"]) < len(body["features"])
    bad = clerk.get("/ui/map/context?bbox=1,2,3")
    assert bad.status_code == 422 and "最小经度" in bad.json()["errors"][0]


def test_the_drawing_context_is_capped_for_a_city_size_view(client):
    from api.process.parcels import map_context

    ws, _ = client.app.state.linkplan.workspace()
    box = tuple(float(v) for v in _scope_bbox(client).split(","))
    whole = map_context(client.app.state.linkplan, box, reveal_names=True)
    capped = map_context(client.app.state.linkplan, box, reveal_names=True, limit=2)
    assert not whole["truncated"] and capped["truncated"]
    kinds = [f["properties"]["kind"] for f in capped["features"]]
    assert kinds.count("road") == 2 and kinds.count("site") == 2
    names = {f["properties"]["name"] for f in capped["features"] if f["properties"]["kind"] == "road"}
    roads = ws.layer("roads")
    assert str(roads.loc[roads.geometry.length.idxmax(), "name"] or "") in names


def test_my_applications_show_each_departments_signed_decision(client, applicant):
    from gis.storage.models import ProjectRecord

    state = client.app.state.linkplan
    with state.store.write() as s:  # as sign_opinion stores them: by department value
        r = s.get(ProjectRecord, "JM-2026-001")
        r.opinions = {
            "planning": {"decision": "agree", "text": "同意", "by": "planning", "at": "2026-03-02T10:11:12"},
            "urban": {"decision": "conditional", "text": "附条件同意", "conditions": "恢复路面",
                      "by": "urban", "at": "2026-03-03T09:00:00"},
        }
    mine = applicant.get("/ui/applications").text
    card = re.search(r'id="app-JM-2026-001">(.*?)</div>', mine, re.S)[1]
    text = re.sub(r"<[^>]+>", "", card)
    assert "市自然资源和规划局：同意，签批时间 2026-03-02 10:11" in text
    assert "市城管委：附条件同意，签批时间 2026-03-03 09:00" in text
    assert "市行政审批局：尚未出具" in text
