"""Development credentials never work in production; tokens expire and are revoked (issue 12).

A database first started in development keeps its ``dev-*`` users; restarted in production it
disables them and says so, and their tokens are refused (401) for reads and uploads. Revoked and
expired tokens are refused with the reason. ``linkplan user`` seeds nothing; workers starting
together on a new development database seed it once. The deployment files set production, a
non-root user, a health check and a data volume; the database URL is assembled from parts with
the password URL-encoded. Storage tests run on SQLite and PostGIS.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import uvicorn
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.security import (
    authenticate,
    create_user,
    identify,
    revoke_user,
    utc_now,
)
from api.seed import DEV_TOKENS, DEV_USERS
from api.settings import Settings, get_settings, is_loopback, settings_for_host
from api.state import open_database
from data.demo_district import build_district
from gis.errors import AuthenticationError, ConfigurationError, NotFoundError
from gis.storage.migrate import upgrade
from gis.storage.models import AuditEntry, NetworkVersion, ProjectRecord, User
from gis.storage.store import Store, make_engine
from tests.service import BACKENDS, bearer, new_database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "p@ss:w/rd#1%"


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    """A new, empty database on each backend."""
    return new_database(request, tmp_path)


def _store(url: str) -> Store:
    engine = make_engine(url)
    upgrade(engine)
    return Store(engine)


def _upload_roads(client: TestClient, token: str):
    roads = build_district("demo")["roads"]
    data = json.loads(roads.to_json(drop_id=True))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}}
    body = io.BytesIO(json.dumps(data).encode())
    return client.post(
        "/networks/roads",
        headers=bearer(token),
        files={"file": ("roads.geojson", body, "application/geo+json")},
    )


def _counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {
            "versions": s.scalar(select(func.count()).select_from(NetworkVersion)) or 0,
            "projects": s.scalar(select(func.count()).select_from(ProjectRecord)) or 0,
            "users": s.scalar(select(func.count()).select_from(User)) or 0,
        }


# ------------------------------------------------------------------ restart in production


def test_dev_tokens_refused_after_a_restart_in_production(url, caplog):
    dev = create_app(Settings(database_url=url, env="development"))
    with TestClient(dev) as c:
        assert c.get("/projects", headers=bearer(DEV_TOKENS["admin"])).status_code == 200
    store = dev.state.linkplan.store
    roads_before = store.latest()["roads"]
    admin = create_user(store, "运维管理员", "admin", created_by="cli")
    store.engine.dispose()

    with caplog.at_level(logging.WARNING, logger="linkplan"):
        prod = create_app(Settings(database_url=url, env="production"))
    assert f"已停用 {len(DEV_USERS)} 个开发用户 (development users disabled)" in caplog.text
    store = prod.state.linkplan.store
    with TestClient(prod) as c:
        res = c.get("/projects", headers=bearer(DEV_TOKENS["admin"]))
        assert res.status_code == 401
        assert "撤销" in res.json()["detail"] and "revoked" in res.json()["detail"]
        res = _upload_roads(c, DEV_TOKENS["admin"])
        assert res.status_code == 401, res.text
        for name in DEV_USERS:
            assert c.get("/projects", headers=bearer(DEV_TOKENS[name])).status_code == 401
        # a real user of the same database is served
        assert c.get("/projects", headers=bearer(admin)).status_code == 200
    assert store.latest()["roads"] == roads_before  # the upload changed nothing
    with store.session() as s:
        users = {u.name: u for u in s.scalars(select(User))}
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "disable_development_users")
        ).one()
    assert all(users[n].development and users[n].revoked_at is not None for n in DEV_USERS)
    assert not users["运维管理员"].development and users["运维管理员"].revoked_at is None
    assert sorted(entry.detail["users"]) == sorted(DEV_USERS)
    store.engine.dispose()

    # a second production start has nothing left to disable; back in development the
    # revoked tokens stay refused (they were exposed)
    store, report = open_database(Settings(database_url=url, env="production"))
    store.engine.dispose()
    assert report.disabled_users == () and report.messages() == []
    again = create_app(Settings(database_url=url, env="development"))
    with TestClient(again) as c:
        assert c.get("/projects", headers=bearer(DEV_TOKENS["survey"])).status_code == 401
    again.state.linkplan.store.engine.dispose()


def test_development_users_are_refused_in_production_even_before_being_revoked(url):
    store = _store(url)
    token = create_user(store, "dev用户", "survey", token="dev-x", development=True)
    assert identify(store, token, env="development").name == "dev用户"
    with pytest.raises(AuthenticationError, match=r"生产环境中无效.*not accepted in production"):
        identify(store, token, env="production")
    assert authenticate(store, token) is None  # the default is production
    store.engine.dispose()


def test_seed_marks_the_development_users(url):
    store, report = open_database(Settings(database_url=url, env="development"))
    assert report.seeded
    with store.session() as s:
        flags = {name: flag for name, flag in s.execute(select(User.name, User.development))}
    assert flags == dict.fromkeys(DEV_USERS, True)
    store.engine.dispose()


# ------------------------------------------------------------------ revocation and expiry


def test_a_revoked_token_is_refused(url):
    store = _store(url)
    token = create_user(store, "踏勘员", "survey")
    app = create_app(Settings(database_url=url, env="production"))
    with TestClient(app) as c:
        assert c.get("/projects", headers=bearer(token)).status_code == 200
        when = revoke_user(store, "踏勘员", revoked_by="管理员")
        res = c.get("/projects", headers=bearer(token))
    assert res.status_code == 401 and res.headers["WWW-Authenticate"] == "Bearer"
    assert res.json()["detail"] == (
        f"令牌已于 {when:%Y-%m-%d %H:%M} UTC 撤销，请向管理员申请新令牌 (the bearer token was "
        f"revoked on {when:%Y-%m-%d %H:%M} UTC: ask an administrator for a new one)"
    )
    assert token not in res.text
    assert revoke_user(store, "踏勘员") == when  # revoking again keeps the first time
    with store.session() as s:
        actions = [e.user for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "revoke_user"))]
    assert actions == ["管理员"]
    with pytest.raises(NotFoundError, match="no user '无此人'"):
        revoke_user(store, "无此人")
    app.state.linkplan.store.engine.dispose()
    store.engine.dispose()


def test_an_expired_token_is_refused(url):
    store = _store(url)
    expires = utc_now() + dt.timedelta(days=30)
    token = create_user(store, "规划员", "planning", expires_at=expires)
    # a controlled clock: valid the day before, refused from the instant it expires
    assert identify(store, token, now=expires - dt.timedelta(days=1)).name == "规划员"
    with pytest.raises(AuthenticationError, match=r"过期.*expired on"):
        identify(store, token, now=expires)
    app = create_app(Settings(database_url=url, env="production"))
    with TestClient(app) as c:
        assert c.get("/projects", headers=bearer(token)).status_code == 200
        past = utc_now() - dt.timedelta(minutes=1)
        with store.session.begin() as s:
            s.execute(update(User).where(User.name == "规划员").values(expires_at=past))
        res = c.get("/projects", headers=bearer(token))
    assert res.status_code == 401
    assert res.json()["detail"].startswith(f"令牌已于 {past:%Y-%m-%d %H:%M} UTC 过期")
    app.state.linkplan.store.engine.dispose()
    store.engine.dispose()


def test_an_expiry_must_be_in_the_future(tmp_path):
    store = _store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigurationError, match="is not in the future"):
        create_user(store, "甲", "survey", expires_at=utc_now() - dt.timedelta(seconds=1))
    aware = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=1)
    create_user(store, "乙", "survey", expires_at=aware)
    with store.session() as s:
        stored = s.scalars(select(User.expires_at).where(User.name == "乙")).one()
    assert stored == aware.astimezone(dt.UTC).replace(tzinfo=None)  # stored as UTC


# ------------------------------------------------------------------ the command line


@pytest.fixture
def linkplan_env(monkeypatch):
    """Run the CLI with only the LINKPLAN_ variables a test sets (restored afterwards)."""
    import os

    for key in [k for k in os.environ if k.startswith("LINKPLAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LINKPLAN_ENV", "production")  # serve sets it: removed afterwards
    monkeypatch.delenv("LINKPLAN_ENV")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_linkplan_user_on_an_empty_database_creates_only_that_user(url, linkplan_env):
    linkplan_env.setenv("LINKPLAN_DATABASE_URL", url)
    linkplan_env.setenv("LINKPLAN_ENV", "development")  # where an empty database is seeded
    res = CliRunner().invoke(cli, ["user", "管理员", "--role", "admin", "--expires-days", "90"])
    assert res.exit_code == 0, res.output
    token = res.output.strip().splitlines()[-1]
    store = _store(url)
    assert _counts(store) == {"versions": 0, "projects": 0, "users": 1}
    assert identify(store, token).name == "管理员"
    with store.session() as s:
        expires = s.scalars(select(User.expires_at)).one()
    assert abs(expires - (utc_now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)

    res = CliRunner().invoke(cli, ["user", "--list"])
    assert res.exit_code == 0 and re.search(r"管理员\s+admin\s+有效至 expires", res.output)
    res = CliRunner().invoke(cli, ["user", "管理员", "--revoke"])
    assert res.exit_code == 0 and "令牌已撤销 (token revoked)" in res.output
    with pytest.raises(AuthenticationError, match="revoked"):
        identify(store, token)
    res = CliRunner().invoke(cli, ["user", "甲"])
    assert res.exit_code == 2 and "--role" in res.output
    store.engine.dispose()


def test_linkplan_password_sets_a_workbench_password(url, linkplan_env):
    linkplan_env.setenv("LINKPLAN_DATABASE_URL", url)
    linkplan_env.setenv("LINKPLAN_ENV", "production")
    res = CliRunner().invoke(cli, ["user", "城管刘", "--role", "urban"])
    assert res.exit_code == 0, res.output
    # the rules, all at once: too short and only digits
    res = CliRunner().invoke(cli, ["password", "城管刘"], input="12345\n12345\n")
    assert res.exit_code != 0
    assert "密码至少 10 个字符（现为 5 个）；密码不能全为数字" in str(res.exception)
    res = CliRunner().invoke(
        cli, ["password", "城管刘", "--display-name", "市城管委 刘某"], input="jm-Urban-2026\njm-Urban-2026\n"
    )
    assert res.exit_code == 0 and "工作台密码已设置" in res.output, res.output
    assert "jm-Urban-2026" not in res.output  # never echoed
    store = _store(url)
    with store.session() as s:
        u = s.scalar(select(User).where(User.name == "城管刘"))
    assert u.display_name == "市城管委 刘某" and u.password_hash.startswith("scrypt$")
    from api.security.passwords import verify_password

    assert verify_password("jm-Urban-2026", u.password_hash)
    res = CliRunner().invoke(cli, ["password", "无此人"], input="jm-Urban-2026\njm-Urban-2026\n")
    assert res.exit_code != 0 and "no such user" in str(res.exception)
    store.engine.dispose()


def _serve(args: list[str], monkeypatch) -> tuple[str, list[dict]]:
    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: runs.append(kw))
    res = CliRunner().invoke(cli, ["serve", *args])
    assert res.exit_code == 0, res.output
    return res.output, runs


def test_serve_in_production_says_it_disabled_the_development_users(tmp_path, linkplan_env):
    url = f"sqlite:///{tmp_path / 'linkplan.db'}"
    store = _store(url)
    for name in ("admin", "water"):
        role, utility = DEV_USERS[name]
        create_user(store, name, role, utility=utility, token=DEV_TOKENS[name], development=True)
    linkplan_env.setenv("LINKPLAN_DATABASE_URL", url)
    linkplan_env.setenv("LINKPLAN_ENV", "production")
    output, runs = _serve([], linkplan_env)
    assert "已停用 2 个开发用户 (development users disabled): admin, water" in output
    assert "dev-admin" not in output and len(runs) == 1
    assert authenticate(store, DEV_TOKENS["admin"], env="development") is None  # revoked
    store.engine.dispose()


def test_serve_off_loopback_defaults_to_production(tmp_path, linkplan_env):
    import os

    url = f"sqlite:///{tmp_path / 'linkplan.db'}"
    store = _store(url)
    create_user(store, "管理员", "admin")  # not empty: nothing would be seeded
    store.engine.dispose()
    linkplan_env.setenv("LINKPLAN_DATABASE_URL", url)
    output, _ = _serve(["--host", "0.0.0.0"], linkplan_env)
    assert "运行模式 (LINKPLAN_ENV): production" in output and "dev-admin" not in output
    assert os.environ["LINKPLAN_ENV"] == "production"  # what the workers read
    linkplan_env.delenv("LINKPLAN_ENV")
    get_settings.cache_clear()
    output, _ = _serve(["--host", "127.0.0.1"], linkplan_env)
    assert "运行模式 (LINKPLAN_ENV): development" in output and "Bearer dev-admin" in output
    linkplan_env.setenv("LINKPLAN_ENV", "development")  # explicit: allowed, with a warning
    get_settings.cache_clear()
    output, _ = _serve(["--host", "0.0.0.0"], linkplan_env)
    assert "运行模式 (LINKPLAN_ENV): development" in output and "警告" in output


# ------------------------------------------------------------------ workers seed once


def test_concurrent_workers_seed_a_new_development_database_once(url):
    settings = Settings(database_url=url, env="development")
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: open_database(settings), range(4)))
    assert [report.seeded for _, report in opened].count(True) == 1
    store = opened[0][0]
    with store.session() as s:
        per_layer = Counter(s.scalars(select(NetworkVersion.layer)))
    assert per_layer and set(per_layer.values()) == {1}  # one version of each seeded layer
    assert _counts(store) == {"versions": len(per_layer), "projects": 16, "users": len(DEV_USERS)}
    for st, _ in opened:
        st.engine.dispose()


# ------------------------------------------------------------------ settings and deployment


def test_database_url_is_assembled_with_the_password_url_encoded(linkplan_env):
    for key, value in {
        "LINKPLAN_DB_HOST": "db",
        "LINKPLAN_DB_PORT": "5433",
        "LINKPLAN_DB_NAME": "linkplan",
        "LINKPLAN_DB_USER": "link plan",
        "LINKPLAN_DB_PASSWORD": PASSWORD,
    }.items():
        linkplan_env.setenv(key, value)
    settings = Settings()
    assert settings.database_url == (
        "postgresql+psycopg://link%20plan:p%40ss%3Aw%2Frd%231%25@db:5433/linkplan"
    )
    parsed = make_url(settings.database_url)
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == (
        "link plan",
        PASSWORD,
        "db",
        5433,
        "linkplan",
    )
    assert settings.env == "production"  # PostgreSQL without an explicit LINKPLAN_ENV
    explicit = Settings(database_url="postgresql+psycopg://u@h/d", env="development")
    assert explicit.env == "development"
    assert Settings(database_url="sqlite:///x.db").env == "development"


def test_development_only_on_loopback_unless_explicit():
    embedded = Settings(database_url="sqlite:///x.db")
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "192.168.1.9")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert settings_for_host(embedded, "127.0.0.1").env == "development"
    assert settings_for_host(embedded, "0.0.0.0").env == "production"
    explicit = Settings(database_url="sqlite:///x.db", env="development")
    assert settings_for_host(explicit, "0.0.0.0").env == "development"


def test_dockerfile_runs_production_as_a_non_root_user_with_a_health_check_and_a_volume():
    lines = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    instructions = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    by_kind: dict[str, list[str]] = {}
    for kind, rest in instructions:
        by_kind.setdefault(kind, []).append(rest)
    assert re.search(r"\bLINKPLAN_ENV=production\b", " ".join(by_kind["ENV"]))
    data_dir = re.search(r"\bLINKPLAN_DATA_DIR=(\S+)", " ".join(by_kind["ENV"])).group(1)
    assert data_dir in by_kind["VOLUME"][0]
    assert by_kind["USER"] and by_kind["USER"][-1].strip() not in ("root", "0")
    assert "/health" in by_kind["HEALTHCHECK"][0]
    # USER comes before the command, so the service itself does not run as root
    kinds = [k for k, _ in instructions]
    assert kinds.index("USER") < kinds.index("CMD")


def test_compose_assembles_the_database_url_from_parts(linkplan_env):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["api"]["environment"]
    assert "LINKPLAN_DATABASE_URL" not in env and env["LINKPLAN_ENV"] == "production"
    for key, value in env.items():
        linkplan_env.setenv(key, str(value).replace("${LINKPLAN_DB_PASSWORD:?set LINKPLAN_DB_PASSWORD}", PASSWORD))
    settings = Settings()
    parsed = make_url(settings.database_url or "")
    assert (parsed.password, parsed.host, parsed.database) == (PASSWORD, "db", "linkplan")


def test_health_needs_no_token_and_reveals_nothing(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", env="production"))
    with TestClient(app) as c:
        res = c.get("/health")
        assert res.status_code == 200 and res.json() == {"status": "ok"}
        assert c.get("/projects").status_code == 401
    app.state.linkplan.store.engine.dispose()
