"""The e-ledger dashboard (电子台账): warnings first, counters, filters, xlsx export.

``GET /ui/ledger`` shows, for the filters of its form (department, utility, approval path,
state), the counters (正常 / 临近时限 ≥ 75 % / 已逾期 …) per department and in all, and the
entries, warnings first, coloured (amber at ≥ 75 % of the time limit, red when overdue) with
their count-down; ``GET /ui/ledger.xlsx`` downloads the same rows. The numbers are those of
``GET /ledger`` (:mod:`api.process.dashboard`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.process.dashboard import DashboardFilter, dashboard, dashboard_rows, export_xlsx
from api.schemas import IsoDateTime, as_china_time, china_now
from api.web.session import WebUser
from api.web.templating import render
from gis.errors import ValidationError

__all__ = ["router"]

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Choice = Annotated[str, Query(max_length=64)]


def _filters(department: str, utility: str, path: str, status: str, page: int) -> DashboardFilter:
    """Return the dashboard filter of the form's fields (empty: no filter)."""
    return DashboardFilter(
        department=department or None,
        utility=utility or None,
        path=path or None,
        status=status or None,
        page=page,
    )


def _clock(now: dt.datetime | None) -> dt.datetime | None:
    """Return ``now`` in naive China time (as ``GET /ledger`` reads it), None for the clock."""
    return as_china_time(now).replace(tzinfo=None) if now else None


def _query(f: DashboardFilter, now: dt.datetime | None, **extra: object) -> str:
    """Return the query string of ``f`` (and the clock), for links keeping the filters."""
    fields = {
        "department": f.department,
        "utility": f.utility,
        "path": f.path,
        "status": f.status,
        "now": now.isoformat(timespec="minutes") if now else None,
        **extra,
    }
    return urlencode({k: v for k, v in fields.items() if v not in (None, "")})


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    user: WebUser,
    department: Choice = "",
    utility: Choice = "",
    path: Choice = "",
    status: Choice = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    now: Annotated[IsoDateTime | None, Query()] = None,
) -> HTMLResponse:
    """Show the dashboard for the form's filters (every wrong filter beside its field)."""
    f = _filters(department, utility, path, status, page)
    at = _clock(now)
    state = request.app.state.linkplan
    errors: dict[str, list[str]] = {}
    try:
        board = dashboard(state, f, now=at)
        shown = f
    except ValidationError as exc:
        for p in exc.problems:
            errors.setdefault(p.field or "", []).append(p.message_zh)
        shown = DashboardFilter()
        board = dashboard(state, shown, now=at)
    context = {
        "board": board,
        "f": f,
        "errors": errors,
        "now": now,
        "xlsx_link": "/ui/ledger.xlsx?" + _query(shown, board.now),  # the rows shown
        "page_link": lambda n: "/ui/ledger?" + _query(shown, at, page=n),
        "dept_link": lambda d: (
            "/ui/ledger?" + _query(DashboardFilter(d, shown.utility, shown.path, shown.status), at)
        ),
        "status_link": lambda s: (
            "/ui/ledger?"
            + _query(DashboardFilter(shown.department, shown.utility, shown.path, s), at)
        ),
    }
    return render(request, "ledger.html.j2", context, status_code=422 if errors else 200)


@router.get("/ledger.xlsx")
def ledger_xlsx(
    request: Request,
    user: WebUser,
    department: Choice = "",
    utility: Choice = "",
    path: Choice = "",
    status: Choice = "",
    now: Annotated[IsoDateTime | None, Query()] = None,
) -> Response:
    """Download the rows of the dashboard's filters (all pages) as an xlsx workbook."""
    f = _filters(department, utility, path, status, 1)
    at = _clock(now) or china_now()
    rows = dashboard_rows(request.app.state.linkplan, f, now=at)
    name = f"电子台账-{at:%Y%m%d-%H%M}.xlsx"
    disposition = (
        f"attachment; filename=\"ledger-{at:%Y%m%d-%H%M}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(
        export_xlsx(rows, now=at),
        media_type=XLSX,
        headers={"Content-Disposition": disposition},
    )
