"""Benchmark: coordination of planned works across projects on the city-size district.

Builds synthetic planned works on the blocks of the city district (``build_city()``,
``gis.corridor.road_segments``): most works are spread over random blocks, sides and weeks of
one year; some are clustered on "hot" blocks (a new development area, a road being rebuilt)
with starts bunched around a few dates, so that coordination matters. Times
:func:`planning.coordination.coordinate_works` end to end and prints the packages and the
excavations and metres without / with coordination and avoided.

Baseline, in the same process: the link search done naively, comparing **all pairs** of
pieces (O(n²), vectorised with numpy in chunks, so a fair baseline rather than a Python double
loop) against the indexed search of the module (sort by place and position, one merge:
O(n log n + pairs)). Both must find the same links; the ratio is printed.

Run: ``.venv/bin/python -m bench.bench_coordination [--works 2000] [--seed 4]``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from bench.city import build_city
from gis.corridor import road_segments
from gis.profile import Profile
from planning.coordination import coordinate_works
from planning.coordination.linking import link_works
from planning.coordination.works_table import select, validate

YEAR = date(2024, 1, 1)
UTILITIES = ("water", "gas", "heat", "power", "telecom")


def synthetic_works(blocks: pd.DataFrame, n_works: int, seed: int) -> pd.DataFrame:
    """Return ``n_works`` planned works (1–3 pieces each) on the blocks."""
    rng = np.random.default_rng(seed)
    seg = blocks["seg"].to_numpy()
    length = blocks["length"].to_numpy()
    road = blocks["road_id"].astype(str).to_numpy()
    hot = rng.choice(len(blocks), size=max(n_works // 15, 1), replace=False)
    hot_dates = rng.integers(0, 330, size=(len(hot), 3))  # three busy moments per hot block
    rows = []
    for k in range(n_works):
        clustered = rng.random() < 0.5
        if clustered:
            h = int(rng.integers(len(hot)))
            first = int(hot[h])
            start = int(hot_dates[h, rng.integers(3)] + rng.integers(-20, 21))
        else:
            first = int(rng.integers(len(blocks)))
            start = int(rng.integers(0, 340))
        start = max(start, 0)
        duration = int(rng.integers(5, 46))
        project = f"proj-{int(rng.integers(n_works // 3 + 1)):04d}"
        utility = UTILITIES[int(rng.integers(len(UTILITIES)))]
        n_pieces = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        for j in range(n_pieces):
            b = first if j == 0 else int(rng.integers(len(blocks)))
            crossing = rng.random() < 0.1
            side = None if crossing else ("L" if rng.random() < 0.5 else "R")
            if crossing:
                t0 = float(rng.uniform(0, length[b]))
                t1 = t0 + float(rng.uniform(8, 20))
            else:
                a, c = np.sort(rng.uniform(0, length[b], size=2))
                t0, t1 = float(a), float(max(c, a + 5.0))
            rows.append(
                {
                    "work_id": f"w{k:05d}",
                    "project_id": project,
                    "utility": utility,
                    "seg": int(seg[b]),
                    "road_id": road[b],
                    "side": side,
                    "t0": round(t0, 2),
                    "t1": round(min(t1, float(length[b])), 2),
                    "start": (YEAR + timedelta(days=start)).isoformat(),
                    "end": (YEAR + timedelta(days=start + duration)).isoformat(),
                }
            )
    return pd.DataFrame(rows)


def naive_links(works: pd.DataFrame, window_days: int, gap_m: float) -> set[tuple[str, str]]:
    """Link work pairs by comparing every pair of pieces (O(n²), numpy in chunks)."""
    side = works["side"].fillna("").to_numpy()
    place = pd.factorize(pd.Series(list(zip(works["seg"], side))))[0]
    t0 = works["t0"].to_numpy(float)
    t1 = works["t1"].to_numpy(float)
    start = pd.to_datetime(works["start"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    end = pd.to_datetime(works["end"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    wid = works["work_id"].to_numpy()
    found: set[tuple[str, str]] = set()
    chunk = 512
    for lo in range(0, len(works), chunk):
        i = slice(lo, lo + chunk)
        near = (
            (place[i, None] == place[None, :])
            & (t0[None, :] <= t1[i, None] + gap_m)
            & (t0[i, None] <= t1[None, :] + gap_m)
            & (
                np.maximum(start[i, None], start[None, :]) - np.minimum(end[i, None], end[None, :])
                <= window_days
            )
            & (wid[i, None] != wid[None, :])
        )
        a, b = np.nonzero(near)
        for x, y in zip(wid[i][a], wid[b]):
            found.add((min(x, y), max(x, y)))
    return found


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--works", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    t = time.perf_counter()
    layers = build_city()
    blocks = road_segments(layers["roads"])
    print(f"city district: {len(blocks):,} blocks in {time.perf_counter() - t:.1f} s")
    works = synthetic_works(blocks, args.works, args.seed)
    print(
        f"synthetic works: {works['work_id'].nunique():,} works of "
        f"{works['project_id'].nunique():,} projects, {len(works):,} pieces over one year"
    )

    window = {"window_days": {"value": 90, "source": "bench"}}
    profile = Profile.from_data("bench", {"coordination": window})
    coordinate_works(works.head(50), profile=profile)  # warm-up (imports, caches)
    t = time.perf_counter()
    result = coordinate_works(works, profile=profile)
    t_all = time.perf_counter() - t
    joint = [p for p in result.packages if p.is_joint]
    biggest = max((len(p.works) for p in result.packages), default=0)
    print(
        f"coordinate_works: {t_all * 1000:.0f} ms → {len(result.packages):,} packages "
        f"({len(joint):,} joint, largest {biggest} works; window {result.window_days} days)"
    )
    print(
        f"excavations: without {result.excavations_without:,}, with {result.excavations_with:,}, "
        f"avoided {result.excavations_avoided:,}"
    )
    print(
        f"metres dug: without {result.metres_without:,.0f}, with {result.metres_with:,.0f}, "
        f"avoided {result.metres_avoided:,.0f} "
        f"({result.metres_avoided / max(result.metres_without, 1e-9):.1%})"
    )

    pieces = select(validate(works), None, None)
    repeat = 20
    t = time.perf_counter()
    for _ in range(repeat):
        links = link_works(pieces, result.window_days, result.gap_m)
    t_indexed = (time.perf_counter() - t) / repeat
    indexed = {
        (min(a, b), max(a, b))
        for a, b in ((pieces.work_ids[x], pieces.work_ids[y]) for x, y in links.tolist())
    }
    t = time.perf_counter()
    naive = naive_links(works, result.window_days, result.gap_m)
    t_naive = time.perf_counter() - t
    if naive != indexed:
        raise SystemExit(f"link sets differ: naive {len(naive)}, indexed {len(indexed)}")
    print(
        f"link search ({len(indexed):,} linked pairs, identical): baseline all pairs "
        f"{t_naive * 1000:.1f} ms, indexed {t_indexed * 1000:.2f} ms, "
        f"ratio {t_naive / t_indexed:.0f}×"
    )


if __name__ == "__main__":
    main()
