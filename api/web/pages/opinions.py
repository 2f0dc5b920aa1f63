"""A department signs its opinion (附件3); the issued sheet (统一出件) as PDF.

- ``GET /ui/projects/{id}/opinions/{department}``: the form — the drafted text (or the opinion
  signed before) in an editable box, 同意 / 附条件同意 / 退回补正, conditions and reasons;
- ``POST`` the same: signs it (:func:`api.process.opinions.sign_opinion`); all problems at
  once beside their fields; signed: back to the form, which shows it and the approval's state;
- ``GET /ui/projects/{id}/final.pdf``: the issued 附件3 with the three opinions, their 签批时间
  and the document number (staff, and the applicant owning the project).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.process.opinions import (
    MAX_TEXT,
    approval_of,
    check_signer,
    drafted_text,
    final_sheet_pdf,
    sign_opinion,
)
from api.process.records import project_record
from api.security import Principal
from api.state import ServiceState
from api.web.access import see_project
from api.web.session import WebUser
from api.web.templating import render
from gis import vocabulary
from gis.errors import NotFoundError, ValidationError
from planning.joint_approval import Opinion

__all__ = ["router"]

router = APIRouter()

FormText = Annotated[str, Form(max_length=MAX_TEXT + 1)]


def _form_page(
    request: Request,
    state: ServiceState,
    project_id: str,
    department: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the opinion form of ``department`` on a project (values: as sent, else stored)."""
    record = project_record(state, project_id)
    approval = approval_of(state, project_id)
    signed: Opinion | None = approval.opinions.get(department)
    if values is None:
        values = {
            "decision": signed.decision if signed else "agree",
            "text": signed.text if signed else drafted_text(state, project_id, department),
            "conditions": signed.conditions if signed else "",
            "reasons": signed.reasons if signed else "",
        }
    context: dict[str, Any] = {
        "project_id": project_id,
        "project_name": record.intake.get("project_name", project_id),
        "department": department,
        "department_zh": vocabulary.DEPARTMENTS.label(department),
        "decisions": vocabulary.OPINION_DECISIONS.labels(),
        "departments": vocabulary.DEPARTMENTS.labels(),
        "approval": approval,
        "signed": signed,
        "values": values,
        "errors": errors or {},
        "problems": [m for ms in (errors or {}).values() for m in ms],
        "max_text": MAX_TEXT,
    }
    return render(request, "opinion.html.j2", context, status_code=status_code)


def _department(user: Principal, project_id: str, department: str) -> str:
    """Return the department named in the URL, if the user signs for it (else 404 / 403)."""
    dept = vocabulary.DEPARTMENTS.lookup(department)
    if dept is None:
        msg = f"没有审批部门“{department}”（应为 {'、'.join(vocabulary.DEPARTMENTS.labels().values())}）"
        raise NotFoundError(msg)
    check_signer(user, dept, project_id)
    return dept


@router.get("/projects/{project_id}/opinions/{department}", response_class=HTMLResponse)
def opinion_form(request: Request, project_id: str, department: str, user: WebUser) -> HTMLResponse:
    """Show the opinion form of a department, pre-filled with the drafted text."""
    dept = _department(user, project_id, department)
    return _form_page(request, request.app.state.linkplan, project_id, dept)


@router.post("/projects/{project_id}/opinions/{department}", response_class=HTMLResponse)
def opinion_sign(
    request: Request,
    project_id: str,
    department: str,
    user: WebUser,
    decision: Annotated[str, Form(max_length=32)] = "",
    text: FormText = "",
    conditions: FormText = "",
    reasons: FormText = "",
) -> Response:
    """Sign the opinion; all problems at once beside their fields (422), else back to the form."""
    state = request.app.state.linkplan
    dept = _department(user, project_id, department)
    values = {"decision": decision, "text": text, "conditions": conditions, "reasons": reasons}
    try:
        sign_opinion(state, project_id, dept, user, **values)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            errors.setdefault(p.field or "", []).append(p.expected_zh or p.message_zh)
        return _form_page(
            request, state, project_id, dept, values=values, errors=errors, status_code=422
        )
    url = f"/ui/projects/{quote(project_id)}/opinions/{dept}?signed=1"
    return RedirectResponse(url, status_code=303)


@router.get("/projects/{project_id}/final.pdf")
def final_pdf(request: Request, project_id: str, user: WebUser) -> Response:
    """Return the issued 附件3 (统一出件) as PDF: staff, and the applicant owning the project."""
    state = request.app.state.linkplan
    record = project_record(state, project_id)
    see_project(user, project_id, record.owner)
    with tempfile.TemporaryDirectory() as tmp:
        body = final_sheet_pdf(state, project_id, Path(tmp) / "final.pdf").read_bytes()
    name = quote(f"{project_id}_综合审批意见单.pdf")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(body, media_type="application/pdf", headers=headers)
