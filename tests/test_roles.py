"""The role matrix (``api/roles.py``) holds on every route of the real app, for every role.

Every route of the app (enumerated from ``app.routes``, GET and OGC ones included) is called by
each of the ten development users (five roles and the five utilities' planners); the answer is
403 exactly where the matrix refuses the user's role. Then the forbidden actions of issue 12:
only the roles that record the ``assessed`` time node may run an assessment or a reassessment,
and a refused one sets no node and stores no assessment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.roles import ROUTE_ROLES, app_routes, authorize, check_route_table
from api.routes import documents, intents, ledger, maps, networks, ogc, plans, projects
from api.routes.projects import NODE_ROLES
from api.security import ROLE_ZH, ROLES
from api.seed import DEV_USERS
from api.settings import Settings
from gis.errors import ConfigurationError
from gis.schema import UTILITY_NAMES_ZH
from gis.storage.models import AssessmentRecord, ProjectRecord
from gis.vocabulary import STAFF_ROLES
from tests.service import BACKENDS, auth, new_database

PID = "JM-2026-001"  # a demo project

# One request per route: real where cheap, else with an argument the route refuses (404/422)
# after the role check, so an allowed user is seen to pass it without running long work.
PROBES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("POST", "/projects"): ("/projects", {"json": {}}),
    ("PUT", "/projects/{project_id}"): (f"/projects/{PID}", {"json": {"project_name": ""}}),
    ("GET", "/projects"): ("/projects", {}),
    ("GET", "/projects/{project_id}"): (f"/projects/{PID}", {}),
    ("POST", "/projects/{project_id}/assessment"): ("/projects/no-such-project/assessment", {}),
    ("POST", "/projects/reassess"): ("/projects/reassess", {}),
    ("GET", "/projects/{project_id}/assessment"): (f"/projects/{PID}/assessment", {}),
    ("POST", "/projects/{project_id}/nodes/{step}"): (f"/projects/{PID}/nodes/no-such-step", {"json": {}}),
    ("POST", "/projects/{project_id}/planning-opinion"): (f"/projects/{PID}/planning-opinion", {"json": {}}),
    ("POST", "/projects/{project_id}/opinions/{department}"): (f"/projects/{PID}/opinions/planning", {"json": {}}),
    ("GET", "/projects/{project_id}/approval"): (f"/projects/{PID}/approval", {}),
    ("GET", "/projects/{project_id}/documents/{kind}"): (f"/projects/{PID}/documents/intake_form", {}),
    ("GET", "/projects/{project_id}/survey-package"): ("/projects/no-such-project/survey-package", {}),
    ("POST", "/intents"): ("/intents", {"json": {}}),
    ("GET", "/intents"): ("/intents", {}),
    ("GET", "/networks"): ("/networks", {"params": {"layer": "water"}}),
    ("POST", "/networks/{layer}"): ("/networks/water", {}),
    ("GET", "/networks/{layer}/versions"): ("/networks/water/versions", {}),
    ("GET", "/networks/{layer}/versions/{version}"): ("/networks/water/versions/1", {}),
    ("POST", "/networks/{layer}/versions/{version}/restore"): (
        "/networks/water/versions/not-a-number/restore",
        {},
    ),
    ("GET", "/admin/holidays"): ("/admin/holidays", {}),
    ("POST", "/admin/holidays/{year}"): ("/admin/holidays/2027", {"json": {}}),
    ("POST", "/plans/prelay"): ("/plans/prelay", {"params": {"utility": "no-such-utility"}}),
    ("POST", "/plans/coordination"): ("/plans/coordination", {"params": {"date_from": "not-a-date"}}),
    ("GET", "/plans/{kind}/latest"): ("/plans/prelay/latest", {}),
    ("GET", "/ledger"): ("/ledger", {}),
    ("GET", "/maps/projects/{project_id}"): ("/maps/projects/no-such-project", {}),
    ("GET", "/maps/district"): ("/maps/district", {"params": {"basemap": "no-such-basemap"}}),
    ("GET", "/maps/prelay"): ("/maps/prelay", {"params": {"basemap": "no-such-basemap"}}),
    ("GET", "/ogc"): ("/ogc", {}),
    ("GET", "/ogc/"): ("/ogc/", {}),
    ("GET", "/ogc/conformance"): ("/ogc/conformance", {}),
    ("GET", "/ogc/collections"): ("/ogc/collections", {}),
    ("GET", "/ogc/collections/{collectionId}"): ("/ogc/collections/water", {}),
    ("GET", "/ogc/collections/{collectionId}/items"): ("/ogc/collections/water/items", {"params": {"limit": 1}}),
    ("GET", "/ogc/collections/{collectionId}/items/{featureId}"): (
        "/ogc/collections/water/items/no-such-feature",
        {},
    ),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> FastAPI:
    db = tmp_path_factory.mktemp("roles") / "linkplan.db"
    return create_app(Settings(database_url=f"sqlite:///{db}", env="development", max_upload_mb=1))


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app)


def _routes() -> list[tuple[str, str]]:
    return sorted(ROUTE_ROLES)


# ------------------------------------------------------------------------------- the matrix


def test_the_matrix_covers_exactly_the_app_routes(app):
    served = {(method, path) for method, path, _ in app_routes(app)}
    assert set(ROUTE_ROLES) == served
    assert set(PROBES) == served
    # of the mutating routes, only recording a time node is open to every staff role (checked
    # per node); the applying enterprise has no API route at all (only its workbench pages)
    mutating = {(m, p) for m, p in served if m in {"POST", "PUT", "PATCH", "DELETE"}}
    open_to_all = {k for k in mutating if set(ROUTE_ROLES[k].roles) == set(STAFF_ROLES)}
    assert open_to_all == {("POST", "/projects/{project_id}/nodes/{step}")}
    assert not [k for k, rule in ROUTE_ROLES.items() if "applicant" in rule.roles]
    assert set(STAFF_ROLES) == set(ROLES) - {"applicant"}


def test_routes_setting_the_assessed_node_follow_the_node_rules():
    recorders = {*NODE_ROLES["assessed"], "admin"}
    for key in (("POST", "/projects/{project_id}/assessment"), ("POST", "/projects/reassess")):
        assert set(ROUTE_ROLES[key].roles) == recorders == {"intake", "survey", "admin"}


@pytest.mark.parametrize(("method", "path"), _routes(), ids=[f"{m} {p}" for m, p in _routes()])
def test_every_user_on_every_route(client, method, path):
    url, kwargs = PROBES[(method, path)]
    roles = ROUTE_ROLES[(method, path)].roles
    assert client.request(method, url, **kwargs).status_code == 401  # no token
    for user, (role, utility) in DEV_USERS.items():
        r = client.request(method, url, headers=auth(user), **kwargs)
        if role in roles:
            assert r.status_code not in (401, 403), (user, r.status_code, r.text[:300])
            assert r.status_code < 500, (user, r.text[:300])
            continue
        assert r.status_code == 403, (user, r.status_code, r.text[:300])
        body = r.json()
        assert body["error"] == "PermissionDeniedError"
        assert body["detail"].startswith(f"{method} {path}")
        held = f"user {user!r} has the role {role} ({ROLE_ZH[role]})"
        if utility:
            held += f" for {utility} ({UTILITY_NAMES_ZH[utility]})"
        assert body["detail"].endswith(held)
        assert all(f"{r_} ({ROLE_ZH[r_]})" in body["detail"] for r_ in roles)


# ------------------------------------------------------------------------------- issue 12, item 7

FORBIDDEN_ASSESSORS = ["investment", "planning", "water", "gas", "heat", "power", "telecom"]


def _assessed_state(app: FastAPI) -> tuple[dict[str, Any], int]:
    store = app.state.linkplan.store
    with store.session() as s:
        nodes = {r.project_id: dict(r.time_nodes or {}) for r in s.scalars(select(ProjectRecord))}
        n = s.scalar(select(func.count()).select_from(AssessmentRecord))
    return nodes, int(n or 0)


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path) -> Iterator[tuple[FastAPI, TestClient]]:
    """A new demo database on each backend (PostGIS emptied first)."""
    app = create_app(Settings(database_url=new_database(request, tmp_path), env="development"))
    yield app, TestClient(app)
    app.state.linkplan.store.engine.dispose()


def test_only_assessed_node_recorders_assess(fresh):
    app, client = fresh
    before, n_before = _assessed_state(app)
    assert n_before == 0 and not any("assessed" in nodes for nodes in before.values())
    for user in FORBIDDEN_ASSESSORS:
        r = client.post(f"/projects/{PID}/assessment", headers=auth(user))
        assert r.status_code == 403, user
        assert "needs the role intake" in r.json()["detail"]
        r = client.post("/projects/reassess", headers=auth(user))
        assert r.status_code == 403, user
    assert _assessed_state(app) == (before, 0)  # no node set, nothing stored

    r = client.post(f"/projects/{PID}/assessment", headers=auth("survey"))
    assert r.status_code == 201
    nodes, n = _assessed_state(app)
    assert n == 1 and "assessed" in nodes[PID]
    assert [p for p, v in nodes.items() if "assessed" in v] == [PID]

    r = client.post("/projects/reassess", headers=auth("intake"))
    assert r.status_code == 200
    nodes, n = _assessed_state(app)
    assert {p for p, v in nodes.items() if "assessed" in v} == set(nodes)
    assert n == len(nodes)  # every project once: PID's first assessment is still current
    assert r.json()["unchanged"] == [PID]


# ------------------------------------------------------------------------------- startup check


def test_a_route_without_a_row_is_a_startup_error():
    app = FastAPI(dependencies=[Depends(authorize)])

    @app.post("/projects/{project_id}/archive")
    def archive(project_id: str) -> None: ...

    with pytest.raises(ConfigurationError) as err:
        check_route_table(app)
    text = str(err.value)
    assert "POST /projects/{project_id}/archive: no row in ROUTE_ROLES (api/roles.py)" in text
    assert "POST /projects/reassess: a row of ROUTE_ROLES names no route" in text


def test_an_unguarded_route_is_a_startup_error(app):
    bare = FastAPI()  # the same routes without the app-level authorize dependency
    for module in (projects, intents, networks, plans, ledger, maps, documents, ogc):
        bare.include_router(module.router)
    with pytest.raises(ConfigurationError, match=r"POST /projects/reassess: not guarded by api\.roles\.authorize"):
        check_route_table(bare)
    check_route_table(app)  # the real app passes
