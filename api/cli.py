"""The ``linkplan`` command line.

Commands read as the use cases they serve: ``demo`` builds the demo district, ``validate``
checks a workspace and lists every problem at once, ``import`` adds a layer to a workspace
from GeoJSON, Shapefile, DXF, EPANET or OpenStreetMap, and ``graph`` writes the road corridor
graph for inspection in QGIS.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer

from gis.errors import LinkplanError, ValidationError
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
    typer.echo(f"{workspace}: {n_err} error(s), {n_warn} warning(s), working CRS {target}")
    if n_err:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="GeoPackage to write")] = Path(
        "build/demo.gpkg"
    ),
    size: Annotated[str, typer.Option(help="demo (seconds) or city (benchmark size)")] = "demo",
    seed: Annotated[int, typer.Option(help="generator seed")] = 20230512,
) -> None:
    """Build the Jingmen 掇刀区 demo district, write it and its corridor graph, print a summary."""
    from data.demo_district import build_district

    if size not in ("demo", "city"):
        msg = f"--size {size!r}: expected demo or city"
        raise typer.BadParameter(msg)
    t0 = time.perf_counter()
    layers = build_district("city" if size == "city" else "demo", seed=seed)
    write_workspace(layers, out)
    ws = open_workspace(out)
    typer.echo(f"demo workspace ({size}) written to {out} in {time.perf_counter() - t0:.1f} s")
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


@app.command("import")
def import_(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace (created if missing)")],
    source: Annotated[Path, typer.Argument(help="file to import")],
    layer: Annotated[
        str | None,
        typer.Option(help="target layer (roads, water, gas, ...); for DXF use --dxf-map"),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, vector, osm-graphml, osm-pbf, dxf, epanet")
    ] = "auto",
    source_crs: Annotated[
        str | None, typer.Option(help="CRS of the file's coordinates (required for DXF and EPANET)")
    ] = None,
    source_layer: Annotated[
        str | None, typer.Option(help="layer inside a GeoPackage or zip")
    ] = None,
    dxf_map: Annotated[
        list[str] | None,
        typer.Option(help="DXF layer pattern=utility, repeatable, e.g. 'WS-*=water'"),
    ] = None,
    default: Annotated[
        list[str] | None, typer.Option(help="field=value for fields the file lacks, repeatable")
    ] = None,
    crs: Annotated[str | None, typer.Option(help="workspace CRS for a new workspace")] = None,
) -> None:
    """Validate and add a layer to a workspace, all or nothing."""
    from gis.io.load import load_for_import

    new = load_for_import(
        source,
        layer=layer,
        fmt=fmt,
        source_crs=source_crs,
        source_layer=source_layer,
        dxf_map=dict(item.split("=", 1) for item in dxf_map or []),
        defaults=dict(item.split("=", 1) for item in default or []),
    )
    ws = import_layers(
        workspace, new, crs=crs, source_crs=source_crs if fmt not in ("dxf", "epanet") else None
    )
    typer.echo(
        f"imported {', '.join(f'{k} ({len(v):,})' for k, v in new.items())} into {workspace}"
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
