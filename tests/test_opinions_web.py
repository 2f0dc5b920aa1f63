"""The departments sign their opinions in the workbench; the issued sheet as PDF (issue 15 item 5).

Through the web forms (signed in through the sign-in form, CSRF token of the page), on both
backends; and once in real Chromium (a planning user signs with no console errors).
"""

from __future__ import annotations

import html
import re

import pytest

from tests.browser import browser, open_offline
from tests.pdf import pdf_text, zh_minute
from tests.service import auth, client_fixture
from tests.web import csrf_of, live_server, signed_in

client = client_fixture()

NUMBER = re.compile(r"荆联审〔\d{4}〕\d{4}号")
DEPARTMENTS = ("planning", "urban", "approval")


def _assess(client, pid: str) -> None:
    r = client.post(f"/projects/{pid}/assessment", headers=auth("intake"))
    assert r.status_code == 201, r.text


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea id="f-{name}" name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def _sign(c, pid: str, department: str, **fields: str):
    url = f"/ui/projects/{pid}/opinions/{department}"
    token = csrf_of(c, url)
    return c.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_a_department_cannot_sign_another_departments_opinion_in_the_workbench(client):
    pid = "JM-2026-011"
    _assess(client, pid)
    urban = signed_in(client, "urban")
    r = urban.get(f"/ui/projects/{pid}/opinions/planning")
    assert r.status_code == 403 and "只有市自然资源和规划局可以签批" in r.text
    token = csrf_of(urban, f"/ui/projects/{pid}/opinions/urban")  # its own form has a token
    r = urban.post(
        f"/ui/projects/{pid}/opinions/planning",
        data={"csrf_token": token, "decision": "agree", "text": "同意"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    # a utility has no opinion form at all; nothing was signed
    assert signed_in(client, "water").get(f"/ui/projects/{pid}/opinions/urban").status_code == 403
    assert client.get(f"/projects/{pid}/approval", headers=auth("survey")).json()["given"] == []


def test_a_joint_project_receives_three_opinions_through_the_forms(client):
    pid = "JM-2026-002"
    _assess(client, pid)
    drafted = {}
    for department in DEPARTMENTS:
        c = signed_in(client, department)
        page = c.get(f"/ui/projects/{pid}/opinions/{department}").text
        drafted[department] = _textarea(page, "text")
        assert 'type="radio" name="decision" value="agree" checked' in page
        assert "附条件同意" in page and "退回补正" in page
        fields = {"decision": "agree", "text": drafted[department] + "\n经审核，同意。"}
        if department == "urban":
            fields = {**fields, "decision": "conditional", "conditions": "夜间施工，完工恢复路面"}
        r = _sign(c, pid, department, **fields)
        assert r.status_code == 303, r.text
        after = c.get(r.headers["location"])
        assert "已签批" in after.text
    # the drafted texts are 附件3's boxes: the planning opinion names the 300 m rule
    assert "告知承诺限值" in drafted["planning"]
    assert "审批路径：联合审批" in drafted["approval"]
    state = client.get(f"/projects/{pid}/approval", headers=auth("survey")).json()
    assert state["state"] == "complete"
    number = state["final_sheet"]["number"]
    assert NUMBER.fullmatch(number)
    # the final 附件3: the three opinions with their 签批时间 and the number
    pdf = signed_in(client, "survey").get(f"/ui/projects/{pid}/final.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content, squeeze=True)
    assert number in text
    for department in DEPARTMENTS:
        opinion = state["opinions"][department]
        assert f"签批时间：{zh_minute(opinion['at'])}" in text, department
        assert opinion["signer"] != department  # the signer's display name, not the user name
        assert re.sub(r"\s+", "", opinion["signer"]) in text
    assert "附加条件：夜间施工，完工恢复路面" in text
    # the form now says the sheet is issued and offers no form
    page = signed_in(client, "planning").get(f"/ui/projects/{pid}/opinions/planning").text
    assert number in page and "<textarea" not in page


def test_all_problems_of_an_opinion_are_shown_beside_their_fields(client):
    pid = "JM-2026-003"
    _assess(client, pid)
    c = signed_in(client, "urban")
    r = _sign(c, pid, "urban", decision="return", text="", reasons="")
    assert r.status_code == 422
    assert "共 2 处需要修改" in r.text
    for name, message in (("text", "请填写意见内容"), ("reasons", "退回补正须写明退回理由")):
        block = re.search(rf'<div class="field has-error">\s*<label for="f-{name}">.*?</div>', r.text, re.S)
        assert block and message in block.group(0), name
    assert 'value="return" checked' in r.text  # what was sent is kept
    assert client.get(f"/projects/{pid}/approval", headers=auth("survey")).json()["given"] == []
    # without the form's CSRF token: refused
    r = c.post(f"/ui/projects/{pid}/opinions/urban", data={"decision": "agree", "text": "同意"})
    assert r.status_code == 403


def test_the_applicant_downloads_only_its_own_final_sheet(client):
    _assess(client, "JM-2026-001")  # commitment, the development applicant's: finished at once
    _assess(client, "JM-2026-009")  # commitment, someone else's
    applicant = signed_in(client, "applicant")
    own = applicant.get("/ui/projects/JM-2026-001/final.pdf")
    assert own.status_code == 200, own.text
    text = pdf_text(own.content, squeeze=True)
    assert NUMBER.search(text) and "年度承诺" in text
    assert applicant.get("/ui/projects/JM-2026-009/final.pdf").status_code == 404
    # not issued yet: the page says what the approval waits for
    r = signed_in(client, "survey").get("/ui/projects/JM-2026-004/final.pdf")
    assert r.status_code == 409 and "尚未统一出件" in r.text


@pytest.mark.browser
def test_a_planning_user_signs_an_opinion_in_the_browser(client):
    pid = "JM-2026-011"
    with live_server(client.app) as base, browser() as b:
        visit = open_offline(b, f"{base}/ui/projects/{pid}/opinions/planning", local=base)
        page = visit.page
        page.set_viewport_size({"width": 375, "height": 740})
        page.fill("#f-name", "planning")
        page.fill("#f-password", "dev-planning-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ui/projects/{pid}/opinions/planning")
        assert "告知承诺限值" in page.input_value("#f-text")
        page.check("input[name=decision][value=conditional]")
        page.fill("#f-conditions", "避开禁挖路段")
        page.click("form.form button[type=submit]")
        page.wait_for_url("**signed=1")
        assert "已签批：附条件同意" in page.inner_text("#signed-note")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert visit.errors == [] and visit.blocked == []
    state = client.get(f"/projects/{pid}/approval", headers=auth("survey")).json()
    assert state["opinions"]["planning"]["conditions"] == "避开禁挖路段"
