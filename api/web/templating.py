"""Server-rendered pages: Jinja2 templates (autoescaped), the navigation per role, one render.

Every page extends ``templates/base.html.j2``; :func:`render` adds the signed-in user, the
session's CSRF token (``{{ csrf() }}`` in a form, ``<meta name="csrf-token">`` for scripts)
and the navigation of the user's role. Labels come from :mod:`gis.vocabulary`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from api.security import ROLE_ZH
from api.web.session import current_sign_in
from gis import vocabulary

__all__ = ["NAV", "TEMPLATES", "nav_for", "render"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.autoescape = True  # also for the .html.j2 suffix
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True

NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/ui/", "工作台", vocabulary.STAFF_ROLES),
    ("/ui/projects", "项目", vocabulary.STAFF_ROLES),
    ("/ui/window", "一窗受理", ("intake", "admin")),
    ("/ui/ledger", "电子台账", vocabulary.STAFF_ROLES),
    ("/ui/applications", "我的申请", ("applicant",)),
    ("/ui/apply", "我要申请", ("applicant",)),
)
"""(link, label, roles shown to): the navigation bar."""


def nav_for(role: str | None) -> list[tuple[str, str]]:
    """Return the navigation links a role sees (only pages of the page matrix it may open)."""
    from api.web.access import PAGE_ROLES

    links = []
    for href, label, roles in NAV:
        page = PAGE_ROLES.get(("GET", href.removeprefix("/ui") or "/"))
        if role in roles and page is not None and page.roles is not None and role in page.roles:
            links.append((href, label))
    return links


def _zh_datetime(value: Any) -> str:
    """Format a date-time or ISO text as 2026-12-07 16:22 (empty for none)."""
    if value in (None, ""):
        return ""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{when:%Y-%m-%d %H:%M}" if isinstance(when, dt.datetime) else f"{when:%Y-%m-%d}"


TEMPLATES.env.filters["zh_datetime"] = _zh_datetime
TEMPLATES.env.globals["role_zh"] = ROLE_ZH


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` for this request, with the user, CSRF token and navigation."""
    found = current_sign_in(request)
    csrf = found.csrf if found is not None else request.cookies.get("linkplan_csrf", "")
    ctx: dict[str, Any] = {
        "user": found.principal if found else None,
        "display_name": found.display_name if found else "",
        "csrf_token": csrf,
        "csrf": lambda: Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'),
        "nav": nav_for(found.principal.role if found else None),
        "path": request.url.path,
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)
