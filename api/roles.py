"""Who may call which route: the role matrix, as data, applied to every route of the app.

:data:`ROUTE_ROLES` names, for each route (method, path template), the roles allowed and why
(from the seed's 七、职责分工 and 四, as :mod:`api.security` describes the roles). One mechanism
applies it: :func:`authorize` is an app-level dependency (``FastAPI(dependencies=...)``), so it
runs for every API route before the route's own parameters, dependencies and handler; it looks
the request's route up in the matrix and answers 403 naming the role needed and the role held.
:func:`check_route_table` runs when the app is built: a route missing from the matrix, a row
naming no route, an unknown role or a route not guarded by :func:`authorize` is a startup error,
so a new route cannot forget its row.

Finer checks stay in the routes: a utility edits only its own network layer and plans, records
a time node only for a project that asked for its utility; each time node is recorded by the
department answering for it (``NODE_ROLES`` in ``api/routes/projects.py``); personal data are
masked for the roles that do not need it.

A route that sets a time node allows only the roles that record that node: running an
assessment (of one project, or of every stale one) sets ``assessed``
(:data:`ASSESSED_NODE_ROLES`, ``NODE_ROLES["assessed"]`` and admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts

from api.security import ROLES, CurrentUser, Principal, check_roles
from gis import vocabulary
from gis.errors import ConfigurationError, PermissionDeniedError

__all__ = [
    "ASSESSED_NODE_ROLES",
    "ROUTE_ROLES",
    "Allowed",
    "allowed",
    "app_routes",
    "authorize",
    "check_route_table",
]


class Allowed(NamedTuple):
    """The roles allowed on one route (admin is always listed) and the reason."""

    roles: tuple[str, ...]
    why: str


EVERYONE: tuple[str, ...] = vocabulary.STAFF_ROLES
"""Every staff role: reading is open to every department and utility (personal data masked).

The applying enterprise (``applicant``) is not among them: it sees only its own applications,
in the workbench (:mod:`api.web`), never the JSON API's registers."""

ASSESSED_NODE_ROLES: tuple[str, ...] = ("intake", "survey", "admin")
"""Who records the ``assessed`` (研判) node: ``NODE_ROLES["assessed"]`` of the projects routes
and admin. 研判 is 市行政审批局's (seed 四(二) 由行政审批部门负责协调组织; the intake window), and
the joint survey team it leads (三4, 七 牵头组织现场踏勘) assesses the project it surveys."""

_READ = "reading: every authenticated user reads (seed 七: 信息共享); personal data masked"

ROUTE_ROLES: dict[tuple[str, str], Allowed] = {
    # ----------------------------------------------------------------- projects (附件2, 研判)
    ("POST", "/projects"): Allowed(
        ("intake", "admin"),
        "一表申请: the intake window (市场监管局, 自然资源和规划局, 行政审批局) fills 附件2",
    ),
    ("PUT", "/projects/{project_id}"): Allowed(
        ("intake", "admin"), "the intake window that took the form corrects it"
    ),
    ("GET", "/projects"): Allowed(EVERYONE, _READ),
    ("GET", "/projects/{project_id}"): Allowed(EVERYONE, _READ),
    ("POST", "/projects/{project_id}/assessment"): Allowed(
        ASSESSED_NODE_ROLES, "sets the assessed (研判) node: only who records it (NODE_ROLES)"
    ),
    ("POST", "/projects/reassess"): Allowed(
        ASSESSED_NODE_ROLES,
        "re-assesses every stale project and sets their assessed (研判) node: the same step as "
        "one assessment, so the same roles (NODE_ROLES)",
    ),
    ("GET", "/projects/{project_id}/assessment"): Allowed(EVERYONE, _READ),
    ("POST", "/projects/{project_id}/nodes/{step}"): Allowed(
        EVERYONE,
        "every role records some time node; the route checks NODE_ROLES per step and that a "
        "utility's project asked for it",
    ),
    ("POST", "/projects/{project_id}/planning-opinion"): Allowed(
        ("planning", "admin"), "规划意见 is 自然资源和规划局's (seed 四(二)2, 七)"
    ),
    ("POST", "/projects/{project_id}/opinions/{department}"): Allowed(
        ("planning", "urban", "approval", "admin"),
        "附件3: each department signs its own opinion (seed 四(二)2, 七; the service checks the "
        "department is the user's role)",
    ),
    ("GET", "/projects/{project_id}/approval"): Allowed(EVERYONE, _READ),
    # ----------------------------------------------------------------- documents
    ("GET", "/projects/{project_id}/documents/{kind}"): Allowed(EVERYONE, _READ),
    ("GET", "/projects/{project_id}/survey-package"): Allowed(EVERYONE, _READ),
    # ----------------------------------------------------------------- intents (一口登记)
    ("POST", "/intents"): Allowed(
        ("investment", "admin"), "一口登记 is 招商局's (seed 三1, 四(一)1)"
    ),
    ("GET", "/intents"): Allowed(EVERYONE, _READ),
    # ----------------------------------------------------------------- networks
    ("GET", "/networks"): Allowed(EVERYONE, _READ),
    ("POST", "/networks/{layer}"): Allowed(
        ("utility", "investment", "admin"),
        "a utility uploads its own network, 招商局 the intents layer, admin the base layers "
        "(the route checks the layer: check_layer_edit)",
    ),
    ("GET", "/networks/{layer}/versions"): Allowed(EVERYONE, _READ),
    ("GET", "/networks/{layer}/versions/{version}"): Allowed(EVERYONE, _READ),
    ("POST", "/networks/{layer}/versions/{version}/restore"): Allowed(
        ("utility", "investment", "admin"),
        "restoring a version is an upload of that version: the layer's editors "
        "(the route checks the layer: check_layer_edit)",
    ),
    # ----------------------------------------------------------------- holiday notices
    ("GET", "/admin/holidays"): Allowed(
        ("admin",), "the State Council's holiday notices are loaded by the administrator"
    ),
    ("POST", "/admin/holidays/{year}"): Allowed(
        ("admin",), "the State Council's holiday notices are loaded by the administrator"
    ),
    # ----------------------------------------------------------------- plans
    ("POST", "/plans/prelay"): Allowed(
        ("utility", "admin"), "提前布局: each utility plans its own network (seed 四(一)2)"
    ),
    ("POST", "/plans/coordination"): Allowed(
        ("planning", "utility", "admin"),
        "协同施工: 自然资源和规划局 and the utilities plan joint works (seed 四(三))",
    ),
    ("GET", "/plans/{kind}/latest"): Allowed(EVERYONE, _READ),
    # ----------------------------------------------------------------- ledger, maps
    ("GET", "/ledger"): Allowed(EVERYONE, _READ),
    ("GET", "/maps/projects/{project_id}"): Allowed(EVERYONE, _READ),
    ("GET", "/maps/district"): Allowed(EVERYONE, _READ),
    ("GET", "/maps/prelay"): Allowed(EVERYONE, _READ),
    # ----------------------------------------------------------------- OGC API Features
    ("GET", "/ogc"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/conformance"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/collections"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/collections/{collectionId}"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/collections/{collectionId}/items"): Allowed(EVERYONE, _READ),
    ("GET", "/ogc/collections/{collectionId}/items/{featureId}"): Allowed(EVERYONE, _READ),
}
"""(method, path template) → the roles allowed there, with the reason."""


def allowed(method: str, path: str, user: Principal) -> bool:
    """Whether ``user`` may call the route ``method path`` (a path template of the app).

    Examples
    --------
    >>> allowed("POST", "/projects/{project_id}/assessment", Principal("踏勘", "survey"))
    True
    >>> allowed("POST", "/projects/reassess", Principal("供水", "utility", "water"))
    False
    """
    rule = ROUTE_ROLES.get((method, path))
    return rule is not None and user.role in rule.roles


def authorize(request: Request, user: CurrentUser) -> Principal:
    """App-level dependency: the user, if the role matrix lets them call this route (else 403).

    A route absent from :data:`ROUTE_ROLES` is refused (:func:`check_route_table` makes that a
    startup error, so it cannot happen in a built app).
    """
    route = request.scope.get("route")
    path = getattr(route, "path_format", request.url.path)
    rule = ROUTE_ROLES.get((request.method, path))
    if rule is None:
        msg = f"{request.method} {path} is not in the role matrix (api/roles.py): refused"
        raise PermissionDeniedError(msg)
    summary = getattr(route, "summary", None)
    action = f"{request.method} {path}" + (f" ({summary})" if summary else "")
    check_roles(user, rule.roles, action=action)
    return user


def app_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    """Yield (method, path template, route) for every API route the app serves.

    Raises
    ------
    ConfigurationError
        If a route is served under another path than its own (a router included with a
        prefix): :func:`authorize` looks routes up by their own path.
    """
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute):
            continue
        if ctx.path_format != route.path_format:
            msg = (
                f"route {route.path_format} is served at {ctx.path_format}: include its router "
                "without a prefix (api/roles.py looks routes up by their own path)"
            )
            raise ConfigurationError(msg)
        for method in sorted(ctx.methods or ()):
            yield method, route.path_format, route


def _guarded(app: FastAPI) -> set[tuple[str, str]]:
    """Return the (method, path) of every route whose dependencies include :func:`authorize`."""
    out = set()
    for ctx in iter_route_contexts(app.routes):
        dependant = getattr(ctx, "dependant", None)
        calls = {d.call for d in getattr(dependant, "dependencies", ())}
        if authorize in calls:
            out |= {(m, str(ctx.path_format)) for m in ctx.methods or ()}
    return out


def check_route_table(app: FastAPI) -> None:
    """Raise :class:`ConfigurationError` unless the matrix and the app's routes agree.

    Every API route must have a row of :data:`ROUTE_ROLES` and be guarded by
    :func:`authorize`; every row must name a route, only roles of
    :data:`~api.security.ROLES`, and admin (who passes every check).
    """
    served = {(method, path) for method, path, _ in app_routes(app)}
    problems = [
        f"{m} {p}: no row in ROUTE_ROLES (api/roles.py)"
        for m, p in sorted(served - set(ROUTE_ROLES))
    ]
    problems += [
        f"{m} {p}: a row of ROUTE_ROLES names no route"
        for m, p in sorted(set(ROUTE_ROLES) - served)
    ]
    problems += [
        f"{m} {p}: not guarded by api.roles.authorize" for m, p in sorted(served - _guarded(app))
    ]
    for (method, path), rule in ROUTE_ROLES.items():
        unknown = [r for r in rule.roles if r not in ROLES]
        if unknown or "admin" not in rule.roles:
            problems.append(
                f"{method} {path}: roles {rule.roles}; expected roles of {ROLES}, admin among them"
            )
    if problems:
        msg = "the role matrix does not match the app's routes: " + "; ".join(problems)
        raise ConfigurationError(msg)
