"""The window's and the applicant's pages (/ui/window…, /ui/apply, /ui/applications)."""

from __future__ import annotations

import re

import pytest

from data.demo_intakes import demo_intakes
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
    r = clerk.post("/ui/window/new", data={**fixed, "utilities": ["water"]})
    assert r.status_code == 200, r.text[:2000]
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
    )
    assert r.status_code == 200 and f"已受理：{pid}" in r.text
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
