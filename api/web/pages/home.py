"""The home page (工作台): what the user's role has to do, and where to go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.process.listing import list_projects
from api.process.tasks import tasks_for
from api.web.session import WebUser
from api.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: WebUser) -> Response:
    """Show the workbench of the user's role; an applicant goes to its own applications."""
    if user.role == "applicant":
        return RedirectResponse("/ui/applications", status_code=303)
    state = request.app.state.linkplan
    found = list_projects(state, user, page=1, per_page=10)
    return render(request, "home.html.j2", {"recent": found, "todo": tasks_for(state, user)})
