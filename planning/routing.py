"""Shortest external-line routes on the corridor graph: one search per utility, many sites.

The corridor graph (:mod:`gis.corridor`) is turned once into a compressed sparse matrix; each
search is a multi-source Dijkstra (``scipy.sparse.csgraph``) from every suitable tap at once,
so the distance from *every* site frontage to its nearest suitable tap, by route length, comes
out of one search (DESIGN §4: batch work reuses one graph search per utility).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

__all__ = ["RoutingIndex", "Search", "routing_index"]

_ZERO = 1e-9  # corners cost 0 m; csgraph reads explicit zeros as "no edge"


@dataclass
class Search:
    """The result of one multi-source search: distance and next hop towards the nearest tap."""

    dist: npt.NDArray[np.float64]
    pred: npt.NDArray[np.int32]
    source: npt.NDArray[np.int32]


class RoutingIndex:
    """A corridor graph prepared for fast multi-source searches.

    Attributes
    ----------
    nodes
        Graph node ids by index.
    frontage
        Project id → indices of its frontage nodes.
    taps
        Utility → asset id → indices of the nodes the asset passes.
    """

    def __init__(self, G: nx.Graph) -> None:
        self.G = G
        self.nodes: list[Any] = list(G.nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        n = len(self.nodes)
        rows, cols, vals = [], [], []
        for u, v, length in G.edges(data="length"):
            a, b = self.index[u], self.index[v]
            w = max(float(length), _ZERO)
            rows += [a, b]
            cols += [b, a]
            vals += [w, w]
        self.matrix = csr_matrix((vals, (rows, cols)), shape=(n, n))
        self.matrix.sum_duplicates()  # canonical: sorted indices, one entry per edge
        frontage: dict[str, list[int]] = defaultdict(list)
        taps: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for node, data in G.nodes(data=True):
            i = self.index[node]
            for pid in data.get("sites", ()):
                frontage[pid].append(i)
            for utility, asset in data.get("taps", ()):
                taps[utility][asset].append(i)
        self.frontage = {k: np.array(v, dtype=np.int64) for k, v in frontage.items()}
        self.taps = {
            u: {a: np.array(v, dtype=np.int64) for a, v in d.items()} for u, d in taps.items()
        }
        # the same as flat (asset, node) pairs per utility, for vectorised selection
        self.pair_assets: dict[str, npt.NDArray[np.object_]] = {}
        self.pair_nodes: dict[str, npt.NDArray[np.int64]] = {}
        for utility, table in self.taps.items():
            counts = [len(v) for v in table.values()]
            self.pair_assets[utility] = np.repeat(np.array(list(table), dtype=object), counts)
            self.pair_nodes[utility] = np.concatenate(list(table.values()))

    def tap_nodes(self, utility: str, assets: Iterable[str]) -> npt.NDArray[np.int64]:
        """Return the node indices passed by the given assets of ``utility``."""
        table = self.taps.get(utility, {})
        parts = [table[a] for a in assets if a in table]
        return np.unique(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)

    def without_edges(self, edges: Iterable[tuple[Any, Any]]) -> csr_matrix:
        """Return a copy of the search matrix with the given graph edges removed."""
        out = self.matrix.copy()
        out.data[self.edge_positions(edges)] = 0.0
        out.eliminate_zeros()
        return out

    def edge_positions(self, edges: Iterable[tuple[Any, Any]]) -> npt.NDArray[np.int64]:
        """Return where the given edges (both directions) sit in the matrix's data array."""
        m = self.matrix
        out = []
        for u, v in edges:
            for a, b in ((self.index[u], self.index[v]), (self.index[v], self.index[u])):
                lo, hi = m.indptr[a], m.indptr[a + 1]
                k = lo + int(np.searchsorted(m.indices[lo:hi], b))
                if k < hi and m.indices[k] == b:
                    out.append(k)
        return np.array(out, dtype=np.int64)

    def search_with_free_edges(
        self, sources: npt.NDArray[np.int64], free: Iterable[tuple[Any, Any]], *, limit: float
    ) -> Search:
        """Search as :meth:`search`, with the given edges costing (almost) nothing.

        Used to find the route that adds the least new trench next to routes already planned.
        The matrix is patched in place and restored afterwards (no copy of a city's matrix per
        call); the index is therefore not safe to share between threads during such a search.
        """
        k = self.edge_positions(free)
        saved = self.matrix.data[k].copy()
        self.matrix.data[k] = _ZERO
        try:
            return self.search(sources, limit=limit)
        finally:
            self.matrix.data[k] = saved

    def search(
        self,
        sources: npt.NDArray[np.int64],
        *,
        limit: float = np.inf,
        matrix: csr_matrix | None = None,
    ) -> Search:
        """Run one multi-source Dijkstra from ``sources`` up to ``limit`` metres.

        ``matrix`` replaces the graph's own (e.g. one without protected roads).
        """
        n = len(self.nodes)
        if len(sources) == 0:
            return Search(
                np.full(n, np.inf), np.full(n, -9999, np.int32), np.full(n, -9999, np.int32)
            )
        # the matrix holds both directions of every edge: a directed search on it is the
        # undirected search, without scipy converting the matrix on every call
        dist, pred, src = dijkstra(
            self.matrix if matrix is None else matrix,
            directed=True,
            indices=sources,
            min_only=True,
            return_predecessors=True,
            limit=limit,
        )
        return Search(dist, pred.astype(np.int32), src.astype(np.int32))

    def best_frontage(self, project_id: str, search: Search) -> int | None:
        """Return the frontage node of a site nearest to a tap in ``search``, or ``None``."""
        front = self.frontage.get(project_id)
        if front is None or len(front) == 0:
            return None
        d = search.dist[front]
        k = int(np.argmin(d))
        return int(front[k]) if np.isfinite(d[k]) else None

    def path(self, start: int, search: Search) -> list[Any]:
        """Return the graph nodes from ``start`` (a frontage) to its nearest tap."""
        out = [start]
        node = start
        while search.pred[node] >= 0:
            node = int(search.pred[node])
            out.append(node)
        return [self.nodes[i] for i in out]

    def reach(
        self, sources: npt.NDArray[np.int64], *, limit: float
    ) -> list[tuple[Any, Any, float, float]]:
        """Return the parts of edges within ``limit`` metres of ``sources`` along the graph.

        Each item is ``(u, v, start_m, end_m)``: the stretch of edge ``(u, v)`` from
        ``start_m`` to ``end_m`` metres from ``u`` (a whole edge is ``(u, v, 0, length)``;
        a partly reached one is cut where the distance reaches ``limit``). This is the corridor
        a route of at most ``limit`` metres can use, e.g. the 300 m reference of a site.
        """
        dist = self.search(sources, limit=limit).dist
        out: list[tuple[Any, Any, float, float]] = []
        for u, v, length in self.G.edges(data="length"):
            du, dv = dist[self.index[u]], dist[self.index[v]]
            if not (np.isfinite(du) or np.isfinite(dv)):
                continue
            length = float(length)
            if du + length <= limit + 1e-9 or dv + length <= limit + 1e-9:
                out.append((u, v, 0.0, length))  # the whole edge (reached from either end)
                continue
            if np.isfinite(du):
                out.append((u, v, 0.0, min(length, limit - float(du))))
            if np.isfinite(dv):
                out.append((u, v, max(0.0, length - (limit - float(dv))), length))
        return out

    def path_edges(self, path: Sequence[Any]) -> list[dict[str, Any]]:
        """Return the edge attributes along a node path."""
        return [self.G.edges[a, b] for a, b in zip(path[:-1], path[1:])]


def routing_index(G: nx.Graph) -> RoutingIndex:
    """Return the routing index of ``G``, built on first use and kept on the graph."""
    cached = G.graph.get("_routing_index")
    if not isinstance(cached, RoutingIndex):
        cached = RoutingIndex(G)
        G.graph["_routing_index"] = cached
    return cached
