"""The whole process in Chromium, one role after another (issue 15, Done means).

Outside requests blocked, no console error on any page opened:

- the window clerk enters a 附件2 with three mistakes, sees the three beside their fields at
  once, corrects them and accepts; the result page shows the decision;
- a joint-approval project: the clerk assesses it, 市自然资源和规划局, 市城管委 and
  市行政审批局 each sign their opinion in their own browser session; the last signature issues
  the sheet (统一出件) and the final 附件3 PDF, read back with pypdfium2, shows the three
  opinions with their 签批时间 and the document number;
- a commitment project is finished the moment it is assessed, and its applicant downloads the
  sheet on a phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from api.seed import DEV_PASSWORDS
from data.demo_intakes import demo_intakes
from gis.crs import transformer
from tests.browser import Visit, browser, open_offline
from tests.pdf import pdf_text, zh_minute
from tests.service import client_fixture
from tests.web import live_server

client = client_fixture()

pytestmark = pytest.mark.browser


def _session(b: Browser, base: str, user: str, path: str, *, width: int = 1280) -> Visit:
    """Sign in as ``user`` in a fresh browser context and land on ``path``."""
    visit = open_offline(b, f"{base}/ui/login?next={path}", local=base)
    visit.page.set_viewport_size({"width": width, "height": 800})
    visit.page.fill("#f-name", user)
    visit.page.fill("#f-password", DEV_PASSWORDS[user])
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url(f"{base}{path}")
    return visit


def _clean(visit: Visit) -> None:
    assert visit.errors == [], visit.errors
    assert visit.blocked == [], visit.blocked


def _pdf_text(page: Page, url: str) -> str:
    """Download ``url`` with the page's session and return the PDF's text."""
    answer = page.request.get(url)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    return pdf_text(answer.body())


def _pasted_parcel() -> str:
    """A 100 m × 50 m parcel in the demo scope, on no other site, as WGS84 lon,lat lines."""
    t = transformer("EPSG:4546", "EPSG:4326")
    x0, y0 = 613_000.0, 3_418_000.0
    corners = [(x0, y0), (x0 + 100, y0), (x0 + 100, y0 + 50), (x0, y0 + 50)]
    return "\n".join("{:.8f},{:.8f}".format(*t.transform(x, y)) for x, y in corners)


def test_the_clerk_corrects_three_mistakes_shown_at_once(client):
    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-003")
    with live_server(client.app) as base, browser() as b:
        visit = _session(b, base, "intake", "/ui/window/new")
        page = visit.page
        for name in (
            "project_name",
            "applicant",
            "project_code",
            "address",
            "legal_representative",
            "id_number",
            "contact",
        ):
            page.fill(f"#f-{name}", form[name])
        page.fill("#f-project_name", "荆门恒泰新材料三期")
        page.fill("#f-credit_code", "91420804MA400003XX")  # check digit wrong
        page.fill("#f-phone", "12345")  # not a phone number
        page.check("input[name=utilities][value=water]")
        page.fill("#f-water\\.water_m3_day", "80")
        page.click("#submit")  # and no red line: the third mistake
        page.wait_for_selector("#form-errors")
        assert "共 3 处需要修改" in page.inner_text("#form-errors")
        beside = {
            e.get_attribute("id"): e.inner_text()
            for e in page.query_selector_all("p.error[id^=e-]")
        }
        assert set(beside) == {"e-phone", "e-credit_code", "e-parcel"}, beside
        assert "12345" in beside["e-phone"]
        assert page.input_value("#f-project_name") == "荆门恒泰新材料三期"  # what was typed stays
        # the form came back with status 422, which Chromium notes in the console: that only
        assert visit.errors == [
            "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
        ]
        visit.errors.clear()
        page.fill("#f-credit_code", form["credit_code"])
        page.fill("#f-phone", form["phone"])
        page.fill("#f-pasted", _pasted_parcel())
        page.select_option("#f-system", "wgs84")
        page.click("#submit")
        page.wait_for_selector("#utility-results")
        accepted = re.search(r"已受理：(JM-\d{4}-\d{3})", page.inner_text("main"))
        assert accepted, page.inner_text("main")[:500]
        assert "供水" in page.inner_text("#utility-results")
        page.click(f"a[href='/ui/projects/{accepted[1]}']")
        page.wait_for_selector("#timeline")
        assert page.inner_text(".summary").count("受理时间") == 1
        _clean(visit)


def test_three_departments_sign_and_the_sheet_is_issued(client):
    pid = "JM-2026-002"  # the demo's joint project: 300 m along the road, 304.5 m from the red line
    with live_server(client.app) as base, browser() as b:
        clerk = _session(b, base, "intake", f"/ui/projects/{pid}")
        clerk.page.click("#not-assessed button[type=submit]")  # 研判
        clerk.page.wait_for_selector("#approval-state")
        assert "待 市自然资源和规划局、市城管委、市行政审批局 出具意见" in clerk.page.inner_text(
            "#approval-state"
        )
        _clean(clerk)
        signed_at = {}
        for department, decision in (
            ("planning", "agree"),
            ("urban", "conditional"),
            ("approval", "agree"),
        ):
            visit = _session(b, base, department, f"/ui/projects/{pid}/opinions/{department}")
            page = visit.page
            assert page.input_value("#f-text").strip()  # the drafted text to start from
            page.check(f"input[name=decision][value={decision}]")
            if decision == "conditional":
                page.fill("#f-conditions", "夜间施工，恢复人行道铺装")
            page.click("button.primary")
            page.wait_for_selector("#signed-note")
            signed_at[department] = re.search(
                r"签批时间 (\S+ \S+)", page.inner_text("#signed-note")
            )[1]
            _clean(visit)
        # the last signature issued the sheet: on the project page, the number and the PDF
        clerk.page.goto(f"{base}/ui/projects/{pid}")
        final = clerk.page.inner_text("#final-sheet")
        number = re.search(r"荆联审〔\d{4}〕\d{4}号", final)[0]
        text = _pdf_text(clerk.page, f"{base}/ui/projects/{pid}/final.pdf")
        assert number in text
        for name in ("市自然资源和规划局", "市城管委", "市行政审批局"):
            assert name in text
        for department, signer in (("planning", "张规划"), ("urban", "刘城管"), ("approval", "陈审批")):
            printed = f"签批时间：{zh_minute(signed_at[department])}"
            assert re.search(f"签批人：[^\\n]*{signer}[^\\n]*{printed}", text), text[text.find("签批"):][:600]
        assert "草拟" not in text  # every box is signed: no draft left
        assert "夜间施工，恢复人行道铺装" in text
        # and the timeline's 审批办结 step is done
        assert "完成：" in clerk.page.inner_text("ol.timeline li[data-step=approved]")
        _clean(clerk)


def test_a_commitment_project_is_finished_at_once_and_its_applicant_downloads_it(client):
    pid = "JM-2026-001"  # notify-and-commit; applied for by the development applicant
    with live_server(client.app) as base, browser() as b:
        clerk = _session(b, base, "intake", f"/ui/projects/{pid}")
        clerk.page.click("#not-assessed button[type=submit]")
        clerk.page.wait_for_selector("#final-sheet")
        assert "告知承诺制，即时办结" in clerk.page.inner_text("#approval-state")
        number = re.search(r"荆联审〔\d{4}〕\d{4}号", clerk.page.inner_text("#final-sheet"))[0]
        _clean(clerk)
        phone = _session(b, base, "applicant", "/ui/applications", width=375)
        assert "已出件" in phone.page.inner_text(f"#app-{pid}")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 375
        text = _pdf_text(phone.page, f"{base}/ui/projects/{pid}/final.pdf")
        assert number in text and "承诺" in text
        # another project's sheet is not the applicant's
        assert phone.page.request.get(f"{base}/ui/projects/JM-2026-009/final.pdf").status == 404
        _clean(phone)
