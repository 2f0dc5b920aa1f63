"""Tokens, roles, masking, upload limits, and no network geometry sent to a third party.

A small FastAPI app with routes guarded by :mod:`api.security`'s dependencies serves every
role's user from a real SQLite store (migrated as in production); every boundary is crossed by
every role, and the answer is 200 exactly for the roles the reform gives that task.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request, UploadFile
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.errors import add_exception_handlers
from api.security import (
    ROLE_ZH,
    ROLES,
    AuthenticationError,
    CurrentUser,
    IntakeUser,
    InvestmentUser,
    LayerEditor,
    PermissionDeniedError,
    PlanningUser,
    Principal,
    RequestSizeLimitMiddleware,
    UploadLimit,
    UploadTooLargeError,
    authenticate,
    can_edit_layer,
    check_plan_edit,
    create_user,
    hash_token,
    mask_id_number,
    mask_intake,
    mask_phone,
    read_body,
    read_upload,
    require_roles,
    sees_personal_data,
)
from api.settings import Settings
from gis.errors import ConfigurationError, LinkplanError
from gis.schema import LAYERS, UTILITIES, UTILITY_NAMES_ZH
from gis.storage.migrate import upgrade
from gis.storage.models import AuditEntry, User
from gis.storage.store import Store, make_engine

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

FORM = {
    "project_name": "荆门化工新材料项目",
    "applicant": "荆门化工新材料有限公司",
    "id_number": "420804198605170162",
    "legal_representative": "张建国",
    "contact": "李海燕",
    "phone": "13872400016",
    "utilities": ["water", "power"],
    "water": {"water_m3_day": 120},
}

# user name → (role, utility)
USERS: dict[str, tuple[str, str | None]] = {
    "管理员": ("admin", None),
    "招商局": ("investment", None),
    "行政审批局窗口": ("intake", None),
    "踏勘组": ("survey", None),
    "规划科": ("planning", None),
    **{f"{u}规划": ("utility", u) for u in UTILITIES},
}


# ------------------------------------------------------------------------------- the app


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "linkplan.db"


@pytest.fixture
def store(db_path) -> Store:
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    return Store(engine)


@pytest.fixture
def tokens(store) -> dict[str, str]:
    return {
        name: create_user(store, name, role, utility=utility, created_by="管理员")
        for name, (role, utility) in USERS.items()
    }


def make_app(store: Store, *, max_upload_mb: int = 1) -> FastAPI:
    app = FastAPI()
    app.state.linkplan = SimpleNamespace(store=store, settings=Settings(max_upload_mb=max_upload_mb))
    add_exception_handlers(app)

    @app.get("/layers/{layer}")
    def read_layer(layer: str, user: CurrentUser) -> dict[str, str]:
        return {"layer": layer, "user": user.name}

    @app.put("/layers/{layer}")
    def edit_layer(layer: str, user: LayerEditor) -> dict[str, str]:
        return {"layer": layer, "user": user.name}

    @app.post("/intents")
    def register_intent(user: InvestmentUser) -> dict[str, str]:
        return {"user": user.name}

    @app.post("/projects")
    def create_project(user: IntakeUser) -> dict[str, str]:
        return {"user": user.name}

    @app.get("/projects/p1")
    def read_project(user: CurrentUser) -> dict[str, object]:
        return mask_intake(FORM, user)

    @app.post("/projects/p1/opinion")
    def issue_opinion(user: PlanningUser) -> dict[str, str]:
        return {"user": user.name}

    @app.put("/plans/{utility}")
    def edit_plan(utility: str, user: CurrentUser) -> dict[str, str]:
        check_plan_edit(user, utility)
        return {"utility": utility}

    @app.post("/upload")
    async def upload(request: Request, limit: UploadLimit) -> dict[str, int]:
        return {"bytes": len(await read_body(request, max_bytes=limit))}

    return app


@pytest.fixture
def client(store) -> TestClient:
    return TestClient(make_app(store))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------------------- 401


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "authentication required: send the header 'Authorization: Bearer <token>'"),
        (
            {"Authorization": "Basic dXNlcjpwYXNz"},
            "authentication required: send the header 'Authorization: Bearer <token>'",
        ),
        (
            {"Authorization": "Bearer not-a-token"},
            "the bearer token is not valid (unknown or revoked): ask an administrator for one",
        ),
    ],
)
def test_401_without_or_with_a_bad_token(client, tokens, headers, detail):
    for method, path in (("GET", "/layers/water"), ("POST", "/projects"), ("PUT", "/plans/gas")):
        r = client.request(method, path, headers=headers)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.json() == {"detail": detail, "error": "AuthenticationError"}


def test_a_token_is_refused_once_its_user_is_gone(client, tokens, store):
    with store.session.begin() as s:
        s.delete(s.scalars(select(User).where(User.name == "踏勘组")).one())
    assert client.get("/layers/water", headers=_auth(tokens["踏勘组"])).status_code == 401
    assert client.get("/layers/water", headers=_auth(tokens["规划科"])).status_code == 200


# ------------------------------------------------------------------------------- 403: finer checks

# Which role may call which route of the app is the role matrix (api/roles.py), tested on every
# route for every role in tests/test_roles.py. Here: the checks finer than a route, per layer
# and per utility, for every user.
EVERYONE = set(USERS)
ADMIN = {"管理员"}
BOUNDARIES: list[tuple[str, str, str, set[str]]] = [
    # (what, method, path, users allowed)
    *[(f"read {layer}", "GET", f"/layers/{layer}", EVERYONE) for layer in ("water", "gas", "roads")],
    *[(f"edit {u} network", "PUT", f"/layers/{u}", ADMIN | {f"{u}规划"}) for u in UTILITIES],
    *[
        (f"edit {layer}", "PUT", f"/layers/{layer}", ADMIN)
        for layer in ("roads", "scope", "sites", "major_lines", "green_space", "service_areas")
    ],
    ("edit intents", "PUT", "/layers/intents", ADMIN | {"招商局"}),
    *[(f"edit {u} plans", "PUT", f"/plans/{u}", ADMIN | {f"{u}规划"}) for u in UTILITIES],
]


@pytest.mark.parametrize(("what", "method", "path", "allowed"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_every_role_at_every_boundary(client, tokens, what, method, path, allowed):
    answers = {
        name: client.request(method, path, headers=_auth(token)) for name, token in tokens.items()
    }
    assert {n for n, r in answers.items() if r.status_code == 200} == allowed
    assert {n for n, r in answers.items() if r.status_code == 403} == EVERYONE - allowed
    for name in EVERYONE - allowed:
        body = answers[name].json()
        role, utility = USERS[name]
        assert body["error"] == "PermissionDeniedError"
        assert f"user {name!r} has the role {role} ({ROLE_ZH[role]})" in body["detail"]
        assert "admin (系统管理员)" in body["detail"]
        if utility:
            assert body["detail"].endswith(f"for {utility} ({UTILITY_NAMES_ZH[utility]})")


def test_403_messages_name_the_role_needed_and_held(client, tokens):
    r = client.put("/layers/gas", headers=_auth(tokens["water规划"]))
    assert r.status_code == 403
    assert r.json() == {
        "detail": "editing layer 'gas' (燃气管网) needs a gas planner (role utility, utility gas) "
        "or admin (系统管理员); user 'water规划' has the role utility (公用事业企业规划人员) for "
        "water (供水)",
        "error": "PermissionDeniedError",
    }
    r = client.post("/projects", headers=_auth(tokens["招商局"]))
    assert r.json()["detail"] == (
        "creating a project (一表采集) needs the role intake "
        "(受理窗口（市场监管局、自然资源和规划局、行政审批局）) or admin (系统管理员); "
        "user '招商局' has the role investment (招商局（意向登记）)"
    )
    r = client.post("/projects/p1/opinion", headers=_auth(tokens["行政审批局窗口"]))
    assert r.status_code == 403
    assert "issuing a planning opinion (规划意见) needs the role planning" in r.json()["detail"]


def test_unknown_layer_and_utility_are_404(client, tokens):
    r = client.put("/layers/sewage", headers=_auth(tokens["管理员"]))
    assert r.status_code == 404 and r.json()["error"] == "LayerNotFoundError"
    r = client.put("/plans/sewage", headers=_auth(tokens["water规划"]))
    assert r.status_code == 404 and r.json()["error"] == "NotFoundError"


def test_can_edit_layer_table():
    for layer in LAYERS:
        assert can_edit_layer(Principal("a", "admin"), layer)
        for role in ("survey", "planning", "intake"):
            assert not can_edit_layer(Principal("x", role), layer)
    assert not can_edit_layer(Principal("a", "admin"), "sewage")
    assert [layer for layer in LAYERS if can_edit_layer(Principal("i", "investment"), layer)] == ["intents"]
    for u in UTILITIES:
        assert [layer for layer in LAYERS if can_edit_layer(Principal("p", "utility", u), layer)] == [u]


def test_require_roles_refuses_a_typo_at_definition():
    with pytest.raises(ConfigurationError, match="expected one or more of admin, investment"):
        require_roles("planing")


def test_errors_are_domain_errors_with_builtin_bases():
    assert issubclass(AuthenticationError, LinkplanError) and issubclass(AuthenticationError, PermissionError)
    assert issubclass(PermissionDeniedError, PermissionError)
    assert issubclass(UploadTooLargeError, ValueError)


# ------------------------------------------------------------------------------- users and tokens


def test_tokens_are_stored_only_hashed(store, tokens, db_path):
    with store.session() as s:
        users = {u.name: u for u in s.scalars(select(User))}
    assert {n: (u.role, u.utility) for n, u in users.items()} == USERS
    files = sorted(db_path.parent.glob(db_path.name + "*"))  # the database and its WAL
    content = b"".join(f.read_bytes() for f in files)
    for name, token in tokens.items():
        assert len(token) >= 43
        assert token.encode() not in content
        assert users[name].token_hash == hash_token(token)
        assert hash_token(token).encode() in content  # we looked in the right place


def test_users_are_created_in_the_audit_log(store, tokens):
    with store.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "create_user")))
    assert {e.target for e in entries} == set(USERS)
    water = next(e for e in entries if e.target == "water规划")
    assert water.user == "管理员"
    assert water.detail == {"role": "utility", "utility": "water"}
    assert all(tokens[e.target] not in str(e.detail) for e in entries)


def test_authenticate(store, tokens):
    assert authenticate(store, tokens["gas规划"]) == Principal("gas规划", "utility", "gas")
    assert authenticate(store, tokens["规划科"]) == Principal("规划科", "planning")
    assert authenticate(store, "x" + tokens["规划科"]) is None
    assert authenticate(store, "") is None
    assert authenticate(store, None) is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("甲", "boss"), {}, "role 'boss' of user '甲': expected one of admin, investment, intake, utility, survey, planning"),
        (("甲", "utility"), {}, "utility None of utility planner '甲': expected one of water, gas, heat, power, telecom"),
        (("甲", "utility"), {"utility": "sewage"}, "utility 'sewage' of utility planner '甲'"),
        (("甲", "survey"), {"utility": "water"}, "user '甲' has role 'survey' and utility 'water': only role 'utility' has a utility"),
        (("", "survey"), {}, "user name '': expected 1 to 64 characters"),
        (("甲", "survey"), {"token": "has space"}, "token of user '甲': expected non-empty text without spaces"),
    ],
)
def test_create_user_refuses_bad_input(store, args, kwargs, message):
    with pytest.raises(ConfigurationError) as err:
        create_user(store, *args, **kwargs)
    assert str(err.value).startswith(message)


def test_create_user_refuses_a_taken_name_or_token(store):
    token = create_user(store, "甲", "survey", token="dev-survey-token")
    assert token == "dev-survey-token"
    with pytest.raises(ConfigurationError, match="user '甲' not created: the name or the token is already in use"):
        create_user(store, "甲", "planning")
    with pytest.raises(ConfigurationError, match="user '乙' not created"):
        create_user(store, "乙", "planning", token="dev-survey-token")
    with store.session() as s:
        assert [u.name for u in s.scalars(select(User))] == ["甲"]


# ------------------------------------------------------------------------------- masking


def test_personal_data_per_role(client, tokens):
    seen = {name: client.get("/projects/p1", headers=_auth(t)).json() for name, t in tokens.items()}
    for name, form in seen.items():
        clear = USERS[name][0] in {"intake", "admin"}
        assert form["id_number"] == ("420804198605170162" if clear else "420804********0162")
        assert form["phone"] == ("13872400016" if clear else "138****0016")
        assert {k: v for k, v in form.items() if k not in {"id_number", "phone"}} == {
            k: v for k, v in FORM.items() if k not in {"id_number", "phone"}
        }
    assert FORM["id_number"] == "420804198605170162"  # the original is untouched


def test_sees_personal_data_only_intake_and_admin():
    assert {r for r in ROLES if sees_personal_data(Principal("x", r))} == {"intake", "admin"}


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("420804198605170162", "420804********0162"),
        ("42080419860517016X", "420804********016X"),
        ("420804860517016", "420804*****7016"),
        (" 420804198605170162 ", "420804********0162"),
        ("1234", "****"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13872400016", "138****0016"),
        ("+8613872400016", "+86138****0016"),
        ("138 7240 0016", "138 **** 0016"),
        ("138-7240-0016", "138-****-0016"),
        ("0724-2345678", "0724-***5678"),
        ("0724-23456789", "0724-****6789"),
        ("07242345678", "0724***5678"),
        ("010-12345678", "010-****5678"),
        ("(0724)2345678", "(0724)***5678"),
        ("0724-2345678-801", "0724-***5678-801"),
        ("0724-2345678转801", "0724-***5678转801"),
        ("2345678", "***5678"),
        ("（0724）2345678", "（****）***5678"),
        ("1234", "****"),
        (None, None),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


# ------------------------------------------------------------------------------- uploads


class CountingStream:
    """A file whose content comes from a generator; counts what was asked and produced."""

    def __init__(self, total: int, *, block: int = 64 * 1024) -> None:
        self.produced = 0
        self.calls = 0
        self._blocks = self._gen(total, block)
        self._buffer = b""

    @staticmethod
    def _gen(total: int, block: int) -> Iterator[bytes]:
        sent = 0
        while sent < total:
            n = min(block, total - sent)
            sent += n
            yield b"z" * n

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._blocks, b"")
            if not chunk:
                break
            self.produced += len(chunk)
            self._buffer += chunk
        out, self._buffer = (self._buffer, b"") if size < 0 else (self._buffer[:size], self._buffer[size:])
        return out


def test_read_upload_stops_at_the_limit():
    stream = CountingStream(100 * MB)
    file = UploadFile(stream, filename="roads.zip")  # type: ignore[arg-type]
    with pytest.raises(UploadTooLargeError) as err:
        asyncio.run(read_upload(file, max_bytes=MB))
    assert str(err.value) == (
        "upload 'roads.zip' is larger than the upload limit of 1,048,576 bytes (1 MB, "
        "LINKPLAN_MAX_UPLOAD_MB)"
    )
    assert stream.produced <= MB + 64 * 1024  # 100 MB offered, about 1 MB read


def test_read_upload_reads_what_fits_and_refuses_a_declared_size_unread():
    stream = CountingStream(MB)
    assert asyncio.run(read_upload(UploadFile(stream), max_bytes=MB)) == b"z" * MB  # type: ignore[arg-type]
    declared = CountingStream(100 * MB)
    with pytest.raises(UploadTooLargeError, match=r"^the upload is larger"):
        asyncio.run(read_upload(UploadFile(declared, size=100 * MB), max_bytes=MB))  # type: ignore[arg-type]
    assert declared.calls == 0


def test_upload_route_answers_413_json(client, tokens):
    r = client.post("/upload", content=b"z" * (MB + 1))
    assert r.status_code == 413
    assert r.json() == {
        "detail": "the request body is larger than the upload limit of 1,048,576 bytes "
        "(1 MB, LINKPLAN_MAX_UPLOAD_MB)",
        "error": "UploadTooLargeError",
    }
    assert client.post("/upload", content=b"z" * MB).json() == {"bytes": MB}


def _asgi_post(app, chunks: Iterator[bytes], headers: list[tuple[bytes, bytes]]):
    """POST /echo through ``app`` with a streamed body; return (status, body, chunks read)."""
    counted = {"reads": 0}
    sent: list[dict] = []

    async def receive():
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        counted["reads"] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo",
        "raw_path": b"/echo",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, counted["reads"]


@pytest.fixture
def echo_app() -> FastAPI:
    """An app that reads any body whole: only the middleware stands between it and a flood."""
    inner = FastAPI()

    @inner.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return inner


def test_middleware_stops_a_streamed_body_at_the_limit(echo_app):
    app = RequestSizeLimitMiddleware(echo_app, max_bytes=MB)
    flood = (b"z" * (64 * 1024) for _ in range(1600))  # 100 MB, no Content-Length
    status, body, reads = _asgi_post(app, flood, [])
    assert status == 413
    assert b'"error": "UploadTooLargeError"' in body
    assert reads == 17  # 16 chunks fill the limit, the 17th passes it; 1,583 never read
    status, body, reads = _asgi_post(app, (b"z" * 1000 for _ in range(3)), [])
    assert (status, body) == (200, b'{"bytes":3000}')


def test_middleware_refuses_a_declared_length_without_reading(echo_app):
    app = RequestSizeLimitMiddleware(echo_app, max_bytes=MB)
    flood = (b"z" * (64 * 1024) for _ in range(1600))
    status, _, reads = _asgi_post(app, flood, [(b"content-length", str(100 * MB).encode())])
    assert (status, reads) == (413, 0)


# ------------------------------------------------------------------------------- third parties

GEO_SERVICES = (
    "restapi.amap.com",  # 高德 Web 服务 (geocoding, routing)
    "api.map.baidu.com",
    "apis.map.qq.com",
    "api.tianditu.gov.cn",  # 天地图 geocoder and routing (tiles are t0-7.tianditu.gov.cn)
    "nominatim",
    "overpass",
    "maps.googleapis.com",
    "api.mapbox.com",
    "router.project-osrm.org",
    "graphhopper.com",
    "arcgis.com",
)
NETWORK_CLIENTS = {"requests", "httpx", "aiohttp", "urllib3", "socket", "ftplib", "smtplib", "websockets"}
NETWORK_SUBMODULES = {"urllib.request", "http.client"}
OSMNX_DOWNLOADS = re.compile(r"^(graph_from_|features_from_|geocode|geometries_from_|_overpass|_nominatim)")
PACKAGES = ("api", "gis", "planning", "data")


def _sources() -> list[Path]:
    files = [f for p in PACKAGES for f in sorted((ROOT / p).rglob("*")) if f.suffix in {".py", ".js", ".yaml", ".html"}]
    assert len(files) > 50
    return files


def test_no_module_names_a_geocoding_or_routing_service():
    found = {
        (str(f.relative_to(ROOT)), host)
        for f in _sources()
        for host in GEO_SERVICES
        if host in f.read_text(encoding="utf-8", errors="replace").lower()
    }
    assert found == set()


def test_no_module_opens_a_network_connection():
    """No HTTP client, no socket, no osmnx download: only ``urllib.parse`` (quoting)."""
    bad = []
    for f in (ROOT / p for p in PACKAGES):
        for path in sorted(f.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                for name in names:
                    if name.split(".")[0] in NETWORK_CLIENTS or name in NETWORK_SUBMODULES:
                        bad.append((str(path.relative_to(ROOT)), name))
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in {"ox", "osmnx"}
                    and OSMNX_DOWNLOADS.match(node.attr)
                ):
                    bad.append((str(path.relative_to(ROOT)), f"osmnx.{node.attr}"))
    assert bad == []


@pytest.fixture(scope="module")
def demo_map_pages():
    """A project map and a district map of one demo site, on each basemap."""
    from api.maps import district_map, project_map, render_html
    from data.demo_district import DEMO_CASES, build_district
    from gis.profile import load_profile
    from gis.workspace import Workspace
    from planning.assess import assess_sites

    ws = Workspace.from_layers(build_district("demo"), crs="EPSG:4546")
    profile = load_profile("jingmen-2023")
    pid = next(iter(DEMO_CASES))
    (a,) = assess_sites(ws, profile=profile, site_ids=[pid], as_of=dt.date(2026, 11, 29))
    pages = {}
    for basemap in ("none", "osm", "gaode", "tianditu"):
        key = "k" if basemap == "tianditu" else None
        pages[basemap] = [
            render_html(project_map(ws, a, profile=profile, basemap=basemap, tianditu_key=key)),
            render_html(district_map(ws, [a], profile=profile, basemap=basemap, tianditu_key=key)),
        ]
    return pages


_URL = re.compile(r"https?://([^/\s\"'<>)\\]+)[^\s\"'<>)\\]*")
# what Leaflet's own source names (an SVG namespace, its site in the attribution link, a comment)
_PAGE_HOSTS = {"www.w3.org", "leafletjs.com", "bugzilla.mozilla.org"}


def test_offline_maps_name_no_map_service(demo_map_pages):
    from api.maps.assets import external_references

    for page in demo_map_pages["none"]:
        assert external_references(page) == []
        assert {m.group(1) for m in _URL.finditer(page)} <= _PAGE_HOSTS
        for host in (*GEO_SERVICES, "openstreetmap.org", "autonavi.com", "tianditu.gov.cn"):
            assert host not in page
        # the page itself sends nothing anywhere (tiles, when there are any, are <img> loads)
        for call in ("XMLHttpRequest", "fetch(", "sendBeacon", "WebSocket", "EventSource"):
            assert call not in page


@pytest.mark.parametrize(
    ("basemap", "tile_host"),
    [("osm", "tile.openstreetmap.org"), ("gaode", "webrd0{s}.is.autonavi.com"), ("tianditu", "t{s}.tianditu.gov.cn")],
)
def test_tile_basemaps_request_tiles_by_x_y_z_only(demo_map_pages, basemap, tile_host):
    """A tile URL carries only the tile's column, row and zoom (and 天地图's key): no geometry."""
    for page in demo_map_pages[basemap]:
        page = page.replace("\\u0026", "&")  # folium writes the URL as a JSON string
        urls = [m.group(0) for m in _URL.finditer(page) if m.group(1) not in _PAGE_HOSTS]
        hosts = {m.group(1) for m in _URL.finditer(page)} - _PAGE_HOSTS
        assert hosts <= {tile_host, "openstreetmap.org", "www.openstreetmap.org"}
        tiles = [u for u in urls if u.split("/")[2] == tile_host]
        assert tiles
        for url in tiles:
            placeholders = set(re.findall(r"\{+(\w+)\}+", url))
            assert placeholders <= {"x", "y", "z", "s"}
            assert {"x", "y", "z"} <= placeholders
            assert not re.search(r"\d+\.\d{4,}", url)  # no coordinates in it
        for host in GEO_SERVICES:
            assert host not in page


def test_middleware_added_to_a_fastapi_app(echo_app):
    echo_app.add_middleware(RequestSizeLimitMiddleware, max_bytes=MB)
    client = TestClient(echo_app)
    r = client.post("/echo", content=b"z" * (MB + 1))
    assert r.status_code == 413
    assert r.json() == {
        "detail": "the request body is larger than the upload limit of 1,048,576 bytes "
        "(1 MB, LINKPLAN_MAX_UPLOAD_MB)",
        "error": "UploadTooLargeError",
    }
    assert client.post("/echo", content=b"z" * 10).json() == {"bytes": 10}
