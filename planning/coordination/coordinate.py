"""Coordinating planned works into construction packages: the use case (R9, R10; seed 三6).

:func:`coordinate_works` reads the settings (profile's ``coordination.*`` or overrides),
checks the works table, links the works, groups them into packages and counts what they save.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

import pandas as pd

from gis.errors import InputFormatError, ProfileError
from gis.profile import Profile, load_profile
from planning.coordination.linking import link_works, packages
from planning.coordination.metrics import runs
from planning.coordination.result import CoordinationResult, Package
from planning.coordination.works_table import (
    FloatArray,
    IntArray,
    Pieces,
    Place,
    as_date,
    select,
    validate,
)

__all__ = ["DEFAULT_PROFILE", "coordinate_works"]

DEFAULT_PROFILE = "jingmen-2023"
"""Profile used when none is given."""


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
    parsed = as_date(value)
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
    # 1. settings: the profile's window and gap unless overridden, the date range
    prof = load_profile(profile) if isinstance(profile, str) else profile
    days = _window_days(prof, window_days)
    gap = _gap_m(prof, gap_m)
    lower, upper = _bound(date_from, "date_from"), _bound(date_to, "date_to")
    if lower is not None and upper is not None and upper < lower:
        msg = f"date_to {upper} is before date_from {lower}"
        raise InputFormatError(msg)
    # 2. the works table, checked, restricted to the date range
    pieces = select(validate(works), lower, upper)
    # 3. links and packages
    ids = pieces.work_ids
    n = len(ids)
    starts = [pieces.start[w] for w in ids]
    ends = [pieces.end[w] for w in ids]
    labels = packages(ids, starts, ends, link_works(pieces, days, gap), days)
    # 4. excavations and metres, works alone and in their packages
    alone = runs(pieces.work, pieces.place, pieces.t0, pieces.t1, gap, n)
    joint = runs(labels[pieces.work], pieces.place, pieces.t0, pieces.t1, gap, n)
    # 5. the packages in order of start date, and the totals
    return CoordinationResult(
        packages=_package_list(pieces, labels, alone=alone, joint=joint),
        excavations_without=int(alone[0].sum()),
        excavations_with=int(joint[0].sum()),
        metres_without=round(float(alone[1].sum()), 3),
        metres_with=round(float(joint[1].sum()), 3),
        window_days=days,
        gap_m=gap,
    )


def _package_list(
    pieces: Pieces,
    labels: IntArray,
    *,
    alone: tuple[IntArray, FloatArray],
    joint: tuple[IntArray, FloatArray],
) -> list[Package]:
    """Return the packages, numbered in order of start date (then first work id).

    ``labels`` is the package label of each work; ``alone`` and ``joint`` are the runs and
    metres per work dug alone and per package label.
    """
    ids = pieces.work_ids
    starts = [pieces.start[w] for w in ids]
    alone_runs, alone_m = alone
    joint_runs, joint_m = joint
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
    return [
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
        for k, (label, ws) in enumerate(ordered, start=1)
    ]
