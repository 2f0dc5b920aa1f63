"""Writing the survey package: the GeoPackage, the Chinese README and the zip around them.

The README's text is the template ``templates/README.txt.j2``; :func:`readme_data` gives it
the project's values. :func:`survey_package` writes the zip atomically: into a temporary file
beside ``out`` that replaces ``out`` only when complete, so a failure leaves no half-written
zip and keeps an older one intact.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import pandas as pd
import pyogrio
from pyproj import CRS

from api.survey.labels import reasons_text, utility_zh
from api.survey.layers import survey_layers, version
from api.survey.schema import LAYER_DESCRIPTION_ZH, LAYER_GEOMETRY, Layer, crs_label
from gis import vocabulary
from gis.profile import Profile
from gis.workspace import Workspace
from planning.assess import Assessment

__all__ = ["readme", "readme_data", "survey_package", "write_geopackage"]

_GEOMETRY_ZH = {"MultiPolygon": "面", "LineString": "线", "Point": "点"}
_TABLE_ZH = "属性表（无几何）"


def write_geopackage(layers: Mapping[str, Layer], path: Path) -> Path:
    """Write the layers to a new GeoPackage, each with its geometry type even when empty.

    Parameters
    ----------
    layers
        Layer name → frame, as from :func:`survey_layers`; names missing from
        :data:`LAYER_GEOMETRY` are written as attribute tables when they are plain DataFrames.
    path
        The GeoPackage to create (must not exist).
    """
    for name, frame in layers.items():
        gtype = LAYER_GEOMETRY.get(name)
        options = {"DESCRIPTION": LAYER_DESCRIPTION_ZH.get(name, name)}
        if isinstance(frame, gpd.GeoDataFrame):
            gtype = gtype or "Unknown"
            pyogrio.write_dataframe(
                frame,
                path,
                layer=name,
                driver="GPKG",
                geometry_type=gtype,
                promote_to_multi=gtype.startswith("Multi"),
                layer_options=options,
            )
        else:
            pyogrio.write_dataframe(
                pd.DataFrame(frame), path, layer=name, driver="GPKG", layer_options=options
            )
    return path


def _folder_name(project_id: str) -> str:
    """Return a project id made safe as a folder name inside the zip.

    Examples
    --------
    >>> _folder_name("JM-2026-001"), _folder_name("../a/b:c")
    ('JM-2026-001', 'a_b_c')
    """
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", project_id).strip(" ._")
    return safe or "project"


@cache
def _templates() -> jinja2.Environment:
    """Return the environment of the package's text templates (plain text: no escaping)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("api.survey", "templates"),
        autoescape=False,  # plain text for Notepad, never HTML
        trim_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def readme_data(
    a: Assessment,
    layers: Mapping[str, Layer],
    *,
    crs: CRS,
    profile: Profile,
    with_map: bool,
) -> dict[str, Any]:
    """Return the values the README template shows for one project's package."""
    return {
        "name": a.name,
        "project_id": a.project_id,
        "as_of": a.as_of.isoformat(),
        "approval": vocabulary.approval_path_label(a.approval_path, profile),
        "not_applicable_reasons": reasons_text(a.reasons) if a.reasons and not a.applicable else "",
        "needs_prelay": "、".join(utility_zh(u) for u in a.needs_prelay),
        "folder": _folder_name(a.project_id),
        "with_map": with_map,
        "layers": [
            {
                "name": name,
                "description": LAYER_DESCRIPTION_ZH[name],
                "kind": _GEOMETRY_ZH.get(gtype or "", _TABLE_ZH),
                "count": len(layers[name]) if name in layers else 0,
            }
            for name, gtype in LAYER_GEOMETRY.items()
        ],
        "crs_label": crs_label(crs),
        "crs_name": crs.name,
        "version": version(),
        "profile_name": profile.name,
        "profile_description": profile.description or profile.name,
    }


def readme(data: Mapping[str, Any]) -> str:
    """Return the package's README (Chinese, CRLF line ends) from :func:`readme_data`."""
    text = _templates().get_template("README.txt.j2").render(data)
    return "\r\n".join(text.splitlines()) + "\r\n"


def survey_package(
    ws: Workspace,
    assessment: Assessment,
    *,
    profile: Profile,
    out: Path,
    map_html: str | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write one project's survey package (zip) for the joint survey team.

    Parameters
    ----------
    ws
        The workspace the assessment was made on.
    assessment
        One site's assessment (:func:`planning.assess.assess_sites`). A site that is not
        applicable, or has no route at all, still gets a package: its red line and a checklist
        saying why.
    profile
        The policy profile the assessment used.
    out
        The zip to write (its directory is created if needed). An existing file is replaced
        only once the new package is complete.
    map_html
        The offline HTML map, stored as ``<project_id>/map.html`` when given.
    generated_at
        Time stamp of ``package_info`` (default: now).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    OSError
        ``out``'s directory cannot be created or written; nothing is left behind.
    NotFoundError
        The assessment's site is not in the workspace.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    layers = survey_layers(ws, assessment, profile=profile, generated_at=generated_at)
    folder = _folder_name(assessment.project_id)
    text = readme(
        readme_data(
            assessment,
            layers,
            crs=CRS.from_user_input(ws.crs),
            profile=profile,
            with_map=map_html is not None,
        )
    )
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="linkplan-survey-") as work:
            gpkg = write_geopackage(layers, Path(work) / "survey.gpkg")
            with open(tmp, "xb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(gpkg, f"{folder}/survey.gpkg")
                if map_html is not None:
                    z.writestr(f"{folder}/map.html", map_html.encode("utf-8"))
                # UTF-8 with a byte-order mark and CRLF: Windows Notepad shows the Chinese
                z.writestr(f"{folder}/README.txt", text.encode("utf-8-sig"))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
