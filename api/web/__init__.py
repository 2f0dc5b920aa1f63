"""The workbench (一网流转 in the browser): server-rendered pages for every role, under ``/ui``.

:func:`create_web_app` builds a FastAPI app mounted by :func:`api.app.create_app` at ``/ui``
(``/`` redirects there). It shares the service state (store, profile, caches) with the JSON API
and calls the same services (:mod:`api.process`, :mod:`api.service`); pages are Jinja2 templates
(:mod:`api.web.templating`) with a little script where a page needs it (maps, drawing a parcel).
Sign-in, sessions and CSRF: :mod:`api.web.session`; who may open which page:
:mod:`api.web.access`. Static files: the workbench's own (``static/``) and Leaflet from the
installed ``xstatic-leaflet`` package, at ``/ui/static/leaflet/`` (no CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import xstatic.pkg.leaflet as xleaflet
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import status_for
from api.web.access import check_page_table, page_access
from api.web.pages import ROUTERS
from api.web.session import LoginRequired
from api.web.templating import render
from gis.errors import LinkplanError

if TYPE_CHECKING:
    from api.state import ServiceState

__all__ = ["create_web_app"]

_STATIC = Path(__file__).resolve().parent / "static"

_TITLES = {401: "请先登录", 403: "无权访问", 404: "页面不存在", 409: "操作冲突", 422: "输入有误"}


def _login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/ui/login?next={quote(exc.next_url)}", status_code=303)


def _error_page(request: Request, exc: Exception) -> Response:
    """Answer a domain error with a page (status from the API's one table, :func:`status_for`)."""
    status = status_for(exc)
    return _page(request, status, str(exc))


def _http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _page(
        request, exc.status_code, "页面不存在" if exc.status_code == 404 else str(exc.detail)
    )


def _page(request: Request, status: int, message: str) -> HTMLResponse:
    title = _TITLES.get(status, "出错了")
    return render(
        request, "error.html.j2", {"title": title, "message": message}, status_code=status
    )


def create_web_app(state: ServiceState) -> FastAPI:
    """Return the workbench app (to mount at ``/ui``) serving ``state``."""
    web = FastAPI(
        title="Linkplan 工作台",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(page_access)],
    )
    web.state.linkplan = state
    web.mount("/static/leaflet", StaticFiles(directory=xleaflet.BASE_DIR), name="leaflet")
    web.mount("/static", StaticFiles(directory=_STATIC), name="static")
    for router in ROUTERS:
        web.include_router(router)
    web.add_exception_handler(LoginRequired, _login_redirect)
    web.add_exception_handler(LinkplanError, _error_page)
    web.add_exception_handler(StarletteHTTPException, _http_error_page)
    check_page_table(web)
    return web
