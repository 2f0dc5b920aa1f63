"""``GET /health``: whether the service answers and reaches its database (for ``HEALTHCHECK``).

No token is needed, and the answer reveals nothing: no version, mode, database or user. It is
a plain route outside the API (like ``/docs``), so the role matrix (:mod:`api.roles`), which
guards every API route, does not apply to it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

__all__ = ["health"]


def health(request: Request) -> JSONResponse:
    """Answer 200 ``{"status": "ok"}`` when the database answers, else 503."""
    try:
        with request.app.state.linkplan.store.session() as s:
            s.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
