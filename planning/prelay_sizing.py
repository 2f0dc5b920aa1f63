"""Pre-lay sizing by simulation (issue 16 item 3): the smallest standard size that serves.

The pre-lay planner first sizes every planned main from the profile's table
(:func:`planning.extensions.planned_mains`: water by the summed peak flow, gas by the summed
flow). Where the utility has a model (:data:`planning.capacity.MODELS`), :func:`size_by_simulation`
then checks that size on the network INCLUDING the planned mains, in steps: (1) the standard
sizes are the results of the profile's table (water ``suitability.water_min_diameter_mm``, gas
``prelay.gas_main_diameter_mm``), the table size the starting point; (2) the model is built from
the utility's layer with the planned mains added (existing and planned mains both modelled);
(3) every intent the planned mains serve is checked at its tap (the nearest planned main that
serves it) with its demand, and judged (:func:`planning.capacity.judge`); (4) the planned mains
serving an intent that fails go up one standard size, and (2)–(4) repeat until every intent
passes or no size is left; (5) each main records how its size was chosen, with the numbers
(``Extension.sizing_zh``). Without a model the table size stands and says why.

The decision (:func:`step_up`, :func:`standard_sizes`) is pure; the model calls go through
:mod:`planning.capacity`'s registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely import LineString, Point
from shapely.ops import nearest_points

from gis.profile import Profile
from gis.simulation.result import TAP_PRESSURE_MPA, CapacityRun, ModelError
from planning.capacity import MODELS, CapacityModel, build_model, demand_for, judge, summary
from planning.extensions import Extension
from planning.suitability import Demand

__all__ = [
    "SIZED",
    "IntentCheck",
    "Sizing",
    "size_by_simulation",
    "standard_sizes",
    "step_up",
]

SIZED = ("water", "gas")
"""Utilities whose planned mains are sized by diameter and checked by simulation."""


@dataclass(frozen=True)
class IntentCheck:
    """One served intent's check on the network with the planned mains at one set of sizes."""

    intent: str
    tap_asset: str
    run: CapacityRun | None
    reasons: tuple[str, ...]
    """Why it fails, in Chinese (empty: it passes)."""


@dataclass(frozen=True)
class Sizing:
    """A utility's sizing by simulation: the checks at the table sizes and at the sizes chosen."""

    engine: str
    first: Mapping[str, IntentCheck]
    """Intent → its check with the planned mains at the table sizes."""
    last: Mapping[str, IntentCheck]
    """Intent → its check with the planned mains at the sizes chosen."""
    rounds: int
    """How many times the model was built and every intent checked."""


def standard_sizes(utility: str, profile: Profile) -> list[float]:
    """Return the standard main diameters (mm) of a utility, smallest first.

    >>> from gis.profile import load_profile
    >>> standard_sizes("water", load_profile("gb-defaults"))
    [100.0, 150.0, 200.0, 300.0, 400.0, 600.0]
    """
    table = (
        profile.suitability.water_min_diameter_mm
        if utility == "water"
        else profile.prelay.gas_main_diameter_mm
    )
    return sorted({float(row[1]) for row in table})


def step_up(size_mm: float, sizes: Sequence[float]) -> float | None:
    """Return the next standard size above ``size_mm`` (``None``: none is larger).

    >>> step_up(150.0, [100.0, 150.0, 200.0]), step_up(200.0, [100.0, 150.0, 200.0])
    (200.0, None)
    """
    return next((s for s in sizes if s > size_mm), None)


def size_by_simulation(
    utility: str,
    extensions: list[Extension],
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    intents: gpd.GeoDataFrame,
    demands: Mapping[str, Demand],
    profile: Profile,
) -> Sizing | None:
    """Size ``utility``'s planned mains in ``extensions`` by simulation (module docstring).

    Changes the extensions in place (``attrs["diameter_mm"]`` and ``sizing_zh``) and returns
    the checks (``None``: no model, the table sizes stand).
    """
    exts = [e for e in extensions if e.utility == utility and "diameter_mm" in e.attrs]
    if utility not in SIZED or utility not in MODELS or not exts:
        return None
    # (1) the standard sizes; the table's sizes are the starting point
    sizes = standard_sizes(utility, profile)
    table = {e.asset_id: float(e.attrs["diameter_mm"]) for e in exts}
    where = {str(i): g for i, g in zip(intents["intent_id"].astype(str), intents.geometry)}
    served = sorted({i for e in exts for i in e.serves if i in where})
    first: dict[str, IntentCheck] = {}
    rounds = 0
    while True:
        rounds += 1
        # (2) the model with the planned mains at their current sizes
        model, note = build_model(utility, _with_mains(layers, utility, exts), profile)
        if model is None:
            _note_all(exts, f"承载能力未校核：{note}")
            return None
        # (3) every served intent at its tap
        checks = [
            _check(model, i, exts, where[i], demand_for(utility, demands[i], profile), profile)
            for i in served
        ]
        first = first or {c.intent: c for c in checks}
        failing = {c.intent for c in checks if c.reasons and c.run is not None}
        # (4) the mains serving a failing intent one size up
        bumped = _bump(exts, failing, sizes)
        if not failing or not bumped:
            break
    # (5) how each size was chosen
    last = {c.intent: c for c in checks}
    for e in exts:
        e.sizing_zh = _sizing_text(e, table[e.asset_id], first, last, model.engine)
    return Sizing(model.engine, first, last, rounds)


def _with_mains(
    layers: Mapping[str, gpd.GeoDataFrame], utility: str, exts: list[Extension]
) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers with ``utility``'s existing and planned mains, all modelled.

    The planned extensions (sidewalk runs and road crossings) are added at their current
    sizes, each run that starts from the existing network drawn on to the nearest main (the
    tap connection, :func:`_tapped`); the models read ``status = existing``, so planned mains
    are relabelled for the model only.
    """
    base = layers[utility]
    base = base[base["status"].astype(str).isin(["existing", "planned"])]
    rows = [
        {"asset_id": e.asset_id, "status": "existing"}
        | {k: v for k, v in e.attrs.items() if k not in ("road_class", "crosses")}
        for e in exts
    ]
    lines = [_tapped(e, base) for e in exts]
    for e, joint in _joints(exts):
        rows.append(rows[exts.index(e)] | {"asset_id": f"{e.asset_id}+corner"})
        lines.append(joint)
    add = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs=base.crs)
    merged = pd.concat([base.assign(status="existing"), add], ignore_index=True)
    return {**layers, utility: gpd.GeoDataFrame(merged, geometry="geometry", crs=base.crs)}


JOIN_M = 5.0
"""Runs of one tree meet at street corners, whose corner edges are not drawn as mains: a run's
end this close to another run (but farther than the model's 1 m snapping) is joined to it."""


def _joints(exts: list[Extension]) -> list[tuple[Extension, LineString]]:
    """Return the short lines joining run ends across street corners (:data:`JOIN_M`)."""
    out = []
    for e in exts:
        coords = list(e.geometry.coords)
        for end in (Point(coords[0]), Point(coords[-1])):
            others = [f.geometry for f in exts if f is not e]
            near = min(others, key=end.distance, default=None)
            if near is not None and 1.0 < end.distance(near) <= JOIN_M:
                to = nearest_points(near, end)[0]
                out.append((e, LineString([(end.x, end.y), (to.x, to.y)])))
    return out


def _tapped(e: Extension, mains: gpd.GeoDataFrame) -> LineString:
    """Return a run's line, drawn on from its root end to the nearest main (the tap)."""
    line = e.geometry
    if e.tap_xy is None or not len(mains):
        return line
    root = Point(e.tap_xy)
    nearest = mains.geometry.distance(root).idxmin()
    tap = nearest_points(mains.geometry.loc[nearest], root)[0]
    coords = list(line.coords)
    if Point(coords[0]).distance(root) <= Point(coords[-1]).distance(root):
        return LineString([(tap.x, tap.y), *coords])
    return LineString([*coords, (tap.x, tap.y)])


def _check(
    model: CapacityModel,
    intent: str,
    exts: list[Extension],
    geometry: object,
    demand: float,
    profile: Profile,
) -> IntentCheck:
    """Check an intent at the planned main serving it nearest its parcel."""
    mine = [e for e in exts if intent in e.serves]
    tap = min(mine, key=lambda e: e.geometry.distance(geometry))
    point = nearest_points(tap.geometry, geometry)[0]
    try:
        run = model.check(tap.asset_id, (point.x, point.y), demand)
    except ModelError as exc:
        return IntentCheck(intent, tap.asset_id, None, (str(exc).split(" (", 1)[0],))
    return IntentCheck(intent, tap.asset_id, run, tuple(r.text for r in judge(run, profile)))


def _bump(exts: list[Extension], failing: set[str], sizes: Sequence[float]) -> bool:
    """Step the mains serving a failing intent up one size; return whether any moved.

    An intent no model run could check (its main not in the model) is not helped by a larger
    main: only intents with a run are stepped for.
    """
    moved = False
    for e in exts:
        if failing.intersection(e.serves):
            larger = step_up(float(e.attrs["diameter_mm"]), sizes)
            if larger is not None:
                e.attrs["diameter_mm"] = larger
                moved = True
    return moved


def _note_all(exts: list[Extension], note: str) -> None:
    for e in exts:
        e.sizing_zh = f"{e.sizing_zh}；{note}" if e.sizing_zh else note


def _sizing_text(
    e: Extension,
    table_mm: float,
    first: Mapping[str, IntentCheck],
    last: Mapping[str, IntentCheck],
    engine: str,
) -> str:
    """Return how a main's size was chosen, in Chinese, with the numbers."""
    chosen = float(e.attrs["diameter_mm"])
    head = e.sizing_zh or f"按表 DN{table_mm:g}"
    mine = [i for i in e.serves if i in last]
    unchecked = [r for i in mine if last[i].run is None for r in last[i].reasons]
    if unchecked:
        return f"{head}；承载能力未校核：{'；'.join(unchecked)}"
    if chosen == table_mm:
        fails = [r for i in mine for r in last[i].reasons]
        if fails:
            return f"{head}；模拟校核（{engine}）已增至最大标准管径仍未通过：{'；'.join(fails)}"
        return f"{head}；模拟校核（{engine}）通过：{_runs(mine, last)}"
    why = "；".join(r for i in mine for r in first[i].reasons) or "下游意向未通过"
    return f"{head}不足（{why}）；模拟选型（{engine}）：增至 DN{chosen:g}，{_runs(mine, last)}"


def _runs(intents: Sequence[str], checks: Mapping[str, IntentCheck]) -> str:
    """Return the intents' tap pressures (or the run's sentence), one clause each."""
    parts = []
    for i in intents:
        run = checks[i].run
        if run is None:
            parts.append(f"{i}：{'；'.join(checks[i].reasons)}")
        elif TAP_PRESSURE_MPA in run.after:
            parts.append(f"{i} 接入点压力 {run.after[TAP_PRESSURE_MPA]:.3f} MPa")
        else:
            parts.append(f"{i}：{summary(run)}")
    return "，".join(parts)
