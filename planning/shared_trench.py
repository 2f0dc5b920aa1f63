"""One joint trench for a project's utilities (seed 三6 一并接入、协同施工; rule R9).

From the routes of one site's utilities, the trench is the union of the corridor edges they
use: where two or more utilities run along the same sidewalk (or cross the same carriageway)
the road is dug once. :func:`plan_joint_trench` first tries to make utilities share more
corridor — a utility may be rerouted to a tap whose route overlaps the others — but only when
that shortens the total trench, by enough for the longer line (at most a set number of metres
of extra line per metre of trench saved: a 12 m connection is not made 212 m long to save 12 m
of trench), and never makes that utility's connection harder: it must stay
on its approval path, add no major crossing and cross no carriageway its own shortest route
avoided. Each shared stretch is then checked in cross-section (GB 50289 order and clearances);
where the pipes do not fit the sidewalk they are split into separate trenches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from shapely import LineString

from gis.convert import path_geometry

__all__ = [
    "Rerouted",
    "Rerouting",
    "SharedTrench",
    "TrenchSegment",
    "plan_joint_trench",
    "trench_segments",
]

Edge = tuple[Any, Any]


def _key(a: Any, b: Any) -> Edge:
    return (a, b) if a <= b else (b, a)


def route_edges(nodes: Sequence[Any]) -> list[Edge]:
    """Return the undirected edges of a node path."""
    return [_key(a, b) for a, b in zip(nodes[:-1], nodes[1:])]


@dataclass
class TrenchSegment:
    """A stretch of trench: one block side (or one carriageway crossing) and who lies in it."""

    kind: str
    seg: int
    side: str | None
    road_id: str
    name: str
    length_m: float
    utilities: tuple[str, ...]
    nodes: list[Any]
    surface: str | None = None
    trenches: tuple[tuple[str, ...], ...] = ()
    """How the utilities are laid: one group per trench (one group when they fit together)."""
    section: Any = None
    """The cross-section check of a shared sidewalk stretch (``None`` otherwise)."""

    @property
    def shared(self) -> bool:
        """True when more than one utility lies in this stretch."""
        return len(self.utilities) > 1

    @property
    def dug_m(self) -> float:
        """Metres of trench dug here: once per separate trench."""
        return self.length_m * max(1, len(self.trenches))


@dataclass
class Rerouted:
    """A utility moved onto a longer route that shares more trench."""

    utility: str
    from_m: float
    to_m: float
    tap_from: str
    tap_to: str

    @property
    def extra_m(self) -> float:
        """How much longer the utility's own line became."""
        return self.to_m - self.from_m


@dataclass(frozen=True)
class Rerouting:
    """How :func:`plan_joint_trench` may move utilities onto routes that share more trench.

    Attributes
    ----------
    reroute
        ``(utility, free_edges) → path`` or ``None``: the route minimising new trench when the
        other utilities' edges (``free_edges``) cost nothing.
    acceptable
        ``(utility, path) → bool``: the rerouted connection is not harder (approval path,
        major crossings, carriageways) than the shortest one; ``None``: every reroute is.
    tap_of
        ``(utility, path) → asset id`` of the tap a path ends at (for the report).
    max_extra_per_saved
        Metres a reroute may add to the utility's own line per metre of trench it saves
        (profile ``shared_trench.max_extra_m_per_saved_m``); ``None``: no limit.
    """

    reroute: Callable[[str, set[Edge]], Sequence[Any] | None]
    acceptable: Callable[[str, Sequence[Any]], bool] | None = None
    tap_of: Callable[[str, Sequence[Any]], str] | None = None
    max_extra_per_saved: float | None = None


@dataclass
class SharedTrench:
    """The joint trench plan of one project."""

    segments: list[TrenchSegment]
    separate_trench_m: float
    rerouted: list[Rerouted] = field(default_factory=list)
    paths: dict[str, list[Any]] = field(default_factory=dict)
    """Utility → the node path it is laid along in the plan."""
    graph: nx.Graph | None = field(default=None, repr=False)
    """The corridor graph the plan lies on (for drawing)."""

    @property
    def total_trench_m(self) -> float:
        """Metres dug with the joint trench (split stretches count once per trench)."""
        return sum(s.dug_m for s in self.segments)

    @property
    def saved_m(self) -> float:
        """Metres not dug compared with separate trenches."""
        return self.separate_trench_m - self.total_trench_m

    @property
    def saved_share(self) -> float:
        """Share of the separate trench length saved."""
        return self.saved_m / self.separate_trench_m if self.separate_trench_m > 0 else 0.0


def trench_segments(
    G: nx.Graph,
    paths: Mapping[str, Sequence[Any]],
    *,
    surface_of: Callable[[Any, Any], str | None] | None = None,
) -> list[TrenchSegment]:
    """Group the edges of the utilities' paths into stretches of trench.

    Consecutive sidewalk edges of the same block side used by the same utilities form one
    stretch; each carriageway crossing is a stretch of its own; corners have no length.
    """
    users: dict[Edge, set[str]] = {}
    for utility, nodes in paths.items():
        for e in route_edges(nodes):
            users.setdefault(e, set()).add(utility)
    adj, node = G.adj, G.nodes
    pieces: list[tuple[tuple[Any, ...], dict[str, Any], Any, Any, tuple[str, ...], str | None]] = []
    for (a, b), who in users.items():
        data = adj[a][b]
        if data["kind"] == "corner" or data["length"] <= 0:
            continue
        ta, tb = node[a]["t"], node[b]["t"]
        lo, hi, t = (a, b, ta) if ta <= tb else (b, a, tb)
        surface = surface_of(a, b) if surface_of is not None else None
        order = (data["kind"], data["seg"], data.get("side") or "", t)
        pieces.append((order, data, lo, hi, tuple(sorted(who)), surface))
    pieces.sort(key=lambda p: p[0])
    out: list[TrenchSegment] = []
    for _, data, lo, hi, names, surface in pieces:
        side = data.get("side")
        last = out[-1] if out else None
        if (
            last is not None
            and data["kind"] == "sidewalk"
            and last.kind == "sidewalk"
            and (last.seg, last.side, last.utilities, last.surface)
            == (data["seg"], side, names, surface)
            and last.nodes[-1] == lo
        ):
            last.length_m += float(data["length"])
            last.nodes.append(hi)
            continue
        out.append(
            TrenchSegment(
                kind=str(data["kind"]),
                seg=int(data["seg"]),
                side=side,
                road_id=str(data["road_id"]),
                name=str(data["name"]),
                length_m=float(data["length"]),
                utilities=names,
                nodes=[lo, hi],
                surface=surface,
                trenches=(names,),
            )
        )
    return out


def segment_geometry(G: nx.Graph, segment: TrenchSegment) -> LineString:
    """Return the drawn geometry of a stretch of trench."""
    return path_geometry(G, segment.nodes)


def plan_joint_trench(
    G: nx.Graph,
    paths: Mapping[str, Sequence[Any]],
    *,
    rerouting: Rerouting | None = None,
    check_section: Callable[[TrenchSegment], tuple[tuple[tuple[str, ...], ...], Any]] | None = None,
    surface_of: Callable[[Any, Any], str | None] | None = None,
    lengths: Mapping[str, float] | None = None,
) -> SharedTrench:
    """Plan the joint trench of one project.

    Steps: (1) start from each utility's shortest route; (2) for each utility in turn, ask
    ``rerouting.reroute`` for its best route when the other utilities' edges cost nothing, and
    keep it if it shortens the total trench (by at least ``1 / max_extra_per_saved`` of the
    metres it adds to the utility's line, when given) and ``rerouting.acceptable`` says it keeps
    the utility's connection as easy as before (repeat until nothing improves); (3) group the
    edges into stretches; (4) check each shared sidewalk stretch in cross-section with
    ``check_section``, which returns the trench groups (one group if the pipes fit) and the
    check itself.

    Parameters
    ----------
    G
        The corridor graph.
    paths
        Utility → node path of its shortest route (frontage first).
    rerouting
        How utilities may be rerouted to share more (:class:`Rerouting`); ``None``: never.
    check_section
        Cross-section check of a shared stretch.
    surface_of
        ``(u, v) → surface`` of an edge, kept on the stretches.
    lengths
        Utility → length of its path, when already known (default: added up here).
    """
    lengths = dict(lengths) if lengths is not None else {u: _length(G, p) for u, p in paths.items()}
    separate = sum(lengths.values())
    current = {u: list(p) for u, p in paths.items()}
    rerouted: list[Rerouted] = []
    if rerouting is not None and len(current) > 1:
        current, rerouted = _share_more(G, paths, lengths, rerouting)
    segments = trench_segments(G, current, surface_of=surface_of)
    if check_section is not None:
        for s in segments:
            if s.shared and s.kind == "sidewalk":
                s.trenches, s.section = check_section(s)
    return SharedTrench(segments, separate, rerouted, current, G)


def _share_more(
    G: nx.Graph,
    paths: Mapping[str, Sequence[Any]],
    lengths: Mapping[str, float],
    rerouting: Rerouting,
) -> tuple[dict[str, list[Any]], list[Rerouted]]:
    """Reroute utilities while that shortens the trench (at most 3 rounds).

    Returns each utility's path and the utilities moved (from their shortest route).
    """
    current = {u: list(p) for u, p in paths.items()}
    rerouted: dict[str, Rerouted] = {}
    tap_of = rerouting.tap_of
    improved = True
    rounds = 0
    while improved and rounds < 3:
        improved = False
        rounds += 1
        edges_of = {u: route_edges(p) for u, p in current.items()}
        for utility in sorted(current):
            others = {e for u, es in edges_of.items() if u != utility for e in es}
            candidate = rerouting.reroute(utility, others)
            if candidate is None or list(candidate) == current[utility]:
                continue
            trial = {**current, utility: list(candidate)}
            saved = _union_length(G, current) - _union_length(G, trial)
            if saved <= 1e-6:
                continue
            new_len = _length(G, candidate)
            extra = new_len - _length(G, current[utility])
            limit = rerouting.max_extra_per_saved
            if limit is not None and extra > limit * saved + 1e-6:
                continue
            if rerouting.acceptable is not None and not rerouting.acceptable(utility, candidate):
                continue
            current = trial
            edges_of[utility] = route_edges(candidate)
            improved = True
            rerouted[utility] = Rerouted(
                utility,
                lengths[utility],
                new_len,
                tap_of(utility, paths[utility]) if tap_of else "",
                tap_of(utility, candidate) if tap_of else "",
            )
    return current, list(rerouted.values())


def _length(G: nx.Graph, nodes: Sequence[Any]) -> float:
    return float(sum(G.edges[a, b]["length"] for a, b in zip(nodes[:-1], nodes[1:])))


def _union_length(G: nx.Graph, paths: Mapping[str, Sequence[Any]]) -> float:
    edges = {e for p in paths.values() for e in route_edges(p)}
    return float(sum(G.edges[a, b]["length"] for a, b in edges))
