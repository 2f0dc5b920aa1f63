"""What the command line and the HTTP API both do: assess, then draw maps and documents.

One function per output, each reading as its steps (load → assess → render → write), so that
``linkplan map`` and ``GET /projects/{id}/map`` give the same page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import planning  # noqa: F401  (registers the policy profiles)
from api.maps import district_map, prelay_map, project_map, render_html
from gis.errors import NotFoundError
from gis.profile import Profile, load_profile
from gis.settings import get_settings
from gis.workspace import Workspace
from planning.assess import Assessment, assess_sites
from planning.intake import Intake, load_intakes
from planning.prelay import plan_prelay

__all__ = [
    "Assessed",
    "assess",
    "district_map_html",
    "prelay_map_html",
    "project_map_html",
]


@dataclass
class Assessed:
    """Assessments of a workspace's sites, with the intake forms and profile they used."""

    ws: Workspace
    profile: Profile
    as_of: dt.date
    assessments: dict[str, Assessment]
    forms: dict[str, Intake] = field(default_factory=dict)

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
    when = as_of or dt.date.today()
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
    m = project_map(done.ws, done.one(project_id), profile=done.profile, basemap=name, tianditu_key=key)
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


def write_text(page: str, path: Path) -> Path:
    """Write a page atomically (UTF-8) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path

