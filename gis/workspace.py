"""The workspace: the contract layers of one city in one projected CRS, read and written atomically.

A workspace is a GeoPackage (or, with the service issue, the same layers in PostGIS). Opening
one validates every layer against :mod:`gis.schema`, reprojects it to the workspace CRS and keeps
the road corridor graph, built once and reused.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from shapely import MultiPolygon

from gis.crs import require_projected, to_working_crs
from gis.errors import InputFormatError, LayerNotFoundError, ValidationError
from gis.io.sniff import check_geopackage, gdal_offline, gdal_source
from gis.profile import Profile, load_profile
from gis.schema import LAYERS, NETWORK_LAYERS
from gis.settings import get_gis_settings
from gis.validate import ValidationReport, validate_layers

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "REGISTERS",
    "RegisterChange",
    "Workspace",
    "add_layers",
    "import_layers",
    "open_workspace",
    "read_layers",
    "workspace_crs",
    "write_workspace",
]


def read_layers(path: str | Path) -> dict[str, gpd.GeoDataFrame]:
    """Read every layer of a GeoPackage as it is stored (no validation, no reprojection).

    The file must be a plain GeoPackage (:func:`gis.io.sniff.check_geopackage`: no views,
    virtual tables, foreign triggers or generated columns); it is opened with GDAL's GPKG
    driver only and with GDAL kept off the network.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"workspace {path} does not exist: expected a GeoPackage (.gpkg)"
        raise InputFormatError(msg)
    check_geopackage(path)
    source = gdal_source(path, "GPKG")
    try:
        with gdal_offline():
            names = [str(n) for n, _ in pyogrio.list_layers(source)]
            return {name: pyogrio.read_dataframe(source, layer=name) for name in names}
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"workspace {path} cannot be read as a GeoPackage: {exc}"
        raise InputFormatError(msg) from exc


def workspace_crs(layers: Mapping[str, gpd.GeoDataFrame | None], default: Any = None) -> CRS:
    """Choose a workspace's CRS: the one projected CRS its layers share, else the default.

    Layers in geographic coordinates do not vote; they are projected to the result.
    """
    projected = {
        CRS.from_user_input(g.crs).to_wkt()
        for g in layers.values()
        if g is not None and g.crs is not None and CRS.from_user_input(g.crs).is_projected
    }
    if len(projected) == 1:
        return require_projected(projected.pop(), what="the workspace")
    return require_projected(default or get_gis_settings().working_crs, what="the workspace")


@dataclass
class Workspace:
    """Validated contract layers in one projected CRS.

    Attributes
    ----------
    layers
        Layer name → GeoDataFrame in :attr:`crs`.
    crs
        The workspace's projected CRS (metres).
    profile
        The engineering profile used for defaults.
    report
        The validation report of the layers as read.
    path
        The GeoPackage it came from, if any.
    """

    layers: dict[str, gpd.GeoDataFrame]
    crs: CRS
    profile: Profile
    report: ValidationReport = field(default_factory=ValidationReport)
    path: Path | None = None
    _graph: nx.Graph | None = field(default=None, repr=False)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Derived data kept with the workspace by the layers above (e.g. routing indexes)."""

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return layer ``name`` or raise :class:`~gis.errors.LayerNotFoundError`."""
        if name not in self.layers:
            msg = f"workspace has no layer {name!r}; it has: {', '.join(self.layers) or 'none'}"
            raise LayerNotFoundError(msg)
        return self.layers[name]

    @property
    def networks(self) -> dict[str, gpd.GeoDataFrame]:
        """The utility network layers present, by utility name."""
        return {u: self.layers[u] for u in NETWORK_LAYERS if u in self.layers}

    def corridor_graph(self) -> nx.Graph:
        """Return the road corridor graph, built on first use and then reused."""
        if self._graph is None:
            from gis.corridor import build_corridor_graph

            self._graph = build_corridor_graph(
                self.layer("roads"),
                sites=self.layers.get("sites"),
                networks=self.networks,
                profile=self.profile,
            )
        return self._graph

    @classmethod
    def from_layers(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame | None],
        *,
        crs: Any = None,
        profile: str | Profile = "gb-defaults",
        source_crs: Any = None,
        strict: bool = True,
        path: Path | None = None,
    ) -> Workspace:
        """Validate layers and make a workspace (see :func:`open_workspace`)."""
        prof = profile if isinstance(profile, Profile) else load_profile(profile)
        target = require_projected(crs, what="the workspace") if crs else workspace_crs(layers)
        report = validate_layers(layers, working_crs=target, profile=prof, source_crs=source_crs)
        if strict:
            report.raise_for_errors(f"workspace {path or '(in memory)'} has errors")
        return cls(layers=dict(report.layers), crs=target, profile=prof, report=report, path=path)


def open_workspace(
    path: str | Path,
    *,
    crs: Any = None,
    profile: str | Profile = "gb-defaults",
    source_crs: Any = None,
    strict: bool = True,
) -> Workspace:
    """Open a GeoPackage workspace: read, validate and reproject every contract layer.

    Parameters
    ----------
    path
        The GeoPackage.
    crs
        Working CRS; default: the projected CRS the layers share, else ``LINKPLAN_WORKING_CRS``.
    profile
        Engineering profile name or object.
    source_crs
        Override of the coordinates' CRS (all layers, or a mapping by layer).
    strict
        Raise :class:`~gis.errors.ValidationError` with every error when validation fails.
    """
    path = Path(path)
    return Workspace.from_layers(
        read_layers(path),
        crs=crs,
        profile=profile,
        source_crs=source_crs,
        strict=strict,
        path=path,
    )


def _write(layers: Mapping[str, gpd.GeoDataFrame], target: Path) -> None:
    for name, gdf in layers.items():
        spec = LAYERS.get(name)
        geom_type = None
        if spec is not None and spec.geometry == "polygon":
            geom_type = "MultiPolygon"  # one type per GeoPackage layer
            gdf = gdf.copy()
            polys = gdf.geometry.geom_type == "Polygon"
            gdf.loc[polys, "geometry"] = [MultiPolygon([g]) for g in gdf.geometry[polys]]
        elif spec is not None:
            geom_type = "Point" if spec.geometry == "point" else "LineString"
        pyogrio.write_dataframe(gdf, target, layer=name, driver="GPKG", geometry_type=geom_type)


def write_workspace(
    layers: Mapping[str, gpd.GeoDataFrame], path: str | Path, *, overwrite: bool = True
) -> Path:
    """Write layers to a GeoPackage atomically: all layers land, or the old file stays.

    The layers are written to a temporary file beside ``path`` and moved over it in one
    ``os.replace``; a failure part-way leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it"
        raise FileExistsError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        _write(layers, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def add_layers(path: str | Path, layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Add or replace derived layers (plans, packages) in a workspace file, atomically.

    The stored layers are kept as they are; the file is rewritten in one ``os.replace``.
    """
    path = Path(path)
    stored = read_layers(path) if path.exists() else {}
    return write_workspace({**stored, **layers}, path)


REGISTERS: Mapping[str, str] = {"intents": "intent_id"}
"""Layers kept as registers, one feature per id field value: an import adds or updates by id
(as ``POST /intents`` does) and replaces the whole layer only when asked to."""


@dataclass(frozen=True)
class RegisterChange:
    """What an import did to a register layer (:data:`REGISTERS`): ids added, updated, removed.

    ``kept`` counts the stored features the import left as they were.
    """

    layer: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    kept: int


def merge_register(
    layer: str,
    stored: gpd.GeoDataFrame | None,
    new: gpd.GeoDataFrame,
    *,
    replace: bool = False,
    source_crs: Any = None,
) -> tuple[gpd.GeoDataFrame, RegisterChange]:
    """Merge ``new`` features into a stored register layer by id (:data:`REGISTERS`).

    A feature whose id is stored replaces the stored one, the others are added; the stored
    features not in ``new`` are kept, or removed when ``replace``. ``new`` is brought into the
    stored layer's CRS first (its coordinates are in ``source_crs`` when given).

    Examples
    --------
    >>> from shapely import Point
    >>> old = gpd.GeoDataFrame({"intent_id": ["A", "B"], "name": ["a", "b"]},
    ...                        geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:4546")
    >>> new = gpd.GeoDataFrame({"intent_id": ["B", "C"], "name": ["b2", "c"]},
    ...                        geometry=[Point(2, 2), Point(3, 3)], crs="EPSG:4546")
    >>> merged, change = merge_register("intents", old, new)
    >>> list(merged["intent_id"]), list(merged["name"]), change.added, change.updated, change.kept
    (['A', 'B', 'C'], ['a', 'b2', 'c'], ('C',), ('B',), 1)
    >>> merge_register("intents", old, new, replace=True)[1].removed
    ('A',)
    """
    key = REGISTERS[layer]
    new_ids = [str(v) for v in new[key]]
    if stored is None or not len(stored):
        return new, RegisterChange(layer, tuple(new_ids), (), (), 0)
    stored_ids = [str(v) for v in stored[key]]
    updated = tuple(i for i in new_ids if i in set(stored_ids))
    added = tuple(i for i in new_ids if i not in set(stored_ids))
    if replace:
        return new, RegisterChange(
            layer, added, updated, tuple(i for i in stored_ids if i not in set(new_ids)), 0
        )
    if stored.crs is not None:
        new = to_working_crs(new, stored.crs, layer=layer, source_crs=source_crs)
    keep = stored[~stored[key].astype(str).isin(new_ids)]
    merged = gpd.GeoDataFrame(
        pd.concat([keep, new], ignore_index=True), geometry=stored.geometry.name, crs=stored.crs
    )
    return merged, RegisterChange(layer, added, updated, (), len(keep))


def import_layers(
    path: str | Path,
    new_layers: Mapping[str, gpd.GeoDataFrame],
    *,
    crs: Any = None,
    profile: str | Profile = "gb-defaults",
    source_crs: Any = None,
    replace: bool = False,
    on_register: Callable[[RegisterChange], None] | None = None,
) -> Workspace:
    """Add or replace layers of a workspace GeoPackage, all or nothing.

    A register layer (:data:`REGISTERS`, the intents) is merged by id into the stored one
    (:func:`merge_register`): stored features are kept unless ``replace``; ``on_register`` is
    told what changed. Other layers are replaced. The new layers are validated together with
    the layers already stored (a new ``roads`` is checked against the stored ``scope``); on any
    error a :class:`~gis.errors.ValidationError` lists every problem and the file is not
    touched. On success the workspace is rewritten atomically (:func:`write_workspace`) with
    the new layers in the workspace CRS.
    """
    # 1. the stored layers and the workspace CRS
    path = Path(path)
    stored = read_layers(path) if path.exists() else {}
    stored_ws_crs = crs or (workspace_crs(stored) if stored else None)
    # 2. the registers merged by id, the other layers replacing the stored ones
    incoming = dict(new_layers)
    src = {name: source_crs for name in new_layers} if source_crs is not None else {}
    changes: list[RegisterChange] = []
    for name in [n for n in incoming if n in REGISTERS]:
        before = stored.get(name)
        incoming[name], change = merge_register(
            name, before, incoming[name], replace=replace, source_crs=src.get(name)
        )
        changes.append(change)
        if before is not None and len(before) and not replace:
            src.pop(name, None)  # merged: already in the stored layer's CRS
    merged: dict[str, gpd.GeoDataFrame | None] = {**stored, **incoming}
    # 3. validate everything together
    ws = Workspace.from_layers(
        merged,
        crs=stored_ws_crs,
        profile=profile,
        source_crs=src or None,
        path=path,
        strict=False,
    )
    # a workspace may be built up layer by layer: a required layer not yet imported is fine
    errors = [p for p in ws.report.errors if p.code != "missing_layer"]
    if errors:
        raise ValidationError(problems=errors, summary=f"import into {path} refused")
    # 4. write the file at once, then say what the registers became
    out = dict(ws.layers)
    out.update({name: gdf for name, gdf in stored.items() if name not in LAYERS})
    write_workspace(out, path)
    for change in changes:
        if on_register is not None:
            on_register(change)
    return ws
