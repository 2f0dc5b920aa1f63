"""The project page (项目详情): timeline, map, decisions, documents, time-node actions, audit.

``GET /ui/projects/{id}`` shows :func:`api.process.project_view.project_view`; the map is the
project map page (:func:`api.service.project_map_html`) in an iframe of
``/ui/projects/{id}/map``; the documents are the API's (:func:`api.service.document_html`,
:func:`~api.service.document_pdf`) counted from the recorded 受理时间. The two actions (a time
node, 研判) are forms posting back here (CSRF checked by the workbench for every POST), then
back to the page with a message. An applicant sees only its own project (404 otherwise).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import service
from api.process import project_view as views
from api.process.opinions import approval_of, signed_of
from api.process.records import accepted_at
from api.service import Assessed
from api.web.access import PAGE_ROLES
from api.web.session import WebUser
from api.web.templating import render
from gis import vocabulary
from gis.errors import InputFormatError, NotFoundError

__all__ = ["router"]

router = APIRouter()

DocumentKind = Literal["form", "sheet", "opinion"]

_OPINION_PAGE = ("GET", "/projects/{project_id}/opinions/{department}")
_FINAL_PAGE = ("GET", "/projects/{project_id}/final.pdf")


def _links(role: str) -> dict[str, bool]:
    """Which pages of other helpers exist now (and the role may open): link only to those."""

    def opens(key: tuple[str, str]) -> bool:
        rule = PAGE_ROLES.get(key)
        return rule is not None and (rule.roles is None or role in rule.roles)

    return {"opinions": opens(_OPINION_PAGE), "final": opens(_FINAL_PAGE)}


def _notice(recorded: str | None, assessed: str | None) -> str:
    if recorded and recorded in vocabulary.LEDGER_STEPS:
        return f"已记录时间节点「{vocabulary.LEDGER_STEPS.label(recorded)}」"
    if assessed:
        return "研判完成"
    return ""


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request,
    project_id: str,
    user: WebUser,
    recorded: Annotated[str | None, Query(max_length=32)] = None,
    assessed: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    """Show one project: the timeline, the map, the decisions, documents, actions, audit."""
    state = request.app.state.linkplan
    view = views.project_view(state, user, project_id)
    return render(
        request,
        "project.html.j2",
        {
            "view": view,
            "approval": approval_of(state, project_id),
            "notice": _notice(recorded, assessed),
            "links": _links(user.role),
            "departments": vocabulary.DEPARTMENTS.labels(),
            "decisions": vocabulary.OPINION_DECISIONS.labels(),
        },
    )


@router.get("/projects/{project_id}/map", response_class=HTMLResponse)
def project_map(request: Request, project_id: str, user: WebUser) -> HTMLResponse:
    """Return the project map page (same layers, legend and route alternative as the API's)."""
    state = request.app.state.linkplan
    views.visible_record(state, user, project_id)
    return HTMLResponse(service.project_map_html(state.assessed(), project_id))


def _document(
    request: Request, project_id: str, kind: str, user: WebUser
) -> tuple[Assessed, str, dt.datetime]:
    state = request.app.state.linkplan
    record = views.visible_record(state, user, project_id)
    name = views.DOCUMENT_KINDS.get(kind)
    if name is None:
        msg = f"没有名为 {kind} 的文书 (no document {kind!r})"
        raise NotFoundError(msg)
    return views.for_user(state.assessed(), user), name, accepted_at(record)


@router.get("/projects/{project_id}/documents/{kind}.html", response_class=HTMLResponse)
def document_html(
    request: Request, project_id: str, kind: DocumentKind, user: WebUser
) -> HTMLResponse:
    """Return a document of the project as HTML (附件2, 附件3, planning opinion)."""
    done, name, start = _document(request, project_id, kind, user)
    signed = signed_of(request.app.state.linkplan, project_id)  # 附件3: opinions signed, sheet issued
    return HTMLResponse(service.document_html(done, project_id, name, start=start, signed=signed))


@router.get("/projects/{project_id}/documents/{kind}.pdf")
def document_pdf(request: Request, project_id: str, kind: DocumentKind, user: WebUser) -> Response:
    """Return a document of the project as PDF (Chinese font embedded)."""
    done, name, start = _document(request, project_id, kind, user)
    with tempfile.TemporaryDirectory() as tmp:
        signed = signed_of(request.app.state.linkplan, project_id)
        path = service.document_pdf(
            done, project_id, name, Path(tmp) / "doc.pdf", start=start, signed=signed
        )
        body = path.read_bytes()
    file_name = f"{project_id}_{service.FILE_NAMES[name]}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(file_name)}"},
    )


def _moment(text: str) -> dt.datetime | None:
    """Parse the form's 发生时间 (``2026-12-07T09:30``; empty: now)."""
    if not text.strip():
        return None
    try:
        return dt.datetime.fromisoformat(text.strip()).replace(second=0, microsecond=0)
    except ValueError:
        msg = f"发生时间「{text}」格式不对，应为日期和时间，如 2026-12-07 09:30"
        raise InputFormatError(msg) from None


@router.post("/projects/{project_id}/nodes/{step}")
def record_node(
    request: Request,
    project_id: str,
    step: str,
    user: WebUser,
    at: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Record a time node of the project, then back to the page with a message."""
    views.record_node(request.app.state.linkplan, user, project_id, step, at=_moment(at))
    target = f"/ui/projects/{quote(project_id)}?recorded={quote(step)}#timeline"
    return RedirectResponse(target, status_code=303)


@router.post("/projects/{project_id}/assessment")
def assess(request: Request, project_id: str, user: WebUser) -> Response:
    """Assess the project (研判), then back to the page with its decisions."""
    views.assess(request.app.state.linkplan, user, project_id)
    return RedirectResponse(
        f"/ui/projects/{quote(project_id)}?assessed=1#decisions", status_code=303
    )
