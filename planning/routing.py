"""Shortest external-line routes on the corridor graph: one search per utility, many sites.

The corridor graph (:mod:`gis.corridor`) is turned once into a compressed sparse matrix; each
search is a multi-source Dijkstra (``scipy.sparse.csgraph``) from every suitable tap at once,
so the distance from *every* site to its nearest suitable tap, by route length from the site's
red line (the lead-in to a frontage node plus the corridor), comes out of one search (batch
work reuses one graph search per utility).

Searches run on the lengths plus a tie-break of less than a nanometre per edge, fixed by the
edge's end points (:func:`tie_breaks`). Two routes of exactly the same length — common on a
street grid — are therefore never a tie, and every search finds the same shortest route
whichever end it starts from: a site gets the same route assessed alone (a search from its
frontage) as in a batch (a search from the taps). Lengths reported are always the true ones.
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

__all__ = ["RoutingIndex", "Search", "TreePath", "routing_index", "tie_breaks"]

_ZERO = 1e-9  # corners cost 0 m; csgraph reads explicit zeros as "no edge"
_TIE_M = 1e-9  # tie-breaks lie in [0, _TIE_M) per edge
_RANK_M = 2e-6  # between frontages of a site: above any path's tie-breaks (1,000 edges)
_FEW_EDGES = 256  # up to this many edges are removed from a matrix one by one


@dataclass
class Search:
    """The result of one multi-source search: distance and next hop towards the nearest tap."""

    dist: npt.NDArray[np.float64]
    pred: npt.NDArray[np.int32]
    source: npt.NDArray[np.int32]
    edges: npt.NDArray[np.int64] | None = None
    """Edge number from each node to its next hop (-1: none), once :meth:`RoutingIndex.tree_path`
    has been asked for a path of this search."""
    hops: list[int] | None = None
    """``pred`` as a Python list (-1: none), for walking many paths of one search."""


class TreePath(list[Any]):
    """Graph nodes along a search tree; their indices in ``indices``, edge numbers in ``edges``."""

    __slots__ = ("edges", "indices")

    def __init__(
        self, nodes: Iterable[Any], indices: list[int], edges: npt.NDArray[np.int64]
    ) -> None:
        super().__init__(nodes)
        self.indices = indices
        self.edges = edges


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
    matrix
        The true edge lengths, both directions of each edge (for planners that add their own
        costs, e.g. the pre-lay Steiner tree).
    weights
        What searches run on: ``matrix`` plus the tie-breaks, and after the graph's nodes two
        nodes per site (:meth:`inlet`, :meth:`outlet`) joined to its frontage nodes by their
        lead-ins (distances to them are from the red line).
    front_lead
        The lead-in of each (site, frontage node), in the order of ``frontage``.
    edge_data, edge_ends, edge_length
        The edges numbered in graph order: attributes, end node indices, lengths in metres
        (:meth:`edge_ids` numbers the edges of a path).
    """

    def __init__(self, G: nx.Graph) -> None:
        self.G = G
        self.nodes: list[Any] = list(G.nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        # non-negative integer ids not far above the node count (the corridor graph's): an
        # array from id to index converts whole paths at once
        self._id_index: npt.NDArray[np.int64] | None = None
        if self.nodes and all(
            isinstance(v, (int, np.integer)) and v >= 0 for v in self.nodes
        ):
            top = int(max(self.nodes))
            if top < 8 * len(self.nodes) + 16:
                self._id_index = np.full(top + 1, -1, dtype=np.int64)
                self._id_index[np.array(self.nodes, dtype=np.int64)] = np.arange(len(self.nodes))
        n = len(self.nodes)
        # the edges, numbered in graph order: ends (node indices), attributes and lengths
        edges = [(u, v, d) for u, v, d in G.edges(data=True)]  # (list() would count them first)
        m = len(edges)
        ea = np.fromiter((self.index[u] for u, _, _ in edges), np.int64, m)
        eb = np.fromiter((self.index[v] for _, v, _ in edges), np.int64, m)
        self.edge_data: list[dict[str, Any]] = [d for _, _, d in edges]
        self.edge_ends = np.column_stack([ea, eb])
        self.edge_length = np.fromiter((float(d["length"]) for d in self.edge_data), float, m)
        rows, cols = np.concatenate([ea, eb]), np.concatenate([eb, ea])
        w = np.maximum(self.edge_length, _ZERO)
        self.matrix = csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n))
        self.matrix.sum_duplicates()  # canonical: sorted indices, one entry per edge
        ids = csr_matrix(
            (np.concatenate([np.arange(m), np.arange(m)]) + 1.0, (rows, cols)), shape=(n, n)
        )
        ids.sum_duplicates()
        self._edge_at = ids.data.astype(np.int64) - 1  # edge number at each matrix entry
        self._entry_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.matrix.indptr))
        # (with a last key above every other, so a search for any key lands inside)
        self._entry_keys = np.append(self._entry_keys * n + self.matrix.indices, n * n)
        # node positions, and each node's block and place along it (-1 / NaN: none)
        attrs = [d for _, d in G.nodes(data=True)]
        self.node_xy = np.array(
            [(float(d.get("x", np.nan)), float(d.get("y", np.nan))) for d in attrs]
        ).reshape(-1, 2)
        self.node_seg = np.array([int(d.get("seg", -1)) for d in attrs], dtype=np.int64)
        self.node_t = np.array([float(d.get("t", np.nan)) for d in attrs])
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
        self.weights = self._weights()

    def _weights(self) -> csr_matrix:
        """Return what searches run on: the lengths plus tie-breaks, and two nodes per site.

        Each site gets a node ``inlet`` reached from its frontage nodes only, and a node
        ``outlet`` leading to them only (no route can pass through a site). The edges to and
        from them cost the lead-in from the site's red line to that frontage node (the graph's
        ``lead_ins``; 0 where it has none) plus the frontage's rank in the site times
        :data:`_RANK_M`: a search from the taps reaches the inlet through the frontage with
        the shortest line from the red line (lead-in plus corridor), a search from the outlet
        is the search from the site's red line, a search's ``limit`` bounds that whole length,
        and between frontages at exactly the same length both take the first one, for every
        utility alike (their routes then start together).
        """
        m = self.matrix
        n = m.shape[0]
        row_of = np.repeat(np.arange(n), np.diff(m.indptr))
        data = m.data + tie_breaks(self._node_keys(), row_of, m.indices)
        sites = list(self.frontage)
        self.site_slot = {pid: k for k, pid in enumerate(sites)}
        fronts = [self.frontage[p] for p in sites]
        counts = np.array([len(f) for f in fronts], dtype=np.int64)
        front = np.concatenate(fronts) if fronts else np.zeros(0, dtype=np.int64)
        slot = np.repeat(np.arange(len(sites)), counts)
        rank = np.arange(len(front)) - np.repeat(np.cumsum(counts) - counts, counts)
        leads = self.G.graph.get("lead_ins") or {}
        nodes = self.nodes
        self.front_lead = np.array(
            [leads.get((pid, nodes[i]), 0.0) for pid, f in zip(sites, fronts) for i in f.tolist()],
            dtype=float,
        ).reshape(-1)
        cost = _ZERO + self.front_lead + rank * _RANK_M
        # searches reach this much past their limit: a path's tie-breaks and the frontage rank
        self.tolerance = 1000 * _TIE_M + (float(rank.max()) if len(rank) else 0.0) * _RANK_M
        inlet, outlet = n + 2 * slot, n + 2 * slot + 1
        size = n + 2 * len(sites)
        out = csr_matrix(
            (
                np.concatenate([data, cost, cost]),
                (
                    np.concatenate([row_of, front, outlet]),
                    np.concatenate([m.indices, inlet, front]),
                ),
            ),
            shape=(size, size),
        )
        out.sum_duplicates()  # canonical: sorted indices
        return out

    def inlet(self, project_id: str) -> int | None:
        """Return the search node a site is reached at from the taps (``None``: no frontage)."""
        k = self.site_slot.get(project_id)
        return None if k is None else len(self.nodes) + 2 * k

    def outlet(self, project_id: str) -> int | None:
        """Return the search node a search from a site starts at (``None``: no frontage)."""
        k = self.site_slot.get(project_id)
        return None if k is None else len(self.nodes) + 2 * k + 1

    def _node_keys(self) -> npt.NDArray[np.uint64]:
        """Return a key per node from its position (to the millimetre), else from its index."""
        if np.isfinite(self.node_xy).all():
            q = np.rint(self.node_xy * 1000.0).astype(np.int64).view(np.uint64)
            return _mix(_mix(q[:, 0]) ^ q[:, 1])
        return _mix(np.arange(len(self.nodes), dtype=np.uint64))

    def indices(self, nodes: Iterable[Any]) -> npt.NDArray[np.int64]:
        """Return the indices of graph nodes, in order.

        Examples
        --------
        >>> G = nx.Graph()
        >>> G.add_edge(10, 4, length=1.0); G.add_edge(4, 7, length=2.0)
        >>> RoutingIndex(G).indices([7, 10]).tolist()
        [2, 0]
        """
        if self._id_index is not None:
            return self._id_index[np.fromiter(nodes, dtype=np.int64)]
        return np.fromiter((self.index[v] for v in nodes), dtype=np.int64)

    def edge_ids(self, path: Sequence[int] | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Return the edge numbers along a path of node indices.

        Examples
        --------
        >>> G = nx.Graph()
        >>> G.add_edge("a", "b", length=1.0); G.add_edge("b", "c", length=2.0)
        >>> index = RoutingIndex(G)
        >>> index.edge_ids([0, 1, 2]).tolist(), index.edge_length[index.edge_ids([2, 1])].tolist()
        ([0, 1], [2.0])
        """
        p = np.asarray(path, dtype=np.int64)
        keys = p[:-1] * len(self.nodes) + p[1:]
        pos = self._entry_keys.searchsorted(keys)
        if (self._entry_keys[pos] != keys).any():
            msg = f"path {p.tolist()} steps between nodes that no edge joins"
            raise ValueError(msg)
        return self._edge_at[pos]

    def tap_nodes(self, utility: str, assets: Iterable[str]) -> npt.NDArray[np.int64]:
        """Return the node indices passed by the given assets of ``utility``."""
        table = self.taps.get(utility, {})
        parts = [table[a] for a in assets if a in table]
        return np.unique(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)

    def without_edges(self, edges: Iterable[tuple[Any, Any]]) -> csr_matrix:
        """Return a copy of the search matrix with the given graph edges removed."""
        out = self.weights.copy()
        out.data[self.edge_positions(edges, matrix=out)] = 0.0
        out.eliminate_zeros()
        return out

    def without_edge_ids(
        self, edges: npt.NDArray[np.int64] | Sequence[int], *, matrix: csr_matrix | None = None
    ) -> csr_matrix:
        """Return a copy of a search matrix (default :attr:`weights`) without the given edges.

        Vectorised over the matrix: each entry between graph nodes is looked up by its edge
        number, so removing many edges costs one pass; a few edges (a route's) are looked up
        in their two rows only.
        """
        base = self.weights if matrix is None else matrix
        few = np.unique(np.asarray(edges, dtype=np.int64))
        if len(few) <= _FEW_EDGES and base.has_sorted_indices:
            out = base.copy()
            out.data[self._entry_positions(out, few)] = 0.0
            out.eliminate_zeros()
            return out
        out = base.copy()
        gone = np.zeros(len(self.edge_length), dtype=bool)
        gone[np.asarray(edges, dtype=np.int64)] = True
        n = len(self.nodes)
        rows = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
        cols = out.indices.astype(np.int64)
        inner = np.flatnonzero((rows < n) & (cols < n))
        eid = self._edge_at[self._entry_keys.searchsorted(rows[inner] * n + cols[inner])]
        out.data[inner[gone[eid]]] = 0.0
        out.eliminate_zeros()
        return out

    def _entry_positions(
        self, m: csr_matrix, edges: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Return where edges (by number, both directions) sit in ``m`` (sorted indices)."""
        ends = self.edge_ends[edges]
        out = []
        indptr, indices = m.indptr, m.indices
        for a, b in zip(
            np.concatenate([ends[:, 0], ends[:, 1]]).tolist(),
            np.concatenate([ends[:, 1], ends[:, 0]]).tolist(),
        ):
            lo, hi = int(indptr[a]), int(indptr[a + 1])
            k = lo + int(np.searchsorted(indices[lo:hi], b))
            if k < hi and indices[k] == b:
                out.append(k)
        return np.array(out, dtype=np.int64)

    def edge_positions(
        self, edges: Iterable[tuple[Any, Any]], *, matrix: csr_matrix | None = None
    ) -> npt.NDArray[np.int64]:
        """Return where the given edges (both directions) sit in a matrix's data array.

        ``matrix`` is :attr:`matrix` (the default) or one with its structure, e.g.
        :attr:`weights`.
        """
        m = self.matrix if matrix is None else matrix
        out = []
        for u, v in edges:
            for a, b in ((self.index[u], self.index[v]), (self.index[v], self.index[u])):
                lo, hi = m.indptr[a], m.indptr[a + 1]
                k = lo + int(np.searchsorted(m.indices[lo:hi], b))
                if k < hi and m.indices[k] == b:
                    out.append(k)
        return np.array(out, dtype=np.int64)

    def search(
        self,
        sources: npt.NDArray[np.int64],
        *,
        limit: float = np.inf,
        matrix: csr_matrix | None = None,
    ) -> Search:
        """Run one multi-source Dijkstra from ``sources`` up to ``limit`` metres.

        ``matrix`` replaces the graph's weights (e.g. one without protected roads). The limit
        is widened by :attr:`tolerance` (well under a millimetre) so the tie-breaks never push
        a route of exactly ``limit`` metres out of reach.
        """
        n = self.weights.shape[0]
        if len(sources) == 0:
            return Search(
                np.full(n, np.inf), np.full(n, -9999, np.int32), np.full(n, -9999, np.int32)
            )
        # the matrix holds both directions of every edge: a directed search on it is the
        # undirected search, without scipy converting the matrix on every call
        dist, pred, src = dijkstra(
            self.weights if matrix is None else matrix,
            directed=True,
            indices=sources,
            min_only=True,
            return_predecessors=True,
            limit=limit + self.tolerance,
        )
        return Search(dist, pred.astype(np.int32), src.astype(np.int32))

    def best_frontage(self, project_id: str, search: Search) -> int | None:
        """Return the frontage node of a site nearest to a tap in ``search``, or ``None``.

        ``search`` runs from the taps; the site's inlet is reached through its best frontage:
        the one with the least lead-in plus corridor (the first of those at the same length).
        """
        inlet = self.inlet(project_id)
        if inlet is None or not search.dist[inlet] < np.inf:
            return None
        return int(search.pred[inlet])

    def path(self, start: int, search: Search) -> list[Any]:
        """Return the graph nodes from ``start`` to the root of its search tree.

        The site nodes of the search (:meth:`outlet`) are left out: a path from a tap back
        to the site ends at the site's frontage.
        """
        return [self.nodes[i] for i in self.path_indices(start, search)]

    def tree_path(self, start: int, search: Search) -> TreePath:
        """Return :meth:`path` with its edge numbers (worked out once for the whole search).

        For searches many paths are read from, such as a batch's shared searches.
        """
        if search.edges is None or search.hops is None:
            n = len(self.nodes)
            pred = search.pred[:n].astype(np.int64)
            tree = (pred >= 0) & (pred < n)
            rows = np.flatnonzero(tree)
            edges = np.full(n, -1, dtype=np.int64)
            edges[rows] = self._edge_at[self._entry_keys.searchsorted(rows * n + pred[rows])]
            search.edges = edges
            search.hops = np.where(tree, pred, -1).tolist()
        idx = self.path_indices(start, search)
        return TreePath([self.nodes[i] for i in idx], idx, search.edges[idx[:-1]])

    def path_indices(self, start: int, search: Search) -> list[int]:
        """Return :meth:`path` as node indices."""
        out = [start]
        node = start
        if search.hops is not None:  # the same walk on a Python list: no numpy scalars
            hops = search.hops
            while (node := hops[node]) >= 0:
                out.append(node)
            return out
        n = len(self.nodes)
        pred = search.pred
        while 0 <= pred[node] < n:
            node = int(pred[node])
            out.append(node)
        return out

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


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: a well-spread 64-bit hash of each value (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def tie_breaks(
    keys: npt.NDArray[np.uint64], rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int32]
) -> npt.NDArray[np.float64]:
    """Return the tie-break of each edge ``(rows[i], cols[i])``, in ``[0, 1e-9)`` metres.

    The value depends only on the keys of the two end nodes, in either order, so both
    directions of an edge get the same one and a rebuilt graph gives an unchanged road the
    same one.

    Examples
    --------
    >>> k = _mix(np.arange(3, dtype=np.uint64))
    >>> t = tie_breaks(k, np.array([0, 1, 1]), np.array([1, 0, 2]))
    >>> bool(t[0] == t[1]) and bool(t[0] != t[2]) and bool((t >= 0).all() and (t < 1e-9).all())
    True
    """
    a, b = keys[rows], keys[cols]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    h = _mix(_mix(lo) ^ hi)
    return (h >> np.uint64(11)).astype(np.float64) / float(2**53) * _TIE_M


def routing_index(G: nx.Graph) -> RoutingIndex:
    """Return the routing index of ``G``, built on first use and kept on the graph."""
    cached = G.graph.get("_routing_index")
    if not isinstance(cached, RoutingIndex):
        cached = RoutingIndex(G)
        G.graph["_routing_index"] = cached
    return cached
