"""The applicant's pages (掌上办): apply online with the 附件2 form, follow one's applications.

- ``GET/POST /ui/apply`` — the same form as the window's (:func:`api.web.pages.window.form_page`),
  stored as 待受理 and owned by the applicant (:func:`api.process.applications.submit_application`);
- ``GET /ui/applications`` — the applicant's own applications: state, each department's
  result, the final sheet when issued. An applicant never sees another's project.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.process import applications
from api.process.opinions import opinions_of
from api.web.pages.window import form_page, read_form
from api.web.session import WebUser
from api.web.templating import render
from gis import vocabulary
from gis.errors import ValidationError

__all__ = ["router"]

router = APIRouter()

_TITLE = "我要申请（水气热电网联合报装）"


@router.get("/apply", response_class=HTMLResponse)
def apply_form(request: Request, user: WebUser) -> HTMLResponse:
    """Show the empty application form."""
    return form_page(request, action="/ui/apply", title=_TITLE, clerk=False)


@router.post("/apply", response_class=HTMLResponse)
async def apply_submit(request: Request, user: WebUser) -> Response:
    """Submit an application (待受理); every problem beside its field, all at once."""
    data, parcel, values = await read_form(request, owner_form=True)
    try:
        done = applications.submit_application(
            request.app.state.linkplan, user, data, parcel,
            enterprise_type=str(values.get("enterprise_type") or "industrial"),
        )
    except ValidationError as exc:
        return form_page(
            request, action="/ui/apply", title=_TITLE, clerk=False, values=values,
            problems=list(exc.problems),
        )
    return RedirectResponse(f"/ui/applications?submitted={done.project_id}", status_code=303)


@router.get("/applications", response_class=HTMLResponse)
def my_applications(request: Request, user: WebUser, submitted: str = "") -> HTMLResponse:
    """Show the applicant's own applications with their progress and each department's result."""
    rows = applications.applications_of(request.app.state.linkplan, user)
    items = [
        {
            "r": r,
            "state": applications.state_of(r),
            "opinions": [
                (name, opinions_of(r.opinions).get(department))
                for department, name in vocabulary.DEPARTMENTS.labels().items()
            ],
        }
        for r in rows
    ]
    return render(
        request,
        "apply_list.html.j2",
        {
            "items": items,
            "submitted": submitted if any(r.project_id == submitted for r in rows) else "",
            "decisions": vocabulary.OPINION_DECISIONS,
        },
    )
