"""Benchmark: road corridor graph build on the city-size district.

Prints the district's size, the corridor graph's build time, its size and the peak memory,
and the ratio against a baseline run in the same process: a plain centreline graph of the same
blocks (one edge per block, as OSMnx or momepy's ``gdf_to_nx`` would build), i.e. what the
two-sided corridor model costs over the simplest road graph.

Run: ``make bench`` (or ``.venv/bin/python -m bench.bench_corridor [--size demo|city]``).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import networkx as nx
import numpy as np
import shapely

from bench.city import build_city
from data.demo_district import build_district
from gis.corridor import build_corridor_graph, road_segments
from gis.schema import UTILITIES


def _centreline_graph(roads_blocks) -> nx.Graph:  # type: ignore[no-untyped-def]
    g = roads_blocks.geometry.to_numpy()
    a = shapely.get_coordinates(shapely.get_point(g, 0)).round(2)
    b = shapely.get_coordinates(shapely.get_point(g, -1)).round(2)
    G = nx.Graph()
    G.add_edges_from(
        (tuple(p), tuple(q), {"length": float(n)}) for p, q, n in zip(a, b, shapely.length(g))
    )
    return G


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="city", choices=["demo", "city"])
    args = parser.parse_args()

    t = time.perf_counter()
    layers = build_city() if args.size == "city" else build_district("demo")
    t_gen = time.perf_counter() - t
    roads = layers["roads"]
    networks = {u: layers[u] for u in UTILITIES if u in layers}
    n_net = sum(len(g) for g in networks.values())
    print(
        f"district ({args.size}): {len(roads):,} road features, {n_net:,} network features, "
        f"{len(layers['sites']):,} sites; generated in {t_gen:.1f} s"
    )

    t = time.perf_counter()
    blocks = road_segments(roads)
    base = _centreline_graph(blocks)
    t_base = time.perf_counter() - t
    print(
        f"baseline centreline graph: {base.number_of_nodes():,} nodes, "
        f"{base.number_of_edges():,} edges in {t_base:.2f} s"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    G = build_corridor_graph(roads, sites=layers["sites"], networks=networks, progress=True)
    t_graph = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kinds: dict[str, int] = {}
    for _, _, kind in G.edges(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    att = G.graph["attachments"]
    print(
        f"corridor graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))})"
    )
    print(
        f"  assets attached: {att['asset_id'].nunique():,} of {n_net:,}; off-road: "
        f"{len(G.graph['off_road']):,}; sites with frontage: "
        f"{G.graph['frontages']['project_id'].nunique():,}"
    )
    print(f"  build time: {t_graph:.2f} s (traced, with tracemalloc on)")
    print(
        f"  peak Python memory during build: {peak / 2**20:,.0f} MiB (tracemalloc); "
        f"process max RSS {rss_after / 1024:,.0f} MiB (was {rss_before / 1024:,.0f} MiB)"
    )
    t = time.perf_counter()
    G2 = build_corridor_graph(roads, sites=layers["sites"], networks=networks)
    t_plain = time.perf_counter() - t
    print(
        f"  build time untraced: {t_plain:.2f} s; ratio to the centreline baseline: "
        f"{t_plain / t_base:.1f}x for {G2.number_of_edges() / base.number_of_edges():.1f}x "
        "the edges"
    )
    assert np.isfinite(t_plain)


if __name__ == "__main__":
    main()
