"""Domain errors → HTTP status codes: the one table the web API uses (tipg ``errors.py``).

Every error answer has one body, :class:`ErrorBody` (``{"detail", "error", "problems"?}``),
documented in the OpenAPI schema for every status of :data:`STATUS_CODES`
(:data:`ERROR_RESPONSES`), FastAPI's own request validation (422) included.
"""

from __future__ import annotations

import dataclasses
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gis import vocabulary
from gis.errors import (
    AuthenticationError,
    CalendarError,
    ConfigurationError,
    ConfirmationRequiredError,
    ConflictError,
    CRSError,
    InputFormatError,
    LayerNotFoundError,
    LinkplanError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    Problem,
    ProfileError,
    Severity,
    UploadTooLargeError,
    ValidationError,
)

__all__ = [
    "ERROR_RESPONSES",
    "STATUS_CODES",
    "ErrorBody",
    "ProblemBody",
    "add_exception_handlers",
    "document_errors",
    "problem_json",
]

STATUS_CODES: dict[type[Exception], int] = {
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    UploadTooLargeError: 413,
    PreconditionFailedError: 412,
    PreconditionRequiredError: 428,
    NotFoundError: 404,
    LayerNotFoundError: 404,
    ValidationError: 422,
    InputFormatError: 422,
    CRSError: 422,
    ConfigurationError: 400,
    ProfileError: 400,
    CalendarError: 409,
    ConfirmationRequiredError: 409,
    ConflictError: 409,
    LinkplanError: 400,
}
"""Most specific first; a subclass not listed takes its nearest listed base's code."""


class ProblemBody(BaseModel):
    """One problem found in the input (:class:`gis.errors.Problem`): all are reported at once."""

    layer: str = Field(description="图层或 request（请求参数）")
    feature: str | None = Field(description="要素编号；请求参数时为位置 path、query、body…")
    field: str | None = Field(description="字段名")
    value: str = Field(description="收到的值")
    expected: str = Field(description="应为")
    severity: Severity = "error"
    code: str = Field(description="问题类别，如 missing_field")
    expected_zh: str | None = Field(default=None, description="应为（中文，英文说明之外另有时）")
    message_zh: str = Field(default="", description="中文说明：位置、问题类别、收到的值与应为的值")


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str = Field(description="说明：对象、字段、收到的值与应为的值")
    error: str = Field(description="错误类别，如 PermissionDeniedError、RequestValidationError")
    problems: list[ProblemBody] | None = Field(
        default=None, description="逐条问题（一次性告知）；仅校验错误时给出"
    )


_DESCRIPTIONS = {
    400: "请求无效（配置或参数）",
    401: "未提供或无效的令牌",
    403: "角色无此权限（说明所需角色与当前角色）",
    404: "对象不存在",
    409: "冲突",
    412: "前提条件不满足",
    413: "上传超过大小限制",
    422: "输入校验未通过（逐条列出问题）",
}


def status_for(exc: Exception) -> int:
    """Return the HTTP status of a domain error (500 for anything else)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": _DESCRIPTIONS.get(code, "错误")}
    for code in sorted({*STATUS_CODES.values(), 422})
}
"""The error answers of every route, for the OpenAPI schema (``FastAPI(responses=...)``)."""


def _problem(error: dict[str, Any]) -> Problem:
    """Return a FastAPI/pydantic request validation error as a :class:`Problem` of the request."""
    where, *path = [str(part) for part in error.get("loc", ())] or ["request"]
    value = error.get("input")
    text = value if isinstance(value, str) else repr(value)
    return Problem(
        "request",
        where,
        ".".join(path) or None,
        text if len(text) <= 200 else text[:200] + "…",
        str(error.get("msg", "a valid value")),
        code=str(error.get("type", "invalid")),
        expected_zh=_expected_zh(error),
    )


def _expected_zh(error: dict[str, Any]) -> str | None:
    """Return the choices of an enumeration error in Chinese (``'water', 'gas'`` → 供水、燃气)."""
    expected = (error.get("ctx") or {}).get("expected")
    if not isinstance(expected, str):
        return None
    values = tuple(re.findall(r"'([^']*)'", expected))
    vocab = vocabulary.for_values(values) if values else None
    return None if vocab is None else "、".join(vocab.label(v) for v in values)


def problem_json(p: Problem) -> dict[str, Any]:
    """Return a problem as its :class:`ProblemBody`: its fields and its Chinese message."""
    return {**dataclasses.asdict(p), "message_zh": p.message_zh}


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    """Return the :class:`ErrorBody` of a request that failed FastAPI's validation (422)."""
    problems = [_problem(e) for e in exc.errors()]
    listed = "; ".join(
        f"{p.feature} {p.field or ''}".rstrip() + f": got {p.value}; expected {p.expected}"
        for p in problems
    )
    chinese = "；".join(p.message_zh for p in problems)
    return {
        "detail": f"请求参数无效：{chinese} (request validation failed: {listed})",
        "error": "RequestValidationError",
        "problems": [problem_json(p) for p in problems],
    }


def _allowed_methods(request: Request) -> list[str]:
    """Return the methods of the request's path: of the most specific templates matching it.

    ``/projects/reassess`` is ``POST /projects/reassess``'s, not ``/projects/{project_id}``'s.
    """
    path = request.url.path
    by_params: dict[int, set[str]] = {}
    for ctx in iter_route_contexts(request.app.routes):
        regex = getattr(ctx, "path_regex", None)
        if regex is not None and regex.match(path) and ctx.methods:
            n_params = str(ctx.path_format).count("{")
            by_params.setdefault(n_params, set()).update(ctx.methods)
    return sorted(by_params[min(by_params)]) if by_params else []


def http_error_body(
    request: Request, exc: StarletteHTTPException
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the :class:`ErrorBody` and headers answering a routing or parsing error.

    A 405 lists in ``Allow`` every method served at the path (Starlette names only those of the
    first route matching it).
    """
    headers = dict(exc.headers or {})
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else ""
    if exc.status_code == 400:
        detail = f"请求无效，无法解析 (Bad Request): {detail or phrase}"
    elif exc.status_code == 404 and not detail:
        detail = f"没有这个地址 (Not Found): {request.url.path}"
    elif exc.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = (
            f"该地址不支持 {request.method} (Method Not Allowed): {request.url.path} "
            f"accepts {', '.join(allowed)}"
        )
    return {"detail": detail or phrase, "error": "HTTPException"}, headers


def add_exception_handlers(app: FastAPI) -> None:
    """Answer every domain error with its status and ``{"detail": message, "error": name}``.

    FastAPI's own request validation errors (422) and Starlette's routing and parsing errors
    (404, 405, 400) get the same body (:func:`validation_body`, :func:`http_error_body`).
    """

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body, headers = http_error_body(request, exc)
        return JSONResponse(status_code=exc.status_code, content=body, headers=headers)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(status_code=422, content=validation_body(exc))

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc), "error": type(exc).__name__}
        problems = getattr(exc, "problems", None)
        if problems:
            body["problems"] = [problem_json(p) for p in problems]
        headers = getattr(exc, "headers", None)
        return JSONResponse(status_code=status_for(exc), content=body, headers=headers)

    app.add_exception_handler(LinkplanError, handler)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


def document_errors(app: FastAPI) -> None:
    """Document every error answer as JSON :class:`ErrorBody`, also on HTML, PDF or zip routes.

    FastAPI documents a route's extra responses in the route's own media type; the error
    handlers answer JSON whatever the route's success type.
    """
    generate = app.openapi
    ref = {"$ref": "#/components/schemas/ErrorBody"}

    def openapi() -> dict[str, Any]:
        schema = generate()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for code, response in operation.get("responses", {}).items():
                    if code.isdigit() and int(code) in ERROR_RESPONSES:
                        response["content"] = {"application/json": {"schema": ref}}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
