"""The ``linkplan`` command line.

Commands read as the use cases they serve: ``demo`` builds the demo district, ``validate``
checks a workspace and lists every problem at once, ``import`` adds a layer to a workspace
from GeoJSON, Shapefile, DXF, EPANET or OpenStreetMap, and ``graph`` writes the road corridor
graph for inspection in QGIS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import geopandas as gpd
import typer
import yaml

from gis.errors import CalendarError, LinkplanError, Problem, ValidationError
from gis.schema import LAYERS
from gis.validate import ValidationReport, validate_layers
from gis.workspace import (
    Workspace,
    import_layers,
    open_workspace,
    read_layers,
    workspace_crs,
    write_workspace,
)

app = typer.Typer(
    help="Linkplan 联动接入预规划: pre-planning of water, gas, heat, power and telecom connections.",
    no_args_is_help=True,
    add_completion=False,
)


_Options = TypeVar("_Options")


def options_command(
    options: type[_Options],
) -> Callable[[Callable[[_Options], None]], Callable[..., None]]:
    """Give a command the fields of a dataclass as its parameters, and its body one instance.

    Typer reads a command's arguments and options from the function's signature; a command
    with many options declares them instead as the fields of a dataclass (each ``Annotated``
    with its ``typer.Argument`` or ``typer.Option``, defaults as usual), so the command line
    is unchanged and the body takes one object.

    Examples
    --------
    >>> @dataclasses.dataclass
    ... class Greeting:
    ...     name: Annotated[str, typer.Argument(help="who")]
    ...     loud: Annotated[bool, typer.Option(help="shout")] = False
    >>> @options_command(Greeting)
    ... def greet(opts: Greeting) -> None:
    ...     '''Greet someone.'''
    ...     print(opts.name.upper() if opts.loud else opts.name)
    >>> list(inspect.signature(greet).parameters), greet.__doc__
    (['name', 'loud'], 'Greet someone.')
    >>> greet(name="荆门", loud=False)
    荆门
    """
    hints = typing.get_type_hints(options, include_extras=True)
    parameters = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=hints[f.name],
            default=inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default,
        )
        for f in dataclasses.fields(options)  # type: ignore[arg-type]
    ]

    def decorate(body: Callable[[_Options], None]) -> Callable[..., None]:
        def command(**kwargs: Any) -> None:
            body(options(**kwargs))

        command.__name__ = body.__name__
        command.__qualname__ = body.__qualname__
        command.__module__ = body.__module__
        command.__doc__ = body.__doc__
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
        return command

    return decorate


def _echo_problems(report: ValidationReport, *, show_info: bool) -> None:
    for p in report.problems:
        if p.severity == "info" and not show_info:
            continue
        typer.echo(str(p), err=p.severity == "error")


def layer_summary(layers: dict[str, gpd.GeoDataFrame]) -> str:
    """Return a table of layers: features, geometry, total length or area, CRS."""
    lines = [f"{'layer':<14}{'features':>9}  {'geometry':<16}{'size':>14}  crs"]
    for name, gdf in layers.items():
        kinds = ",".join(sorted(set(gdf.geometry.geom_type.dropna()))) or "-"
        if gdf.crs is not None and gdf.crs.is_projected and len(gdf):
            if "Polygon" in kinds:
                size = f"{gdf.geometry.area.sum() / 1e4:,.1f} ha"
            else:
                size = f"{gdf.geometry.length.sum() / 1e3:,.2f} km"
        else:
            size = "-"
        crs = gdf.crs.to_string() if gdf.crs is not None else "none"
        title = LAYERS[name].title_zh if name in LAYERS else ""
        lines.append(f"{name:<14}{len(gdf):>9,}  {kinds:<16}{size:>14}  {crs}  {title}")
    return "\n".join(lines)


@app.command()
def validate(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    crs: Annotated[
        str | None, typer.Option(help="working CRS (default: layers' own or EPSG:4546)")
    ] = None,
    source_crs: Annotated[
        str | None,
        typer.Option(
            help="CRS the coordinates are really in: EPSG code, wgs84, cgcs2000, gcj02, bd09"
        ),
    ] = None,
    info: Annotated[bool, typer.Option(help="also list information messages")] = True,
) -> None:
    """Check every layer against the contract; list every problem; exit 1 on any error."""
    layers = read_layers(workspace)
    target = crs or workspace_crs(layers)
    report = validate_layers(layers, working_crs=target, source_crs=source_crs)
    _echo_problems(report, show_info=info)
    n_err, n_warn = len(report.errors), sum(p.severity == "warning" for p in report.problems)
    label = target.to_string() if hasattr(target, "to_string") else str(target)
    typer.echo(f"{workspace}: {n_err} error(s), {n_warn} warning(s), working CRS {label}")
    if n_err:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="GeoPackage to write")] = Path(
        "build/demo.gpkg"
    ),
    seed: Annotated[int, typer.Option(help="generator seed")] = 20230512,
) -> None:
    """Build the Jingmen 掇刀区 demo district, write it and its corridor graph, print a summary.

    The demo is assessed on its fixed reference date (:data:`data.demo_district.REFERENCE_DATE`,
    printed), so it gives the same results on any day.
    """
    from data.demo_district import build_district

    t0 = time.perf_counter()
    layers = build_district("demo", seed=seed)
    write_workspace(layers, out)
    ws = open_workspace(out)
    typer.echo(f"demo workspace written to {out} in {time.perf_counter() - t0:.1f} s")
    typer.echo(layer_summary(ws.layers))
    t1 = time.perf_counter()
    G = ws.corridor_graph()
    kinds: dict[str, int] = {}
    for _, _, kind in G.edges(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    typer.echo(
        f"corridor graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}) "
        f"in {time.perf_counter() - t1:.1f} s"
    )
    fr = G.graph["frontages"]
    typer.echo(
        f"sites with frontage: {fr['project_id'].nunique()} of {len(ws.layer('sites'))}; "
        f"mains attached: {G.graph['attachments']['asset_id'].nunique():,}; "
        f"off-road: {len(G.graph['off_road']):,}"
    )
    # the demo sites' intake forms (附件2), then the assessment of every demo site
    from data.demo_intakes import demo_intakes

    forms = out.with_name("demo_intakes.yaml")
    forms.write_text(
        yaml.safe_dump(demo_intakes(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    start, results = _demo_assessment(ws, forms, today=dt.date.today())
    _demo_outputs(ws, forms, out.parent, results=results, profile_name="jingmen-2023", start=start)
    typer.echo("\n提前布局周边管网 (pre-lay plan for the demo intents)")
    prelay(
        out,
        utility=None,
        out=out.with_name("demo_prelay.gpkg"),
        profile="jingmen-2023",
        as_of=start.date().isoformat(),
    )
    typer.echo("\n协同施工 (coordination of the demo sites' works in 2027)")
    coordinate(
        out,
        date_from="2027-01-01",
        date_to="2027-12-31",
        demand=forms,
        profile="jingmen-2023",
        window_days=None,
        out=None,
    )


def demo_start() -> dt.datetime:
    """Return the moment the demo is assessed: 09:00 on the demo's reference date.

    The dig-once cases of the demo district are built around
    :data:`data.demo_district.REFERENCE_DATE` (blocks opened under 5 years or repaired under 3
    years before it), so the demo is assessed on that date, not on the day it is run.
    """
    from data.demo_district import REFERENCE_DATE

    return dt.datetime.combine(dt.date.fromisoformat(REFERENCE_DATE), dt.time(9, 0))


def _demo_assessment(
    ws: Workspace, forms: Path, *, today: dt.date
) -> tuple[dt.datetime, list[Any]]:
    """Assess every demo site on the reference date, print the table; ``today`` is only shown."""
    start = demo_start()
    typer.echo(
        f"\n站点研判 (intake forms: {forms}; profile jingmen-2023)\n"
        f"研判基准日 (reference date of the demo): {start.date().isoformat()}"
        f"（演示数据围绕此日设计，结果与运行日期 {today.isoformat()} 无关）"
    )
    results = _assess_and_report(
        ws,
        site_ids=None,
        demand_file=forms,
        profile_name="jingmen-2023",
        start=start,
        as_json=False,
    )
    return start, results


def _demo_outputs(
    ws: Workspace,
    forms: Path,
    root: Path,
    *,
    results: list[Any],
    profile_name: str,
    start: dt.datetime,
) -> None:
    """Write the maps, documents and survey packages of the assessed demo sites; say where."""
    from api import service
    from api.maps import save_html
    from gis.profile import load_profile
    from planning.intake import load_intakes

    done = service.Assessed(
        ws,
        load_profile(profile_name),
        start.date(),
        {a.project_id: a for a in results},
        load_intakes(forms, require_identity=False),
    )
    maps, sheets, packs = root / "maps", root / "sheets", root / "survey"
    for pid in done.assessments:
        save_html(service.project_map_html(done, pid, basemap="none"), maps / f"{pid}.html")
        service.write_documents(done, pid, sheets / pid, start=start)
        service.survey_pack(done, pid, packs / f"{pid}_踏勘包.zip")
    save_html(service.district_map_html(done, basemap="none"), maps / "district.html")
    save_html(
        service.prelay_map_html(ws, profile=profile_name, as_of=start.date(), basemap="none"),
        maps / "prelay.html",
    )
    n = len(done.assessments)
    typer.echo(
        f"\n地图与文书 (maps and documents, open offline in a browser):\n"
        f"  项目研判图 {n} 张: {maps}/<项目代码>.html；总图 {maps / 'district.html'}；"
        f"提前布局图 {maps / 'prelay.html'}\n"
        f"  审批文书 (附件2、附件3 PDF、规划意见): {sheets}/<项目代码>/\n"
        f"  踏勘包 (GeoPackage + 离线地图): {packs}/<项目代码>_踏勘包.zip"
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
    deadlines = path_deadlines_json(start, profile=profile, calendar=_cli_calendar(profile))
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


@app.command()
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
    when = parse_start(start) if start else dt.datetime.now().replace(second=0, microsecond=0)
    _assess_and_report(
        ws,
        site_ids=None if all_sites else site,
        demand_file=demand,
        profile_name=profile,
        start=when,
        as_json=as_json,
        include_planned=include_planned,
    )


@app.command()
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
    calendar = _cli_calendar(profile)
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


def parse_start(value: str, *, option: str = "--start") -> dt.datetime:
    """Read a local date-time ``YYYY-MM-DDTHH:MM``; a clear usage error (exit 2) otherwise."""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        msg = (
            f"{value!r} 不是有效的日期时间（{exc}）；应为 YYYY-MM-DDTHH:MM，"
            f"如 2025-09-30T10:00 (not a valid local date-time; expected YYYY-MM-DDTHH:MM)"
        )
        raise typer.BadParameter(msg, param_hint=option) from exc
    if when.utcoffset() is not None or not 2000 <= when.year <= 2100:
        msg = (
            f"{option} {value!r}：应为 2000–2100 年的北京时间，不带时区，如 2025-09-30T10:00 "
            f"(expected a naive local date-time in 2000–2100)"
        )
        raise typer.BadParameter(msg, param_hint=option)
    return when


def _cli_calendar(profile: str | Any) -> Any:
    """Return the profile's calendar with the notices stored in the configured database.

    A database that does not exist yet (the embedded SQLite file) or has no notices table
    has no notices: deadlines in years the package and files lack are then provisional.
    """
    from sqlalchemy import create_engine, inspect

    from api.holidays import read_notices
    from api.settings import get_settings
    from gis.storage.store import Store
    from planning.calendar import WorkCalendar

    settings = get_settings()
    url = settings.database_url
    if not url:
        path = Path(settings.data_dir) / "linkplan.db"
        url = f"sqlite:///{path}" if path.exists() else None
    notices = []
    if url:
        engine = create_engine(url)
        try:
            if inspect(engine).has_table("holiday_notices"):
                notices = read_notices(Store(engine))
        finally:
            engine.dispose()
    return WorkCalendar.from_profile(profile, notices=notices)


@app.command()
def coordinate(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    date_from: Annotated[str, typer.Option("--from", help="first day, e.g. 2027-01-01")],
    date_to: Annotated[str, typer.Option("--to", help="last day, e.g. 2027-12-31")],
    demand: Annotated[Path | None, typer.Option(help="intake forms (附件2) with site_id")] = None,
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023",
    window_days: Annotated[
        int | None, typer.Option(help="override coordination.window_days")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="GeoPackage for the packages (default: the workspace)")
    ] = None,
) -> None:
    """Group the planned works of all sites into coordinated construction packages (协同施工)."""
    from gis.profile import load_profile
    from gis.workspace import add_layers
    from planning.assess import assess_sites
    from planning.coordination import coordinate_works, packages_to_gdf
    from planning.intake import load_intakes
    from planning.works import works_from_assessments

    prof = load_profile(profile)
    ws = open_workspace(workspace)
    sites = ws.layer("sites")
    windows = {}
    if {"construction_start", "construction_end"} <= set(sites.columns):
        for row in sites.itertuples():
            if isinstance(row.construction_start, str) and isinstance(row.construction_end, str):
                windows[str(row.project_id)] = (row.construction_start, row.construction_end)
    demands = None
    if demand is not None:
        forms = load_intakes(demand, require_identity=False)
        demands = {
            sid: f.demand_summary(profile=prof).to_demand(profile=prof) for sid, f in forms.items()
        }
    results = assess_sites(ws, profile=prof, demands=demands)
    works = works_from_assessments(results, ws.corridor_graph(), windows)
    result = coordinate_works(
        works, profile=prof, window_days=window_days, date_from=date_from, date_to=date_to
    )
    typer.echo(
        f"{len(windows)} of {len(sites)} sites have a construction window; "
        f"{works['work_id'].nunique() if len(works) else 0} works in {len(works)} pieces; "
        f"window {result.window_days} days"
    )
    typer.echo(f"{'包号':<7}{'开始':<12}{'结束':<12}{'开挖(m)':>9}  项目 / 专业 / 道路")
    names = dict(zip(works["seg"], works["road_name"])) if len(works) else {}
    for pkg in result.packages:
        if not pkg.is_joint:
            continue
        roads = "、".join(sorted({names.get(seg, str(seg)) for seg, _ in pkg.segments}))
        typer.echo(
            f"{pkg.package_id:<7}{pkg.start.isoformat():<12}{pkg.end.isoformat():<12}"
            f"{pkg.dug_m:>9,.1f}  {'、'.join(pkg.projects)} / {'、'.join(pkg.utilities)} / {roads}"
        )
    typer.echo(
        f"packages: {len(result.packages)} ({sum(p.is_joint for p in result.packages)} joint); "
        f"excavations {result.excavations_without} → {result.excavations_with} "
        f"(avoided {result.excavations_avoided}); metres dug {result.metres_without:,.1f} → "
        f"{result.metres_with:,.1f} (avoided {result.metres_avoided:,.1f})"
    )
    if len(result.packages):
        target = out or workspace
        add_layers(
            target,
            {"construction_packages": packages_to_gdf(result, works), "planned_works": works},
        )
        typer.echo(f"layers construction_packages and planned_works written to {target}")


@app.command()
def prelay(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace with an intents layer")],
    utility: Annotated[
        list[str] | None, typer.Option(help="only these utilities, repeatable")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="GeoPackage for the plan")] = Path(
        "build/prelay.gpkg"
    ),
    profile: Annotated[str, typer.Option(help="policy profile")] = "jingmen-2023",
    as_of: Annotated[
        str | None, typer.Option(help="assessment date, e.g. 2026-11-29 (default: today)")
    ] = None,
) -> None:
    """Plan main extensions for the registered intents (提前布局周边管网) and write the plan."""
    from gis.profile import load_profile
    from gis.schema import UTILITIES, UTILITY_NAMES_ZH
    from gis.workspace import add_layers
    from planning.prelay import plan_prelay

    prof = load_profile(profile)
    ws = open_workspace(workspace)
    chosen = utility or list(UTILITIES)
    day = dt.date.fromisoformat(as_of) if as_of else None
    plan = plan_prelay(ws, profile=prof, utilities=chosen, as_of=day)
    zh = UTILITY_NAMES_ZH
    typer.echo(
        f"{'专业':<6}{'延伸段':>6}{'长度(m)':>10}{'估算(万元)':>11}{'服务意向':>8}  告知承诺可办 前→后"
    )
    for row in plan.summary(prof):
        typer.echo(
            f"{zh[row['utility']]:<6}{row['extensions']:>6}{row['length_m']:>10,.1f}"
            f"{row['cost_yuan'] / 1e4:>11,.1f}{row['intents_served']:>8}  "
            f"{row['eligible_before']} → {row['eligible_after']} / {row['requested']}"
        )
    for j in plan.joint:
        typer.echo(
            f"同槽延伸：{j.road_name} {'、'.join(j.utilities)} {j.length_m:,.0f} m，"
            f"最晚开工 {j.latest_start.isoformat()}；{j.message}"
        )
    for pid, u, why in plan.still_not_eligible():
        typer.echo(f"仍不能告知承诺：{pid} {zh[u]}：{why}")
    for c in plan.conflicts:
        typer.echo(f"冲突：{c}")
    if out.resolve() != workspace.resolve():
        import shutil

        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(workspace, out)
    add_layers(out, plan.layers(ws))
    typer.echo(
        f"plan written to {out} (layers prelay_extensions, prelay_joint and the networks "
        "with planned mains: assess it with --include-planned)"
    )


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


@app.command("map")
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
        page = (
            service.project_map_html(done, o.site, **tiles)
            if o.site
            else service.district_map_html(done, **tiles)
        )
    save_html(page, o.out)
    typer.echo(f"地图已生成 (map written): {o.out} ({len(page.encode('utf-8')) / 1e6:.2f} MB)")


@app.command("survey-pack")
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


@app.command()
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
        typer.Option(help="request time for the time limits, e.g. 2025-09-30T10:00 (default: now)"),
    ] = None,
) -> None:
    """Write 附件2 (intake form), 附件3 (综合审批意见单, HTML + PDF) and the drafted planning opinion."""
    from api import service

    ws = open_workspace(workspace)
    when = parse_start(start) if start else dt.datetime.now().replace(second=0, microsecond=0)
    done = service.assess(ws, profile=profile, site_ids=site, forms=demand, as_of=when.date())
    for pid in site:
        paths = service.write_documents(done, pid, out / pid, start=when)
        typer.echo(f"{pid}: " + "、".join(str(p) for p in paths))


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port")] = 8000,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Start the web service (OpenAPI page at /docs) on LINKPLAN_DATABASE_URL or the embedded SQLite.

    Development mode (demo, ``dev-*`` tokens) only on the embedded database and a loopback
    address, unless ``LINKPLAN_ENV=development`` is set explicitly.
    """
    import os

    import uvicorn

    from api.app import create_app
    from api.settings import default_database_url, get_settings, is_loopback, settings_for_host
    from api.state import open_database

    settings = settings_for_host(get_settings(), host)
    # the workers (and anything reading get_settings) run in the same mode
    os.environ["LINKPLAN_ENV"] = settings.env
    get_settings.cache_clear()
    url = default_database_url(settings)
    typer.echo(
        f"Linkplan 联动接入预规划: http://{host}:{port}/docs  (database {url.split('@')[-1]})"
    )
    typer.echo(f"运行模式 (LINKPLAN_ENV): {settings.env}")
    if settings.env == "development" and (not is_loopback(host) or url.startswith("postgresql")):
        typer.echo(
            "警告：开发模式（LINKPLAN_ENV=development 已显式设置）下开发令牌人人皆知，"
            "仅限本机测试 (warning: development tokens are well known; production needs "
            "LINKPLAN_ENV=production)",
            err=True,
        )
    store, report = open_database(settings)  # migrate; seed, or disable development users
    store.engine.dispose()
    for message in report.messages():
        typer.echo(message)
    _warn_missing_schedule(settings.profile)
    if settings.env == "development":
        from api.seed import DEV_TOKENS

        typer.echo("development users (do not use in production; LINKPLAN_ENV=production):")
        for role, token in DEV_TOKENS.items():
            typer.echo(f"  {role:<11} Authorization: Bearer {token}")
    if workers > 1:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(settings), host=host, port=port)


def _warn_missing_schedule(profile: str, *, today: dt.date | None = None) -> None:
    """Print the missing-notice warning for administrators (from 1 November), if any."""
    from planning.calendar import missing_schedule_warning

    warning = missing_schedule_warning(today or dt.date.today(), calendar=_cli_calendar(profile))
    if warning:
        typer.echo(f"警告：{warning}", err=True)


holidays_app = typer.Typer(
    help="节假日安排: the State Council's yearly holiday notices (admin).", no_args_is_help=True
)
app.add_typer(holidays_app, name="holidays")


@holidays_app.command("load")
def holidays_load(
    file: Annotated[
        Path, typer.Argument(help="YAML/JSON in the format of planning/data/holidays.yaml")
    ],
    year: Annotated[int, typer.Option(help="year of the notice to load from the file")],
    by: Annotated[str, typer.Option(help="who loads it (recorded)")] = "cli",
) -> None:
    """Load a year's notice (days off, 调休 working days) into the service database.

    Deadlines in that year are no longer provisional; the service recomputes them.
    """
    from api.holidays import save_notice
    from api.settings import get_settings
    from api.state import load_state
    from planning.calendar import load_holiday_file

    years = load_holiday_file(file)  # admin command: errors may name the file
    if year not in years:
        msg = f"holiday file {file}: no entry for {year}; it describes {sorted(years) or 'no year'}"
        raise CalendarError(msg)
    entry = years[year]
    state = load_state(get_settings(), seed=False)
    save_notice(
        state.store,
        year,
        holidays=sorted(entry.holidays),
        workdays=sorted(entry.workdays),
        source=entry.notice,
        loaded_by=by,
    )
    typer.echo(
        f"{year} 年节假日安排已载入：{len(entry.holidays)} 天放假，{len(entry.workdays)} 天调休上班"
        f"（{entry.notice}）"
    )


@holidays_app.command("status")
def holidays_status(
    today: Annotated[
        str | None, typer.Option(help="as of, e.g. 2026-11-01 (default: today)")
    ] = None,
) -> None:
    """Show where each year's working days come from, and warn of a missing notice."""
    from api.settings import get_settings
    from api.state import load_state
    from planning.calendar import HOLIDAYS_FILE, calendar_for

    state = load_state(get_settings(), seed=False)
    state.sync_calendar()
    day = dt.date.fromisoformat(today) if today else dt.date.today()
    cal = calendar_for(state.profile)
    for y in range(day.year - 1, day.year + 3):
        entry = cal.years.get(y)
        typer.echo(f"{y}: {cal.year_source(y)}" + (f"（{entry.notice}）" if entry else ""))
    typer.echo(f"节假日文件 (holiday file): {HOLIDAYS_FILE}")
    _warn_missing_schedule(state.profile.name, today=day)


@app.command("load")
def load_db(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace to store")],
    demand: Annotated[
        Path | None, typer.Option(help="intake forms (附件2) of its projects, YAML or JSON")
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="store layers the guards refuse: most of a layer removed, a live project's "
            "site removed, a network mostly off the roads",
        ),
    ] = False,
) -> None:
    """Store a GeoPackage's layers (as new versions) and its projects in the service database.

    All or nothing: every layer (with the others) and every intake form (and its site) is
    checked first and every problem reported at once; then all layers and projects are
    stored in one transaction, so a refused or interrupted load leaves the database as it was.
    """
    from api.settings import get_settings
    from api.state import load_state
    from planning.intake import load_intakes

    # (1) read the layers and the intake forms, keeping the forms' problems
    layers = {name: gdf for name, gdf in read_layers(workspace).items() if name in LAYERS}
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    if demand is not None:
        try:
            parsed = load_intakes(demand, require_identity=False)
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            forms = {sid: f.model_dump(mode="json", exclude_none=True) for sid, f in parsed.items()}
    # (2) validate everything together and store it in one transaction
    state = load_state(get_settings(), seed=False)
    try:
        results = state.store.import_layers(
            layers,
            projects=forms,
            problems=problems,
            user="cli",
            source=str(workspace),
            confirm=confirm,
        )
    finally:
        state.store.engine.dispose()
    # (3) say what was stored
    for result in results:
        typer.echo(
            f"{result.layer}: version {result.version}, {result.n_features} features "
            f"(+{len(result.added)} −{len(result.removed)} ~{len(result.changed)})"
        )
    if demand is not None:
        typer.echo(f"{len(forms)} projects stored")


@app.command()
def ledger(
    now: Annotated[
        str | None, typer.Option(help="compute at, e.g. 2025-10-11T10:00 (default: now)")
    ] = None,
    all_entries: Annotated[
        bool, typer.Option("--all", help="every project, not only warnings")
    ] = False,
    department: Annotated[
        str | None, typer.Option(help="one department, e.g. 市行政审批局")
    ] = None,
) -> None:
    """List projects approaching a deadline (75 % of the time used) or overdue, by department."""
    from api.routes.ledger import ledger_projects
    from api.settings import get_settings
    from api.state import load_state
    from planning.ledger import ALERT_STATUSES, by_department, ledger_status

    state = load_state(get_settings())  # development: an empty database gets the demo
    state.sync_calendar()
    at = (
        parse_start(now, option="--now")
        if now
        else dt.datetime.now().replace(second=0, microsecond=0)
    )
    _warn_missing_schedule(state.profile.name, today=at.date())
    entries = ledger_status(ledger_projects(state), now=at, profile=state.profile)
    groups = by_department(entries, statuses=None if all_entries else ALERT_STATUSES)
    shown = 0
    for dept, items in groups.items():
        if department is not None and dept != department:
            continue
        typer.echo(f"{dept}（{len(items)}）")
        for e in items:
            typer.echo(f"  {e.project_id} {e.name} {e.step_label}：{e.message}")
            shown += 1
    if not shown:
        typer.echo(f"{at.isoformat(timespec='minutes')}：无临近时限或超时的项目")


def _user_line(u: dict[str, Any]) -> str:
    """One line of ``linkplan user --list``: name, role, state (已撤销/已过期/开发用户)."""
    from api.security import utc_now

    role = u["role"] + (f"/{u['utility']}" if u["utility"] else "")
    notes = []
    if u["revoked_at"] is not None:
        notes.append(f"已撤销 revoked {u['revoked_at']:%Y-%m-%d %H:%M} UTC")
    elif u["expires_at"] is not None:
        word = "已过期 expired" if u["expires_at"] <= utc_now() else "有效至 expires"
        notes.append(f"{word} {u['expires_at']:%Y-%m-%d %H:%M} UTC")
    if u["development"]:
        notes.append("开发用户 development")
    return f"{u['name']:<16}{role:<16}{'；'.join(notes)}"


@app.command()
def user(
    name: Annotated[str | None, typer.Argument(help="user name")] = None,
    role: Annotated[
        str | None, typer.Option(help="admin, investment, intake, utility, survey or planning")
    ] = None,
    utility: Annotated[
        str | None, typer.Option(help="for role utility: water, gas, heat, power, telecom")
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option(help="the token expires after this many days (default: never)")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="revoke the user's token")] = False,
    list_all: Annotated[bool, typer.Option("--list", help="list the users")] = False,
) -> None:
    """Create a user of the web service and print its token (shown once, stored hashed).

    ``--revoke`` revokes a user's token, ``--list`` lists the users. Only the database is
    migrated: nothing is seeded (no demo, no development users).
    """
    from api.settings import get_settings
    from api.state import load_state

    if not list_all and name is None:
        msg = "say which user: NAME, or --list"
        raise typer.BadParameter(msg)
    if not list_all and not revoke and role is None:
        msg = f"say the role of user {name!r}: --role admin, investment, intake, utility, survey or planning"
        raise typer.BadParameter(msg)
    if expires_days is not None and expires_days < 1:
        msg = f"--expires-days {expires_days}: expected 1 or more days"
        raise typer.BadParameter(msg)
    state = load_state(get_settings(), seed=False)
    try:
        _user_action(
            state.store, name, role, utility, expires_days, revoke=revoke, list_all=list_all
        )
    finally:
        state.store.engine.dispose()


def _user_action(
    store: Any,
    name: str | None,
    role: str | None,
    utility: str | None,
    expires_days: int | None,
    *,
    revoke: bool,
    list_all: bool,
) -> None:
    """List the users, revoke one, or create one and print its token."""
    from api.security import create_user, list_users, revoke_user, utc_now

    if list_all:
        for u in list_users(store):
            typer.echo(_user_line(u))
        return
    assert name is not None
    if revoke:
        when = revoke_user(store, name, revoked_by="cli")
        typer.echo(f"用户 {name} 的令牌已撤销 (token revoked) {when:%Y-%m-%d %H:%M} UTC")
        return
    assert role is not None
    expires = None if expires_days is None else utc_now() + dt.timedelta(days=expires_days)
    token = create_user(store, name, role, utility=utility, created_by="cli", expires_at=expires)
    until = f"; expires {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    typer.echo(
        f"user {name} ({role}{'/' + utility if utility else ''}) created{until}; token (shown once):"
    )
    typer.echo(token)


@dataclasses.dataclass(frozen=True)
class ImportOptions:
    """The arguments and options of ``linkplan import``."""

    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace (created if missing)")]
    source: Annotated[Path, typer.Argument(help="file to import")]
    layer: Annotated[
        str | None,
        typer.Option(help="target layer (roads, water, gas, ...); for DXF use --dxf-map"),
    ] = None
    fmt: Annotated[
        str, typer.Option("--format", help="auto, vector, osm-graphml, osm-pbf, dxf, epanet")
    ] = "auto"
    source_crs: Annotated[
        str | None, typer.Option(help="CRS of the file's coordinates (required for DXF and EPANET)")
    ] = None
    source_layer: Annotated[str | None, typer.Option(help="layer inside a GeoPackage or zip")] = (
        None
    )
    dxf_map: Annotated[
        list[str] | None,
        typer.Option(help="DXF layer pattern=utility, repeatable, e.g. 'WS-*=water'"),
    ] = None
    default: Annotated[
        list[str] | None, typer.Option(help="field=value for fields the file lacks, repeatable")
    ] = None
    crs: Annotated[str | None, typer.Option(help="workspace CRS for a new workspace")] = None


@app.command("import")
@options_command(ImportOptions)
def import_(opts: ImportOptions) -> None:
    """Validate and add a layer to a workspace, all or nothing."""
    from gis.io.load import load_for_import

    o = opts
    new = load_for_import(
        o.source,
        layer=o.layer,
        fmt=o.fmt,
        source_crs=o.source_crs,
        source_layer=o.source_layer,
        dxf_map=dict(item.split("=", 1) for item in o.dxf_map or []),
        defaults=dict(item.split("=", 1) for item in o.default or []),
    )
    spreadsheet = o.layer == "intents" and o.source.suffix.lower() in (".csv", ".xlsx", ".txt")
    ws = import_layers(
        o.workspace,
        new,
        crs=o.crs,
        source_crs=None if o.fmt in ("dxf", "epanet") or spreadsheet else o.source_crs,
    )
    typer.echo(
        f"imported {', '.join(f'{k} ({len(v):,})' for k, v in new.items())} into {o.workspace}"
    )
    typer.echo(layer_summary({k: ws.layers[k] for k in new if k in ws.layers}))


@app.command()
def graph(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="GeoPackage for the graph layers")
    ] = Path("build/corridor.gpkg"),
) -> None:
    """Build the road corridor graph and write its nodes and edges for QGIS."""
    from gis.convert import graph_to_gdfs

    ws: Workspace = open_workspace(workspace)
    G = ws.corridor_graph()
    nodes, edges = graph_to_gdfs(G)
    assert nodes is not None and edges is not None
    write_workspace(
        {
            "corridor_nodes": nodes.reset_index(),
            "corridor_edges": edges,
            "blocks": G.graph["segments"],
        },
        out,
    )
    typer.echo(f"{G.number_of_nodes():,} nodes and {G.number_of_edges():,} edges written to {out}")


profile_app = typer.Typer(
    help="配置 (policy profiles): thresholds and tables with their sources.", no_args_is_help=True
)
app.add_typer(profile_app, name="profile")


@profile_app.command("check")
def profile_check(
    file: Annotated[
        Path, typer.Argument(help="profile YAML file (its 'extends' are searched by name)")
    ],
) -> None:
    """Validate a profile file: all problems at once (file, key, value, expected); exit 1 if any."""
    from gis.errors import ProfileError
    from gis.profile import check_profile

    try:
        loaded = check_profile(file)
    except ProfileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    n = sum(1 for _ in loaded.entries())
    typer.echo(
        f"配置文件 {file} 有效：{n} 项取值（{' → '.join(loaded.chain)}）"
        f" (profile file {file} is valid: {n} values)"
    )


@profile_app.command("show")
def profile_show(
    name: Annotated[str, typer.Argument(help="profile name, e.g. jingmen-2023 (or a YAML file)")],
) -> None:
    """Print every value of a profile with its Chinese label, source and file."""
    from gis.profile import load_profile

    loaded = load_profile(name)
    typer.echo(f"配置 {loaded.name}（{' → '.join(loaded.chain)}）：{loaded.description}")
    for key, label, value, source, file in loaded.entries():
        shown = json.dumps(value, ensure_ascii=False)
        typer.echo(f"\n{key}  {label}")
        typer.echo(f"  值 (value): {shown}")
        typer.echo(f"  来源 (source): {source}")
        typer.echo(f"  文件 (file): {file}")


def main() -> None:
    """Run the command line, turning domain errors into a message and exit code 2."""
    try:
        app()
    except ValidationError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)
    except (LinkplanError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
