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

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import xstatic.pkg.leaflet as xleaflet
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import status_for
from api.web.access import check_page_table, page_access
from api.web.pages import ROUTERS
from api.web.session import LoginRequired
from api.web.templating import render
from gis import vocabulary
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


_WHERE = {"query": "参数", "path": "地址中的", "body": "表单字段", "header": "请求头", "cookie": "Cookie"}



_BOUND_KEYS = {
    "greater_than_equal": "ge",
    "greater_than": "gt",
    "less_than_equal": "le",
    "less_than": "lt",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
}
"""Pydantic bound error → the context key of its bound (its words: PROBLEM_KINDS form ``bound``)."""


_SAME_EXPECTATION = {
    "int_type": "int_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "datetime_from_date_parsing": "datetime_parsing",
}
"""Pydantic errors that expect what another one does (its PROBLEM_KINDS form ``expected``)."""


def _expected(error: dict[str, object]) -> str:
    """Return what a parameter should be, in Chinese, from one pydantic error."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") if isinstance(error.get("ctx"), dict) else {}
    assert isinstance(ctx, dict)
    bound = vocabulary.PROBLEM_KINDS.label(kind, form="bound") if kind in _BOUND_KEYS else ""
    if bound:
        return f"{bound} {ctx.get(_BOUND_KEYS[kind])}"
    if kind in ("literal_error", "enum"):
        return f"以下之一：{ctx.get('expected', '')}"
    if kind == "value_error":  # our validators: ISO 8601 text (api.schemas), a year's range
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        example = re.search(r"such as (\S+)", text)
        return f"ISO 8601 格式，如 {example.group(1)}" if example else text
    if kind == "missing":
        return "必须填写"
    kind = _SAME_EXPECTATION.get(kind, kind)
    known = kind in vocabulary.PROBLEM_KINDS.values
    return (vocabulary.PROBLEM_KINDS.label(kind, form="expected") if known else "") or "有效的取值"


def validation_problems(exc: RequestValidationError) -> list[str]:
    """Return each invalid request parameter in Chinese: where, the value given, what is expected.

    Examples
    --------
    >>> err = RequestValidationError(
    ...     [{"type": "int_parsing", "loc": ("query", "page"), "input": "abc", "msg": "x"}]
    ... )
    >>> validation_problems(err)
    ['参数「page」收到「abc」，应为整数（如 1、2、3）']
    """
    out = []
    for error in exc.errors():
        loc = [str(x) for x in error.get("loc", ())]
        where = _WHERE.get(loc[0], "参数") if loc else "参数"
        name = ".".join(loc[1:]) or "?"
        given = error.get("input")
        got = "" if given is None or error.get("type") == "missing" else f"收到「{given}」，"
        out.append(f"{where}「{name}」{got}应为{_expected(error)}")
    return out


def _invalid_request_page(request: Request, exc: Exception) -> Response:
    """Answer invalid query, path or form parameters with the error page in Chinese (422)."""
    assert isinstance(exc, RequestValidationError)
    return _page(request, 422, "；".join(validation_problems(exc)))


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
    web.add_exception_handler(RequestValidationError, _invalid_request_page)
    check_page_table(web)
    return web
