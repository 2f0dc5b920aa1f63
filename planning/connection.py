"""One utility's connection for one site: nearest suitable main, route, decision (seed 三1, 四(二)).

:func:`assess_utility` reads as its steps: (1) what a suitable main must be for the site's
demand (:mod:`planning.suitability`); (2) the nearest suitable tap along the roads
(:mod:`planning.tap_search`; none within reach: not covered, R1); (3) the route's facts,
kept off roads under dig-once protection where the detour allows (R10); (4) the approval path
of the route (R3–R5); (5) when the route needs joint approval for what it digs or crosses, the
shortest route notify-and-commit allows, to the same or another suitable main, when there is
one (:mod:`planning.commitment_route`; the shortest is kept beside it, :attr:`Route.shortest`);
(6) power: the feeder tapped and, for a backup supply, a second route to another feeder (its
commitment route preferred likewise); telecom: every operator's nearest duct (or, joint for the
route, the operator's commitment route), of which the site needs ``operators_needed``
(可自由选择运营商), those notify-and-commit allows first; (7) water, gas, heat and power: the
capacity check of the tap where the utility has a model (:mod:`planning.capacity`): a tap the
network cannot serve with the site's demand is excluded and steps (2)–(6) are done again to
the next nearest suitable tap, up to ``capacity.max_taps_tried`` taps; without a model the
attribute check of step (1) stands, and the result says which check was used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gis import vocabulary
from gis.schema import OPERATOR_NAMES_ZH
from gis.simulation.result import ModelError
from planning.applicability import no_network, not_covered
from planning.approval import Reason, decide
from planning.assessment import CapacityCheck, FailedTap, Route, UtilityResult
from planning.capacity import demand_for, fallback_note, judge
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
    excluded: list[str] = []  # taps refused by the capacity check, nearest first

    def mask(
        capacity: float | None = None, operator: str | None = None, not_feeder: str | None = None
    ) -> Callable[[], np.ndarray]:
        gone = tuple(excluded)

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
            if gone:
                m &= ~mains["asset_id"].astype(str).isin(gone).to_numpy()
            return m

        return inner

    result = UtilityResult(utility, covered=False, requirement=req.text)
    if mains is None or not len(mains):
        result.reasons.append(no_network(utility))
        return result
    if utility == "telecom":
        return _telecom(ctx, searcher, pid, demand, result, mask, include_planned)

    def connect() -> UtilityResult:
        # the suitable taps without those refused so far (a key of their own)
        req_key = (*req.key, *(("excluding", *excluded) if excluded else ()))
        fresh = UtilityResult(utility, covered=False, requirement=req.text)
        return _connect(ctx, searcher, pid, fresh, demand, req_key, mask, include_planned)

    # (2)–(6) the nearest suitable tap; (7) its capacity: a tap that fails gives the next one
    return _capacity_checked(ctx, utility, demand, excluded, connect, include_planned)


def _connect(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    result: UtilityResult,
    demand: Demand,
    req_key: tuple[Any, ...],
    mask: Mask,
    include_planned: bool,
) -> UtilityResult:
    """Route the site to its nearest tap among ``mask``'s mains (steps 2–6 of the module).

    ``result`` is the utility's fresh result, filled in and returned.
    """
    profile = ctx.profile
    utility = result.utility
    # (2) the nearest suitable tap
    key = (*req_key, include_planned)
    path, assets = searcher.nearest(pid, utility, key, mask())
    if path is None:
        result.reasons.append(not_covered(utility, result.requirement, profile))
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
        _power_supply(ctx, searcher, pid, demand, result, mask, req_key, include_planned)
    return result


def _capacity_checked(
    ctx: RouteContext,
    utility: str,
    demand: Demand,
    excluded: list[str],
    connect: Callable[[], UtilityResult],
    include_planned: bool,
) -> UtilityResult:
    """Connect to the nearest tap the network can serve (:mod:`planning.capacity`).

    Steps: (1) the utility's model (none: the attribute check, and why); (2) connect to the
    nearest suitable tap and run the model with the site's demand there; (3) a tap that fails
    is excluded (``excluded``) and the next nearest tried, up to ``capacity.max_taps_tried``;
    (4) none passes: not covered, with every refused tap's reasons.
    """
    profile = ctx.profile
    # (1) the model
    model, note = ctx.capacity_model(utility, include_planned=include_planned)
    quantity = demand_for(utility, demand, profile)
    if model is None or quantity <= 0:
        result = connect()
        if result.covered:
            why = note or f"无{vocabulary.UTILITIES.label(utility)}需求量，按管线属性判断"
            result.capacity = CapacityCheck("attributes", note=why)
        return result
    check = CapacityCheck("simulation", engine=model.engine)
    for _ in range(max(profile.capacity.max_taps_tried, 1)):
        # (2) the nearest suitable tap, and the run with the demand there
        result = connect()
        if not result.covered or result.route is None:
            if not check.failed:  # no suitable tap at all: the coverage reason says it
                return result
            break
        route = result.route
        try:
            run = model.check(route.tap_asset, (route.tap_point.x, route.tap_point.y), quantity)
        except ModelError as exc:  # the main is not in the model: its attributes decide
            note = fallback_note(utility, str(exc), built=True)
            result.capacity = CapacityCheck("attributes", model.engine, note, None, check.failed)
            return result
        reasons = judge(run, profile)
        if not reasons:
            check.run = run
            result.capacity = check
            return result
        # (3) refused: the next nearest suitable tap
        check.failed.append(FailedTap(run, reasons))
        excluded.append(route.tap_asset)
    # (4) no tap passes
    return _no_capacity(utility, result, check)


def _no_capacity(utility: str, result: UtilityResult, check: CapacityCheck) -> UtilityResult:
    """Return the result of a site no tap within reach can serve (its refused taps' reasons).

    At least one tap was checked and refused (a site without any suitable tap keeps the
    coverage reason instead).
    """
    tried = len(check.failed)
    name = vocabulary.UTILITIES.label(utility)
    reasons = [r for f in check.failed for r in f.reasons]
    reasons.append(
        Reason(
            "R1",
            "capacity_exhausted",
            f"依次校核的 {tried} 处{name}接入点均不能承担新增负荷"
            f"{'（范围内再无满足条件的管线）' if not result.covered else ''}："
            "需提前布局或扩建管网",
        )
    )
    out = UtilityResult(utility, covered=False, requirement=result.requirement, reasons=reasons)
    out.capacity = check
    return out


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
    found = _commitment_route(ctx, searcher, pid, utility, key, result.route, result.reasons)
    if found is not None:
        result.route, result.reasons = found
        result.approval_path = "commitment"


def _commitment_route(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    utility: str,
    key: tuple[Any, ...],
    route: Route,
    reasons: list[Reason],
    *,
    label: str = "外线",
) -> tuple[Route, list[Reason]] | None:
    """Return the commitment route to a main of ``key`` instead of the joint ``route``, if any.

    The route returned carries ``route`` and its ``reasons`` as :attr:`Route.shortest` and
    :attr:`Route.shortest_reasons`; ``label`` names the line in the reasons (备供外线 …).
    """
    found = seek_commitment_route(
        ctx, searcher, pid, utility, key, reasons, route.length_m, label=label
    )
    if found is None:
        return None
    taken, why = found
    taken.shortest, taken.shortest_reasons = route, reasons
    taken.operator = route.operator
    return taken, why


def _backup_holds(
    ctx: RouteContext, demand: Demand, result: UtilityResult, feeder: str, include_planned: bool
) -> bool:
    """Run the backup's load with the main feeder out (N-1); record it; ``False``: it fails.

    Without a power model the attribute check (the backup line's spare capacity) stands.
    """
    backup = result.backup
    assert backup is not None
    model, note = ctx.capacity_model("power", include_planned=include_planned)
    if model is None:
        result.backup_capacity = CapacityCheck("attributes", note=note)
        return True
    point = (backup.tap_point.x, backup.tap_point.y)
    try:
        run = model.check(backup.tap_asset, point, demand.backup_kva, outage=feeder)
    except ModelError as exc:
        note = fallback_note("power", str(exc), built=True)
        result.backup_capacity = CapacityCheck("attributes", model.engine, note)
        return True
    reasons = judge(run, ctx.profile)
    check = CapacityCheck("simulation", model.engine, run=None if reasons else run)
    if reasons:
        check.failed.append(FailedTap(run, reasons))
    result.backup_capacity = check
    if not reasons:
        return True
    result.covered = False
    result.approval_path = None
    result.reasons = [
        *reasons,
        Reason(
            "R1",
            "backup_capacity",
            f"备供容量 {demand.backup_kva:g} kVA：馈线 {feeder} 停运时备供线路 {backup.tap_asset} "
            "不能承担该负荷，需提前布局第二电源",
        ),
    ]
    return False


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
    _set_feeders(ctx, result.route)
    feeder = result.route.feeder_id or ""
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
    backup = keep_off_protected_roads(ctx, searcher, pid, "power", key, backup, bassets)
    bpath_decision, breasons = decide(
        backup.facts(), profile=profile, change_of_use=demand.change_of_use, label="备供外线"
    )
    if bpath_decision == "joint":
        # joint for what it digs or crosses: the commitment route to another feeder, if any
        found = _commitment_route(
            ctx, searcher, pid, "power", key, backup, breasons, label="备供外线"
        )
        if found is not None:
            (backup, breasons), bpath_decision = found, "commitment"
    result.backup = backup
    _set_feeders(ctx, backup)
    # the backup must carry the load with the main feeder out (N-1)
    if not _backup_holds(ctx, demand, result, feeder, include_planned):
        return
    if bpath_decision == "joint":
        result.approval_path = "joint"
        result.reasons = [r for r in result.reasons if r.rule != "R3"] + breasons


def _set_feeders(ctx: RouteContext, *routes: Route) -> None:
    """Record the feeder each route taps, and that of the shortest route kept beside it."""
    for route in routes:
        for r in (route, route.shortest):
            if r is not None:
                r.feeder_id = ctx.feeders.get(r.tap_asset, "")


@dataclass
class _Duct:
    """An operator's nearest duct: the path to it, its length and, once worked out, the route."""

    length_m: float
    operator: str
    path: list[Any]
    assets: set[str]
    route: Route | None = None
    approval_path: str | None = None
    reasons: list[Reason] = field(default_factory=list)


def _telecom(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    demand: Demand,
    result: UtilityResult,
    mask: Mask,
    include_planned: bool,
) -> UtilityResult:
    """Route the site to each operator's nearest duct; take the ``operators_needed`` best.

    Steps: (1) each operator's nearest duct, kept off protected roads where the detour allows;
    (2) too few operators within reach: not covered (R1); (3) the operators taken
    (:func:`_choose_operators`: those notify-and-commit allows first, each by the shortest
    route it allows, then the nearest); (4) the approval path: joint when any route taken is.
    """
    # (1) each operator's nearest duct
    ducts = _nearest_ducts(ctx, searcher, pid, mask, include_planned)
    result.operators = {d.operator: d.length_m for d in ducts}
    ducts.sort(key=lambda d: d.length_m)
    need = demand.operators_needed
    # (2) too few operators within reach
    if len(ducts) < need:
        result.reasons.append(
            Reason(
                "R1",
                "operators",
                f"可自由选择运营商需 {need} 家可接入，{ctx.profile.coverage.max_connection_m:g} m 内"
                f"仅 {len(ducts)} 家（{'、'.join(result.operators) or '无'}）：需提前布局通信管道",
            )
        )
        result.route = _duct_route(ctx, pid, ducts[0]) if ducts else None
        return result
    # (3) the operators taken
    taken = _choose_operators(ctx, searcher, pid, demand, ducts, include_planned)
    result.covered = True
    result.route = taken[0].route
    result.search_key = ("telecom", taken[0].operator, include_planned)
    # (4) the approval path
    joint = [d for d in taken[:need] if d.approval_path == "joint"]
    result.approval_path = "joint" if joint else "commitment"
    result.reasons = [x for d in (joint or taken[:1]) for x in d.reasons]
    return result


def _nearest_ducts(
    ctx: RouteContext, searcher: TapSearch, pid: str, mask: Mask, include_planned: bool
) -> list[_Duct]:
    """Return each operator's nearest duct (in the order of ``ctx.operators``).

    Full route facts only for those that must first keep off a protected road; the others'
    are worked out when the choice of operators reads them.
    """
    ducts: list[_Duct] = []
    for operator in ctx.operators:
        tkey = ("telecom", operator, include_planned)
        path, assets = searcher.nearest(pid, "telecom", tkey, mask(operator=operator))
        if path is None:
            continue
        length, protected = ctx.path_summary(path)
        duct = _Duct(length, operator, path, assets)
        if protected:
            route = ctx.route(pid, path, "telecom", assets)
            duct.route = keep_off_protected_roads(
                ctx, searcher, pid, "telecom", tkey, route, assets
            )
            duct.length_m = duct.route.length_m
        ducts.append(duct)
    return ducts


def _duct_route(ctx: RouteContext, pid: str, duct: _Duct) -> Route:
    """Return the route to an operator's nearest duct (worked out once)."""
    if duct.route is None:
        duct.route = ctx.route(pid, duct.path, "telecom", duct.assets)
    duct.route.operator = duct.operator
    return duct.route


def _choose_operators(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    demand: Demand,
    ducts: list[_Duct],
    include_planned: bool,
) -> list[_Duct]:
    """Return the operators taken (at least one), with their routes and approval paths decided.

    An operator whose nearest duct needs joint approval for what the route digs or crosses
    gets the shortest commitment route to its own ducts instead, when there is one (the
    nearest kept beside it). Operators whose route notify-and-commit allows come first, the
    shorter route first; then those needing joint approval, the nearest first. Operators are
    decided nearest first and only until no farther one can change the choice (a route is
    never shorter than the operator's nearest duct).
    """
    count = max(demand.operators_needed, 1)
    decided: list[_Duct] = []
    for duct in ducts:
        best = sorted(_length(d) for d in decided if d.approval_path == "commitment")[:count]
        if len(best) == count and best[-1] <= duct.length_m:
            break  # every farther operator's route is at least as long
        _decide_duct(ctx, searcher, pid, demand, duct, include_planned)
        decided.append(duct)
    decided.sort(key=lambda d: (d.approval_path != "commitment", _length(d)))
    return decided[:count]


def _length(duct: _Duct) -> float:
    assert duct.route is not None
    return duct.route.length_m


def _decide_duct(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    demand: Demand,
    duct: _Duct,
    include_planned: bool,
) -> None:
    """Decide an operator's route; joint for the route: its commitment route, if any."""
    route = _duct_route(ctx, pid, duct)
    label = f"{OPERATOR_NAMES_ZH.get(duct.operator, duct.operator)}外线"
    duct.approval_path, duct.reasons = decide(
        route.facts(), profile=ctx.profile, change_of_use=demand.change_of_use, label=label
    )
    if duct.approval_path != "joint":
        return
    key = ("telecom", duct.operator, include_planned)
    found = _commitment_route(ctx, searcher, pid, "telecom", key, route, duct.reasons, label=label)
    if found is not None:
        (duct.route, duct.reasons), duct.approval_path = found, "commitment"
