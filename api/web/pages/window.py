"""The window (一窗受理, 一表采集): the clerk's 附件2 form, pending applications, acceptance.

- ``GET/POST /ui/window/new`` — the clerk enters the form and the red line and accepts at once
  (:func:`api.process.applications.register_at_window`); every problem beside its field;
- ``GET /ui/window`` — applications submitted online, waiting for acceptance;
- ``POST /ui/window/{project_id}/accept`` — accept one, with the 容缺 items missing;
- ``GET /ui/window/result/{project_id}`` — the accepted application and its assessment (both
  POSTs redirect here: a reload never submits again);
- ``POST /ui/parcels/preview`` — a red line read and checked, as JSON, before submitting;
- ``GET /ui/map/context?bbox=…`` — roads and registered sites around the drawing map (GeoJSON).

The form is shared with the applicant's page (:mod:`api.web.pages.applicant`): :func:`read_form`
turns the posted fields into the intake mapping and the red line, :func:`form_page` renders it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from api.process import applications
from api.process.parcels import (
    COORDINATE_SYSTEMS,
    FILE_TYPES,
    ParcelInput,
    check_parcel,
    describe,
    map_context,
    parse_bbox,
    preview_parcel,
)
from api.process.project_view import decisions
from api.process.records import latest_assessment
from api.security.uploads import max_upload_bytes, read_upload
from api.web.session import WebUser
from api.web.templating import render
from gis import vocabulary
from gis.crs import transformer
from gis.errors import Problem, ValidationError
from gis.storage.models import ProjectRecord
from planning.intake import message_zh
from planning.intake.form import FORM_LABELS_ZH

if TYPE_CHECKING:
    from fastapi import UploadFile as FastAPIUpload

__all__ = ["FormView", "form_page", "read_form", "router"]

router = APIRouter()

GAS_ROWS = 3
"""Rows of the gas equipment table on the form."""

MISSING_CHOICES: tuple[str, ...] = (
    "营业执照（副本）",
    "法定代表人身份证明",
    "授权委托书及经办人身份证明",
    "建设用地规划许可证或用地红线图",
    "项目立项（备案）文件",
)
"""Items an application may be accepted without (容缺受理), to be handed in later."""

IDENTITY = (
    "form_number", "project_name", "applicant", "credit_code", "project_code", "address",
    "legal_representative", "id_number", "contact", "phone",
)
SECTIONS: dict[str, tuple[str, ...]] = {
    "water": ("water_m3_day",),
    "power": ("business_type", "main_capacity_kva", "backup_capacity_kva"),
    "heat": (
        "pressure_mpa", "temperature_c", "normal_t_h", "full_load_t_h", "hours_per_day",
        "days_per_year",
    ),
    "telecom": (
        "ftth", "weak_current_ready", "bandwidth_households", "base_stations",
        "cable_tv_households", "free_operator_choice",
    ),
}
GAS_FIELDS = (
    "name", "count", "burner_diameter_mm", "working_pressure_kpa", "equipment_pressure_kpa",
    "normal_m3_h", "full_load_m3_h",
)
CHOICES: dict[str, dict[str, str]] = {
    "power.business_type": dict(vocabulary.BUSINESS_TYPES.labels()),
    "telecom.ftth": {"yes": "是", "no": "否"},
    "telecom.weak_current_ready": {"yes": "是", "no": "否"},
    "telecom.free_operator_choice": {"yes": "是", "no": "否"},
}
"""Fields answered by a choice: value → Chinese label."""

_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?$")
_PARCEL_FIELDS = {"drawn", "file", "coordinates", "coordinate_system", "parcel", "geometry"}


def field_names() -> list[str]:
    """Return every intake field of the form as its dotted name (the problems' field paths)."""
    names = [*IDENTITY, "site_id"]
    names += [f"{u}.{f}" for u, fields in SECTIONS.items() for f in fields]
    names += [f"gas.equipment[{i}].{f}" for i in range(GAS_ROWS) for f in GAS_FIELDS]
    return names


def label_of(name: str) -> str:
    """Return the Chinese label of a dotted field name (``gas.equipment[1].count`` → 数量)."""
    if name == "site_id":
        return "项目编号"  # the window numbers the project by its site
    return FORM_LABELS_ZH.get(re.sub(r"\[\d+\]", "", name), name)


def _put(data: dict[str, Any], name: str, value: str) -> None:
    """Set ``value`` at a dotted path with list indices (``gas.equipment[0].name``)."""
    node: Any = data
    parts = name.split(".")
    for i, part in enumerate(parts):
        m = _PATH.match(part)
        if m is None:
            return
        key, index = m[1], m[2]
        last = i == len(parts) - 1
        if index is None:
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
            continue
        rows = node.setdefault(key, [])
        while len(rows) <= int(index):
            rows.append({})
        node = rows[int(index)]


def intake_from(form: Mapping[str, Any], utilities: list[str]) -> dict[str, Any]:
    """Return the intake mapping of the posted fields (blank fields left out)."""
    data: dict[str, Any] = {"utilities": utilities}
    for name in field_names():
        value = str(form.get(name) or "").strip()
        section = name.split(".", 1)[0]
        if value and (section not in (*SECTIONS, "gas") or section in utilities):
            _put(data, name, value)
    if "gas" in data:  # blank rows dropped; their indices renumbered as the form shows them
        data["gas"]["equipment"] = [row for row in data["gas"]["equipment"] if row]
    return data


async def read_form(
    request: Request, *, owner_form: bool
) -> tuple[dict[str, Any], ParcelInput, dict[str, Any]]:
    """Return the intake mapping, the red line and the submitted values of a posted form."""
    async with request.form() as form:  # closes the spooled upload afterwards
        utilities = [u for u in form.getlist("utilities") if isinstance(u, str)]
        values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        values["utilities"] = utilities
        values["missing"] = [m for m in form.getlist("missing") if isinstance(m, str)]
        data = intake_from(form, utilities)
        if owner_form:
            data.pop("site_id", None)
        return data, await _parcel_of(request, form), values


async def _parcel_of(request: Request, form: FormData) -> ParcelInput:
    upload = form.get("parcel_file")
    file: tuple[str, bytes] | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        limit = max_upload_bytes(request.app.state.linkplan.settings)
        # starlette's UploadFile (a form field): read_upload uses only what both have
        content = await read_upload(cast("FastAPIUpload", upload), max_bytes=limit)
        file = (upload.filename, content)
    return ParcelInput(
        drawn=str(form.get("drawn") or "").strip() or None,
        upload=file,
        pasted=str(form.get("pasted") or "").strip() or None,
        system=str(form.get("system") or "wgs84"),
    )


def errors_by_field(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """Return the Chinese message of each problem by form field, and every message in order."""
    by_field: dict[str, list[str]] = {}
    summary = []
    for p in problems:
        if p.layer == "parcel" or p.field in _PARCEL_FIELDS:
            name, text = "parcel", f"用地红线：{describe(p)}"
        elif p.code == "exists":
            name, text = p.field or "site_id", str(p.expected_zh)
        else:
            name = p.field or "form"
            label = None if "[" in name else label_of(name)
            text = message_zh(p, label=label)
        by_field.setdefault(name, []).append(text)
        summary.append(text)
    return by_field, summary


class FormView:
    """What the form template needs besides values and errors (constant choices)."""

    identity = IDENTITY
    sections = SECTIONS
    gas_rows = GAS_ROWS
    gas_fields = GAS_FIELDS
    choices = CHOICES
    utilities = vocabulary.UTILITIES.labels()
    enterprise_types = vocabulary.ENTERPRISE_TYPES.labels()
    systems = COORDINATE_SYSTEMS
    file_types = ", ".join(FILE_TYPES)
    missing_choices = MISSING_CHOICES
    label = staticmethod(label_of)


def form_page(
    request: Request,
    *,
    action: str,
    title: str,
    clerk: bool,
    values: Mapping[str, Any] | None = None,
    problems: list[Problem] | None = None,
) -> HTMLResponse:
    """Render the 附件2 form (clerk's or applicant's), with every problem beside its field."""
    errors, summary = errors_by_field(problems or [])
    return render(
        request,
        "window_form.html.j2",
        {
            "action": action,
            "title": title,
            "clerk": clerk,
            "values": values or {"utilities": [], "missing": []},
            "errors": errors,
            "summary": summary,
            "view": FormView,
            "center": _center(request),
        },
        status_code=422 if problems else 200,
    )


def _center(request: Request) -> str:
    """Return "lat,lon" of the middle of the scope, where the drawing map opens."""
    ws, _ = request.app.state.linkplan.workspace()
    scope = ws.layers.get("scope")
    if scope is None or scope.empty:
        return "31.0,112.2"
    c = scope.union_all().centroid
    lon, lat = transformer(ws.crs, "EPSG:4326").transform(c.x, c.y)
    return f"{lat:.6f},{lon:.6f}"


@router.get("/window/new", response_class=HTMLResponse)
def window_form(request: Request, user: WebUser) -> HTMLResponse:
    """Show the empty 附件2 form of the window (一表采集)."""
    return form_page(request, action="/ui/window/new", title="窗口受理（一表采集）", clerk=True)


@router.post("/window/new", response_class=HTMLResponse)
async def window_register(request: Request, user: WebUser) -> Response:
    """Register and accept an application entered at the window; show the assessment."""
    data, parcel, values = await read_form(request, owner_form=False)
    state = request.app.state.linkplan
    try:
        done = applications.register_at_window(
            state, user, data, parcel,
            enterprise_type=str(values.get("enterprise_type") or "industrial"),
            missing_items=[*values["missing"], *_other(values)],
        )
    except ValidationError as exc:
        return form_page(
            request, action="/ui/window/new", title="窗口受理（一表采集）", clerk=True,
            values=values, problems=list(exc.problems),
        )
    return RedirectResponse(f"/ui/window/result/{done.project_id}", status_code=303)


def _other(values: Mapping[str, Any]) -> list[str]:
    text = str(values.get("missing_other") or "")
    return [t.strip() for t in re.split(r"[\n；;]", text) if t.strip()]


@router.get("/window/result/{project_id}", response_class=HTMLResponse)
def window_result(request: Request, project_id: str, user: WebUser) -> HTMLResponse:
    """Show an accepted application: its red-line warnings and each utility's path and reasons."""
    state = request.app.state.linkplan
    record = applications.visible_project(state, user, project_id)
    stored = latest_assessment(state, project_id)
    result = stored.result if stored is not None else {}
    return render(
        request,
        "window_result.html.j2",
        {
            "pid": project_id,
            "accepted_at": (record.time_nodes or {}).get("form_complete", ""),
            "result": result,
            "decisions": decisions(result),
            "warnings": [describe(p) for p in _site_warnings(request, record)],
            "paths": vocabulary.APPROVAL_PATHS,
        },
    )


def _site_warnings(request: Request, record: ProjectRecord) -> list[Problem]:
    """Return the warnings about a project's stored site (other sites, scope, roads)."""
    state = request.app.state.linkplan
    ws, _ = state.workspace()
    sites = ws.layer("sites")
    own = sites[sites["project_id"].astype(str) == record.project_id]
    if own.empty:
        return []
    return check_parcel(state, own.geometry.iloc[0], own_id=record.project_id)


@router.get("/window", response_class=HTMLResponse)
def window_list(request: Request, user: WebUser) -> HTMLResponse:
    """Show the applications waiting for acceptance (submitted online)."""
    rows = applications.pending(request.app.state.linkplan)
    return render(
        request, "window_list.html.j2", {"rows": rows, "missing_choices": MISSING_CHOICES}
    )


@router.post("/window/{project_id}/accept", response_class=HTMLResponse)
async def window_accept(request: Request, project_id: str, user: WebUser) -> Response:
    """Accept an application (受理), with the items missing under 容缺受理; then its result."""
    form = await request.form()
    missing = [m for m in form.getlist("missing") if isinstance(m, str)]
    missing += _other({"missing_other": form.get("missing_other")})
    done = applications.accept_application(
        request.app.state.linkplan, user, project_id, missing_items=missing
    )
    return RedirectResponse(f"/ui/window/result/{done.project_id}", status_code=303)


@router.post("/parcels/preview")
async def parcel_preview(request: Request, user: WebUser) -> JSONResponse:
    """Read and check a red line (drawn, uploaded or pasted): GeoJSON WGS84, area, warnings."""
    async with request.form() as form:
        source = await _parcel_of(request, form)
    try:
        preview = preview_parcel(
            request.app.state.linkplan, source, reveal_names=user.role != "applicant"
        )
    except ValidationError as exc:
        return JSONResponse({"errors": [describe(p) for p in exc.problems]}, status_code=422)
    return JSONResponse(preview.as_json())


@router.get("/map/context")
def drawing_context(request: Request, user: WebUser, bbox: str = "") -> JSONResponse:
    """Return the roads (with names) and registered sites in the drawing map's view, GeoJSON WGS84.

    An applicant gets the other sites' outlines without their project ids or names.
    """
    try:
        box = parse_bbox(bbox)
    except ValidationError as exc:
        return JSONResponse({"errors": [p.message_zh for p in exc.problems]}, status_code=422)
    body = map_context(request.app.state.linkplan, box, reveal_names=user.role != "applicant")
    return JSONResponse(body)
