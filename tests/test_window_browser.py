"""The applicant applies on a 375 px phone, drawing the red line by clicks on the map (Chromium)."""

from __future__ import annotations

import pytest

from tests.browser import browser, open_offline
from tests.service import client_fixture
from tests.web import live_server

client = client_fixture()


@pytest.mark.browser
def test_applicant_applies_on_a_phone_with_a_drawn_parcel(client):
    with live_server(client.app) as base, browser() as b:
        visit = open_offline(b, f"{base}/ui/login?next=/ui/apply", local=base)
        page = visit.page
        page.set_viewport_size({"width": 375, "height": 740})
        page.fill("#f-name", "applicant")
        page.fill("#f-password", "dev-applicant-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ui/apply")
        fields = {
            "project_name": "荆门掌上申请测试项目", "applicant": "荆门恒泰新材料有限公司",
            "credit_code": "91420804MA400003XJ", "project_code": "2611-420804-04-01-100003",
            "address": "荆门市掇刀区迎宾大道16号", "legal_representative": "刘明",
            "id_number": "420804197304040036", "contact": "周军", "phone": "13872400003",
            "water\\.water_m3_day": "80",
        }
        for name, value in fields.items():
            page.fill(f"#f-{name}", value)
        page.fill("#f-phone", "12345")  # a mistake: the form comes back with the drawing kept
        page.check("input[name=utilities][value=water]")
        # the map shows the roads and registered sites of its view (no blank grey box)
        page.wait_for_function("Number(document.getElementById('draw-map').dataset.contextFeatures) > 0")
        assert page.locator("#draw-map path.leaflet-interactive").count() >= 2
        # four clicks on the map; 检查红线 finishes the polygon without 完成绘制
        page.locator("#draw-map").scroll_into_view_if_needed()
        for x, y in [(140, 120), (220, 120), (220, 180), (140, 180)]:
            page.locator("#draw-map").click(position={"x": x, "y": y})
        assert page.inner_text("#draw-count") == "已点 4 个角点"
        page.click("#parcel-check")
        page.wait_for_selector("#parcel-result .alert-ok")
        assert '"Polygon"' in page.input_value("#f-drawn")
        assert page.inner_text("#draw-count") == "红线已完成（4 个角点）"
        assert "面积" in page.inner_text("#parcel-result")
        # drawn again and submitted without 完成绘制: submitting finishes it
        page.click("#draw-clear")
        for x, y in [(140, 120), (220, 120), (220, 180), (140, 180)]:
            page.locator("#draw-map").click(position={"x": x, "y": y})
        assert page.input_value("#f-drawn") == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert visit.errors == []
        page.click("#submit")  # novalidate: the server tells every problem
        page.wait_for_selector("#form-errors")
        assert "联系电话：收到「12345」" in page.inner_text("#e-phone")
        assert not page.locator("#e-parcel").count()  # the red line arrived with the form
        assert '"Polygon"' in page.input_value("#f-drawn")
        # the drawing script redraws the kept red line once the map is up (on a busy machine,
        # after the page's load): wait for it, then read it
        page.wait_for_function(
            "document.getElementById('draw-count').textContent.startsWith('红线已完成')"
        )
        assert page.inner_text("#draw-count") == "红线已完成（4 个角点）"
        page.fill("#f-phone", "13872400003")
        page.click("#submit")
        page.wait_for_url(f"{base}/ui/applications?submitted=*")
        assert "已提交，等待窗口受理" in page.inner_text("main")
        assert "待受理" in page.inner_text("main")
        # the one console error: the form answered 422 with its problems
        assert len(visit.errors) == 1 and "status of 422" in visit.errors[0], visit.errors
        assert visit.blocked == []
    sites = client.app.state.linkplan.store.layer("sites")
    drawn = sites[sites["name"] == "荆门掌上申请测试项目"]
    assert len(drawn) == 1 and 10_000 < drawn.geometry.iloc[0].area < 200_000
