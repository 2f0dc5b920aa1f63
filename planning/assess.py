"""Site assessment: coverage, routed external line, crossings and approval path per utility.

For each requested utility of one site or thousands: is the site covered, how long is its
external line along the roads, what does it cross, and so which approval path (R1–R5, R10).
This module is the orchestration only; each rule has its own module:

- :mod:`planning.applicability`: who may use the linked connection (seed 二), coverage (三1);
- :mod:`planning.tap_search`: the nearest suitable tap, searched in batch or per site;
- :mod:`planning.route_facts`: what a route digs and crosses (四(二));
- :mod:`planning.dig_once`: roads that may not be dug, and detours (R10);
- :mod:`planning.connection`: one utility's connection and its approval path;
- :mod:`planning.joint_trench`: the site's joint trench (三6) and its cost;
- :mod:`planning.assessment`: what an assessment reports.

:func:`assess_sites` is the one orchestrating function; it reads as its steps:
(1) applicability of each site (R1); (2) the corridor graph's routing index and route facts;
(3) for each utility and each distinct requirement, one multi-source search from every suitable
tap (or one search per site); (4) each site's route per utility, its surfaces, crossings and
dig-once conflicts, and the decision; (5) the decision overall; (6) the joint trench and the
costs. Deadlines are added by the caller from :mod:`planning.calendar`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import geopandas as gpd

from gis.errors import NotFoundError
from gis.profile import Profile
from gis.schema import UTILITIES
from gis.workspace import Workspace
from planning.applicability import applicability
from planning.approval import Reason
from planning.assessment import Assessment, Route, UtilityResult
from planning.connection import assess_utility
from planning.dig_once import protected_roads
from planning.joint_trench import joint_trench, site_costs
from planning.route_facts import RouteContext
from planning.suitability import Demand
from planning.tap_search import AUTO_BATCH_MIN_SITES, Strategy, TapSearch, resolve_strategy

__all__ = [
    "AUTO_BATCH_MIN_SITES",
    "Assessment",
    "Route",
    "Strategy",
    "UtilityResult",
    "applicability",
    "assess_sites",
    "default_demand",
    "protected_roads",
]

# the names the context and the searcher had here before the split (benchmarks read them)
_Context = RouteContext
_Searcher = TapSearch


def default_demand(profile: Profile, *, utilities: Iterable[str] = UTILITIES) -> Demand:
    """Return the profile's default demand (a small industrial enterprise)."""
    d = profile.demand.default
    return Demand(
        utilities=tuple(utilities),
        water_peak_m3_h=d.water_peak_m3_h,
        gas_peak_m3_h=d.gas_peak_m3_h,
        steam_pressure_mpa=d.steam_pressure_mpa,
        steam_temperature_c=d.steam_temperature_c,
        steam_t_h=d.steam_t_h,
        power_kva=d.power_kva,
        backup_kva=d.backup_kva,
        operators_needed=d.operators_needed,
    )


def assess_sites(
    ws: Workspace,
    *,
    profile: Profile,
    site_ids: Iterable[str] | None = None,
    demands: Mapping[str, Demand] | None = None,
    as_of: dt.date | None = None,
    include_planned: bool = False,
    strategy: Strategy = "auto",
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> list[Assessment]:
    """Assess sites of a workspace: coverage, routes, crossings and approval path per utility.

    Parameters
    ----------
    ws
        The workspace (its corridor graph is built once and reused).
    profile
        Policy profile, e.g. ``load_profile("jingmen-2023")``.
    site_ids
        The sites to assess (default: all).
    demands
        Project id → demand; sites without one get the profile's default demand for all five
        utilities (a small industrial enterprise).
    as_of
        The assessment date, for dig-once protection (default: today).
    include_planned
        Treat ``planned`` mains as taps (after a pre-lay plan).
    strategy
        ``batch`` (one search per utility and requirement, from its taps), ``per_site`` (one
        search per site and utility: the baseline the benchmark compares against) or ``auto``
        (``batch`` from :data:`AUTO_BATCH_MIN_SITES` sites on). Routes are unique, so the
        strategy changes the time taken, never the result.
    progress
        Wraps the site loop, e.g. ``tqdm``.
    """
    as_of = as_of or dt.date.today()
    chosen, wanted = _chosen_sites(ws, site_ids)
    # (1) applicability (R1)
    not_applicable = applicability(chosen, ws.layers.get("scope", chosen.iloc[:0]), profile)
    # (2) routing index and route facts on the corridor graph (built once per workspace)
    ctx = _context(ws, profile, as_of)
    # (3) the searches: from the taps (shared by the sites) or from each site
    searcher = TapSearch(ctx, resolve_strategy(strategy, len(wanted)))
    ctx.prepare_lead_ins(wanted)
    names = dict(zip(chosen["project_id"].astype(str), chosen["name"].astype(str)))
    base = default_demand(profile)
    results = []
    loop: Iterable[str] = progress(wanted) if progress else wanted
    with _no_cyclic_gc(len(wanted) > 1):
        for pid in loop:
            demand = (demands or {}).get(pid, base)
            # (4) per utility: the nearest tap, the route's facts, the decision
            utilities = {
                u: assess_utility(ctx, searcher, pid, u, demand, include_planned)
                for u in demand.utilities
            }
            # (5) the site's decision overall
            assessment = _overall(pid, names[pid], not_applicable[pid], utilities, as_of)
            assessment.demand_source = "form" if pid in (demands or {}) else "profile_default"
            # (6) the joint trench of its connections, and the costs
            covered = {u: r for u, r in utilities.items() if r.covered and r.route is not None}
            if len(covered) > 1:
                assessment.shared_trench = joint_trench(ctx, searcher, pid, covered, demand)
            site_costs(ctx, assessment, covered)
            results.append(assessment)
    return results


def _chosen_sites(
    ws: Workspace, site_ids: Iterable[str] | None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the sites to assess and their ids, in the order asked (default: all)."""
    sites = ws.layer("sites")
    ids = [str(i) for i in sites["project_id"]]
    wanted = list(ids) if site_ids is None else [str(s) for s in site_ids]
    known = set(ids)
    unknown = [s for s in wanted if s not in known]
    if unknown:
        msg = f"no site with project_id {', '.join(map(repr, unknown))} in layer 'sites'"
        raise NotFoundError(msg)
    return sites[sites["project_id"].astype(str).isin(wanted)], wanted


def _context(ws: Workspace, profile: Profile, as_of: dt.date) -> RouteContext:
    """Return the workspace's route facts for this profile and date (prepared once, then kept)."""
    key = ("assess-context", profile.name, profile.chain, as_of)
    ctx = ws.cache.get(key)
    # the same name can carry other values (Profile.with_value): the context must be this one's
    if not isinstance(ctx, RouteContext) or ctx.profile is not profile:
        ctx = RouteContext(ws, profile, as_of)
        ws.cache[key] = ctx
    return ctx


@contextmanager
def _no_cyclic_gc(active: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many sites are assessed.

    Each site adds a few hundred small objects that form no reference cycles (they are freed
    by reference counting as usual); with the collector running, the growing list of results
    is scanned again and again, about a sixth of a 10,000-site batch. The collector is
    restored, as it was, when the loop ends or fails.
    """
    was = gc.isenabled()
    if active and was:
        gc.disable()
    try:
        yield
    finally:
        if active and was:
            if not gc.get_freeze_count():
                # hand what the loop made to the oldest generation unscanned (freeze, then
                # unfreeze into it), rather than have the next allocation scan it all as
                # young objects; unless someone froze objects on purpose
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _overall(
    pid: str,
    name: str,
    not_applicable: list[Reason],
    utilities: dict[str, UtilityResult],
    as_of: dt.date,
) -> Assessment:
    prelay = [u for u, r in utilities.items() if not r.covered]
    if not_applicable:
        return Assessment(
            pid, name, False, "not_applicable", not_applicable, utilities, prelay, as_of
        )
    paths = [r.approval_path for r in utilities.values() if r.covered]
    reasons = [
        x for r in utilities.values() if r.covered for x in r.reasons if r.approval_path == "joint"
    ]
    if "joint" in paths:
        path: str | None = "joint"
    elif paths:
        path = "commitment"
        reasons = [x for r in utilities.values() if r.covered for x in r.reasons]
    else:
        path = None
    reasons += [x for u in prelay for x in utilities[u].reasons]
    return Assessment(pid, name, True, path, reasons, utilities, prelay, as_of)
