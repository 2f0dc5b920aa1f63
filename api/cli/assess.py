"""Assessment commands: ``assess``, ``deadline``, ``map``, ``survey-pack`` and ``sheet``.

``assess`` prints each site's coverage, external-line route, crossings, approval path and
deadlines (table or JSON lines); ``deadline`` counts a time limit in working days or hours;
``map`` writes a project, district or pre-lay map; ``survey-pack`` the survey package (踏勘包);
``sheet`` the forms 附件2, 附件3 and the drafted planning opinion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli._common import cli_calendar, options_command, parse_start
from api.schemas import china_now
from gis.workspace import (
    Workspace,
    open_workspace,
)


def _assess_and_report(
    ws: Workspace,
    *,
    site_ids: list[str] | None,
    demand_file: Path | None,
    profile_name: str,
    start: dt.datetime,
    as_json: bool,
    include_planned: bool = False,
) -> list[Any]:
    """Run the assessment of sites and print it as a table or as JSON lines."""
    from api.report import assessment_table, assessment_to_dict, path_deadlines_json
    from gis.profile import load_profile
    from planning.assess import assess_sites
    from planning.intake import load_intakes

    profile = load_profile(profile_name)
    demands = None
    if demand_file is not None:
        forms = load_intakes(demand_file, require_identity=False)
        demands = {
            sid: form.demand_summary(profile=profile).to_demand(profile=profile)
            for sid, form in forms.items()
        }
        if site_ids is None and len(forms) == 1:
            site_ids = list(forms)
    results = assess_sites(
        ws,
        profile=profile,
        site_ids=site_ids,
        demands=demands,
        as_of=start.date(),
        include_planned=include_planned,
    )
    # a year without a loaded notice is provisional (暂定, marked); one beyond the statutory
    # data is an explicit error in place of the deadlines; the assessment itself still stands
    deadlines = path_deadlines_json(start, profile=profile, calendar=cli_calendar(profile))
    if not as_json:
        for nodes in deadlines.values():
            if "error" in nodes:
                typer.echo(f"期限无法计算 (deadlines not computed): {nodes['error']}", err=True)
                break
            if nodes.get("provisional"):
                typer.echo(f"办理时限{nodes['note']}", err=True)
                break
    if as_json:
        for a in results:
            typer.echo(
                json.dumps(
                    assessment_to_dict(a, crs=ws.crs, deadlines=deadlines), ensure_ascii=False
                )
            )
    else:
        typer.echo(assessment_table(results, profile=profile))
        counts: dict[str | None, int] = {}
        for a in results:
            counts[a.approval_path] = counts.get(a.approval_path, 0) + 1
        from api.report import path_labels

        path_zh = path_labels(profile)
        typer.echo("；".join(f"{path_zh[k]} {v} 个" for k, v in counts.items()))
        from planning.cost import summarise

        sites = ws.layer("sites")
        district = (
            dict(zip(sites["project_id"].astype(str), sites["district"].fillna("未分区")))
            if "district" in sites.columns
            else {}
        )
        totals = summarise(
            (str(district.get(a.project_id, "未分区")), a.project_id, a.cost_joint.total)
            for a in results
            if a.applicable and a.cost_joint is not None
        )
        for name, table in totals.items():
            typer.echo(
                f"{name}：外线工程估算 {table['total'] / 1e4:,.1f} 万元（{len(table) - 1} 个项目；"
                "市、区财政各承担 50%，实施方案 八(六)；单价为示意值，见 profile costs）"
            )
    return results


def assess(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    site: Annotated[list[str] | None, typer.Option(help="project_id of a site, repeatable")] = None,
    all_sites: Annotated[bool, typer.Option("--all", help="assess every site")] = False,
    demand: Annotated[
        Path | None, typer.Option(help="intake form(s) 附件2, YAML or JSON, with site_id")
    ] = None,
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023",
    start: Annotated[
        str | None,
        typer.Option(help="request time for deadlines, e.g. 2025-09-30T10:00 (default: now)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per site")] = False,
    include_planned: Annotated[
        bool, typer.Option(help="planned mains count as taps (after a pre-lay plan)")
    ] = False,
) -> None:
    """Assess sites: coverage, external-line route and length, crossings, approval path, deadlines.

    Without --demand every site is assessed for all five utilities with the profile's default
    demand (a small industrial enterprise).
    """
    if not site and not all_sites and demand is None:
        msg = "say which sites: --site PROJECT_ID (repeatable), --all, or --demand FORMS"
        raise typer.BadParameter(msg)
    ws = open_workspace(workspace)
    when = parse_start(start) if start else china_now()
    _assess_and_report(
        ws,
        site_ids=None if all_sites else site,
        demand_file=demand,
        profile_name=profile,
        start=when,
        as_json=as_json,
        include_planned=include_planned,
    )


def deadline(
    start: Annotated[str, typer.Option(help="start, e.g. 2025-09-30T10:00 (local China time)")],
    working_days: Annotated[
        float | None, typer.Option(help="working days (0.5 = 3.5 office hours)")
    ] = None,
    working_hours: Annotated[float | None, typer.Option(help="office hours")] = None,
    hours: Annotated[float | None, typer.Option(help="clock hours")] = None,
    profile: Annotated[str, typer.Option(help="policy profile (office hours)")] = "jingmen-2023",
) -> None:
    """Print the deadline (ISO date-time) of a time limit counted in working days or hours.

    A deadline in a year whose State Council notice is not loaded is followed by （暂定）.
    """
    from planning.calendar import PROVISIONAL_MARK, provisional_note
    from planning.calendar import deadline as compute

    begin = parse_start(start)
    calendar = cli_calendar(profile)
    end = compute(
        begin,
        working_days=working_days,
        working_hours=working_hours,
        hours=hours,
        calendar=calendar,
    )
    years = calendar.provisional_years(begin, end)
    typer.echo(end.isoformat(timespec="minutes") + (PROVISIONAL_MARK if years else ""))
    if years:
        typer.echo(provisional_note(years), err=True)


@dataclasses.dataclass(frozen=True)
class MapOptions:
    """The arguments and options of ``linkplan map``."""

    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")]
    site: Annotated[str | None, typer.Option(help="project_id: the project map")] = None
    all_sites: Annotated[
        bool, typer.Option("--all", help="district map of every project by approval path")
    ] = False
    prelay_plan: Annotated[
        bool, typer.Option("--prelay", help="pre-lay plan map of the registered intents")
    ] = False
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")] = Path(
        "build/map.html"
    )
    demand: Annotated[
        Path | None, typer.Option(help="intake form(s) 附件2, YAML or JSON, with site_id")
    ] = None
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023"
    basemap: Annotated[
        str | None,
        typer.Option(help="none (offline, default), tianditu, osm or gaode (GCJ-02)"),
    ] = None
    tianditu_key: Annotated[
        str | None, typer.Option(help="天地图 key (or LINKPLAN_TIANDITU_KEY)")
    ] = None
    as_of: Annotated[str | None, typer.Option(help="assessment date (default: today)")] = None


@options_command(MapOptions)
def map_(opts: MapOptions) -> None:
    """Write a map as one HTML file that opens offline: a project, the district or a pre-lay plan."""
    from api import service
    from api.maps import save_html

    o = opts
    if sum([o.site is not None, o.all_sites, o.prelay_plan]) != 1:
        msg = "say which map: --site PROJECT_ID, --all (district) or --prelay (pre-lay plan)"
        raise typer.BadParameter(msg)
    ws = open_workspace(o.workspace)
    when = dt.date.fromisoformat(o.as_of) if o.as_of else None
    tiles = {"basemap": o.basemap, "tianditu_key": o.tianditu_key}
    if o.prelay_plan:
        page = service.prelay_map_html(ws, profile=o.profile, as_of=when, **tiles)
    else:
        done = service.assess(
            ws,
            profile=o.profile,
            site_ids=[o.site] if o.site else None,
            forms=o.demand,
            as_of=when,
        )
        _warn_assumed_demand(done.assessments.values())
        page = (
            service.project_map_html(done, o.site, **tiles)
            if o.site
            else service.district_map_html(done, **tiles)
        )
    save_html(page, o.out)
    typer.echo(f"地图已生成 (map written): {o.out} ({len(page.encode('utf-8')) / 1e6:.2f} MB)")


def _warn_assumed_demand(assessments: Any) -> None:
    """Print to stderr which sites were assessed without a form (on the default demand)."""
    from api.report import demand_warning

    warning = demand_warning(assessments)
    if warning:
        typer.echo(warning, err=True)


def survey_pack(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    site: Annotated[list[str], typer.Option(help="project_id, repeatable")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder for the zips (one per project)")
    ] = Path("build/survey"),
    demand: Annotated[
        Path | None, typer.Option(help="intake form(s) 附件2, YAML or JSON, with site_id")
    ] = None,
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023",
    as_of: Annotated[str | None, typer.Option(help="assessment date (default: today)")] = None,
) -> None:
    """Write the survey package (踏勘包) of each project: GeoPackage for QGIS/QField + offline map."""
    from api import service

    ws = open_workspace(workspace)
    when = dt.date.fromisoformat(as_of) if as_of else None
    done = service.assess(ws, profile=profile, site_ids=site, forms=demand, as_of=when)
    for pid in site:
        path = service.survey_pack(done, pid, out / f"{pid}_踏勘包.zip")
        typer.echo(f"踏勘包已生成 (survey package written): {path}")


def sheet(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    site: Annotated[list[str], typer.Option(help="project_id, repeatable")],
    demand: Annotated[Path, typer.Option(help="intake form(s) 附件2, YAML or JSON, with site_id")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder (one subfolder per project)")
    ] = Path("build/sheets"),
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023",
    start: Annotated[
        str | None,
        typer.Option(
            help="acceptance time (受理时间) the time limits count from, e.g. 2025-09-30T10:00 "
            "(a workspace keeps no acceptance record; default: now, with a warning)"
        ),
    ] = None,
) -> None:
    """Write 附件2 (intake form), 附件3 (综合审批意见单, HTML + PDF) and the drafted planning opinion."""
    from api import service

    ws = open_workspace(workspace)
    when = parse_start(start) if start else china_now()
    if not start:
        # a workspace keeps no acceptance record: without --start the limits move with the clock
        typer.echo(
            f"未给出受理时间（--start），办理时限自当前时间 {when:%Y-%m-%d %H:%M} 起算；"
            "再次打印请给出同一受理时间 (no --start: time limits count from now)",
            err=True,
        )
    done = service.assess(ws, profile=profile, site_ids=site, forms=demand, as_of=when.date())
    for pid in site:
        paths = service.write_documents(done, pid, out / pid, start=when)
        typer.echo(f"{pid}: " + "、".join(str(p) for p in paths))
