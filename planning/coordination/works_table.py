"""The works table: its columns, and checking it into arrays (rules R9, R10; seed 三6).

One row per piece of trench on one block; the columns and what each must hold are listed in
:mod:`planning.coordination`. :func:`validate` reports every problem of the table at once, in a
:class:`~gis.errors.ValidationError` on layer ``"works"``, one check per field; :func:`select`
keeps the works of a date range.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gis.errors import Problem, ValidationError

__all__ = [
    "LAYER",
    "REQUIRED_COLUMNS",
    "FloatArray",
    "IntArray",
    "Place",
    "as_date",
    "select",
    "validate",
]

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
class Pieces:
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


def as_date(value: Any) -> date | None:
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


class _Check:
    """Problems found so far in a works table, and which rows are still good."""

    def __init__(self, works: pd.DataFrame) -> None:
        self.works = works
        self.n = len(works)
        self.present = set(works.columns)
        self.problems: list[Problem] = [
            Problem(LAYER, None, col, "absent", f"column {col!r}", code="missing_field")
            for col in REQUIRED_COLUMNS
            if col not in works.columns
        ]
        labels = [str(label) for label in works.index]
        self.ids = [None if _missing(w) else str(w) for w in self.column("work_id")]
        self.feature = [
            w if w is not None else f"row {label}" for w, label in zip(self.ids, labels)
        ]
        self.ok = np.ones(self.n, dtype=bool)

    def column(self, name: str) -> list[Any]:
        """Return a column's values, ``None`` for each row when the column is absent."""
        return self.works[name].tolist() if name in self.present else [None] * self.n

    def bad(self, i: int, field: str, value: Any, expected: str, code: str) -> None:
        """Record a problem of row ``i`` and mark the row bad."""
        self.problems.append(_problem(self.feature[i], field, value, expected, code))
        self.ok[i] = False

    def texts(self) -> dict[str, list[str]]:
        """Check the ids (work, project, utility, road): non-empty; return them as text."""
        texts: dict[str, list[str]] = {}
        for col in ("work_id", "project_id", "utility", "road_id"):
            values = self.column(col)
            texts[col] = ["" if _missing(v) else str(v) for v in values]
            if col in self.present:
                for i, v in enumerate(values):
                    if _missing(v):
                        self.bad(i, col, v, "a non-empty id", "missing_value")
        return texts

    def segs(self) -> IntArray:
        """Check ``seg``: a block id, an integer ≥ 0."""
        segs = np.zeros(self.n, dtype=np.int64)
        if "seg" not in self.present:
            return segs
        for i, v in enumerate(self.column("seg")):
            try:
                f = float(v)
            except (TypeError, ValueError):
                f = math.nan
            if isinstance(v, bool) or not math.isfinite(f) or f < 0 or f != int(f):
                expected = "a block id: an integer ≥ 0 (gis.corridor.road_segments)"
                self.bad(i, "seg", v, expected, "invalid_seg")
            else:
                segs[i] = int(f)
        return segs

    def sides(self) -> list[str | None]:
        """Check ``side``: ``"L"``, ``"R"`` or empty (a carriageway crossing)."""
        sides: list[str | None] = [None] * self.n
        if "side" not in self.present:
            return sides
        for i, v in enumerate(self.column("side")):
            if v is None or (not isinstance(v, str) and _missing(v)):
                continue
            if v in _SIDES:
                sides[i] = str(v)
            else:
                self.bad(i, "side", v, "'L', 'R' or None (carriageway crossing)", "unknown_side")
        return sides

    def positions(self) -> dict[str, FloatArray]:
        """Check ``t0`` and ``t1``: metres ≥ 0, ``t0`` ≤ ``t1``."""
        pos: dict[str, FloatArray] = {}
        for col in ("t0", "t1"):
            raw = self.column(col)
            nums = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
            arr = nums.to_numpy(dtype=np.float64, na_value=np.nan)
            pos[col] = arr
            if col in self.present:
                for k in np.flatnonzero(~np.isfinite(arr) | (arr < 0)).tolist():
                    expected = "metres along the block, a number ≥ 0"
                    self.bad(k, col, raw[k], expected, "invalid_position")
        if {"t0", "t1"} <= self.present:
            for k in np.flatnonzero(pos["t1"] < pos["t0"]).tolist():
                expected = f"t1 ≥ t0 = {pos['t0'][k]:g}"
                self.bad(k, "t1", pos["t1"][k], expected, "reversed_interval")
        return pos

    def dates(self) -> dict[str, list[date | None]]:
        """Check ``start`` and ``end``: dates, ``start`` ≤ ``end``."""
        dates: dict[str, list[date | None]] = {}
        for col in ("start", "end"):
            values = self.column(col)
            dates[col] = [as_date(v) for v in values]
            if col in self.present:
                for i, (v, d) in enumerate(zip(values, dates[col])):
                    if d is None:
                        code = "missing_value" if _missing(v) else "invalid_date"
                        self.bad(i, col, v, "a date (datetime.date or ISO YYYY-MM-DD)", code)
        for i, (s, e) in enumerate(zip(dates["start"], dates["end"])):
            if s is not None and e is not None and e < s:
                self.bad(
                    i, "end", e.isoformat(), f"end ≥ start = {s.isoformat()}", "reversed_window"
                )
        return dates

    def one_per_work(
        self, texts: dict[str, list[str]], dates: dict[str, list[date | None]]
    ) -> None:
        """Check that the rows of a work agree on its project, utility and window."""
        per_work: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
        for i, w in enumerate(self.ids):
            if w is None:
                continue
            for col in ("project_id", "utility"):
                if col in self.present and texts[col][i]:
                    per_work[w][col].add(texts[col][i])
            for col in ("start", "end"):
                if dates[col][i] is not None:
                    per_work[w][col].add(dates[col][i])
        for w, fields in per_work.items():
            for col, seen in fields.items():
                if len(seen) > 1:
                    shown = ", ".join(sorted(str(x) for x in seen))
                    expected = f"one {col} for all rows of the work"
                    self.problems.append(_problem(w, col, shown, expected, "inconsistent_work"))
                    self.ok[[i for i in range(self.n) if self.ids[i] == w]] = False

    def one_road_per_block(self, segs: IntArray, roads_of: list[str]) -> None:
        """Check that the good rows of one block agree on its ``road_id``."""
        if not {"seg", "road_id"} <= self.present:
            return
        roads: dict[int, dict[str, str]] = defaultdict(dict)
        for i in range(self.n):
            if self.ok[i]:
                roads[int(segs[i])].setdefault(roads_of[i], self.feature[i])
        for seg, by_road in sorted(roads.items()):
            (first_road, first_feature), *others = by_road.items()
            for road, feat in others:
                expected = f"road_id {first_road!r} of block {seg} (as in {first_feature})"
                self.problems.append(_problem(feat, "road_id", road, expected, "inconsistent_road"))


def validate(works: pd.DataFrame) -> Pieces:
    """Check the works table and return it as arrays; raise with every problem found.

    1. the table is a DataFrame with the required columns;
    2. each field of each row (ids, block, side, positions, window);
    3. the rows of a work agree, the rows of a block name one road;
    4. every problem found is raised at once, else the table becomes :class:`Pieces`.
    """
    if not isinstance(works, pd.DataFrame):
        problem = Problem(
            LAYER, None, None, type(works).__name__, "a pandas DataFrame", code="type"
        )
        raise ValidationError([problem], summary="works table is not a table")
    check = _Check(works)
    texts = check.texts()
    segs = check.segs()
    sides = check.sides()
    pos = check.positions()
    dates = check.dates()
    check.one_per_work(texts, dates)
    check.one_road_per_block(segs, texts["road_id"])
    if check.problems:
        summary = f"works table: {len(check.problems)} problem(s)"
        raise ValidationError(check.problems, summary=summary)
    return _pieces(texts, segs, sides, pos, dates)


def _pieces(
    texts: dict[str, list[str]],
    segs: IntArray,
    sides: list[str | None],
    pos: dict[str, FloatArray],
    dates: dict[str, list[date | None]],
) -> Pieces:
    """Index the checked rows by work and place."""
    n = len(segs)
    place_index: dict[Place, int] = {}
    work_index: dict[str, int] = {}
    place_of = np.empty(n, dtype=np.int64)
    work_of = np.empty(n, dtype=np.int64)
    for i in range(n):
        key: Place = (int(segs[i]), sides[i])
        place_of[i] = place_index.setdefault(key, len(place_index))
        work_of[i] = work_index.setdefault(texts["work_id"][i], len(work_index))
    first_row = {w: i for i, w in reversed(list(enumerate(texts["work_id"])))}
    return Pieces(
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


def select(pieces: Pieces, date_from: date | None, date_to: date | None) -> Pieces:
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
    return Pieces(
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
