"""Linking works that dig the same place at about the same time, and grouping them into packages.

The *Place*, *Link* and *Packages* rules of :mod:`planning.coordination` (R9 shared
construction, seed 三6; R10 dig-once): two works are linked when their pieces on one block side
overlap, touch or lie within ``gap_m`` and their windows are at most ``window_days`` apart; a
package keeps every pair of its works within ``window_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from planning.coordination.works_table import FloatArray, IntArray, Pieces

__all__ = ["link_works", "packages"]


def _overlapping_pairs(place: IntArray, t0: FloatArray, t1: FloatArray, gap: float) -> IntArray:
    """Return row pairs ``(i, j)``, i < j in sorted order, on one place within ``gap`` metres.

    Rows are sorted by (place, t0); row j after row i on the same place is within ``gap`` of it
    iff ``t0[j] ≤ t1[i] + gap``, so the partners of i are one contiguous run after it, found
    for all rows by one merge of starts and reaches. Cost: sorting plus the pairs reported.
    """
    n = len(place)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((t0, place))
    sp, s0, s1 = place[order], t0[order], t1[order]
    # merge item starts (type 0) with reaches (type 1); ties put items first, so touching counts
    vals = np.concatenate([s0, s1 + gap])
    keys = np.concatenate([sp, sp])
    kind = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])
    merged = np.lexsort((kind, vals, keys))
    items_before = np.cumsum(kind[merged] == 0)
    hi = np.empty(n, dtype=np.int64)
    is_reach = kind[merged] == 1
    hi[merged[is_reach] - n] = items_before[is_reach]  # rows [i+1, hi) are the partners of i
    lo = np.arange(1, n + 1)
    count = np.maximum(hi - lo, 0)
    total = int(count.sum())
    first = np.repeat(np.arange(n), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    second = np.repeat(lo, count) + offset
    return np.column_stack([order[first], order[second]])


def link_works(pieces: Pieces, window_days: int, gap_m: float) -> IntArray:
    """Return the unique linked work pairs ``(a, b)``, a < b (indices into ``work_ids``)."""
    pairs = _overlapping_pairs(pieces.place, pieces.t0, pieces.t1, gap_m)
    if not len(pairs):
        return np.zeros((0, 2), dtype=np.int64)
    start = np.array([pieces.start[w].toordinal() for w in pieces.work_ids], dtype=np.int64)
    end = np.array([pieces.end[w].toordinal() for w in pieces.work_ids], dtype=np.int64)
    a, b = pieces.work[pairs[:, 0]], pieces.work[pairs[:, 1]]
    apart = np.maximum(start[a], start[b]) - np.minimum(end[a], end[b])
    keep = (a != b) & (apart <= window_days)
    links = np.column_stack([np.minimum(a, b), np.maximum(a, b)])[keep]
    return np.unique(links, axis=0) if len(links) else links


def packages(
    work_ids: Sequence[str],
    start: Sequence[date],
    end: Sequence[date],
    links: IntArray,
    window_days: int,
) -> IntArray:
    """Return a package label per work (see *Packages* in the module docstring)."""
    n = len(work_ids)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in links.tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    parent = list(range(n))
    first_end = [e.toordinal() for e in end]  # earliest end of the package rooted here

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    done = np.zeros(n, dtype=bool)
    for w in sorted(range(n), key=lambda k: (start[k], work_ids[k])):
        own = start[w].toordinal()
        for v in neighbours[w]:
            if not done[v]:
                continue
            root, mine = find(v), find(w)
            if root != mine and own - first_end[root] <= window_days:
                parent[mine] = root
                first_end[root] = min(first_end[root], first_end[mine])
        done[w] = True
    return np.array([find(w) for w in range(n)], dtype=np.int64)
