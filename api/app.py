"""The Linkplan web service (FastAPI) on PostGIS or the embedded SQLite default.

``create_app()`` opens ``LINKPLAN_DATABASE_URL`` (default: a SQLite file under
``LINKPLAN_DATA_DIR``), migrates it, and in development seeds an empty one with the 掇刀区 demo
district. Routes, one module per resource in ``api/routes``: projects (intake, assessment, time
nodes, opinions), networks (versioned uploads), plans (pre-lay, coordination), the ledger,
maps, documents and OGC API Features. Domain errors map to HTTP codes in ``api/errors.py``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

from api.errors import ERROR_RESPONSES, add_exception_handlers, document_errors
from api.roles import authorize, check_route_table
from api.routes import (
    approval,
    calendar,
    documents,
    health,
    intents,
    ledger,
    maps,
    networks,
    ogc,
    plans,
    projects,
)
from api.schemas import strict_query
from api.security import RequestSizeLimitMiddleware, max_upload_bytes
from api.settings import Settings, get_settings
from api.state import load_state

__all__ = ["create_app"]


def _offline_docs(app: FastAPI) -> None:
    """Serve the OpenAPI page with Swagger UI from the installed package (no CDN).

    The page is a plain route, open without a token like ``/openapi.json``: the role matrix
    (:mod:`api.roles`) guards the API routes.
    """
    import fastapi_offline

    static = Path(fastapi_offline.__file__).resolve().parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=static), name="swagger")

    def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} — API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    app.add_route("/docs", docs, methods=["GET"], include_in_schema=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the web app serving the configured workspace (default: the embedded demo)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Linkplan 联动接入预规划",
        description="荆门市中心城区水气热电网联动接入：项目受理与研判、管网版本、提前布局与协同施工、"
        "电子台账与预警、项目研判图、踏勘包与审批文书、OGC API Features。"
        "除 /docs 与 /health 外，所有接口需 Bearer 令牌。",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        # every API route: a valid token, a role the matrix (api/roles.py) allows there, and
        # only the query parameters it declares
        dependencies=[Depends(authorize), Depends(strict_query)],
        responses=ERROR_RESPONSES,
    )
    _offline_docs(app)
    app.state.linkplan = load_state(settings)
    add_exception_handlers(app)
    document_errors(app)
    # refuse an oversized upload while it streams in, before multipart parsing spools it
    app.add_middleware(
        RequestSizeLimitMiddleware, max_bytes=max_upload_bytes(settings) + 1024 * 1024
    )
    # no token, not an API route: for the container's HEALTHCHECK
    app.add_route("/health", health.health, methods=["GET"], include_in_schema=False)
    for module in (projects, approval, intents, networks, plans, ledger, maps, documents, calendar):
        app.include_router(module.router)
    # OGC API Features for QGIS/GDAL: the same token and role matrix (GDAL: GDAL_HTTP_AUTH=BEARER,
    # GDAL_HTTP_BEARER=<token>; QGIS: an "API header" authentication configuration)
    app.include_router(ogc.router)
    check_route_table(app)  # a route without a row of the role matrix is a startup error
    # the workbench (pages for every role, session sign-in) under /ui; / opens it
    from api.web import create_web_app

    app.mount("/ui", create_web_app(app.state.linkplan), name="workbench")
    app.add_route("/", _workbench, methods=["GET"], include_in_schema=False)
    return app


def _workbench(request: Request) -> RedirectResponse:
    """``/``: the workbench."""
    return RedirectResponse("/ui/", status_code=307)
