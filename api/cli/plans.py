"""Planning commands: ``coordinate`` (协同施工) and ``prelay`` (提前布局周边管网).

``coordinate`` groups the planned works of all sites into coordinated construction packages so
a road is dug once; ``prelay`` plans main extensions for the registered investment intents.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from gis.workspace import (
    open_workspace,
)


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
    from api.report import demand_warning
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
    warning = demand_warning(results)
    if warning:
        typer.echo(warning, err=True)
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
    for row in plan.summary(prof):
        for line in row["sizing"]:
            typer.echo(f"管径选型：{line}")
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
