"""Who may open which workbench page: the page role matrix, as data, applied to every page.

As :mod:`api.roles` does for the JSON API, :data:`PAGE_ROLES` names for each page (method, path
template under ``/ui``) the roles allowed and why; :func:`page_access`, a dependency of the
whole workbench app, applies it before the page runs (not signed in: to the sign-in page; a
role not allowed: 403), and checks the CSRF token of every POST (:func:`check_csrf`).
:func:`check_page_table` runs when the app is built: a page without a row is a startup error.

Finer checks stay in the services: an applicant sees only its own applications
(:func:`can_see_project`), a department signs only its own opinion.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts

from api.roles import ASSESSED_NODE_ROLES
from api.security import ROLE_ZH, ROLES
from api.security.ownership import can_see_project, see_project
from api.web.session import check_csrf, web_user
from gis import vocabulary
from gis.errors import ConfigurationError, PermissionDeniedError

__all__ = [
    "ANYONE",
    "PAGE_ROLES",
    "SIGNED_IN",
    "STAFF",
    "Page",
    "can_see_project",
    "check_page_table",
    "page_access",
    "page_routes",
    "see_project",
]


class Page(NamedTuple):
    """The roles allowed on one page (``None``: open, no sign-in) and the reason."""

    roles: tuple[str, ...] | None
    why: str


ANYONE: None = None
"""No sign-in needed (the sign-in page itself)."""

SIGNED_IN: tuple[str, ...] = ROLES
"""Every signed-in user, the applying enterprise included (it sees only its own)."""

STAFF: tuple[str, ...] = vocabulary.STAFF_ROLES
"""Every department and utility (not the applying enterprise)."""

WINDOW: tuple[str, ...] = ("intake", "admin")
"""The window (行政审批局 受理窗口) accepts applications, as ``POST /projects`` in the API."""

APPLICANT: tuple[str, ...] = ("applicant", "admin")
"""The applying enterprise's own pages (admin may open them to check them)."""

PAGE_ROLES: dict[tuple[str, str], Page] = {
    ("GET", "/"): Page(SIGNED_IN, "the home page of each role (an applicant sees its own)"),
    ("GET", "/login"): Page(ANYONE, "signing in"),
    ("POST", "/login"): Page(ANYONE, "signing in (double-submit CSRF token)"),
    ("POST", "/logout"): Page(SIGNED_IN, "signing out"),
    ("GET", "/projects"): Page(
        SIGNED_IN,
        "the project list: staff read every project (seed 七 信息共享); an applicant its own",
    ),
    # ----------------------------------------------------------------- the project page (W4)
    ("GET", "/projects/{project_id}"): Page(
        SIGNED_IN,
        "the project page: staff read every project (seed 七 信息共享); an applicant its own "
        "(see_project: 404 for another's)",
    ),
    ("GET", "/projects/{project_id}/map"): Page(
        SIGNED_IN, "the project map of the project page (as the page: an applicant its own)"
    ),
    ("GET", "/projects/{project_id}/documents/{kind}.html"): Page(
        SIGNED_IN,
        "附件2, 附件3, planning opinion (as GET /projects/{id}/documents; personal data masked; "
        "an applicant its own)",
    ),
    ("GET", "/projects/{project_id}/documents/{kind}.pdf"): Page(
        SIGNED_IN, "the same documents as PDF (an applicant its own)"
    ),
    ("POST", "/projects/{project_id}/nodes/{step}"): Page(
        STAFF,
        "time nodes: the service checks NODE_ROLES per step (the department answering for it) "
        "and that a utility's project asked for it, as POST /projects/{id}/nodes/{step}",
    ),
    ("POST", "/projects/{project_id}/assessment"): Page(
        ASSESSED_NODE_ROLES,
        "研判 sets the assessed node: ASSESSED_NODE_ROLES, as POST /projects/{id}/assessment",
    ),
    ("GET", "/window"): Page(WINDOW, "the window's applications waiting for acceptance (一窗受理)"),
    ("GET", "/window/new"): Page(WINDOW, "the window's 附件2 form (一表采集)"),
    ("POST", "/window/new"): Page(WINDOW, "registering and accepting at the window (受理)"),
    ("POST", "/window/{project_id}/accept"): Page(WINDOW, "accepting an application (容缺受理)"),
    ("GET", "/window/result/{project_id}"): Page(
        WINDOW, "an accepted application's result (where the window's POSTs redirect)"
    ),
    ("GET", "/map/context"): Page(
        (*WINDOW, "applicant"),
        "roads and site outlines around the drawing map (an applicant: no project names)",
    ),
    ("POST", "/parcels/preview"): Page(
        (*WINDOW, "applicant"), "checking a red line before it is submitted (nothing stored)"
    ),
    ("GET", "/apply"): Page(APPLICANT, "the applicant's online form (掌上申请)"),
    ("POST", "/apply"): Page(APPLICANT, "submitting an application (stored as 待受理, its own)"),
    ("GET", "/applications"): Page(APPLICANT, "the applicant's own applications (掌上办)"),
    ("GET", "/projects/{project_id}/opinions/{department}"): Page(
        ("planning", "urban", "approval", "admin"),
        "附件3: each department signs its own opinion (seed 四(二)2, 七; the service checks the "
        "department is the user's role)",
    ),
    ("POST", "/projects/{project_id}/opinions/{department}"): Page(
        ("planning", "urban", "approval", "admin"),
        "附件3: each department signs its own opinion (the service checks the department)",
    ),
    ("GET", "/projects/{project_id}/final.pdf"): Page(
        SIGNED_IN,
        "统一出件: staff read every issued sheet; the applicant downloads its own (三7 掌上办)",
    ),
    ("GET", "/ledger"): Page(
        STAFF, "the e-ledger dashboard: departments watch the time limits (seed 六(二)1, 八(三))"
    ),
    ("GET", "/ledger.xlsx"): Page(STAFF, "the e-ledger exported to Excel (the same rows)"),
}
"""(method, path template under /ui) → the roles allowed there, with the reason."""


async def page_access(request: Request) -> None:
    """App-level dependency of the workbench: sign-in, the role matrix, the CSRF token."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", request.url.path)
    rule = PAGE_ROLES.get((request.method, path))
    if rule is None:
        msg = f"{request.method} {path} 不在页面权限表中 (not in the page role matrix): refused"
        raise PermissionDeniedError(msg)
    if rule.roles is not None:
        user = web_user(request)  # not signed in: to the sign-in page
        if user.role not in rule.roles:
            need = "、".join(ROLE_ZH[r] for r in rule.roles if r != "admin")
            msg = (
                f"该页面需要以下角色之一：{need}；当前用户角色：{ROLE_ZH.get(user.role, user.role)}"
            )
            raise PermissionDeniedError(msg)
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        await check_csrf(request)


def page_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """Yield (method, path template) of every page of the workbench app."""
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute):
            for method in sorted(set(ctx.methods or ()) - {"HEAD"}):
                yield method, str(ctx.path_format)


def check_page_table(app: FastAPI) -> None:
    """Fail if a page has no row, a row names no page, or a row names an unknown role."""
    served = set(page_routes(app))
    problems = [
        f"{m} {p}: no row in PAGE_ROLES (api/web/access.py)"
        for m, p in sorted(served - set(PAGE_ROLES))
    ]
    problems += [
        f"{m} {p}: a row of PAGE_ROLES names no page" for m, p in sorted(set(PAGE_ROLES) - served)
    ]
    for (method, path), rule in PAGE_ROLES.items():
        if rule.roles is not None and ("admin" not in rule.roles or set(rule.roles) - set(ROLES)):
            problems.append(f"{method} {path}: roles {rule.roles}: known roles, admin among them")
    if problems:
        raise ConfigurationError("workbench page matrix: " + "; ".join(problems))
