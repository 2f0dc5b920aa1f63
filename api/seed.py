"""The demo content of a development database: the 掇刀区 district, its projects, its users.

Development only (``LINKPLAN_ENV=development``, the default on the embedded database and a
loopback address): the users get well-known tokens so that a new user can try every role from
the OpenAPI page. They are marked ``development``: refused in production, and revoked when a
service starts in production on this database. A production database starts empty and users
are made with ``linkplan user NAME --role ROLE`` (tokens generated, stored hashed).
"""

from __future__ import annotations

import functools

from api.schemas import china_now
from api.settings import Settings
from gis.storage.models import ProjectRecord
from gis.storage.store import Store

__all__ = ["DEV_DISPLAY_NAMES", "DEV_PASSWORDS", "DEV_TOKENS", "DEV_USERS", "seed_demo"]

DEV_PEOPLE: tuple[tuple[str, str, str | None, str], ...] = (
    ("admin", "admin", None, "系统管理员"),
    ("investment", "investment", None, "市招商局 王招商"),
    ("intake", "intake", None, "一窗受理 李受理"),
    ("planning", "planning", None, "市自然资源和规划局 张规划"),
    ("survey", "survey", None, "联合踏勘组 赵踏勘"),
    ("water", "utility", "water", "供水公司 规划员"),
    ("gas", "utility", "gas", "燃气公司 规划员"),
    ("heat", "utility", "heat", "热力公司 规划员"),
    ("power", "utility", "power", "供电公司 规划员"),
    ("telecom", "utility", "telecom", "通信运营商 规划员"),
    ("urban", "urban", None, "市城管委 刘城管"),
    ("approval", "approval", None, "市行政审批局 陈审批"),
    ("applicant", "applicant", None, "荆门精工机械零部件有限公司"),
)
"""The development users: (user name, role, utility, the name the workbench shows)."""

DEV_USERS: dict[str, tuple[str, str | None]] = {n: (r, u) for n, r, u, _ in DEV_PEOPLE}
"""Development user name → (role, utility)."""

DEV_TOKENS: dict[str, str] = {name: f"dev-{name}" for name in DEV_USERS}
"""Development user name → token (never created outside development)."""

DEV_PASSWORDS: dict[str, str] = {name: f"dev-{name}-2026" for name in DEV_USERS}
"""Development user name → workbench password (well known, development only, README)."""

DEV_DISPLAY_NAMES: dict[str, str] = {n: shown for n, _, _, shown in DEV_PEOPLE}
"""Development user name → the name the workbench shows."""

DEV_OWNED: dict[str, str] = {"JM-2026-001": "applicant"}
"""Demo project → the development applicant that applied for it (掌上办)."""


@functools.cache
def _dev_password_hash(name: str) -> str:
    """Return the hash of a development password (hashed once per process: seeds are many)."""
    from api.security.passwords import hash_password

    return hash_password(DEV_PASSWORDS[name])

_LAYERS = (
    "scope",
    "roads",
    "sites",
    "major_lines",
    "green_space",
    "service_areas",
    "intents",
    "water",
    "gas",
    "heat",
    "power",
    "telecom",
    "sources",
)


def seed_demo(store: Store, *, settings: Settings) -> None:
    """Import the demo district, its projects' intake forms and (development) its users."""
    from api.security import create_user, set_password
    from data.demo_district import build_district
    from data.demo_intakes import demo_intakes

    if settings.env != "development":
        msg = "the demo (with its well-known tokens) is only seeded in development"
        raise RuntimeError(msg)
    layers = build_district("demo")
    for name in _LAYERS:
        if name in layers and layers[name] is not None and len(layers[name]):
            store.import_layer(name, layers[name], user="seed", source="demo district (掇刀区)")
    received = china_now().isoformat()
    with store.session.begin() as s:
        for form in demo_intakes():
            s.add(
                ProjectRecord(
                    project_id=str(form["site_id"]),
                    intake=form,
                    created_by="seed",
                    time_nodes={"form_complete": received},
                    owner=DEV_OWNED.get(str(form["site_id"])),
                )
            )
    for name, (role, utility) in DEV_USERS.items():
        create_user(
            store, name, role, utility=utility, token=DEV_TOKENS[name], development=True
        )
        set_password(
            store,
            name,
            password_hash=_dev_password_hash(name),
            display_name=DEV_DISPLAY_NAMES[name],
            by="seed",
        )
