"""Signing in and out (用户名、密码; lock-out after repeated wrong passwords)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_HOURS,
    current_sign_in,
    end_session,
    sign_in,
)
from api.web.templating import render
from gis.errors import AuthenticationError

__all__ = ["router"]

router = APIRouter()


def _secure(request: Request) -> bool:
    """Cookies only over HTTPS in production (development serves plain HTTP on loopback)."""
    return bool(request.app.state.linkplan.settings.env != "development")


def _safe_next(target: str | None) -> str:
    """Return where to go after signing in: a workbench path only (no open redirect)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


def _login_page(
    request: Request, *, error: str = "", name: str = "", target: str = "", status: int = 200
) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html.j2",
        {
            "error": error,
            "name": name,
            "next": _safe_next(target),
            "csrf_token": token,
            "csrf": lambda: _hidden(token),
        },
        status_code=status,
    )
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/ui"
    )
    return response


def _hidden(token: str) -> object:
    from markupsafe import Markup, escape

    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(token)}">')


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    """Show the sign-in page (a signed-in user goes on to the workbench)."""
    if current_sign_in(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, target=next or "")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=512)] = "/ui/",
) -> Response:
    """Check the name and password; on success start a session and go on."""
    try:
        secret, _ = sign_in(request.app.state.linkplan, name.strip(), password)
    except AuthenticationError as exc:
        return _login_page(request, error=str(exc), name=name, target=next, status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/ui")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session and go back to the sign-in page."""
    end_session(request.app.state.linkplan, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
