"""FastAPI dependencies (``Annotated``): the served state and the assessment date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request

from api.service import Assessed
from api.state import ServiceState

__all__ = ["AssessedDep", "StateDep"]


def get_state(request: Request) -> ServiceState:
    """Return the service state kept on the app."""
    state: ServiceState = request.app.state.linkplan
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_assessed(
    state: StateDep,
    as_of: Annotated[
        dt.date | None, Query(description="研判日期（默认今天），用于道路保护期判断")
    ] = None,
) -> Assessed:
    """Return the assessments of the served workspace on ``as_of``."""
    return state.assessed(as_of=as_of)


AssessedDep = Annotated[Assessed, Depends(get_assessed)]
