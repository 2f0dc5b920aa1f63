"""Workspace commands: ``validate``, ``import`` and ``graph``.

``validate`` checks every layer of a GeoPackage workspace against the data contract and lists
every problem at once; ``import`` adds a layer from GeoJSON, Shapefile, DXF, EPANET or
OpenStreetMap, all or nothing; ``graph`` writes the road corridor graph for QGIS.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer

from api.cli._common import layer_summary, options_command
from gis.validate import ValidationReport, validate_layers
from gis.workspace import (
    RegisterChange,
    Workspace,
    import_layers,
    open_workspace,
    read_layers,
    workspace_crs,
    write_workspace,
)


def _echo_problems(report: ValidationReport, *, show_info: bool) -> None:
    for p in report.problems:
        if p.severity == "info" and not show_info:
            continue
        typer.echo(f"{p.message_zh} ({p})", err=p.severity == "error")


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
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="intents: replace the whole register (default: add or update by intent_id)",
        ),
    ] = False


def _register_message(change: RegisterChange, *, replace: bool) -> str:
    """Say what an import did to a register (the intents), in Chinese then English.

    Examples
    --------
    >>> print(_register_message(RegisterChange("intents", ("C",), ("B",), (), 3), replace=False))
    intents：新增 1 条，更新 1 条，保留原有 3 条 (added 1, updated 1, kept 3; --replace replaces the whole register)
    >>> print(_register_message(RegisterChange("intents", ("C",), (), ("A", "B"), 0), replace=True))
    intents：整体替换，新增 1 条，更新 0 条，删除原有 2 条：A, B (replaced: added 1, updated 0, removed 2)
    """
    n_add, n_upd = len(change.added), len(change.updated)
    if replace:
        removed = f"：{', '.join(change.removed)}" if change.removed else ""
        return (
            f"{change.layer}：整体替换，新增 {n_add} 条，更新 {n_upd} 条，"
            f"删除原有 {len(change.removed)} 条{removed} "
            f"(replaced: added {n_add}, updated {n_upd}, removed {len(change.removed)})"
        )
    return (
        f"{change.layer}：新增 {n_add} 条，更新 {n_upd} 条，保留原有 {change.kept} 条 "
        f"(added {n_add}, updated {n_upd}, kept {change.kept}; "
        "--replace replaces the whole register)"
    )


def _warn_unread(new: dict[str, gpd.GeoDataFrame], source: Path) -> None:
    """Name each column of an intents spreadsheet that was not read (kept as it is)."""
    from gis.io.intents import unread_columns

    for name, gdf in new.items():
        for column in unread_columns(gdf):
            typer.echo(
                f"警告：{source.name} 的列「{column}」未读取，原样保留在{name}图层中 "
                f"(warning: column {column!r} of {source.name} is not read, kept as it is)",
                err=True,
            )


@options_command(ImportOptions)
def import_(opts: ImportOptions) -> None:
    """Validate and add a layer to a workspace, all or nothing.

    The intents are a register: its rows are added or updated by intent_id and the stored
    intents kept, unless --replace.
    """
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
    _warn_unread(new, o.source)
    changes: list[RegisterChange] = []
    ws = import_layers(
        o.workspace,
        new,
        crs=o.crs,
        source_crs=None if o.fmt in ("dxf", "epanet") or spreadsheet else o.source_crs,
        replace=o.replace,
        on_register=changes.append,
    )
    typer.echo(
        f"imported {', '.join(f'{k} ({len(v):,})' for k, v in new.items())} into {o.workspace}"
    )
    for change in changes:
        typer.echo(_register_message(change, replace=o.replace))
    typer.echo(layer_summary({k: ws.layers[k] for k in new if k in ws.layers}))


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
