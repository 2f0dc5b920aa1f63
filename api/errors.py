"""Domain errors → HTTP status codes: the one table the web API uses (tipg ``errors.py``)."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gis.errors import (
    AuthenticationError,
    CalendarError,
    ConfigurationError,
    ConfirmationRequiredError,
    CRSError,
    InputFormatError,
    LayerNotFoundError,
    LinkplanError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    ProfileError,
    UploadTooLargeError,
    ValidationError,
)

__all__ = ["STATUS_CODES", "add_exception_handlers"]

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
    LinkplanError: 400,
}
"""Most specific first; a subclass not listed takes its nearest listed base's code."""


def status_for(exc: Exception) -> int:
    """Return the HTTP status of a domain error (500 for anything else)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500


def add_exception_handlers(app: FastAPI) -> None:
    """Answer every domain error with its status and ``{"detail": message, "error": name}``."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc), "error": type(exc).__name__}
        problems = getattr(exc, "problems", None)
        if problems:
            body["problems"] = [dataclasses.asdict(p) for p in problems]
        headers = getattr(exc, "headers", None)
        return JSONResponse(status_code=status_for(exc), content=body, headers=headers)

    app.add_exception_handler(LinkplanError, handler)
