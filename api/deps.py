"""FastAPI dependencies (``Annotated``): the served state, the store, the assessment date."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.schemas import IsoDate
from api.service import Assessed
from api.state import ServiceState
from gis.storage.store import Store

__all__ = ["AssessedDep", "StateDep", "StoreDep"]


def get_state(request: Request) -> ServiceState:
    """Return the service state kept on the app."""
    state: ServiceState = request.app.state.linkplan
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_store(state: StateDep) -> Store:
    """Return the database store of the service."""
    return state.store


StoreDep = Annotated[Store, Depends(get_store)]


def get_assessed(
    state: StateDep,
    as_of: Annotated[
        IsoDate | None, Query(description="研判日期（默认今天），用于道路保护期判断")
    ] = None,
) -> Assessed:
    """Return the assessments of the served workspace on ``as_of``."""
    return state.assessed(as_of=as_of)


AssessedDep = Annotated[Assessed, Depends(get_assessed)]
