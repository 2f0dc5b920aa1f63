"""Benchmark: site assessment on the city-size district, 10,000 sites × 5 utilities.

Prints, in one run: the batch assessment (`assess --all`: one multi-source search per utility
and requirement) in sites per second; the per-site baseline (one search per site and utility,
the same engine otherwise) on a sample spread over the district, in sites per second; their
ratio; whether both give the same routes and joint trenches (they must: routes are unique);
and the median time of a single-site assessment after the workspace is loaded. Targets
(issue 3): ratio ≥ 20×, 10,000 sites in under 60 s, single-site median under 50 ms.

Run: ``make bench`` (or ``.venv/bin/python -m bench.bench_assess [--sites N] [--sample N]``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from bench.city import build_city
from gis.profile import load_profile
from gis.workspace import Workspace
from planning.assess import Assessment, Route, assess_sites


def _sites(roads: gpd.GeoDataFrame, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Place ``n`` 40 m × 40 m sites beside random blocks, 15 m behind the road centreline."""
    rng = np.random.default_rng(seed)
    geoms = np.asarray(roads.geometry.values, dtype=object)
    pick = rng.choice(len(geoms), size=n, replace=len(geoms) < n)
    lines = geoms[pick]
    length = shapely.length(lines)
    mid = shapely.get_coordinates(shapely.line_interpolate_point(lines, length / 2))
    a = shapely.get_coordinates(shapely.get_point(lines, 0))
    b = shapely.get_coordinates(shapely.get_point(lines, -1))
    d = (b - a) / np.maximum(length, 1e-9)[:, None]
    side = rng.choice([-1.0, 1.0], size=n)
    normal = np.column_stack([-d[:, 1], d[:, 0]]) * side[:, None]
    centre = mid + normal * (15 + 20 + roads["width_m"].fillna(12).to_numpy()[pick, None] / 2)
    boxes = shapely.box(centre[:, 0] - 20, centre[:, 1] - 20, centre[:, 0] + 20, centre[:, 1] + 20)
    return gpd.GeoDataFrame(
        {
            "project_id": [f"B-{i:05d}" for i in range(n)],
            "name": [f"基准地块{i}" for i in range(n)],
            "enterprise_type": "industrial",
        },
        geometry=boxes,
        crs=roads.crs,
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="sites for the baseline")
    args = parser.parse_args()
    profile = load_profile("jingmen-2023")
    as_of = dt.date(2026, 11, 29)

    t = time.perf_counter()
    layers = build_city()
    layers["sites"] = _sites(layers["roads"], args.sites)
    ws = Workspace.from_layers(layers, crs="EPSG:4546")
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    G = ws.corridor_graph()
    t_graph = time.perf_counter() - t
    print(
        f"city: {len(layers['roads']):,} roads, "
        f"{sum(len(layers[u]) for u in ('water', 'gas', 'heat', 'power', 'telecom')):,} "
        f"network features, {args.sites:,} sites; generated and validated in {t_load:.1f} s; "
        f"corridor graph {G.number_of_nodes():,} nodes in {t_graph:.1f} s"
    )

    ids = list(layers["sites"]["project_id"])
    # warm the per-workspace context (routing index, edge facts, major lines) once, as a
    # server does when it loads a network version
    t = time.perf_counter()
    assess_sites(ws, profile=profile, site_ids=ids[:1], as_of=as_of)
    t_ctx = time.perf_counter() - t
    print(f"first assessment (builds routing index and context): {t_ctx:.2f} s")

    t = time.perf_counter()
    batch = assess_sites(ws, profile=profile, as_of=as_of, strategy="batch")
    t_batch = time.perf_counter() - t
    rate_batch = len(batch) / t_batch
    print(
        f"batch --all: {len(batch):,} sites × 5 utilities in {t_batch:.1f} s "
        f"= {rate_batch:,.0f} sites/s"
    )

    # the baseline on sites spread over the whole district (every k-th site)
    sample = ids[:: max(1, len(ids) // args.sample)][: args.sample]
    t = time.perf_counter()
    base = assess_sites(ws, profile=profile, site_ids=sample, as_of=as_of, strategy="per_site")
    t_base = time.perf_counter() - t
    rate_base = len(base) / t_base
    print(
        f"per-site baseline: {len(base):,} sites × 5 utilities in {t_base:.1f} s "
        f"= {rate_base:,.1f} sites/s"
    )
    by_id = {a.project_id: a for a in batch}

    def _route(r: Route | None) -> tuple[list[object], str] | None:
        return None if r is None else (list(r.nodes), r.tap_asset)

    def _trench(a: Assessment) -> object:
        t = a.shared_trench
        return None if t is None else [(s.nodes, s.utilities, s.trenches) for s in t.segments]

    same = sum(
        _route(a.utilities[u].route) == _route(by_id[a.project_id].utilities[u].route)
        for a in base
        for u in a.utilities
    )
    trenches = sum(_trench(a) == _trench(by_id[a.project_id]) for a in base)
    print(
        f"  baseline and batch agree node by node on {same} of {5 * len(base)} utility routes "
        f"and on {trenches} of {len(base)} joint trenches"
    )
    print(
        f"ratio batch / per-site (same engine, bounded scipy search per site): "
        f"{rate_batch / rate_base:.1f}x (target ≥ 20x)"
    )

    # the plain baseline: a networkx Dijkstra per site and utility from the site's frontage,
    # stopping at the coverage limit, then the nearest suitable tap (search only, no facts)
    from planning.assess import _Searcher, default_demand
    from planning.suitability import suitable_mains

    ctx = ws.cache[next(k for k in ws.cache if k[0] == "assess-context")]
    searcher = _Searcher(ctx, "batch")
    demand = default_demand(profile)
    limit = profile.coverage.max_connection_m
    tap_sets = []
    for utility in ("water", "gas", "heat", "power"):
        mask = suitable_mains(utility, layers[utility], demand, profile)
        tap_sets.append(set(ctx.index.nodes[i] for i in searcher.ctx.sources(utility, mask)[0]))
    for op in ctx.operators:
        mask = (layers["telecom"]["operator"] == op).to_numpy()
        tap_sets.append(set(ctx.index.nodes[i] for i in searcher.ctx.sources("telecom", mask)[0]))
    nx_sample = ids[:50]
    t = time.perf_counter()
    for pid in nx_sample:
        front = [ctx.index.nodes[i] for i in ctx.index.frontage.get(pid, [])]
        for taps in tap_sets:
            dist = nx.multi_source_dijkstra_path_length(G, front, cutoff=limit, weight="length")
            min((d for n, d in dist.items() if n in taps), default=None)
    t_nx = time.perf_counter() - t
    rate_nx = len(nx_sample) / t_nx
    print(
        f"networkx per-site baseline (search only): {len(nx_sample)} sites × 5 utilities in "
        f"{t_nx:.1f} s = {rate_nx:,.1f} sites/s; ratio batch / networkx per-site: "
        f"{rate_batch / rate_nx:.0f}x"
    )

    times = []
    for pid in ids[7 :: max(1, len(ids) // 50)][:50]:
        t = time.perf_counter()
        assess_sites(ws, profile=profile, site_ids=[pid], as_of=as_of)
        times.append(time.perf_counter() - t)
    print(
        f"single site (strategy auto: searches from the site; context warm): median "
        f"{statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms over "
        f"{len(times)} sites (target median < 50 ms)"
    )


if __name__ == "__main__":
    main()
