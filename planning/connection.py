"""One utility's connection for one site: nearest suitable main, route, decision (seed 三1, 四(二)).

:func:`assess_utility` reads as its steps: (1) what a suitable main must be for the site's
demand (:mod:`planning.suitability`); (2) the nearest suitable tap along the roads
(:mod:`planning.tap_search`; none within reach: not covered, R1); (3) the route's facts,
kept off roads under dig-once protection where the detour allows (R10); (4) the approval path
of the route (R3–R5); (5) when the route needs joint approval for what it digs or crosses, the
shortest route notify-and-commit allows, to the same or another suitable main, when there is
one (:mod:`planning.commitment_route`; the shortest is kept beside it); (6) power: the feeder
tapped and, for a backup supply, a second route to another feeder; telecom: every operator's nearest duct, of which the site needs
``operators_needed`` (可自由选择运营商).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gis.schema import OPERATOR_NAMES_ZH
from planning.applicability import no_network, not_covered
from planning.approval import Reason, decide
from planning.assessment import Route, UtilityResult
from planning.commitment_route import seek_commitment_route
from planning.dig_once import keep_off_protected_roads
from planning.route_facts import RouteContext
from planning.suitability import Demand, suitable_mains
from planning.tap_search import TapSearch

__all__ = ["assess_utility"]

Mask = Callable[..., Callable[[], np.ndarray]]
"""``(capacity=None, operator=None, not_feeder=None) →`` the suitable mains, worked out lazily."""


def assess_utility(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    utility: str,
    demand: Demand,
    include_planned: bool,
) -> UtilityResult:
    """Assess one utility of site ``pid``: coverage, route and approval path (module docstring)."""
    profile = ctx.profile
    # (1) what a suitable main must be
    req = searcher.requirement(utility, demand)
    mains = ctx.ws.layers.get(utility)

    def mask(
        capacity: float | None = None, operator: str | None = None, not_feeder: str | None = None
    ) -> Callable[[], np.ndarray]:
        def inner() -> np.ndarray:
            assert mains is not None
            m = suitable_mains(
                utility,
                mains,
                demand,
                profile,
                include_planned=include_planned,
                capacity_kva=capacity,
            )
            if operator is not None:
                m &= (mains["operator"] == operator).to_numpy()
            if not_feeder is not None and "feeder_id" in mains:
                m &= (mains["feeder_id"].astype(str) != not_feeder).to_numpy()
            return m

        return inner

    result = UtilityResult(utility, covered=False, requirement=req.text)
    if mains is None or not len(mains):
        result.reasons.append(no_network(utility))
        return result
    if utility == "telecom":
        return _telecom(ctx, searcher, pid, demand, result, mask, include_planned)
    # (2) the nearest suitable tap
    key = (*req.key, include_planned)
    path, assets = searcher.nearest(pid, utility, key, mask())
    if path is None:
        result.reasons.append(not_covered(utility, req.text, profile))
        return result
    # (3) the route, off protected roads where the detour allows
    result.search_key = key
    result.route = keep_off_protected_roads(
        ctx, searcher, pid, utility, key, ctx.route(pid, path, utility, assets), assets
    )
    result.covered = True
    # (4) its approval path
    result.approval_path, result.reasons = decide(
        result.route.facts(), profile=profile, change_of_use=demand.change_of_use
    )
    # (5) joint for what the route digs or crosses: the shortest commitment route, if any
    if result.approval_path == "joint":
        _prefer_commitment(ctx, searcher, pid, utility, key, result)
    # (6) power: the feeder, and a backup supply from another one
    if utility == "power":
        _power_supply(ctx, searcher, pid, demand, result, mask, req.key, include_planned)
    return result


def _prefer_commitment(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    utility: str,
    key: tuple[Any, ...],
    result: UtilityResult,
) -> None:
    """Take the shortest route notify-and-commit allows; keep the shortest one beside it."""
    assert result.route is not None
    found = seek_commitment_route(
        ctx, searcher, pid, utility, key, result.reasons, result.route.length_m
    )
    if found is None:
        return
    result.shortest, result.shortest_reasons = result.route, result.reasons
    result.route, result.reasons = found
    result.approval_path = "commitment"


def _power_supply(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    demand: Demand,
    result: UtilityResult,
    mask: Mask,
    req_key: tuple[Any, ...],
    include_planned: bool,
) -> None:
    """Record the feeder tapped; a backup supply needs a second route to another feeder."""
    assert result.route is not None
    profile = ctx.profile
    feeder = ctx.feeders.get(result.route.tap_asset, "")
    result.route.feeder_id = feeder
    if demand.backup_kva <= 0:
        return
    if not feeder or feeder == "nan":
        # without feeder ids a second, independent supply cannot be shown
        result.covered = False
        result.approval_path = None
        result.reasons = [
            Reason(
                "R1",
                "no_feeder_id",
                f"备供容量 {demand.backup_kva:g} kVA 需第二电源，但供电线路 {result.route.tap_asset} "
                "无馈线编号（feeder_id），无法确认不同馈线：请补充线路数据",
            )
        ]
        return
    key = ("power-backup", *req_key, demand.backup_kva, feeder, include_planned)
    bpath, bassets = searcher.nearest(pid, "power", key, mask(demand.backup_kva, not_feeder=feeder))
    if bpath is None:
        result.covered = False
        result.approval_path = None
        result.reasons = [
            Reason(
                "R1",
                "no_backup",
                f"备供容量 {demand.backup_kva:g} kVA：{profile.coverage.max_connection_m:g} m 内"
                f"无馈线 {feeder} 以外的满足条件线路，需提前布局第二电源",
            )
        ]
        return
    backup = ctx.route(pid, bpath, "power", bassets)
    result.backup = keep_off_protected_roads(ctx, searcher, pid, "power", key, backup, bassets)
    result.backup.feeder_id = ctx.feeders.get(result.backup.tap_asset, "")
    bpath_decision, breasons = decide(
        result.backup.facts(),
        profile=profile,
        change_of_use=demand.change_of_use,
        label="备供外线",
    )
    if bpath_decision == "joint":
        result.approval_path = "joint"
        result.reasons = [r for r in result.reasons if r.rule != "R3"] + breasons


def _telecom(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    demand: Demand,
    result: UtilityResult,
    mask: Mask,
    include_planned: bool,
) -> UtilityResult:
    # each operator's nearest duct; full route facts only for those the decision reads (the
    # nearest ``operators_needed``) and those that must first keep off a protected road
    found: list[tuple[float, str, list[Any], set[str], Route | None]] = []
    for operator in ctx.operators:
        tkey = ("telecom", operator, include_planned)
        path, assets = searcher.nearest(pid, "telecom", tkey, mask(operator=operator))
        if path is None:
            continue
        length, protected = ctx.path_summary(path)
        route: Route | None = None
        if protected:
            route = keep_off_protected_roads(
                ctx, searcher, pid, "telecom", tkey, ctx.route(pid, path, "telecom", assets), assets
            )
            length = route.length_m
        found.append((length, operator, path, assets, route))
        result.operators[operator] = length
    found.sort(key=lambda f: f[0])
    need = demand.operators_needed
    routes: list[Route] = []
    keys: dict[str, tuple[Any, ...]] = {}
    for _, operator, path, assets, route in found[: max(need, 1)]:
        route = route or ctx.route(pid, path, "telecom", assets)
        route.operator = operator
        routes.append(route)
        keys[operator] = ("telecom", operator, include_planned)
    need = demand.operators_needed
    if len(found) < need:
        result.reasons.append(
            Reason(
                "R1",
                "operators",
                f"可自由选择运营商需 {need} 家可接入，{ctx.profile.coverage.max_connection_m:g} m 内"
                f"仅 {len(found)} 家（{'、'.join(result.operators) or '无'}）：需提前布局通信管道",
            )
        )
        result.route = routes[0] if routes else None
        return result
    result.covered = True
    result.route = routes[0]
    result.search_key = keys[routes[0].operator or ""]
    decisions = [
        decide(
            r.facts(),
            profile=ctx.profile,
            change_of_use=demand.change_of_use,
            label=f"{OPERATOR_NAMES_ZH.get(r.operator or '', r.operator)}外线",
        )
        for r in routes[:need]
    ]
    joint = [d for d in decisions if d[0] == "joint"]
    result.approval_path = "joint" if joint else "commitment"
    result.reasons = [x for d in (joint or decisions[:1]) for x in d[1]]
    return result
