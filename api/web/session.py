"""Signing in to the workbench: sessions in a cookie, CSRF tokens, lock-out, the page's user.

A session is a random 256-bit secret in the ``linkplan_session`` cookie (HttpOnly, SameSite=Lax,
Secure in production), stored only as its SHA-256 (:class:`~gis.storage.models.WebSession`),
with its own CSRF token (synchroniser token pattern): every form carries it in the hidden field
``csrf_token`` and every script request in the header ``X-CSRF-Token``; a POST without it, or
with another session's, is refused (403). The sign-in form, sent before there is a session, is
protected by a double-submit token (cookie ``linkplan_csrf`` equal to the form's field).

Cookies never authenticate the JSON API (bearer tokens only), so the API needs no CSRF check.

Sign-in: user name and password (:mod:`api.security.passwords`); after
:data:`~api.security.passwords.MAX_FAILURES` wrong passwords in a row the account is locked for
:data:`~api.security.passwords.LOCK_MINUTES` minutes. Revoked, expired and (in production)
development users cannot sign in, as with tokens (:func:`api.security.tokens.identify`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import delete, select

from api.security import Principal
from api.security.passwords import LOCK_MINUTES, MAX_FAILURES, verify_password
from api.security.tokens import utc_now
from gis.errors import AuthenticationError, PermissionDeniedError
from gis.storage.models import AuditEntry, User, WebSession

if TYPE_CHECKING:
    from api.state import ServiceState

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "SESSION_HOURS",
    "LoginRequired",
    "SignIn",
    "WebUser",
    "check_csrf",
    "end_session",
    "session_of",
    "sign_in",
    "web_user",
]

SESSION_COOKIE = "linkplan_session"
CSRF_COOKIE = "linkplan_csrf"
SESSION_HOURS = 10
"""A session lasts a working day (and a little): then the user signs in again."""


class LoginRequired(Exception):
    """The page needs a signed-in user: the workbench redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True)
class SignIn:
    """A session of a signed-in user: who, the name shown, the session's CSRF token."""

    principal: Principal
    display_name: str
    csrf: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.linkplan
    return state


def _refusal(user: User, *, env: str, now: dt.datetime) -> str | None:
    """Return why ``user`` may not sign in (Chinese, for the form), or ``None``."""
    if user.revoked_at is not None:
        return "该账号已停用，请联系系统管理员"
    if user.expires_at is not None and user.expires_at <= now:
        return "该账号已过期，请联系系统管理员"
    if user.development and env != "development":
        return "开发用户在生产环境中不能登录"
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return (
            f"密码连续错误 {MAX_FAILURES} 次，账号已锁定，请 {minutes} 分钟后再试或联系系统管理员"
        )
    return None


_WRONG = "用户名或密码错误"


def _locked(user: User, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _check(user: User | None, password: str, *, env: str, now: dt.datetime) -> str | None:
    """Return why sign-in is refused (counting a wrong password, locking at the limit), or None."""
    if user is None or not user.password_hash:
        return _WRONG
    refusal = _refusal(user, env=env, now=now)
    if refusal is not None:
        return refusal
    if verify_password(password, user.password_hash):
        user.failed_logins = 0
        user.locked_until = None
        return None
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
        return _refusal(user, env=env, now=now)
    return f"{_WRONG}（再错 {MAX_FAILURES - user.failed_logins} 次将锁定账号）"


def _open_session(s: Any, user: User, *, now: dt.datetime) -> tuple[str, SignIn]:
    """Store a new session of ``user`` (dropping expired ones); return its secret and itself."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    s.execute(delete(WebSession).where(WebSession.expires_at <= now))
    s.add(
        WebSession(
            id=_digest(secret),
            user_id=user.id,
            csrf=csrf,
            created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    principal = Principal(user.name, user.role, user.utility)
    return secret, SignIn(principal, user.display_name or user.name, csrf)


def sign_in(state: ServiceState, name: str, password: str) -> tuple[str, SignIn]:
    """Check a user name and password; return a new session's cookie secret and the session.

    Raises
    ------
    AuthenticationError
        Wrong name or password (the same message for both), a locked, revoked, expired or (in
        production) development account; the message is Chinese, for the form.
    """
    now = utc_now()
    with state.store.write() as s:  # the failure is counted even though sign-in is refused
        user = s.scalar(select(User).where(User.name == name))
        refusal = _check(user, password, env=state.settings.env, now=now)
        if refusal is not None:
            if user is not None:
                s.add(
                    AuditEntry(
                        user=name,
                        action="login_failed",
                        target=name,
                        detail={"locked": _locked(user, now)},
                    )
                )
            found = None
        else:
            assert user is not None
            secret, found = _open_session(s, user, now=now)
            s.add(AuditEntry(user=name, action="login", target=name, detail={}))
    if found is None:
        raise AuthenticationError(refusal or _WRONG)
    return secret, found


def session_of(state: ServiceState, secret: str | None) -> SignIn | None:
    """Return the live session of a cookie secret, or ``None`` (none, expired, user refused)."""
    if not secret:
        return None
    now = utc_now()
    with state.store.session() as s:
        row = s.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == _digest(secret))
        ).first()
    if row is None:
        return None
    session, user = row
    if session.expires_at <= now or _refusal(user, env=state.settings.env, now=now) is not None:
        return None
    principal = Principal(user.name, user.role, user.utility)
    return SignIn(principal, user.display_name or user.name, session.csrf)


def end_session(state: ServiceState, secret: str | None) -> None:
    """Sign out: delete the session (its cookie no longer opens anything)."""
    if secret:
        with state.store.write() as s:
            s.execute(delete(WebSession).where(WebSession.id == _digest(secret)))


def current_sign_in(request: Request) -> SignIn | None:
    """Return the request's session (looked up once per request), or ``None``."""
    if not hasattr(request.state, "sign_in"):
        request.state.sign_in = session_of(_state(request), request.cookies.get(SESSION_COOKIE))
    found: SignIn | None = request.state.sign_in
    return found


def web_user(request: Request) -> Principal:
    """Return the signed-in user of a page; not signed in: redirect to the sign-in page."""
    found = current_sign_in(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return found.principal


WebUser = Annotated[Principal, Depends(web_user)]
"""The signed-in user of a workbench page."""


async def check_csrf(request: Request) -> None:
    """Refuse (403) a POST whose CSRF token is missing or not the session's.

    The token comes in the form field ``csrf_token`` or the header ``X-CSRF-Token``. Before
    sign-in (no session), the form's token must equal the ``linkplan_csrf`` cookie.
    """
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get("csrf_token")
            sent = value if isinstance(value, str) else None
    found = current_sign_in(request)
    expected = found.csrf if found is not None else request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        msg = "表单已失效或缺少安全校验码（CSRF），请刷新页面后重试 (CSRF token missing or wrong)"
        raise PermissionDeniedError(msg)
