"""The e-ledger dashboard page /ui/ledger and its xlsx export, on both backends (issue 15 item 7)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections import Counter
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from api.schemas import china_now
from tests.browser import browser, open_offline
from tests.service import auth, client_fixture
from tests.web import live_server, signed_in

client = client_fixture()

NOW = "2026-12-31T17:00"  # every demo project accepted at seed time (today) is overdue by then


@pytest.fixture(scope="module")
def staff(client):
    """A client signed in as the 行政审批局 (approval); JM-2026-001 (water, power) surveyed."""
    for step in ("assessed", "surveyed"):
        res = client.post(f"/projects/JM-2026-001/nodes/{step}", headers=auth("admin"), json={})
        assert res.status_code == 200, res.text
    return signed_in(client, "approval")


def _api(client, **params: str) -> list[dict]:
    res = client.get("/ledger", params=params, headers=auth("survey"))
    assert res.status_code == 200, res.text
    return [e for items in res.json().values() for e in items]


def _counters(html: str) -> dict[str, int]:
    found = re.findall(r'id="count-(\w+)".*?<strong>(\d+)</strong>', html, flags=re.S)
    return {k: int(v) for k, v in found}


@pytest.mark.parametrize("department", [None, "市行政审批局", "市供电公司"])
def test_page_counters_equal_get_ledger(client, staff, department):
    params = {"now": NOW} | ({"department": department} if department else {})
    page = staff.get("/ui/ledger", params=params)
    assert page.status_code == 200, page.text[:300]
    api = Counter(e["status"] for e in _api(client, all="true", **params))
    assert _counters(page.text) == {s: api[s] for s in ("on_time", "approaching", "overdue")}
    assert f"事项（{sum(api.values())} 项）" in page.text
    assert sum(api.values()) > 0


def test_only_staff_open_the_ledger(client, staff):
    applicant = signed_in(client, "applicant")
    for url in ("/ui/ledger", "/ui/ledger.xlsx"):
        res = applicant.get(url)
        assert res.status_code == 403 and "无权访问" in res.text
        assert staff.get(url).status_code == 200
    anonymous = client.get("/ui/ledger", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/ui/login")


def test_wrong_filters_are_named_beside_their_fields(staff):
    res = staff.get("/ui/ledger", params={"department": "市教育局", "status": "late"})
    assert res.status_code == 422
    dept = re.search(r'<p class="error" id="e-department"[^>]*>(.*?)</p>', res.text, flags=re.S)
    state = re.search(r'<p class="error" id="e-status"[^>]*>(.*?)</p>', res.text, flags=re.S)
    assert dept and "收到「市教育局」" in dept.group(1) and "市城管委" in dept.group(1)
    assert state and "收到「late」" in state.group(1) and "已逾期" in state.group(1)
    assert not re.search(r'id="e-(utility|path)"', res.text)


def test_xlsx_download_has_the_warnings_of_get_ledger(client, staff):
    page = staff.get("/ui/ledger", params={"status": "alert", "now": NOW})
    link = re.search(r'href="(/ui/ledger\.xlsx\?[^"]+)" download', page.text)
    assert link, "the page links its export"
    res = staff.get(html.unescape(link.group(1)))
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = res.headers["content-disposition"]
    assert unquote(disposition.split("UTF-8''")[1]) == "电子台账-20261231-1700.xlsx"
    values = list(load_workbook(io.BytesIO(res.content)).active.iter_rows(values_only=True))
    assert values[1][:3] == ("项目编号", "项目名称", "责任部门")
    got = sorted((row[0], row[2], row[6]) for row in values[2:])
    labels = {"overdue": "已逾期", "approaching": "临近时限", "error": "无法计算"}
    want = sorted(
        (e["project_id"], e["department"], labels[e["status"]]) for e in _api(client, now=NOW)
    )
    assert got == want and len(got) > 0


@pytest.mark.browser
def test_an_overdue_project_shows_in_red_on_a_phone(client):
    old = china_now() - dt.timedelta(days=30)
    res = client.post(
        "/projects/JM-2026-003/nodes/form_complete",
        headers=auth("intake"),
        json={"at": old.isoformat()},
    )
    assert res.status_code == 200, res.text
    with live_server(client.app) as base, browser() as b:
        visit = open_offline(b, f"{base}/ui/login?next=/ui/ledger", local=base)
        page = visit.page
        page.set_viewport_size({"width": 375, "height": 740})
        page.fill("#f-name", "urban")
        page.fill("#f-password", "dev-urban-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ui/ledger")
        row = page.locator('#entries tr[data-project="JM-2026-003"]').first
        assert row.get_attribute("data-status") == "overdue"
        assert "overdue" in (row.get_attribute("class") or "")
        cell = row.locator("td").first
        assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(253, 232, 232)"
        assert re.fullmatch(r"已逾期 (\d+ 个工作日)? ?(\d+(\.\d)? 个工作小时)?", row.locator("td").nth(7).inner_text())
        # the overdue entries come first
        first = page.locator("#entries tbody tr").first
        assert first.get_attribute("data-status") in ("error", "overdue")
        assert int(page.inner_text("#count-overdue strong")) >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click("#count-overdue")
        page.wait_for_url(re.compile(r".*/ui/ledger\?status=overdue"))
        statuses = page.eval_on_selector_all(
            "#entries tbody tr", "rows => rows.map(r => r.dataset.status)"
        )
        assert statuses and set(statuses) == {"overdue"}
        visit.screenshot("ledger-overdue-375.png")
        assert visit.errors == [] and visit.blocked == []
