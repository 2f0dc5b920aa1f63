"""The project map on a phone (review F2 item 7): at 375 px the layer list is folded to its
button and the title box and legend do not overlap; at 1280 px the list stays open."""

from __future__ import annotations

import pytest

from tests.browser import browser, open_offline
from tests.service import auth, serve
from tests.web import live_server, signed_in

PID = "JM-2026-002"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}") as c:
        assert c.post(f"/projects/{PID}/assessment", headers=auth("intake")).status_code == 201
        yield c


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.browser
def test_the_map_is_not_covered_on_a_phone(client):
    cookie = signed_in(client, "planning").cookies["linkplan_session"]
    with live_server(client.app) as base, browser() as b:
        for width, height in ((375, 600), (1280, 800)):
            visit = open_offline(b, f"{base}/ui/login", local=base)
            page = visit.page
            page.context.add_cookies([{"name": "linkplan_session", "value": cookie, "url": base}])
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/ui/projects/{PID}/map")
            page.wait_for_load_state("load")
            page.locator(".leaflet-overlay-pane path").first.wait_for(state="attached")
            control = page.locator(".leaflet-control-layers").bounding_box()
            title = page.locator("#linkplan-title").bounding_box()
            legend = page.locator("#linkplan-legend").bounding_box()
            area = width * height
            if width == 375:
                # folded to its button: a small share of the map, and it opens on a tap
                assert control["width"] * control["height"] < 0.02 * area
                page.locator(".leaflet-control-layers-toggle").dispatch_event("click")  # a tap
                opened = page.locator(".leaflet-control-layers").bounding_box()
                assert opened["width"] * opened["height"] > control["width"] * control["height"]
                page.mouse.click(120, height - 160)  # the map, clear of the controls
                folded = page.locator(".leaflet-control-layers").bounding_box()
                assert folded["width"] * folded["height"] < 0.02 * area
            else:
                assert page.locator(".leaflet-control-layers-expanded").count() == 1
            assert not _overlap(title, legend)
            assert not _overlap(title, control)
            assert visit.errors == [] and visit.blocked == []
            page.close()
