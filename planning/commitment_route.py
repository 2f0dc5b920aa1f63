"""Seek the commitment route (seed 三5, 四(一)2): a route that notify-and-commit allows, if any.

When the shortest route to a suitable main needs joint approval for what the route itself
digs or crosses (the threshold, a major crossing, a carriageway that may not be crossed
trenchless, a protected road, a surface the commitment does not list), the planner looks along
the corridor for the shortest route that meets every commitment condition, to the same or
another suitable main, and takes it when it exists. The shortest route is kept beside it with
why it was not chosen (:attr:`planning.assessment.Route.shortest`), so the survey team sees
both. The same holds for each telecom operator (its own ducts) and for a power backup supply
(another feeder than the main supply's).

The search runs from the site on the corridor without the edges no commitment route may use
(carriageway crossings of roads not crossed trenchless or that are major roads, roads under
dig-once protection), up to the threshold; a route that then crosses a major line or digs a
surface outside the list loses those edges and the search runs again (a few times at most).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planning.approval import Reason, decide

if TYPE_CHECKING:
    from planning.assessment import Route
    from planning.route_facts import RouteContext
    from planning.tap_search import TapSearch

__all__ = ["ROUTE_RULES", "seek_commitment_route"]

ROUTE_RULES = frozenset({"length", "carriageway", "crosses", "dig_once", "surface"})
"""Reason codes (by prefix) a different route can lift; a change of use is the site's own."""

_ATTEMPTS = 4


def _route_bound(reasons: list[Reason]) -> bool:
    """Return whether every joint reason is one a different route could lift."""
    return all(r.code.split("_")[0] in ROUTE_RULES for r in reasons)


def seek_commitment_route(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    utility: str,
    key: tuple[Any, ...],
    reasons: list[Reason],
    shortest_m: float,
    *,
    label: str = "外线",
) -> tuple[Route, list[Reason]] | None:
    """Return the shortest route notify-and-commit allows and its reasons, or ``None``.

    ``reasons`` are the joint reasons of the shortest route and ``shortest_m`` its length
    along the corridor; when one of them is not about the route (a change of planning use),
    or the shortest route is already as long as the threshold, no other route helps and
    nothing is searched. ``label`` names the line in the reasons returned (备供外线 …).
    """
    limit = ctx.profile.commitment.max_length_m
    if not _route_bound(reasons) or shortest_m >= limit:
        return None  # (every other route is longer along the corridor than the shortest)
    sources, assets = searcher.taps[key]
    if not len(sources):
        return None
    matrix = ctx.commitment_matrix()
    for attempt in range(_ATTEMPTS):
        if attempt == 0:  # the search shared by the sites of this requirement (batch)
            path = searcher.commitment_path(pid, key, matrix, limit=limit)
        else:
            path = searcher.from_site(pid, sources, matrix=matrix, limit=limit)
        if path is None:
            return None
        route = ctx.route(pid, path, utility, assets)
        verdict, why = decide(route.facts(), profile=ctx.profile, label=label)
        if verdict == "commitment":
            return route, why
        if route.red_line_m >= limit:
            return None  # the shortest route left is already too long
        blocked = ctx.edges_against_commitment(path)
        if not len(blocked):
            return None
        matrix = ctx.index.without_edge_ids(blocked, matrix=matrix)
    return None
