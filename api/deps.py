"""FastAPI dependencies (``Annotated``): the served state, the store, the assessment date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AfterValidator

from api.service import Assessed
from api.state import ServiceState
from gis.storage.store import Store

__all__ = ["AssessedDep", "SaneDate", "SaneDateTime", "StateDep", "StoreDep"]

YEARS = (2000, 2100)
"""First and last year a date of a request may be in (year 1 or 9999 is a mistake)."""


def _check_year(value: dt.date) -> dt.date:
    if not YEARS[0] <= value.year <= YEARS[1]:
        msg = (
            f"日期 {value.isoformat()} 超出范围，应在 {YEARS[0]}–{YEARS[1]} 年之间 "
            f"(got {value.isoformat()}; expected a date in {YEARS[0]}–{YEARS[1]})"
        )
        raise ValueError(msg)
    return value


SaneDate = Annotated[dt.date, AfterValidator(_check_year)]
"""A date in 2000–2100 (else 422 naming the field and the value)."""

SaneDateTime = Annotated[dt.datetime, AfterValidator(_check_year)]
"""A date-time in 2000–2100 (else 422 naming the field and the value)."""


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
        SaneDate | None, Query(description="研判日期（默认今天），用于道路保护期判断")
    ] = None,
) -> Assessed:
    """Return the assessments of the served workspace on ``as_of``."""
    return state.assessed(as_of=as_of)


AssessedDep = Annotated[Assessed, Depends(get_assessed)]
