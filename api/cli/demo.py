"""The ``demo`` command: build, assess and map the Jingmen 掇刀区 demo district.

The demo is assessed on its fixed reference date (:func:`demo_start`), so it prints the same
results on any day.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from api.cli._common import layer_summary
from api.cli.assess import _assess_and_report
from api.cli.plans import coordinate, prelay
from gis.workspace import (
    Workspace,
    open_workspace,
    write_workspace,
)


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
