"""``GET /health``: whether the service answers and reaches its database (for ``HEALTHCHECK``).

No token is needed, and the answer reveals nothing: no version, mode, database or user.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import StateDep

router = APIRouter(tags=["运行状态 health"])


@router.get(
    "/health",
    summary="健康检查（无需令牌）",
    description="服务与数据库可用时返回 200 {\"status\": \"ok\"}，数据库不可用时返回 503；"
    "不需要令牌，也不透露版本、模式、数据库或用户。",
    response_model=dict[str, str],
    responses={503: {"description": "数据库不可用 (database unavailable)"}},
)
def health(state: StateDep) -> JSONResponse:
    """Answer 200 ``{"status": "ok"}`` when the database answers, else 503."""
    try:
        with state.store.session() as s:
            s.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
