"""The project list (项目), paginated; an applicant sees only its own applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.process.listing import list_projects
from api.web.session import WebUser
from api.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/projects", response_class=HTMLResponse)
def projects(
    request: Request,
    user: WebUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    q: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """One page of the projects the user may see, newest first; filter by project id."""
    found = list_projects(request.app.state.linkplan, user, page=page, q=q.strip())
    return render(request, "projects.html.j2", {"found": found, "q": q.strip()})
