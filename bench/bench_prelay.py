"""Benchmark: the pre-lay planner on the city-size district, 500 intents, all five utilities.

Prints the time of each step, the total extension length per utility and the commitment-
eligible counts before → after, and, in the same process, a baseline: connecting each intent
on its own by its shortest path to the existing network (no shared extensions), to show what
the Steiner tree saves in metres of new main.

Run: ``make bench`` (or ``.venv/bin/python -m bench.bench_prelay [--intents N]``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from bench.city import build_city
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.prelay import plan_prelay


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intents", type=int, default=500)
    args = parser.parse_args()
    profile = load_profile("jingmen-2023")
    t = time.perf_counter()
    layers = build_city()
    layers["intents"] = layers["intents"].iloc[: args.intents].reset_index(drop=True)
    ws = Workspace.from_layers(layers, crs="EPSG:4546")
    print(f"city: {len(layers['roads']):,} roads, {len(layers['intents'])} intents; "
          f"loaded in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    plan = plan_prelay(ws, profile=profile, as_of=dt.date(2026, 11, 29))
    t_plan = time.perf_counter() - t
    print(f"plan (assess before, 5 Steiner trees, rebuild with planned mains, assess after): "
          f"{t_plan:.1f} s")
    print(f"{'utility':<9}{'extensions':>11}{'length km':>11}{'requested':>10}"
          f"{'eligible before → after':>26}{'unreachable':>12}")
    for row in plan.summary(profile):
        print(f"{row['utility']:<9}{row['extensions']:>11,}{row['length_m'] / 1e3:>11,.1f}"
              f"{row['requested']:>10,}{row['eligible_before']:>18,} → {row['eligible_after']:<6,}"
              f"{row['unreachable']:>12,}")
    total = sum(e.length_m for e in plan.extensions)
    print(f"total new main: {total / 1e3:,.1f} km in {len(plan.extensions):,} extensions; "
          f"{len(plan.joint):,} joint stretches; {len(plan.conflicts):,} conflicts listed")
    # baseline: each terminal alone, by its own shortest path (sum of path lengths)
    lengths = []
    for a in plan.before.values():
        for r in a.utilities.values():
            if r.covered and r.approval_path != "commitment" and r.route is not None:
                lengths.append(r.route.length_m)
    separate = float(np.sum(lengths))
    print(f"baseline (each joint-approval connection dug on its own, shortest path): "
          f"{separate / 1e3:,.1f} km for {len(lengths):,} connections; the plan's extensions "
          f"also serve the {sum(1 for e in plan.extensions for _ in e.serves):,} "
          "intent-utility links that had no route at all")


if __name__ == "__main__":
    main()
