"""Benchmark: the workbench's pages on 10,000 projects, beside the JSON API for the same data.

In one process: a development database (SQLite) is seeded with the demo (its users), then the
city-size district (:func:`bench.city.build_city`) with N sites is imported over it and N
projects are stored on those sites: an intake form each, a 受理时间 spread over the last
working weeks, later time nodes for some, and an assessment record with its approval path
(the stored result is that of a demo project, the same for all: no page reads it per row).
Then, through the ASGI app (TestClient: HTTP handling, sign-in cookie or bearer token,
database, templates), each page and its JSON API counterpart is requested R times and the
p50/p95 printed side by side:

- the project list ``/ui/projects`` (a page of it) beside ``GET /projects`` (every project);
- a project page ``/ui/projects/{id}`` beside ``GET /projects/{id}`` (printed as missing
  while the workbench has no project page);
- the ledger ``/ui/ledger`` (a page of it, warnings first) beside ``GET /ledger``.

The ledger of every project is computed once per minute and data change
(:mod:`api.process.dashboard`; when the minute turns, the last minute's answers while the
next is computed in a thread): its first computation is printed apart.
Target (issue 15): p95 under 200 ms for each page on 2 cores.

Run: ``.venv/bin/python -m bench.bench_web [--projects 10000] [--requests 30]`` (not in
``make test``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.process.assessment import run_assessment
from api.seed import DEV_PASSWORDS, DEV_TOKENS
from api.settings import Settings
from api.state import ServiceState
from bench.bench_assess import _sites
from bench.city import build_city
from data.demo_intakes import demo_intakes
from gis.schema import UTILITIES
from gis.storage.models import AssessmentRecord, ProjectRecord

_STEPS_AFTER = ("assessed", "submitted", "approved", "connected")


def _forms(ids: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Return an intake form for each site id, from the demo forms with new names and needs."""
    templates = demo_intakes()
    out = []
    for i, pid in enumerate(ids):
        form = dict(templates[i % len(templates)])
        asked = [u for u in UTILITIES if u in form["utilities"]]
        form.update(
            site_id=pid,
            project_name=f"基准项目{i:05d}",
            applicant=f"基准企业{i:05d}有限公司",
            form_number=f"2026年（{i + 1:05d}）号",
            utilities=asked,
        )
        out.append(form)
    return out


def _nodes(now: dt.datetime, rng: random.Random) -> dict[str, str]:
    """Return time nodes: accepted 0–15 days ago, some later steps done (a mix of states)."""
    accepted = now - dt.timedelta(hours=rng.uniform(0.5, 15 * 24))
    nodes = {"form_complete": accepted.replace(microsecond=0).isoformat()}
    at = accepted
    for step in _STEPS_AFTER[: rng.choice((0, 1, 1, 2, 3, 4))]:
        at = min(now, at + dt.timedelta(hours=rng.uniform(0.1, 20)))
        nodes[step] = at.replace(microsecond=0).isoformat()
    return nodes


def _populate(state: ServiceState, n: int, seed: int = 15) -> tuple[list[str], float]:
    """Import the city with ``n`` sites and store ``n`` projects on them; return their ids."""
    t = time.perf_counter()
    result = run_assessment(state, "JM-2026-001").result  # before the city replaces the demo
    layers = build_city()
    layers["sites"] = _sites(layers["roads"], n)
    state.store.import_layers(layers, user="bench", source="bench city", confirm=True)
    rng = random.Random(seed)
    ids = [str(x) for x in layers["sites"]["project_id"]]
    now = dt.datetime.now()
    with state.store.session.begin() as s:
        for form in _forms(ids, rng):
            s.add(
                ProjectRecord(
                    project_id=form["site_id"],
                    intake=form,
                    created_by="bench",
                    time_nodes=_nodes(now, rng),
                )
            )
        s.flush()
        for pid in ids:
            s.add(
                AssessmentRecord(
                    project_id=pid,
                    as_of=now,
                    profile=state.profile.name,
                    versions={},
                    approval_path=rng.choice(("commitment", "joint", "joint")),
                    result=result,
                )
            )
    return ids, time.perf_counter() - t


def _sign_in(client: TestClient, user: str) -> bool:
    """Sign ``user`` in through the login form (the cookie stays); False without the workbench."""
    page = client.get("/ui/login")
    if page.status_code == 404:
        return False
    token = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    data = {"name": user, "password": DEV_PASSWORDS[user], "csrf_token": token.group(1)}
    res = client.post("/ui/login", data=data, follow_redirects=False)
    assert res.status_code == 303, (res.status_code, res.text[:500])
    return True


def _times(get: Callable[[], Any], n: int) -> tuple[float, float, int] | None:
    """Return p50, p95 (ms) of ``n`` calls of ``get`` and the status; None if it is missing."""
    first = get()
    if first.status_code == 404:
        return None
    assert first.status_code == 200, (first.status_code, first.text[:300])
    spent = []
    for _ in range(n):
        t = time.perf_counter()
        res = get()
        spent.append((time.perf_counter() - t) * 1e3)
        assert res.status_code == 200, res.status_code
    spent.sort()
    p95 = spent[min(len(spent) - 1, round(0.95 * (len(spent) - 1)))]
    return statistics.median(spent), p95, len(first.content)


def _line(label: str, got: tuple[float, float, int] | None, n: int) -> str:
    if got is None:
        return f"  {label:<34} (not on this branch: 404)"
    p50, p95, size = got
    mark = "" if not label.startswith("/ui") else ("  ✓ < 200 ms" if p95 < 200 else "  ✗ ≥ 200 ms")
    return f"  {label:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({n} requests, {size / 1024:,.0f} KiB){mark}"


def main() -> None:
    """Build the database, time the pages and the API, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--api-list-requests", type=int, default=5, help="timed GET /projects (all projects)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'linkplan.db'}"
        app = create_app(Settings(database_url=url, env="development"))
        state: ServiceState = app.state.linkplan
        ids, built = _populate(state, args.projects)
        print(f"SQLite: city district + {len(ids):,} projects stored in {built:.1f} s")
        pid = ids[len(ids) // 2]
        web = TestClient(app)
        api = TestClient(app, headers={"Authorization": f"Bearer {DEV_TOKENS['approval']}"})
        with web, api:
            if not _sign_in(web, "approval"):
                print("no workbench on this branch (/ui/login 404): pages not measured")
            t = time.perf_counter()
            cold = web.get("/ui/ledger")
            cold_ms = (time.perf_counter() - t) * 1e3
            n, few = args.requests, max(3, args.requests // 6)
            rows: list[tuple[str, TestClient, str, int]] = [
                ("/ui/projects (page 2)", web, "/ui/projects?page=2", n),
                ("GET /projects (all)", api, "/projects", args.api_list_requests),
                (f"/ui/projects/{pid}", web, f"/ui/projects/{pid}", n),
                (f"GET /projects/{pid}", api, f"/projects/{pid}", n),
                ("/ui/ledger", web, "/ui/ledger", n),
                ("/ui/ledger (overdue, page 3)", web, "/ui/ledger?status=overdue&page=3", n),
                ("GET /ledger (warnings)", api, "/ledger", few),
                ("GET /ledger?all=true", api, "/ledger?all=true", few),
            ]
            print(
                f"first /ui/ledger (computes the ledger of every project): {cold_ms:,.0f} ms "
                f"(status {cold.status_code})"
            )
            for label, client, url_, count in rows:
                got = _times(partial(client.get, url_), count)
                print(_line(label, got, count))
        state.store.engine.dispose()


if __name__ == "__main__":
    main()
