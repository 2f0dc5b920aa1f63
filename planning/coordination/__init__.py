"""Coordination across projects: one excavation where several works dig the same road (R9, R10).

Given the planned works of many projects, each digging pieces of road blocks in a construction
window, :func:`coordinate_works` groups the works that dig the same place at about the same
time into **coordinated construction packages** (统一施工): who (projects, utilities), where
(block sides), when (package window), and counts the repeated excavations the packages avoid.

Input: the works table
----------------------
One row per piece of trench on one block (a work may have many rows): ``work_id``,
``project_id``, ``utility``, ``seg`` (block id of :func:`gis.corridor.road_segments`),
``road_id``, ``side`` (``"L"``/``"R"`` for a sidewalk side, ``None`` for a carriageway
crossing), ``t0`` ≤ ``t1`` (metres along the block centreline, ≥ 0), ``start`` ≤ ``end``
(``datetime.date``, ``datetime`` or ISO ``YYYY-MM-DD`` strings; both days included). A work
has one project, one utility and one window: its rows must agree on them, and rows of one
``seg`` must agree on ``road_id``. Every problem is reported at once in a
:class:`~gis.errors.ValidationError` on layer ``"works"``.

Rules
-----
*Place.* A place is a block side ``(seg, side)``. The crossings of one block (``side`` None)
are one place of their own, the carriageway: a crossing links only with other crossings of the
same block, never with sidewalk works, and so never links the L and R sides of a block.

*Link.* Two different works are linked when

1. a piece of each lies on the same place and their intervals overlap, touch
   (``[0, 50]`` and ``[50, 80]``) or leave a gap of at most ``gap_m`` metres (profile key
   ``coordination.max_gap_m`` if the profile has it, else 0), and
2. their windows are at most ``window_days`` apart (profile key
   ``coordination.window_days``): gap = later start − earlier end in days, 0 or less when
   the windows overlap.

*Packages.* Linking is not transitive in time: a chain of works each a month after the last
would make one connected component spanning a year, with works at its two ends far more than
``window_days`` apart. Packages therefore apply the time rule to **every pair** of their works,
not only to linked pairs, while the place rule only needs a chain of links: for a set of
windows the largest pairwise gap is (latest start − earliest end), so a package must keep
``max(start) − min(end) ≤ window_days``. Packages are built greedily in order of start date
(then ``work_id``): a work joins, and merges, every package it is linked to whose earliest end
is at most ``window_days`` before its own start (its start is the package's latest); if there
is none, it opens a new package. Hence

* every two works of a package have windows at most ``window_days`` apart, and every package
  is connected by links;
* when a connected component already satisfies the pairwise rule (no chain stretches too
  far), the packages are exactly the connected components of the linking;
* works whose windows overlap are never kept apart by the time rule alone, so a package may
  last longer than ``window_days`` when its works do (a year-long work and one in its
  middle), but never because of chaining.

Example, window 90 days, three 10-day works on one block side, each trench overlapping the
next, A from 1 Jan, B from 1 Mar, C from 1 May (2024): A–B are 50 days apart, B–C 52, A–C 111
→ packages {A, B} and {C}; C's link to B is cut because C would be 111 days after A. A work
linked to nothing is a package of one. A package's window is min(start) to max(end) of its
works.

Metrics
-------
A **run** is a maximal stretch of the union of intervals on one place, pieces closer than
``gap_m`` counting as one run (with the default 0: overlapping or touching intervals).

* Without coordination every work digs its own pieces: excavations = number of runs per
  ``(work_id, seg, side)``; metres = length of the union of the work's intervals per
  ``(work_id, seg, side)``. When a work has one piece per block side (the usual case) these
  are the number of distinct ``(work_id, seg, side)`` and the sum of ``t1 − t0``.
* With coordination every package digs each place once over the union of its works'
  intervals: excavations = number of runs per ``(package, seg, side)``; metres = length of
  that union. (Runs rather than distinct ``(package, seg, side)``: two works that meet on one
  block but dig far-apart stretches of another still open two trenches there.)
* Avoided = without − with, for both. Crossings count with the length given (``t1 − t0``).

Modules
-------
- :mod:`~planning.coordination.works_table`: the works table's columns and their checks;
- :mod:`~planning.coordination.linking`: the *Place*, *Link* and *Packages* rules;
- :mod:`~planning.coordination.metrics`: runs and metres (the *Metrics*);
- :mod:`~planning.coordination.result`: :class:`Package`, :class:`CoordinationResult`,
  :func:`packages_to_gdf`;
- :mod:`~planning.coordination.coordinate`: :func:`coordinate_works`, the use case.

Examples
--------
Two projects dig the left side of block 7 a month apart; their trenches overlap by 50 m:

>>> import pandas as pd
>>> from gis.profile import Profile
>>> profile = Profile.from_data("example", {"coordination": {"window_days": {"value": 90, "source": "x"}}})
>>> works = pd.DataFrame({
...     "work_id": ["w1", "w2"], "project_id": ["A", "B"], "utility": ["water", "gas"],
...     "seg": [7, 7], "road_id": ["r1", "r1"], "side": ["L", "L"],
...     "t0": [0.0, 50.0], "t1": [100.0, 150.0],
...     "start": ["2024-03-01", "2024-04-01"], "end": ["2024-03-20", "2024-04-20"]})
>>> result = coordinate_works(works, profile=profile)
>>> [(p.package_id, p.works, str(p.start), str(p.end), p.dug_m) for p in result.packages]
[('P0001', ('w1', 'w2'), '2024-03-01', '2024-04-20', 150.0)]
>>> result.excavations_avoided, result.metres_avoided
(1, 50.0)
"""

from planning.coordination.coordinate import DEFAULT_PROFILE, coordinate_works
from planning.coordination.result import CoordinationResult, Package, packages_to_gdf
from planning.coordination.works_table import REQUIRED_COLUMNS

__all__ = [
    "DEFAULT_PROFILE",
    "REQUIRED_COLUMNS",
    "CoordinationResult",
    "Package",
    "coordinate_works",
    "packages_to_gdf",
]
