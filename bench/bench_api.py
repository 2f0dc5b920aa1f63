"""Benchmark: assessment requests per second through the web API, on SQLite and on PostGIS.

For each backend, in one process: the demo district is seeded into a fresh database, then
``POST /projects/{id}/assessment`` is sent N times (16 demo projects in turn) from 8 client
threads through the ASGI app (HTTP handling, authentication, the assessment, the JSON result,
the database write). Baseline in the same process: the same assessments stored by calling
``api.routes.projects.run_assessment`` directly (no HTTP). Also the first request after a new
network version (the workspace and every site are re-assessed).

PostGIS runs in a throwaway cluster (``scripts/postgis.sh``); skip it with ``--sqlite-only``.

Run: ``make bench`` (or ``.venv/bin/python -m bench.bench_api [--requests N]``).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.process.assessment import run_assessment
from api.seed import DEV_TOKENS
from api.settings import Settings
from data.demo_district import build_district

ROOT = Path(__file__).resolve().parent.parent


def _bench(url: str, label: str, n: int) -> None:
    t = time.perf_counter()
    app = create_app(Settings(database_url=url, env="development"))
    state = app.state.linkplan
    ids = sorted(state.forms())
    headers = {"Authorization": f"Bearer {DEV_TOKENS['survey']}"}
    seeded = time.perf_counter() - t
    with TestClient(app, headers=headers) as client:
        t = time.perf_counter()
        first = client.post(f"/projects/{ids[0]}/assessment")
        cold = time.perf_counter() - t
        assert first.status_code == 201, first.text

        t = time.perf_counter()
        for i in range(n):
            run_assessment(state, ids[i % len(ids)])
        base = n / (time.perf_counter() - t)

        def one(i: int) -> int:
            return client.post(f"/projects/{ids[i % len(ids)]}/assessment").status_code

        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(one, range(n)))
        rate = n / (time.perf_counter() - t)
        assert set(codes) == {201}, set(codes)

        water = build_district("demo")["water"]
        body = water.to_json().encode()
        client.post(
            "/networks/water",
            headers={"Authorization": f"Bearer {DEV_TOKENS['water']}"},
            files={"file": ("water.geojson", body, "application/geo+json")},
        )
        t = time.perf_counter()
        client.post(f"/projects/{ids[1]}/assessment")
        after = time.perf_counter() - t
    state.store.engine.dispose()
    print(
        f"{label}: seeded in {seeded:.1f} s; first assessment {cold * 1e3:.0f} ms; "
        f"{n} assessment requests, 8 clients: {rate:,.0f} req/s; direct calls (no HTTP): "
        f"{base:,.0f}/s; API / direct = {rate / base:.2f}; first request after a new network "
        f"version: {after * 1e3:.0f} ms"
    )


def main() -> None:
    """Run the benchmark on both backends and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _bench(f"sqlite:///{Path(tmp) / 'linkplan.db'}", "SQLite (embedded)", args.requests)
    if args.sqlite_only:
        return
    cluster = Path(tempfile.mkdtemp(prefix="linkplan-bench-pg-"))
    cluster.rmdir()
    script = ROOT / "scripts" / "postgis.sh"
    url = subprocess.run(
        [str(script), "start", str(cluster)], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        _bench(url, "PostGIS", args.requests)
    finally:
        subprocess.run([str(script), "stop", str(cluster)], check=False, capture_output=True)


if __name__ == "__main__":
    main()
