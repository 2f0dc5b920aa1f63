"""Search strategies: each site's nearest suitable tap (seed 三1 coverage), in batch or per site.

A site is covered for a utility when a suitable main lies within the connection distance along
the road corridor (``coverage.max_connection_m``). :class:`TapSearch` finds the nearest
suitable tap of every site in one of two ways that give the same routes (shortest routes are
unique: the routing index breaks ties): ``batch``, one multi-source search per utility and
requirement from all its taps, shared by every site with that requirement; or ``per_site``,
one search from each site's frontage. ``auto`` picks ``batch`` from
:data:`AUTO_BATCH_MIN_SITES` sites on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from planning.route_facts import RouteContext
from planning.routing import Search
from planning.suitability import Demand, Requirement, requirement

__all__ = ["AUTO_BATCH_MIN_SITES", "Strategy", "TapSearch", "resolve_strategy"]

Strategy = Literal["auto", "batch", "per_site"]

AUTO_BATCH_MIN_SITES = 64
"""``auto`` searches from the taps (``batch``) from this many sites on, else from each site.

A search from the taps costs about as much as 60–80 searches from single sites on the city-size
district (``bench/bench_assess.py``: 45 ms against 0.6–1.3 ms); both give the same routes."""


def resolve_strategy(strategy: Strategy, sites: int) -> Literal["batch", "per_site"]:
    """Return the strategy to search with for this many sites (``auto`` resolved).

    Examples
    --------
    >>> resolve_strategy("auto", 1), resolve_strategy("auto", AUTO_BATCH_MIN_SITES)
    ('per_site', 'batch')
    """
    if strategy == "auto":
        return "batch" if sites >= AUTO_BATCH_MIN_SITES else "per_site"
    return strategy


class TapSearch:
    """Routes sites to their nearest suitable tap.

    ``batch``: one multi-source search per (utility, requirement), shared by every site with
    that requirement. ``per_site``: one search from each site's frontage (the baseline).
    """

    def __init__(self, ctx: RouteContext, strategy: Literal["batch", "per_site"]) -> None:
        self.ctx = ctx
        self.strategy = strategy
        # suitable taps per requirement are kept with the workspace context, for later calls
        self.taps: dict[tuple[Any, ...], tuple[np.ndarray, set[str]]] = ctx.source_cache
        self.shared: dict[tuple[Any, ...], Search] = {}
        self.limit = ctx.profile.coverage.max_connection_m
        self.searches = 0
        self.requirements: dict[tuple[str, int], tuple[Demand, Requirement]] = {}

    def requirement(self, utility: str, demand: Demand) -> Requirement:
        """Return what a suitable main must be (worked out once per utility and demand)."""
        key = (utility, id(demand))
        cached = self.requirements.get(key)
        if cached is None or cached[0] is not demand:
            cached = (demand, requirement(utility, demand, self.ctx.profile))
            self.requirements[key] = cached
        return cached[1]

    def nearest(
        self, pid: str, utility: str, key: tuple[Any, ...], mask: Callable[[], np.ndarray]
    ) -> tuple[list[Any] | None, set[str]]:
        """Return the node path from site ``pid`` to its nearest suitable tap, and the taps."""
        index = self.ctx.index
        if key not in self.taps:
            self.taps[key] = self.ctx.sources(utility, mask())
        sources, assets = self.taps[key]
        if not len(sources):
            return None, assets
        if self.strategy == "batch":
            if key not in self.shared:
                self.shared[key] = index.search(sources, limit=self.limit)
                self.searches += 1
            search = self.shared[key]
            start = index.best_frontage(pid, search)
            return (index.tree_path(start, search) if start is not None else None), assets
        return self._from_site(pid, sources, assets)

    def _from_site(
        self, pid: str, sources: np.ndarray, assets: set[str], matrix: Any = None
    ) -> tuple[list[Any] | None, set[str]]:
        return self.from_site(pid, sources, matrix=matrix), assets

    def from_site(
        self, pid: str, sources: np.ndarray, *, matrix: Any = None, limit: float | None = None
    ) -> list[Any] | None:
        """Return the node path (frontage first) from site ``pid`` to its nearest of ``sources``.

        One search from the site on ``matrix`` (default: the corridor), up to ``limit`` metres
        (default: the connection distance).
        """
        index = self.ctx.index
        outlet = index.outlet(pid)
        if outlet is None or not len(sources):
            return None
        reach = self.limit if limit is None else limit
        search = index.search(np.array([outlet]), limit=reach, matrix=matrix)
        self.searches += 1
        d = search.dist[sources]
        k = int(np.argmin(d))
        if not np.isfinite(d[k]):
            return None
        return list(reversed(index.path(int(sources[k]), search)))

    def avoiding_protected(self, pid: str, key: tuple[Any, ...]) -> list[Any] | None:
        """Return the shortest path that uses no road under dig-once protection, if any.

        ``batch``: one search per requirement from its taps on the graph without protected
        roads, shared by the sites that need a detour; ``per_site``: one search from the site.
        Shortest routes are unique (the routing index breaks ties), so both give the same path.
        """
        sources, assets = self.taps[key]
        matrix = self.ctx.unprotected_matrix()
        if self.strategy == "per_site":
            path, _ = self._from_site(pid, sources, assets, matrix=matrix)
            return path
        detour_key = ("avoiding-protected", *key)
        if detour_key not in self.shared:
            self.shared[detour_key] = self.ctx.index.search(
                sources, limit=self.limit, matrix=matrix
            )
            self.searches += 1
        search = self.shared[detour_key]
        start = self.ctx.index.best_frontage(pid, search)
        return self.ctx.index.tree_path(start, search) if start is not None else None

    def commitment_path(
        self, pid: str, key: tuple[Any, ...], matrix: Any, *, limit: float
    ) -> list[Any] | None:
        """Return the shortest path on ``matrix`` (the commitment corridor) up to ``limit``.

        ``batch``: one search per requirement from its taps, shared by the sites that need
        one; ``per_site``: one search from the site. Both give the same path (unique routes).
        """
        sources, _ = self.taps[key]
        if self.strategy == "per_site":
            return self.from_site(pid, sources, matrix=matrix, limit=limit)
        shared_key = ("commitment", *key)
        if shared_key not in self.shared:
            self.shared[shared_key] = self.ctx.index.search(sources, limit=limit, matrix=matrix)
            self.searches += 1
        search = self.shared[shared_key]
        start = self.ctx.index.best_frontage(pid, search)
        return self.ctx.index.tree_path(start, search) if start is not None else None
