"""The demo content of a development database: the 掇刀区 district, its projects, its users.

Development only (``LINKPLAN_ENV=development``, the default on the embedded database and a
loopback address): the users get well-known tokens so that a new user can try every role from
the OpenAPI page. They are marked ``development``: refused in production, and revoked when a
service starts in production on this database. A production database starts empty and users
are made with ``linkplan user NAME --role ROLE`` (tokens generated, stored hashed).
"""

from __future__ import annotations

import datetime as dt

from api.settings import Settings
from gis.storage.models import ProjectRecord
from gis.storage.store import Store

__all__ = ["DEV_TOKENS", "DEV_USERS", "seed_demo"]

DEV_USERS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "investment": ("investment", None),
    "intake": ("intake", None),
    "planning": ("planning", None),
    "survey": ("survey", None),
    "water": ("utility", "water"),
    "gas": ("utility", "gas"),
    "heat": ("utility", "heat"),
    "power": ("utility", "power"),
    "telecom": ("utility", "telecom"),
}
"""Development user name → (role, utility)."""

DEV_TOKENS: dict[str, str] = {name: f"dev-{name}" for name in DEV_USERS}
"""Development user name → token (never created outside development)."""

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
)


def seed_demo(store: Store, *, settings: Settings) -> None:
    """Import the demo district, its projects' intake forms and (development) its users."""
    from api.security import create_user
    from data.demo_district import build_district
    from data.demo_intakes import demo_intakes

    if settings.env != "development":
        msg = "the demo (with its well-known tokens) is only seeded in development"
        raise RuntimeError(msg)
    layers = build_district("demo")
    for name in _LAYERS:
        if name in layers and layers[name] is not None and len(layers[name]):
            store.import_layer(name, layers[name], user="seed", source="demo district (掇刀区)")
    received = dt.datetime.now().replace(second=0, microsecond=0).isoformat()
    with store.session.begin() as s:
        for form in demo_intakes():
            s.add(
                ProjectRecord(
                    project_id=str(form["site_id"]),
                    intake=form,
                    created_by="seed",
                    time_nodes={"form_complete": received},
                )
            )
    for name, (role, utility) in DEV_USERS.items():
        create_user(
            store, name, role, utility=utility, token=DEV_TOKENS[name], development=True
        )
