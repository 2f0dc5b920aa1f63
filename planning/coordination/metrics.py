"""Excavations and metres dug without and with coordination (the *Metrics* of R10 dig-once).

A run is a maximal stretch of the union of intervals on one place; see *Metrics* in
:mod:`planning.coordination`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.coordination.works_table import FloatArray, IntArray

__all__ = ["runs"]


def runs(
    owner: IntArray, place: IntArray, t0: FloatArray, t1: FloatArray, gap: float, size: int
) -> tuple[IntArray, FloatArray]:
    """Return, per owner (0..size-1), its runs and metres summed over the places it digs.

    The union of intervals is taken per ``(owner, place)``: rows sorted by start, a row opens
    a new run when it starts more than ``gap`` after the furthest end seen so far, and adds
    the part of it beyond that end to the length.
    """
    if not len(owner):
        return np.zeros(size, dtype=np.int64), np.zeros(size)
    order = np.lexsort((t0, place, owner))
    o, p, a, b = owner[order], place[order], t0[order], t1[order]
    new_group = np.r_[True, (o[1:] != o[:-1]) | (p[1:] != p[:-1])]
    group = np.cumsum(new_group) - 1
    reach = pd.Series(b).groupby(group).cummax().to_numpy()
    prev = np.r_[-np.inf, reach[:-1]]
    prev[new_group] = -np.inf
    new_run = new_group | (a > prev + gap)
    covered = np.maximum(b - np.maximum(a, prev), 0.0)
    runs = np.bincount(o, weights=new_run, minlength=size).round().astype(np.int64)
    metres = np.bincount(o, weights=covered, minlength=size).astype(np.float64)
    return runs, metres
