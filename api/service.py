"""What the command line and the HTTP API both do: assess, then draw maps and documents.

One function per output, each reading as its steps (load → assess → render → write), so that
``linkplan map`` and ``GET /projects/{id}/map`` give the same page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from api.maps import district_map, prelay_map, project_map, render_html, save_html
from api.schemas import china_now
from api.settings import get_settings
from gis import vocabulary
from gis.errors import NotFoundError
from gis.profile import Profile, load_profile
from gis.workspace import Workspace
from planning.assess import Assessment, assess_sites
from planning.intake import Intake, load_intakes
from planning.joint_approval import Signed
from planning.prelay import plan_prelay

__all__ = [
    "DOCUMENTS",
    "FILE_NAMES",
    "Assessed",
    "assess",
    "construction_period",
    "district_map_html",
    "document_html",
    "document_pdf",
    "prelay_map_html",
    "project_map_html",
    "survey_pack",
    "write_documents",
]


@dataclass
class Assessed:
    """Assessments of a workspace's sites, with the intake forms and profile they used."""

    ws: Workspace
    profile: Profile
    as_of: dt.date
    assessments: dict[str, Assessment]
    forms: dict[str, Intake] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    """Layer → stored version the assessments used (empty for a workspace file)."""

    def one(self, project_id: str) -> Assessment:
        """Return one site's assessment, or raise :class:`NotFoundError`."""
        try:
            return self.assessments[project_id]
        except KeyError:
            msg = f"no assessed site with project_id {project_id!r}"
            raise NotFoundError(msg) from None

    def form(self, project_id: str) -> Intake:
        """Return a site's intake form (附件2), or raise :class:`NotFoundError`."""
        try:
            return self.forms[project_id]
        except KeyError:
            msg = (
                f"no intake form (附件2) for project {project_id!r}: pass the forms with "
                "--demand (or load them into the service)"
            )
            raise NotFoundError(msg) from None


def assess(
    ws: Workspace,
    *,
    profile: Profile | str = "jingmen-2023",
    site_ids: Iterable[str] | None = None,
    forms: Mapping[str, Intake] | Path | None = None,
    as_of: dt.date | None = None,
) -> Assessed:
    """Assess sites of a workspace with their intake forms (default demand where none).

    ``forms`` are intake forms by site id, or a YAML/JSON file of them (``--demand``).
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    # (1) the intake forms
    if isinstance(forms, Path):
        forms = load_intakes(forms, require_identity=False)
    table = dict(forms or {})
    demands = {
        sid: form.demand_summary(profile=prof).to_demand(profile=prof)
        for sid, form in table.items()
    }
    # (2) the assessment
    when = as_of or china_now().date()  # China's date, whatever the server's zone
    results = assess_sites(ws, profile=prof, site_ids=site_ids, demands=demands, as_of=when)
    return Assessed(ws, prof, when, {a.project_id: a for a in results}, table)


def _basemap(basemap: str | None, key: str | None) -> tuple[str, str | None]:
    settings = get_settings()
    return basemap or settings.basemap, key or settings.tianditu_key


def project_map_html(
    done: Assessed, project_id: str, *, basemap: str | None = None, tianditu_key: str | None = None
) -> str:
    """Return the project map page of one assessed site (offline unless a basemap is chosen)."""
    name, key = _basemap(basemap, tianditu_key)
    m = project_map(
        done.ws, done.one(project_id), profile=done.profile, basemap=name, tianditu_key=key
    )
    return render_html(m, offline=name == "none")


def district_map_html(
    done: Assessed, *, basemap: str | None = None, tianditu_key: str | None = None
) -> str:
    """Return the district map page: every assessed project by approval path."""
    name, key = _basemap(basemap, tianditu_key)
    m = district_map(
        done.ws, done.assessments.values(), profile=done.profile, basemap=name, tianditu_key=key
    )
    return render_html(m, offline=name == "none")


def prelay_map_html(
    ws: Workspace,
    *,
    profile: Profile | str = "jingmen-2023",
    as_of: dt.date | None = None,
    basemap: str | None = None,
    tianditu_key: str | None = None,
) -> str:
    """Return the pre-lay plan map page of the workspace's registered intents."""
    prof = load_profile(profile) if isinstance(profile, str) else profile
    plan = plan_prelay(ws, profile=prof, as_of=as_of)
    name, key = _basemap(basemap, tianditu_key)
    m = prelay_map(ws, plan, profile=prof, basemap=name, tianditu_key=key)
    return render_html(m, offline=name == "none")


def survey_pack(done: Assessed, project_id: str, out: Path) -> Path:
    """Write a project's survey package (GeoPackage + offline map + README) as one zip."""
    from api.survey import survey_package

    page = project_map_html(done, project_id, basemap="none")  # the field copy is always offline
    return survey_package(
        done.ws, done.one(project_id), profile=done.profile, out=out, map_html=page
    )


DOCUMENTS: tuple[str, ...] = vocabulary.DOCUMENT_KINDS.values
"""The documents of a project: 附件2, 附件3 and the drafted planning opinion."""

FILE_NAMES: dict[str, str] = vocabulary.DOCUMENT_KINDS.labels(form="file")


def construction_period(ws: Workspace, project_id: str) -> tuple[dt.date, dt.date] | None:
    """Return a site's construction window from ``sites.construction_start/_end``, if any."""
    sites = ws.layer("sites")
    if not {"construction_start", "construction_end"} <= set(sites.columns):
        return None
    row = sites.loc[sites["project_id"].astype(str) == project_id]
    if not len(row):
        return None
    a, b = row["construction_start"].iloc[0], row["construction_end"].iloc[0]
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return None
    return dt.date.fromisoformat(a[:10]), dt.date.fromisoformat(b[:10])


def site_outline(ws: Workspace, project_id: str) -> BaseGeometry | None:
    """Return a site's polygon (its red line) for the documents' route map, if the layer has it."""
    sites = ws.layer("sites")
    row = sites.loc[sites["project_id"].astype(str) == project_id]
    return row.geometry.iloc[0] if len(row) else None


def document_html(
    done: Assessed,
    project_id: str,
    kind: str,
    *,
    start: dt.datetime,
    signed: Signed | None = None,
) -> str:
    """Return one document of a project as a self-contained HTML page.

    ``kind`` is one of :data:`DOCUMENTS`; ``start`` is when the request was received (the
    time limits count from it); ``signed``: the departments' signed opinions and the issued
    sheet, printed on 附件3 (:func:`api.process.opinions.signed_of`).
    """
    from api.documents import approval_sheet_html, intake_form_html, planning_opinion_html

    a = done.one(project_id)
    G = done.ws.corridor_graph()
    if kind == "intake_form":
        return intake_form_html(done.form(project_id))
    if kind == "approval_sheet":
        return approval_sheet_html(
            a,
            done.form(project_id),
            G=G,
            profile=done.profile,
            start=start,
            period=construction_period(done.ws, project_id),
            signed=signed,
        )
    if kind == "planning_opinion":
        return planning_opinion_html(
            a,
            done.forms.get(project_id),
            G=G,
            profile=done.profile,
            start=start,
            red_line=site_outline(done.ws, project_id),
        )
    msg = f"document {kind!r}: expected one of {', '.join(DOCUMENTS)}"
    raise NotFoundError(msg)


def document_pdf(
    done: Assessed,
    project_id: str,
    kind: str,
    out: Path,
    *,
    start: dt.datetime,
    signed: Signed | None = None,
) -> Path:
    """Write one document of a project as PDF (Chinese font embedded) and return its path."""
    from api.documents import approval_sheet_document, intake_form_pdf, planning_opinion_pdf
    from api.documents.render import to_pdf

    a = done.one(project_id)
    G = done.ws.corridor_graph()
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "intake_form":
        return intake_form_pdf(done.form(project_id), out)
    if kind == "approval_sheet":
        sheet = approval_sheet_document(
            a,
            done.form(project_id),
            G=G,
            profile=done.profile,
            start=start,
            period=construction_period(done.ws, project_id),
            signed=signed,
        )
        return to_pdf(sheet, out)
    if kind == "planning_opinion":
        return planning_opinion_pdf(
            a,
            done.forms.get(project_id),
            out,
            G=G,
            profile=done.profile,
            start=start,
            red_line=site_outline(done.ws, project_id),
        )
    msg = f"document {kind!r}: expected one of {', '.join(DOCUMENTS)}"
    raise NotFoundError(msg)


def write_documents(
    done: Assessed, project_id: str, folder: Path, *, start: dt.datetime
) -> list[Path]:
    """Write every document of a project into ``folder`` (HTML and PDF; 附件2 on one A4 page)."""
    out = []
    for kind in DOCUMENTS:
        if kind == "intake_form" and project_id not in done.forms:
            continue  # no form, no 附件2 (the other documents say what is missing)
        if kind == "approval_sheet" and project_id not in done.forms:
            continue
        page = document_html(done, project_id, kind, start=start)
        out.append(save_html(page, folder / f"{FILE_NAMES[kind]}.html"))
        out.append(
            document_pdf(done, project_id, kind, folder / f"{FILE_NAMES[kind]}.pdf", start=start)
        )
    return out
