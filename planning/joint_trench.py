"""A site's joint trench on its assessed routes (seed 三6 一并接入、协同施工; rule R9) and its cost.

The glue between the assessment and :func:`planning.shared_trench.plan_joint_trench`: how a
utility may be rerouted to share more trench (:class:`_SiteTrench`: the route adding the least
new trench beside the others' lines, accepted only when it leaves that connection no harder:
issue 4), how a shared stretch is checked in cross-section (GB 50289, :func:`section_checker`),
how a rerouted utility is reported on its new route, and the cost of the site's external
lines, separately and in the joint trench (:func:`site_costs`).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from gis.simulation.result import ModelError
from planning.approval import Path, Reason, decide
from planning.assessment import Assessment, CapacityCheck, Route, UtilityResult
from planning.capacity import demand_for, fallback_note, judge
from planning.cost import Cost, joint_trench_cost, route_cost
from planning.cross_section import SectionCheck, check_section, pipe_for
from planning.route_facts import RouteContext
from planning.shared_trench import (
    Rerouting,
    SharedTrench,
    TrenchSegment,
    plan_joint_trench,
    route_edges,
)
from planning.suitability import Demand, water_min_diameter_mm
from planning.tap_search import TapSearch

__all__ = ["joint_trench", "section_checker", "site_costs"]

Edge = tuple[Any, Any]


def joint_trench(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    covered: Mapping[str, UtilityResult],
    demand: Demand,
) -> SharedTrench:
    """Plan the site's joint trench; reroutes must not make any connection harder (issue 4).

    Steps: (1) plan on the utilities' own routes, letting each move onto a route that shares
    more trench when :class:`_SiteTrench` accepts it, every shared stretch checked in
    cross-section; (2) report each rerouted utility on the route it will be laid along, with
    its approval path decided again.
    """
    site = _SiteTrench(ctx, searcher, pid, covered, demand)
    plan = plan_joint_trench(
        ctx.G,
        {u: r.nodes for u, r in site.original.items()},
        rerouting=Rerouting(
            reroute=site.reroute,
            acceptable=site.acceptable,
            tap_of=site.tap_of,
            max_extra_per_saved=ctx.profile.shared_trench.max_extra_m_per_saved_m,
        ),
        check_section=section_checker(ctx, covered, demand),
        surface_of=ctx.surface_of,
        lengths={u: r.length_m for u, r in site.original.items()},
    )
    for moved in plan.rerouted:
        result = covered[moved.utility]
        _, assets = searcher.taps[result.search_key]
        route = ctx.route(pid, plan.paths[moved.utility], moved.utility, assets)
        route.feeder_id = ctx.feeders.get(route.tap_asset) if moved.utility == "power" else None
        result.route = route
        result.approval_path, result.reasons = decide(
            route.facts(), profile=ctx.profile, change_of_use=demand.change_of_use
        )
        # the capacity check follows the line to its new tap (acceptable() made sure it holds)
        result.capacity = site.capacity_at(moved.utility, route) or result.capacity
    return plan


class _SiteTrench:
    """How one site's utilities may be rerouted to share trench (the callbacks of the plan)."""

    def __init__(
        self,
        ctx: RouteContext,
        searcher: TapSearch,
        pid: str,
        covered: Mapping[str, UtilityResult],
        demand: Demand,
    ) -> None:
        self.demand = demand
        self.ctx = ctx
        self.searcher = searcher
        self.pid = pid
        self.covered = covered
        self.limit = ctx.profile.commitment.max_length_m
        self.original = {u: r.route for u, r in covered.items() if r.route is not None}
        self.own_edges_of: dict[str, set[Edge]] = {}
        self.decided: dict[str, tuple[Path, list[Reason]]] = {}  # each original route's

    def reroute(self, utility: str, free: set[Edge]) -> list[Any] | None:
        """Return the route adding the least new trench next to the others' lines, if shorter.

        A rerouted line follows another utility's line from the site to some node ``x`` of
        the shared corridor, then runs on its own from ``x`` to a tap; the trench it adds is
        at least that last run, so the best ``x`` is the corridor node nearest to a suitable
        tap. ``batch`` reads that from the requirement's shared search, ``per_site`` searches
        from the corridor nodes; both then take the shortest way along the others' lines to
        ``x`` (routes are unique, so both give the same route).
        """
        ctx, searcher, index = self.ctx, self.searcher, self.ctx.index
        own = self.original[utility]
        if own.length_m <= 0 or not free:
            return None  # nothing to save, or nothing to share with
        key = self.covered[utility].search_key
        sources, _ = searcher.taps[key]
        if not len(sources):
            return None
        own_edges = self.own_edges_of.get(utility)
        if own_edges is None:
            own_edges = self.own_edges_of[utility] = set(route_edges(own.nodes))
        adj = ctx.G.adj
        adds_now = sum(adj[a][b]["length"] for a, b in own_edges - free)
        if adds_now <= 1e-9:
            return None  # every metre of it is shared already
        corridor = index.indices({n for e in free for n in e})
        corridor.sort()
        shared = searcher.shared.get(key)
        if shared is not None:
            d = shared.dist[corridor]
            k = int(np.argmin(d))
            if not float(d[k]) < adds_now - 1e-9:
                return None
            tail = index.path_indices(int(corridor[k]), shared)
        else:
            # only a run that adds less than the line adds now can help: search no farther
            search = index.search(corridor, limit=min(searcher.limit, adds_now))
            d = search.dist[sources]
            k = int(np.argmin(d))
            if not float(d[k]) < adds_now - 1e-9:
                return None
            tail = list(reversed(index.path_indices(int(sources[k]), search)))
        prefix = _along(ctx, free, index.frontage.get(self.pid, ()), tail[0])
        return prefix + [index.nodes[i] for i in tail[1:]]

    def acceptable(self, utility: str, path: Any) -> bool:
        """Return whether a shared route leaves this utility's connection no harder."""
        covered, profile = self.covered, self.ctx.profile
        if utility == "power" and covered[utility].backup is not None:
            return False  # the main supply keeps its own feeder, apart from the backup's
        before = self.original[utility]
        _, assets = self.searcher.taps[covered[utility].search_key]
        after = self.ctx.route(self.pid, list(path), utility, assets)
        decided = self.decided.get(utility)
        if decided is None:
            decided = self.decided[utility] = decide(before.facts(), profile=profile)
        was, why_before = decided
        now, why_after = decide(after.facts(), profile=profile)
        if was == "commitment" and now != "commitment":
            return False
        if before.length_m < self.limit <= after.length_m:
            return False
        if {r.code for r in why_after} - {r.code for r in why_before}:
            return False  # e.g. a dig-once road the shortest route (or its detour) kept off
        if Counter((c.kind, c.name) for c in after.crossings) - Counter(
            (c.kind, c.name) for c in before.crossings
        ):
            return False  # a major line crossed that was not crossed before, or more often
        if Counter(c.road_id for c in after.carriageways) - Counter(
            c.road_id for c in before.carriageways
        ):
            return False
        # a tap the network cannot serve (capacity by simulation) is no better for sharing
        return (
            self.covered[utility].capacity is None or self.capacity_at(utility, after) is not None
        )

    def capacity_at(self, utility: str, route: Route) -> CapacityCheck | None:
        """Return the capacity check of ``route``'s tap, or ``None`` when the model refuses it.

        Without a model (or a demand) the utility's own check stands; a tap the model does not
        reach is judged on its attributes, as :mod:`planning.connection` does.
        """
        ctx, result = self.ctx, self.covered[utility]
        planned = bool(result.search_key[-1]) if result.search_key else False
        model, _ = ctx.capacity_model(utility, include_planned=planned)
        quantity = demand_for(utility, self.demand, ctx.profile)
        if model is None or quantity <= 0:
            return result.capacity
        point = (route.tap_point.x, route.tap_point.y)
        try:
            run = model.check(route.tap_asset, point, quantity)
        except ModelError as exc:
            note = fallback_note(utility, str(exc), built=True)
            return CapacityCheck("attributes", model.engine, note)
        if judge(run, ctx.profile):
            return None
        return CapacityCheck("simulation", model.engine, run=run)

    def tap_of(self, utility: str, path: Any) -> str:
        """Return the tap a path of ``utility`` ends at (for the report)."""
        _, assets = self.searcher.taps[self.covered[utility].search_key]
        node = self.ctx.G.nodes[path[-1]]
        return next((a for u, a in node["taps"] if u == utility and a in assets), "")


def section_checker(
    ctx: RouteContext, covered: Mapping[str, UtilityResult], demand: Demand
) -> Callable[[TrenchSegment], tuple[tuple[tuple[str, ...], ...], SectionCheck]]:
    """Return the cross-section check (GB 50289) of a shared stretch for this site.

    Each pipe is sized from the main it taps (pressure class, voltage, medium, diameter),
    the water service line from the demand's peak flow; the available width is the
    block's sidewalk width (profile default by road class).
    """
    sidewalk = ctx.sidewalk_m
    profile = ctx.profile

    def check(seg: TrenchSegment) -> tuple[tuple[tuple[str, ...], ...], SectionCheck]:
        taps = tuple(_tap(covered[u]) for u in seg.utilities)
        available = float(sidewalk[seg.seg])
        # the same pipes in the same width check the same (sites of a batch share mains)
        key = (seg.utilities, taps, available, demand.water_peak_m3_h)
        cached = ctx.section_cache.get(key)
        if cached is None:
            cached = ctx.section_cache[key] = _checked(seg.utilities, taps, available)
        return cached

    def _checked(
        utilities: tuple[str, ...], taps: tuple[str, ...], available: float
    ) -> tuple[tuple[tuple[str, ...], ...], SectionCheck]:
        pipes = []
        for u, tap in zip(utilities, taps):
            attrs = ctx.main_attrs(u, tap)
            if u == "water":
                attrs["diameter_mm"] = water_min_diameter_mm(demand.water_peak_m3_h, profile)
            pipes.append(pipe_for(u, attrs, profile=profile))
        result = check_section(pipes, available_m=available, profile=profile)
        if result.fits:
            return (utilities,), result
        groups = tuple(tuple(label.split(":", 1)[0] for label in g) for g in result.split) or tuple(
            (u,) for u in utilities
        )
        return groups, result

    return check


def _tap(result: UtilityResult) -> str:
    assert result.route is not None
    return result.route.tap_asset


def _along(
    ctx: RouteContext, free: set[tuple[Any, Any]], front: Iterable[int], target: int
) -> list[Any]:
    """Return the shortest way from a site's frontage to node ``target`` along ``free`` edges.

    The free edges are the other utilities' lines, which all start at the site's frontage;
    ties go to the first frontage, then to the lowest node indices (deterministic).
    """
    index = ctx.index
    adj: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b in free:
        i, j = index.index[a], index.index[b]
        w = float(ctx.G.edges[a, b]["length"])
        adj[i].append((j, w))
        adj[j].append((i, w))
    heap = [(0.0, rank, int(f), -1) for rank, f in enumerate(front)]
    heapq.heapify(heap)
    back: dict[int, int] = {}
    while heap:
        d, rank, node, parent = heapq.heappop(heap)
        if node in back:
            continue
        back[node] = parent
        if node == target:
            break
        for nxt, w in adj.get(node, ()):
            if nxt not in back:
                heapq.heappush(heap, (d + w, rank, nxt, node))
    if target not in back:
        msg = f"node {index.nodes[target]!r} is not joined to the site's frontage by shared lines"
        raise ValueError(msg)
    out = [target]
    while back[out[-1]] >= 0:
        out.append(back[out[-1]])
    return [index.nodes[i] for i in reversed(out)]


def site_costs(ctx: RouteContext, a: Assessment, covered: Mapping[str, UtilityResult]) -> None:
    """Estimate the cost of the site's external lines, separately and in the joint trench."""
    profile = ctx.profile
    separate = Cost()
    for u, r in covered.items():
        assert r.route is not None
        separate = separate + route_cost(
            u, r.route.surfaces, [c.kind for c in r.route.crossings], profile=profile
        )
    a.cost_separate = separate
    plan = a.shared_trench
    if plan is None:
        a.cost_joint = separate
        return
    stretches: list[tuple[str, float, int]] = []
    for s in plan.segments:
        stretches += [(s.surface or "sidewalk", s.length_m, len(g)) for g in s.trenches]
    pipes: dict[str, float] = {}
    kinds: list[str] = []
    for u, r in covered.items():
        assert r.route is not None
        route = r.route
        if u in plan.paths and plan.paths[u] != route.nodes:
            _, assets = ctx.source_cache[r.search_key]
            route = ctx.route(a.project_id, plan.paths[u], u, assets)
        lead = route.surfaces.get("lead_in", 0.0)
        green_lead = route.lead_in_m - lead
        stretches += [("lead_in", lead, 1)] + ([("green", green_lead, 1)] if green_lead > 0 else [])
        pipes[u] = route.length_m + route.lead_in_m
        kinds += [c.kind for c in route.crossings]
    a.cost_joint = joint_trench_cost(stretches, pipes, kinds, profile=profile)
