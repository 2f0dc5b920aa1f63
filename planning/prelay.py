"""Pre-laying planner (提前布局周边管网, seed 三1 and 四): main extensions for registered intents.

:func:`plan_prelay` reads as its steps: (1) the registered intents become pseudo-sites and are
assessed as they stand; (2) per utility, the intents that are not covered, or would need joint
approval even by the commitment route sought as for a site, are the terminals; (3) a Steiner
tree on the corridor graph joins them to the suitable existing network (one root), searching
with penalties that keep it off roads under dig-once protection and away from major crossings;
(4) every new main is sized by the demand it carries downstream (:mod:`planning.extensions`),
and water and gas mains checked on the network model with the planned mains, stepped up to
the smallest standard size that serves every intent (:mod:`planning.prelay_sizing`);
(5) the planned mains are added to the network (``status = planned``) and every intent is
assessed again, as a site is: when the shortest route (say, across an arterial to a new main
opposite) needs joint approval, the shortest route notify-and-commit allows is taken
(:mod:`planning.commitment_route`), and the shortest is kept beside it with why it was not
chosen (``after[intent].utilities[u].shortest``); (6) extensions of different utilities on the
same block side become one joint construction, with a cross-section check; each extension gets
the latest start date that meets the earliest intent it serves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString

from gis.profile import Profile
from gis.schema import UTILITIES
from gis.workspace import Workspace
from planning.assess import Assessment, assess_sites, default_demand
from planning.cost import trench_rate
from planning.cross_section import check_section, pipe_for
from planning.extensions import Extension, Intents, planned_mains
from planning.prelay_sizing import SIZED, Sizing, size_by_simulation
from planning.route_facts import RouteContext
from planning.routing import routing_index
from planning.steiner import steiner_tree
from planning.suitability import (
    Demand,
    power_voltage_kv,
    suitable_mains,
)

__all__ = ["Extension", "PrelayPlan", "intent_demands", "plan_prelay"]


@dataclass
class JointStretch:
    """A block side where extensions of several utilities are laid in one construction."""

    seg: int
    side: str | None
    road_name: str
    utilities: tuple[str, ...]
    length_m: float
    fits: bool
    message: str
    latest_start: dt.date
    geometry: LineString | None = None


@dataclass
class PrelayPlan:
    """The pre-lay plan of a workspace's intents."""

    extensions: list[Extension]
    before: dict[str, Assessment]
    after: dict[str, Assessment]
    unreachable: dict[str, list[str]] = field(default_factory=dict)
    joint: list[JointStretch] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    crs: Any = None
    sizing: dict[str, Sizing] = field(default_factory=dict)
    """Utility → its sizing by simulation (water, gas with a model: :mod:`planning.prelay_sizing`)."""

    def eligible(self, which: str, utility: str) -> int:
        """Count intents whose ``utility`` connection is commitment-eligible before or after."""
        table = self.before if which == "before" else self.after
        return sum(
            1
            for a in table.values()
            if utility in a.utilities
            and a.utilities[utility].approval_path == "commitment"
            and a.utilities[utility].covered
        )

    def summary(self, profile: Profile) -> list[dict[str, Any]]:
        """Return one row per utility: length, cost, intents served, eligible before → after."""
        rows = []
        pipe = profile.costs.pipe_per_m
        for u in UTILITIES:
            ext = [e for e in self.extensions if e.utility == u]
            requested = sum(1 for a in self.before.values() if u in a.utilities)
            if not requested:
                continue
            length = sum(e.length_m for e in ext)
            cost = sum(
                e.length_m
                * (
                    float(pipe[u])
                    + trench_rate(
                        "sidewalk"
                        if e.kind == "sidewalk"
                        else f"carriageway:{e.attrs.get('road_class', 'secondary')}",
                        profile,
                    )
                )
                for e in ext
            )
            rows.append(
                {
                    "utility": u,
                    "extensions": len(ext),
                    "length_m": length,
                    "cost_yuan": cost,
                    "intents_served": len({i for e in ext for i in e.serves}),
                    "requested": requested,
                    "eligible_before": self.eligible("before", u),
                    "eligible_after": self.eligible("after", u),
                    "unreachable": len(self.unreachable.get(u, [])),
                    "sizing": [f"{e.asset_id} {_size_text(e)}：{e.sizing_zh}" for e in ext],
                }
            )
        return rows

    def still_not_eligible(self) -> list[tuple[str, str, str]]:
        """Return ``(intent, utility, reason)`` for connections still not commitment-eligible."""
        out = []
        for pid, a in self.after.items():
            for u, r in a.utilities.items():
                if r.covered and r.approval_path == "commitment":
                    continue
                why = "；".join(x.text for x in r.reasons) or "无可接管线"
                if u in self.unreachable and pid in self.unreachable[u]:
                    why = f"无满足电压/参数等级的现状管网可作为延伸起点；{why}"
                elif u == "power" and not r.covered:
                    why = f"沿线线路剩余容量不足，需由变电站新出馈线（提前布局只延伸现状线路，不规划变电站出线）；{why}"
                out.append((pid, u, why))
        return out

    def layers(self, ws: Workspace | None = None) -> dict[str, gpd.GeoDataFrame]:
        """Return the plan as layers.

        ``prelay_extensions`` (every planned main with its size, the intents it serves and its
        latest start) and ``prelay_joint``; with ``ws``, also the workspace's network layers
        with the planned mains added as ``status = planned``, which the assessment reads.
        """
        ext = gpd.GeoDataFrame(
            {
                "asset_id": [e.asset_id for e in self.extensions],
                "utility": [e.utility for e in self.extensions],
                "kind": [e.kind for e in self.extensions],
                "road_name": [e.road_name for e in self.extensions],
                "length_m": [round(e.length_m, 3) for e in self.extensions],
                "size": [_size_text(e) for e in self.extensions],
                "serves": [",".join(e.serves) for e in self.extensions],
                "earliest_need": [e.earliest_need.isoformat() for e in self.extensions],
                "latest_start": [e.latest_start.isoformat() for e in self.extensions],
                "sizing_zh": [e.sizing_zh for e in self.extensions],
            },
            geometry=[e.geometry for e in self.extensions],
            crs=self.crs,
        )
        out = {"prelay_extensions": ext}
        if self.joint:
            out["prelay_joint"] = gpd.GeoDataFrame(
                {
                    "road_name": [j.road_name for j in self.joint],
                    "side": [j.side for j in self.joint],
                    "utilities": [",".join(j.utilities) for j in self.joint],
                    "length_m": [round(j.length_m, 3) for j in self.joint],
                    "fits": [j.fits for j in self.joint],
                    "message": [j.message for j in self.joint],
                    "latest_start": [j.latest_start.isoformat() for j in self.joint],
                },
                geometry=[j.geometry for j in self.joint],
                crs=self.crs,
            )
        if ws is not None:
            planned = _with_planned(ws, self.extensions)
            out.update({u: planned[u] for u in UTILITIES if u in planned})
        return out


def _size_text(e: Extension) -> str:
    a = e.attrs
    if e.utility == "water":
        return f"DN{a['diameter_mm']:g}"
    if e.utility == "gas":
        return f"{a['pressure_class']} DN{a['diameter_mm']:g}"
    if e.utility == "heat":
        return f"steam {a['pressure_mpa']:g} MPa {a['temperature_c']:g} ℃ DN{a.get('diameter_mm', 0):g}"
    if e.utility == "power":
        return f"{a['voltage_kv']:g} kV, {a['load_kva']:g} kVA"
    return str(a.get("operator", ""))


# ---------------------------------------------------------------------- step 1: demands


def intent_demands(intents: gpd.GeoDataFrame, profile: Profile) -> dict[str, Demand]:
    """Return each intent's demand from its registered columns (profile defaults otherwise)."""
    base = default_demand(profile)
    k_h = profile.demand.water_peak_factor
    hours = profile.demand.water_hours_per_day
    out = {}
    for row in intents.itertuples():
        wanted = tuple(u.strip() for u in str(row.utilities).split(",") if u.strip())

        def value(col: str, default: float, row: Any = row) -> float:
            v = getattr(row, col, None)
            return float(v) if v is not None and pd.notna(v) and float(v) > 0 else default

        out[str(row.intent_id)] = Demand(
            utilities=wanted,
            water_peak_m3_h=value("water_m3_day", base.water_peak_m3_h * hours / k_h) * k_h / hours,
            gas_peak_m3_h=value("gas_m3_h", base.gas_peak_m3_h),
            steam_pressure_mpa=base.steam_pressure_mpa,
            steam_temperature_c=base.steam_temperature_c,
            steam_t_h=value("steam_t_h", base.steam_t_h),
            power_kva=value("power_kva", base.power_kva),
        )
    return out


def _as_sites(intents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "project_id": intents["intent_id"].astype(str),
            "name": intents["name"].astype(str),
            "enterprise_type": "industrial",
        },
        geometry=list(intents.geometry),
        crs=intents.crs,
    )


# ------------------------------------------------------------------- the orchestration


def plan_prelay(
    ws: Workspace,
    *,
    profile: Profile,
    utilities: Iterable[str] = UTILITIES,
    as_of: dt.date | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> PrelayPlan:
    """Plan main extensions for the workspace's registered intents (see the module docstring)."""
    as_of = as_of or dt.date.today()
    utilities = list(utilities)
    intents = ws.layer("intents")
    demands = intent_demands(intents, profile)
    need = dict(zip(intents["intent_id"].astype(str), intents["expected_start"].astype(str)))
    # (1) the intents as they stand
    # an intent is a parcel registered before its plan is final: it fronts the roads within the
    # profile's (wider) intent reach
    reach = profile.prelay.intent_frontage_max_m
    iprofile = ws.profile.with_value(
        "attach.site_frontage_max_m", reach, source=profile.source("prelay.intent_frontage_max_m")
    )
    iws = Workspace(layers={**ws.layers, "sites": _as_sites(intents)}, crs=ws.crs, profile=iprofile)
    before = {
        a.project_id: a for a in assess_sites(iws, profile=profile, demands=demands, as_of=as_of)
    }
    ctx = iws.cache[next(k for k in iws.cache if k[0] == "assess-context")]
    G = ctx.G
    index = routing_index(G)
    weights = _penalised(ctx, profile)
    extensions: list[Extension] = []
    unreachable: dict[str, list[str]] = {}
    loop: Iterable[str] = progress(list(utilities)) if progress else list(utilities)
    for utility in loop:
        # (2) terminals: intents not covered, or covered only by joint approval
        terminals = _terminals(before, utility, index.frontage)
        mains = ws.layers.get(utility)
        if not terminals or mains is None or not len(mains):
            if terminals:
                unreachable[utility] = terminals
            continue
        # (3) one Steiner tree per supply level (power: voltage) from the suitable existing
        # network; water, gas and steam roots are sized for the largest demand of the group
        groups: dict[Any, list[str]] = defaultdict(list)
        for t in terminals:
            level = power_voltage_kv(demands[t].power_kva, profile) if utility == "power" else 0
            groups[level].append(t)
        for group in groups.values():
            biggest = _largest(utility, [demands[t] for t in group])
            if utility == "telecom":
                mask = (mains["status"] == "existing").to_numpy()
            else:  # a new feeder carries power: roots need the voltage, not the spare capacity
                mask = suitable_mains(utility, mains, biggest, profile, capacity_kva=0.0)
            roots, _ = ctx.sources(utility, mask)
            tree = steiner_tree(
                index.matrix,
                roots,
                [index.frontage[t] for t in group],
                weights=weights,
                limit=profile.coverage.max_connection_m * 5,
            )
            missed = [group[i] for i in tree.unreachable]
            if missed:
                unreachable.setdefault(utility, []).extend(missed)
            # (4) size every new main by the demand downstream of it
            extensions += planned_mains(
                utility,
                tree,
                Intents(group, demands, need),
                index=index,
                mains=mains,
                profile=profile,
                start=sum(1 for e in extensions if e.utility == utility),
            )
    # (4') water and gas mains: the smallest standard size the network model with the planned
    # mains shows to serve every intent (planning.prelay_sizing; the table size without a model)
    sizing: dict[str, Sizing] = {}
    for utility in utilities_sized(utilities):
        sized = size_by_simulation(
            utility,
            extensions,
            layers=ws.layers,
            intents=intents,
            demands=demands,
            profile=profile,
        )
        if sized is not None:
            sizing[utility] = sized
    # (5) the planned mains in the network, and every intent assessed again (the commitment
    # route preferred to a shorter joint one, as for sites: planning.connection)
    planned = _with_planned(ws, extensions)
    pws = Workspace.from_layers(
        {**planned, "sites": _as_sites(intents)}, crs=ws.crs, profile=iprofile
    )
    after = {
        a.project_id: a
        for a in assess_sites(
            pws, profile=profile, demands=demands, as_of=as_of, include_planned=True
        )
    }
    # (6) joint construction and timing; extensions that cross a major line, start too late
    # or do not fit together are conflicts
    joint = _joint(extensions, ctx, profile)
    conflicts = _conflicts(extensions, joint, ctx, as_of)
    return PrelayPlan(extensions, before, after, unreachable, joint, conflicts, ws.crs, sizing)


def utilities_sized(utilities: Iterable[str]) -> list[str]:
    """Return the utilities planned whose mains are sized by simulation (water, gas)."""
    return [u for u in SIZED if u in set(utilities)]


def _terminals(
    before: Mapping[str, Assessment], utility: str, frontage: Mapping[str, Any]
) -> list[str]:
    """Return the intents that need ``utility`` extended: not covered, or only by joint approval."""
    return [
        pid
        for pid, a in before.items()
        if utility in a.utilities
        and (not a.utilities[utility].covered or a.utilities[utility].approval_path != "commitment")
        and pid in frontage
    ]


def _conflicts(
    extensions: list[Extension], joint: list[JointStretch], ctx: RouteContext, as_of: dt.date
) -> list[str]:
    """Return what stands in the plan's way, in Chinese.

    An extension that itself crosses a major line is joint-approval works for the utility
    (flagged, with the line crossed: ``attrs["crosses"]``); one whose latest start is already
    past cannot serve its first intent in time; a joint stretch may be too narrow.
    """
    conflicts: list[str] = []
    for e in extensions:
        crossed = ctx.major.crossed_by(e.geometry)
        if crossed:
            e.attrs["crosses"] = [f"{c.kind_zh}「{c.name}」" for c in crossed]
            conflicts.append(
                f"{e.asset_id}（{e.road_name}）延伸工程需穿(跨)越 {'、'.join(e.attrs['crosses'])}："
                "延伸工程本身实行联合审批（实施方案 四(二)2）"
            )
    for e in extensions:
        if e.latest_start < as_of:
            conflicts.append(
                f"{e.asset_id}（{e.road_name}）最晚开工 {e.latest_start.isoformat()} 已早于 "
                f"{as_of.isoformat()}：赶不上 {e.earliest_need.isoformat()} 开工的 {'、'.join(e.serves)}"
            )
    for j in joint:
        if not j.fits:
            conflicts.append(
                f"{j.road_name} 同槽敷设 {'、'.join(j.utilities)} 宽度不足：{j.message}"
            )
    return conflicts


def _largest(utility: str, ds: list[Demand]) -> Demand:
    return Demand(
        utilities=(utility,),
        water_peak_m3_h=max(d.water_peak_m3_h for d in ds),
        gas_peak_m3_h=max(d.gas_peak_m3_h for d in ds),
        steam_pressure_mpa=max(d.steam_pressure_mpa for d in ds),
        steam_temperature_c=max(d.steam_temperature_c for d in ds),
        steam_t_h=max(d.steam_t_h for d in ds),
        power_kva=max(d.power_kva for d in ds),
    )


def _penalised(ctx: RouteContext, profile: Profile) -> Any:
    """Search weights: the corridor lengths plus penalties on protected roads and crossings."""
    penalty = profile.prelay.penalty_m
    index = ctx.index
    m = index.matrix.copy()
    major_roads = set(profile.major_lines.major_road_classes)
    blocks = ctx.segments
    crossed = np.zeros(len(blocks), dtype=bool)
    if len(ctx.major.lines):
        hit = ctx.major.tree.query(
            np.asarray(blocks.geometry.values, dtype=object), predicate="intersects"
        )
        crossed[np.unique(hit[0])] = True
    extra: dict[tuple[int, int], float] = {}
    for u, v, e in ctx.G.edges(data=True):
        add = 0.0
        if e.get("road_id") in ctx.protected:
            add += penalty.dig_once
        if e["kind"] != "corner" and crossed[int(e["seg"])]:
            add += penalty.major_crossing
        if e["kind"] == "crossing" and e["road_class"] in major_roads:
            add += penalty.major_crossing
        if add:
            extra[(u, v)] = add
    for (u, v), add in extra.items():
        m.data[index.edge_positions([(u, v)])] += add
    return m


def _with_planned(ws: Workspace, extensions: list[Extension]) -> dict[str, gpd.GeoDataFrame]:
    """Return the workspace's layers with the extensions added as ``planned`` mains."""
    layers = dict(ws.layers)
    for utility in UTILITIES:
        ext = [e for e in extensions if e.utility == utility and e.kind == "sidewalk"]
        if not ext:
            continue
        rows = []
        for e in ext:
            row = {"asset_id": e.asset_id, "status": "planned"}
            row.update(
                {k: v for k, v in e.attrs.items() if k not in ("road_class", "load_kva", "crosses")}
            )
            rows.append(row)
        add = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[e.geometry for e in ext], crs=ws.crs)
        base = layers.get(utility)
        layers[utility] = (
            add
            if base is None
            else gpd.GeoDataFrame(pd.concat([base, add], ignore_index=True), crs=ws.crs)
        )
    return layers


def _joint(extensions: list[Extension], ctx: RouteContext, profile: Profile) -> list[JointStretch]:
    """Block sides where several utilities' extensions run: one construction, checked in section."""
    by_side: dict[tuple[int, str | None], list[Extension]] = defaultdict(list)
    for e in extensions:
        if e.kind == "sidewalk":
            by_side[(e.seg, e.side)].append(e)
    sidewalk = ctx.segments["sidewalk_m"].to_numpy(dtype=float)
    out = []
    for (seg, side), exts in sorted(by_side.items(), key=lambda x: (x[0][0], str(x[0][1]))):
        utilities = tuple(sorted({e.utility for e in exts}))
        if len(utilities) < 2:
            continue
        pipes = [
            pipe_for(
                e.utility,
                {k: v for k, v in e.attrs.items() if k != "load_kva"},
                profile=profile,
                asset_id=e.asset_id,
            )
            for e in exts
        ]
        check = check_section(pipes, available_m=float(sidewalk[seg]), profile=profile)
        out.append(
            JointStretch(
                seg=seg,
                side=side,
                road_name=exts[0].road_name,
                utilities=utilities,
                length_m=max(e.length_m for e in exts),
                fits=check.fits,
                message=check.message,
                latest_start=min(e.latest_start for e in exts),
            )
        )
    return out
