"""The Linkplan web service (FastAPI): maps and documents of the served workspace.

``create_app()`` serves the embedded demo district by default (no server, no file needed);
``LINKPLAN_WORKSPACE`` serves a GeoPackage. Storage in PostGIS, projects, users and roles come
with the web-service issue; this app already answers with the same pages and files as the
command line.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.errors import add_exception_handlers
from api.routes import documents, maps
from api.state import load_state
from gis.settings import Settings, get_settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the web app serving the configured workspace (default: the embedded demo)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Linkplan 联动接入预规划",
        description="荆门市中心城区水气热电网联动接入：项目研判图、踏勘包与审批文书。",
        version="0.1.0",
    )
    app.state.linkplan = load_state(settings)
    add_exception_handlers(app)
    app.include_router(maps.router)
    app.include_router(documents.router)
    return app
