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

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gis.errors import InputFormatError, Problem, ProfileError, ValidationError
from gis.profile import Profile, load_profile

__all__ = [
    "DEFAULT_PROFILE",
    "REQUIRED_COLUMNS",
    "CoordinationResult",
    "Package",
    "coordinate_works",
    "packages_to_gdf",
]

DEFAULT_PROFILE = "jingmen-2023"
"""Profile used when none is given."""

REQUIRED_COLUMNS = (
    "work_id",
    "project_id",
    "utility",
    "seg",
    "road_id",
    "side",
    "t0",
    "t1",
    "start",
    "end",
)
"""Columns every works table must have (``geometry`` is optional, for :func:`packages_to_gdf`)."""

LAYER = "works"
_SIDES = ("L", "R")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Place = tuple[int, str | None]


@dataclass(frozen=True)
class Package:
    """One coordinated construction package: works that dig the same places together.

    Attributes
    ----------
    package_id
        ``P0001``, ``P0002`` … in order of start date (then first work id).
    works, projects, utilities
        Sorted ids of the works, their projects and utilities.
    segments
        Sorted places ``(seg, side)`` the package digs (``side`` None: carriageway crossing).
    start, end
        Package window: earliest start and latest end of its works (both days included).
    dug_m, excavations
        Metres dug and separate excavations (runs) with coordination.
    dug_m_without, excavations_without
        The same for its works dug one by one.
    """

    package_id: str
    works: tuple[str, ...]
    projects: tuple[str, ...]
    utilities: tuple[str, ...]
    segments: tuple[Place, ...]
    start: date
    end: date
    dug_m: float
    excavations: int
    dug_m_without: float
    excavations_without: int

    @property
    def is_joint(self) -> bool:
        """Return whether the package coordinates more than one work."""
        return len(self.works) > 1


@dataclass(frozen=True)
class CoordinationResult:
    """Packages and the excavations they avoid (see the module docstring for the metrics)."""

    packages: list[Package]
    excavations_without: int
    excavations_with: int
    metres_without: float
    metres_with: float
    window_days: int
    gap_m: float

    @property
    def excavations_avoided(self) -> int:
        """Return the separate excavations avoided by coordination."""
        return self.excavations_without - self.excavations_with

    @property
    def metres_avoided(self) -> float:
        """Return the metres of road not dug a second time thanks to coordination."""
        return round(self.metres_without - self.metres_with, 3)

    def package_of(self) -> dict[str, str]:
        """Return ``work_id`` → ``package_id`` for every work considered."""
        return {w: p.package_id for p in self.packages for w in p.works}


@dataclass(frozen=True)
class _Pieces:
    """Validated works table as arrays, one entry per row (piece)."""

    work: IntArray  # index into work_ids
    place: IntArray  # index into places
    t0: FloatArray
    t1: FloatArray
    work_ids: list[str]
    places: list[Place]
    project: dict[str, str]
    utility: dict[str, str]
    start: dict[str, date]
    end: dict[str, date]


# --------------------------------------------------------------------------- validation


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_date(value: Any) -> date | None:
    """Return ``value`` as a date, or None if it is not one."""
    if isinstance(value, datetime):  # also pandas.Timestamp
        return None if pd.isna(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                return None
    return None


def _problem(feature: str | None, field: str, value: Any, expected: str, code: str) -> Problem:
    if isinstance(value, np.generic):
        value = value.item()
    return Problem(LAYER, feature, field, repr(value), expected, code=code)


def _validate(works: pd.DataFrame) -> _Pieces:
    """Check the works table and return it as arrays; raise with every problem found."""
    if not isinstance(works, pd.DataFrame):
        problem = Problem(
            LAYER, None, None, type(works).__name__, "a pandas DataFrame", code="type"
        )
        raise ValidationError([problem], summary="works table is not a table")
    problems: list[Problem] = [
        Problem(LAYER, None, col, "absent", f"column {col!r}", code="missing_field")
        for col in REQUIRED_COLUMNS
        if col not in works.columns
    ]
    n = len(works)

    def column(name: str) -> list[Any]:
        return works[name].tolist() if name in works.columns else [None] * n

    raw_ids = column("work_id")
    labels = [str(label) for label in works.index]
    ids = [None if _missing(w) else str(w) for w in raw_ids]
    feature = [w if w is not None else f"row {label}" for w, label in zip(ids, labels)]
    ok = np.ones(n, dtype=bool)

    def bad(i: int, field: str, value: Any, expected: str, code: str) -> None:
        problems.append(_problem(feature[i], field, value, expected, code))
        ok[i] = False

    present = set(works.columns)
    texts: dict[str, list[str]] = {}
    for col in ("work_id", "project_id", "utility", "road_id"):
        values = column(col)
        texts[col] = ["" if _missing(v) else str(v) for v in values]
        if col in present:
            for i, v in enumerate(values):
                if _missing(v):
                    bad(i, col, v, "a non-empty id", "missing_value")

    segs = np.zeros(n, dtype=np.int64)
    if "seg" in present:
        for i, v in enumerate(column("seg")):
            try:
                f = float(v)
            except (TypeError, ValueError):
                f = math.nan
            if isinstance(v, bool) or not math.isfinite(f) or f < 0 or f != int(f):
                bad(
                    i,
                    "seg",
                    v,
                    "a block id: an integer ≥ 0 (gis.corridor.road_segments)",
                    "invalid_seg",
                )
            else:
                segs[i] = int(f)

    sides: list[str | None] = [None] * n
    if "side" in present:
        for i, v in enumerate(column("side")):
            if v is None or (not isinstance(v, str) and _missing(v)):
                continue
            if v in _SIDES:
                sides[i] = str(v)
            else:
                bad(i, "side", v, "'L', 'R' or None (carriageway crossing)", "unknown_side")

    pos: dict[str, FloatArray] = {}
    for col in ("t0", "t1"):
        raw = column(col)
        nums = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
        arr = nums.to_numpy(dtype=np.float64, na_value=np.nan)
        pos[col] = arr
        if col in present:
            for k in np.flatnonzero(~np.isfinite(arr) | (arr < 0)).tolist():
                bad(
                    k,
                    col,
                    raw[k],
                    "metres along the block, a number ≥ 0",
                    "invalid_position",
                )
    if {"t0", "t1"} <= present:
        for k in np.flatnonzero(pos["t1"] < pos["t0"]).tolist():
            bad(k, "t1", pos["t1"][k], f"t1 ≥ t0 = {pos['t0'][k]:g}", "reversed_interval")

    dates: dict[str, list[date | None]] = {}
    for col in ("start", "end"):
        values = column(col)
        dates[col] = [_as_date(v) for v in values]
        if col in present:
            for i, (v, d) in enumerate(zip(values, dates[col])):
                if d is None:
                    code = "missing_value" if _missing(v) else "invalid_date"
                    bad(i, col, v, "a date (datetime.date or ISO YYYY-MM-DD)", code)
    for i, (s, e) in enumerate(zip(dates["start"], dates["end"])):
        if s is not None and e is not None and e < s:
            bad(i, "end", e.isoformat(), f"end ≥ start = {s.isoformat()}", "reversed_window")

    # one project, utility and window per work; one road per block
    per_work: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for i in range(n):
        w = ids[i]
        if w is None:
            continue
        for col in ("project_id", "utility"):
            if col in present and texts[col][i]:
                per_work[w][col].add(texts[col][i])
        for col in ("start", "end"):
            if dates[col][i] is not None:
                per_work[w][col].add(dates[col][i])
    for w, fields in per_work.items():
        for col, seen in fields.items():
            if len(seen) > 1:
                shown = ", ".join(sorted(str(x) for x in seen))
                problems.append(
                    _problem(
                        w, col, shown, f"one {col} for all rows of the work", "inconsistent_work"
                    )
                )
                ok[[i for i in range(n) if ids[i] == w]] = False
    if {"seg", "road_id"} <= present:
        roads: dict[int, dict[str, str]] = defaultdict(dict)
        for i in range(n):
            if ok[i]:
                roads[int(segs[i])].setdefault(texts["road_id"][i], feature[i])
        for seg, by_road in sorted(roads.items()):
            (first_road, first_feature), *others = by_road.items()
            for road, feat in others:
                expected = f"road_id {first_road!r} of block {seg} (as in {first_feature})"
                problems.append(_problem(feat, "road_id", road, expected, "inconsistent_road"))

    if problems:
        raise ValidationError(problems, summary=f"works table: {len(problems)} problem(s)")

    place_index: dict[Place, int] = {}
    work_index: dict[str, int] = {}
    place_of = np.empty(n, dtype=np.int64)
    work_of = np.empty(n, dtype=np.int64)
    for i in range(n):
        key: Place = (int(segs[i]), sides[i])
        place_of[i] = place_index.setdefault(key, len(place_index))
        work_of[i] = work_index.setdefault(texts["work_id"][i], len(work_index))
    first_row = {w: i for i, w in reversed(list(enumerate(texts["work_id"])))}
    return _Pieces(
        work=work_of,
        place=place_of,
        t0=pos["t0"],
        t1=pos["t1"],
        work_ids=list(work_index),
        places=list(place_index),
        project={w: texts["project_id"][i] for w, i in first_row.items()},
        utility={w: texts["utility"][i] for w, i in first_row.items()},
        start={w: d for w, i in first_row.items() if (d := dates["start"][i]) is not None},
        end={w: d for w, i in first_row.items() if (d := dates["end"][i]) is not None},
    )


def _select(pieces: _Pieces, date_from: date | None, date_to: date | None) -> _Pieces:
    """Keep the works whose window intersects ``[date_from, date_to]``."""
    if date_from is None and date_to is None:
        return pieces
    keep_work = np.array(
        [
            (date_from is None or pieces.end[w] >= date_from)
            and (date_to is None or pieces.start[w] <= date_to)
            for w in pieces.work_ids
        ],
        dtype=bool,
    )
    rows = keep_work[pieces.work] if len(pieces.work) else np.zeros(0, dtype=bool)
    old_works = np.flatnonzero(keep_work)
    remap = np.full(len(pieces.work_ids), -1, dtype=np.int64)
    remap[old_works] = np.arange(len(old_works))
    kept_ids = [pieces.work_ids[i] for i in old_works]
    kept = set(kept_ids)
    return _Pieces(
        work=remap[pieces.work[rows]],
        place=pieces.place[rows],
        t0=pieces.t0[rows],
        t1=pieces.t1[rows],
        work_ids=kept_ids,
        places=pieces.places,
        project={w: p for w, p in pieces.project.items() if w in kept},
        utility={w: u for w, u in pieces.utility.items() if w in kept},
        start={w: d for w, d in pieces.start.items() if w in kept},
        end={w: d for w, d in pieces.end.items() if w in kept},
    )


# --------------------------------------------------------------------------- linking


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


def _link_works(pieces: _Pieces, window_days: int, gap_m: float) -> IntArray:
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


def _packages(
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


# --------------------------------------------------------------------------- metrics


def _runs(
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


# --------------------------------------------------------------------------- API


def _window_days(profile: Profile, override: int | None) -> int:
    if override is not None:
        value: Any = override
        where = "window_days"
    else:
        value = profile.coordination.window_days
        where = f"profile {profile.name!r} key 'coordination.window_days'"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value < 0
        or value != int(value)
    ):
        msg = f"{where}: expected a whole number of days ≥ 0, got {value!r}"
        raise (ValueError(msg) if override is not None else ProfileError(msg))
    return int(value)


def _gap_m(profile: Profile, override: float | None) -> float:
    if override is None:
        override = profile.coordination.max_gap_m if profile.has("coordination") else None
        if override is None:
            return 0.0  # optional key: intervals must overlap or touch
    value = float(override) if isinstance(override, int | float) else math.nan
    if not math.isfinite(value) or value < 0:
        msg = f"coordination gap: expected metres ≥ 0, got {override!r}"
        raise InputFormatError(msg)
    return value


def _bound(value: date | str | None, name: str) -> date | None:
    if value is None:
        return None
    parsed = _as_date(value)
    if parsed is None:
        msg = f"{name}: expected a date or ISO YYYY-MM-DD string, got {value!r}"
        raise InputFormatError(msg)
    return parsed


def coordinate_works(
    works: pd.DataFrame,
    *,
    profile: Profile | str = DEFAULT_PROFILE,
    window_days: int | None = None,
    gap_m: float | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> CoordinationResult:
    """Group planned works into coordinated construction packages and count what they save.

    Parameters
    ----------
    works
        Works table (DataFrame or GeoDataFrame), one row per piece of trench on one block; see
        the module docstring for its columns.
    profile
        Policy profile or its name; gives ``coordination.window_days`` and, optionally,
        ``coordination.max_gap_m``.
    window_days
        Overrides the profile's window: no two works of a package have windows more than this
        many days apart.
    gap_m
        Overrides the profile's gap: pieces on one place at most this far apart are linked.
    date_from, date_to
        Only works whose window intersects ``[date_from, date_to]`` (either may be open) are
        considered, in the packages and in the metrics.

    Returns
    -------
    CoordinationResult
        Packages in order of start date, and excavations and metres without and with them.

    Raises
    ------
    ValidationError
        Listing every problem of the works table (layer ``"works"``).
    ProfileError
        If the profile has no (or no valid) ``coordination.window_days`` and none is given.
    ValueError
        If ``window_days``, ``gap_m`` or the date bounds are invalid.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    days = _window_days(prof, window_days)
    gap = _gap_m(prof, gap_m)
    lower, upper = _bound(date_from, "date_from"), _bound(date_to, "date_to")
    if lower is not None and upper is not None and upper < lower:
        msg = f"date_to {upper} is before date_from {lower}"
        raise InputFormatError(msg)
    pieces = _select(_validate(works), lower, upper)

    ids = pieces.work_ids
    n = len(ids)
    starts = [pieces.start[w] for w in ids]
    ends = [pieces.end[w] for w in ids]
    labels = _packages(ids, starts, ends, _link_works(pieces, days, gap), days)
    alone_runs, alone_m = _runs(pieces.work, pieces.place, pieces.t0, pieces.t1, gap, n)
    joint_runs, joint_m = _runs(labels[pieces.work], pieces.place, pieces.t0, pieces.t1, gap, n)

    members: dict[int, list[int]] = defaultdict(list)
    for w, label in enumerate(labels.tolist()):
        members[label].append(w)
    places: dict[int, set[Place]] = defaultdict(set)
    for w, p in zip(pieces.work.tolist(), pieces.place.tolist()):
        places[int(labels[w])].add(pieces.places[p])
    ordered = sorted(
        members.items(), key=lambda m: (min(starts[w] for w in m[1]), min(ids[w] for w in m[1]))
    )
    width = max(4, len(str(len(ordered))))
    packages: list[Package] = []
    for k, (label, ws) in enumerate(ordered, start=1):
        packages.append(
            Package(
                package_id=f"P{k:0{width}d}",
                works=tuple(sorted(ids[w] for w in ws)),
                projects=tuple(sorted({pieces.project[ids[w]] for w in ws})),
                utilities=tuple(sorted({pieces.utility[ids[w]] for w in ws})),
                segments=tuple(sorted(places[label], key=lambda p: (p[0], p[1] or ""))),
                start=min(starts[w] for w in ws),
                end=max(pieces.end[ids[w]] for w in ws),
                dug_m=round(float(joint_m[label]), 3),
                excavations=int(joint_runs[label]),
                dug_m_without=round(float(alone_m[ws].sum()), 3),
                excavations_without=int(alone_runs[ws].sum()),
            )
        )
    return CoordinationResult(
        packages=packages,
        excavations_without=int(alone_runs.sum()),
        excavations_with=int(joint_runs.sum()),
        metres_without=round(float(alone_m.sum()), 3),
        metres_with=round(float(joint_m.sum()), 3),
        window_days=days,
        gap_m=gap,
    )


def packages_to_gdf(result: CoordinationResult, works: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one row per package with the union of its works' trench geometries.

    Parameters
    ----------
    result
        Output of :func:`coordinate_works` on ``works``.
    works
        The works table with a ``geometry`` column of LineStrings (one per piece).

    Returns
    -------
    GeoDataFrame
        ``package_id``, ``projects``, ``utilities``, ``works`` (comma-joined), ``start``,
        ``end`` (ISO dates), ``n_works``, ``n_projects``, ``excavations``,
        ``excavations_without``, ``dug_m``, ``dug_m_without`` and a MultiLineString (None
        when none of the package's rows has a geometry), in the CRS of ``works``.

    Raises
    ------
    ValidationError
        If ``works`` has no geometry column.
    """
    if not isinstance(works, gpd.GeoDataFrame) or "geometry" not in works.columns:
        problem = Problem(
            LAYER,
            None,
            "geometry",
            "absent",
            "a GeoDataFrame with the trench lines",
            code="missing_field",
        )
        raise ValidationError([problem], summary="works have no geometry")
    by_work: dict[Hashable, list[Any]] = defaultdict(list)
    for w, geom in zip(works["work_id"].astype(str), works.geometry.to_numpy()):
        if geom is not None and not shapely.is_empty(geom):
            by_work[w].append(geom)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for p in result.packages:
        lines = [g for w in p.works for g in by_work.get(w, [])]
        union = shapely.line_merge(shapely.union_all(lines)) if lines else None
        parts = (
            [g for g in shapely.get_parts(union) if isinstance(g, shapely.LineString)]
            if union is not None
            else []
        )
        geoms.append(shapely.MultiLineString(parts) if parts else None)
        rows.append(
            {
                "package_id": p.package_id,
                "projects": ",".join(p.projects),
                "utilities": ",".join(p.utilities),
                "works": ",".join(p.works),
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "n_works": len(p.works),
                "n_projects": len(p.projects),
                "excavations": p.excavations,
                "excavations_without": p.excavations_without,
                "dug_m": p.dug_m,
                "dug_m_without": p.dug_m_without,
            }
        )
    columns = [
        "package_id", "projects", "utilities", "works", "start", "end", "n_works", "n_projects",
        "excavations", "excavations_without", "dug_m", "dug_m_without",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=works.crs), crs=works.crs)
