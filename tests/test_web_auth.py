"""Signing in to the workbench: passwords, sessions, CSRF, lock-out, who sees what (issue 15)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.security import create_user, set_password
from api.security.passwords import MAX_FAILURES, hash_password, verify_password
from gis.storage.models import AuditEntry, User, WebSession
from tests.browser import browser, open_offline
from tests.service import auth, client_fixture
from tests.web import csrf_of, live_server, login, signed_in

client = client_fixture()


def _store(client: TestClient):
    return client.app.state.linkplan.store


def _new_user(client: TestClient, name: str, role: str = "intake") -> str:
    password = f"{name}-Passw0rd!"
    create_user(_store(client), name, role)
    set_password(_store(client), name, password, display_name=f"{name} 测试")
    return password


def test_passwords_are_stored_as_scrypt_hashes(client):
    with _store(client).session() as s:
        user = s.scalar(select(User).where(User.name == "intake"))
    assert user.password_hash.startswith("scrypt$32768$8$1$")
    assert "dev-intake-2026" not in user.password_hash
    assert verify_password("dev-intake-2026", user.password_hash)
    assert not verify_password("dev-intake-2027", user.password_hash)
    assert hash_password("x" * 12) != hash_password("x" * 12)  # salted


def test_sign_in_sets_a_session_cookie_that_scripts_cannot_read(client):
    fresh = TestClient(client.app)
    r = login(fresh, "planning", "dev-planning-2026")
    assert r.status_code == 303 and r.headers["location"] == "/ui/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("linkplan_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    secret = fresh.cookies["linkplan_session"]
    with _store(client).session() as s:  # only the hash is stored
        assert s.get(WebSession, secret) is None
    page = fresh.get("/ui/")
    assert page.status_code == 200 and "市自然资源和规划局 张规划" in page.text
    # the cookie never opens the JSON API: bearer tokens only
    assert fresh.get("/projects").status_code == 401


def test_pages_need_a_session(client):
    r = TestClient(client.app).get("/ui/projects?page=2", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/login?next=/ui/projects%3Fpage%3D2"


def test_a_form_without_its_csrf_token_is_refused(client):
    w = signed_in(client, "intake")
    r = w.post("/ui/logout", data={}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = w.post("/ui/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert w.get("/ui/").status_code == 200  # still signed in: nothing happened
    # another session's token does not do either
    other = signed_in(client, "survey")
    r = w.post("/ui/logout", data={"csrf_token": csrf_of(other, "/ui/")}, follow_redirects=False)
    assert r.status_code == 403
    # the sign-in form itself: without the double-submit cookie's token, refused
    fresh = TestClient(client.app)
    r = fresh.post("/ui/login", data={"name": "intake", "password": "dev-intake-2026"})
    assert r.status_code == 403
    assert "linkplan_session" not in fresh.cookies


def test_sign_out_ends_the_session(client):
    w = signed_in(client, "urban")
    secret = w.cookies["linkplan_session"]
    r = w.post("/ui/logout", data={"csrf_token": csrf_of(w, "/ui/")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    stale = TestClient(client.app, cookies={"linkplan_session": secret})
    assert stale.get("/ui/", follow_redirects=False).status_code == 303  # to the sign-in page


def test_six_wrong_passwords_lock_the_account(client):
    password = _new_user(client, "lock-test")
    fresh = TestClient(client.app)
    for attempt in range(1, MAX_FAILURES + 1):
        r = login(fresh, "lock-test", f"wrong-{attempt}")
        assert r.status_code == 401
        if attempt < MAX_FAILURES:
            assert f"再错 {MAX_FAILURES - attempt} 次将锁定账号" in r.text
    assert MAX_FAILURES == 6
    assert "账号已锁定" in r.text
    r = login(fresh, "lock-test", password)  # the right password: refused while locked
    assert r.status_code == 401 and "账号已锁定" in r.text
    assert "linkplan_session" not in fresh.cookies
    with _store(client).session() as s:
        failed = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "login_failed", AuditEntry.target == "lock-test"
            )
        ).all()
        # five wrong, the sixth locks, and the right password while locked is refused too
        assert [e.detail["locked"] for e in failed] == [False] * 5 + [True, True]
    # an administrator resets the password: the lock is lifted
    set_password(_store(client), "lock-test", "another-Passw0rd!")
    assert login(fresh, "lock-test", "another-Passw0rd!").status_code == 303


def test_a_wrong_user_name_and_a_wrong_password_read_the_same(client):
    fresh = TestClient(client.app)
    nobody = login(fresh, "no-such-user", "whatever-123")
    wrong = login(fresh, "survey", "whatever-123")
    assert nobody.status_code == wrong.status_code == 401
    assert "用户名或密码错误" in nobody.text and "用户名或密码错误" in wrong.text


def test_no_open_redirect_after_sign_in(client):
    fresh = TestClient(client.app)
    token = csrf_of(fresh, "/ui/login")
    for target, expected in (
        ("//evil.example/x", "/ui/"),
        ("https://evil.example", "/ui/"),
        ("/ui/projects?page=2", "/ui/projects?page=2"),
    ):
        r = fresh.post(
            "/ui/login",
            data={
                "name": "survey",
                "password": "dev-survey-2026",
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == expected
        fresh.cookies.delete("linkplan_session")
        token = csrf_of(fresh, "/ui/login")


def test_an_applicant_sees_only_its_own_projects(client):
    a = signed_in(client, "applicant")
    page = a.get("/ui/projects")
    assert page.status_code == 200 and "我的申请" in page.text
    assert re.findall(r'href="/ui/projects/([^"]+)"', page.text) == ["JM-2026-001"]
    staff = signed_in(client, "survey").get("/ui/projects")
    assert len(re.findall(r'href="/ui/projects/(JM-[^"]+)"', staff.text)) == 16
    # and no JSON API at all
    assert client.get("/projects", headers=auth("applicant")).status_code == 403
    # staff pages only: the home page sends the applicant to its applications
    assert a.get("/ui/", follow_redirects=False).headers["location"] == "/ui/applications"


@pytest.mark.browser
def test_signing_in_on_a_phone(client):
    with live_server(client.app) as base, browser() as b:
        visit = open_offline(b, f"{base}/ui/", local=base)
        page = visit.page
        page.set_viewport_size({"width": 375, "height": 740})
        assert page.url.startswith(f"{base}/ui/login")
        page.fill("#f-name", "intake")
        page.fill("#f-password", "dev-intake-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ui/")
        assert page.inner_text("h1") == "工作台"
        assert "一窗受理 李受理" in page.inner_text("header")
        # nothing wider than the phone: the page body does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert visit.errors == [] and visit.blocked == []


def test_a_page_without_a_row_of_the_page_matrix_stops_the_start():
    from fastapi import FastAPI

    from api.web.access import check_page_table
    from gis.errors import ConfigurationError

    web = FastAPI()

    @web.get("/secret")
    def secret() -> str:
        return "x"

    with pytest.raises(ConfigurationError, match="GET /secret: no row in PAGE_ROLES"):
        check_page_table(web)
