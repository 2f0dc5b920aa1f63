"""No lost updates, on both backends: concurrent time nodes, intents and edits of one project.

Requests start together (a barrier) from threads, each through the web service; writers in
separate processes serialise on the database itself (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
row locks), which is what ``linkplan serve --workers N`` relies on.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from data.demo_intakes import demo_intakes
from gis.storage.models import ProjectRecord
from gis.storage.store import Store
from planning.ledger import STEPS
from tests.service import auth, client_fixture

N = 8
ROUNDS = 5


client = client_fixture()


def together(n: int, call):
    """Run ``call(i)`` for i in range(n) in n threads released at the same moment."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_eight_time_nodes_sent_at_once_are_all_kept(client):
    """Five bursts of the eight steps at once: after each, every node has its new time."""
    pid = "JM-2026-004"
    accepted = {"at": "2026-01-01T09:00:00"}  # no node before the 受理时间: accepted first
    res = client.post(f"/projects/{pid}/nodes/form_complete", headers=auth("admin"), json=accepted)
    assert res.status_code == 200, res.text
    before = client.get(f"/projects/{pid}", headers=auth("admin")).json()
    assert len(STEPS) == N
    for burst in range(1, ROUNDS + 1):
        at = {step: f"2026-0{burst}-{i + 1:02d}T09:00:00" for i, step in enumerate(STEPS)}

        def node(i: int, at: dict[str, str] = at) -> int:
            step = STEPS[i]
            url = f"/projects/{pid}/nodes/{step}"
            return client.post(url, headers=auth("admin"), json={"at": at[step]}).status_code

        assert together(N, node) == [200] * N
        after = client.get(f"/projects/{pid}", headers=auth("admin"))
        assert after.json()["time_nodes"] == at, f"burst {burst}"
    assert after.json()["row_version"] == before["row_version"] + ROUNDS * N
    assert after.headers["etag"] == f'"{before["row_version"] + ROUNDS * N}"'


def _intent(i: int) -> dict:
    x, y = 112.19 + 0.001 * i, 30.99
    ring = [[x, y], [x + 0.0005, y], [x + 0.0005, y + 0.0005], [x, y + 0.0005], [x, y]]
    return {
        "intent_id": f"CC-{i}",
        "name": f"并发意向{i}",
        "expected_start": "2027-05-01",
        "utilities": ["water"],
        "water_m3_day": 10.0 + i,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_eight_intents_registered_at_once_are_all_kept(client):
    def register(i: int) -> tuple[int, int | None]:
        res = client.post("/intents", headers=auth("investment"), json=_intent(i))
        return res.status_code, res.json().get("version")

    before = client.get("/intents", headers=auth("survey")).json()["features"]
    answers = together(N, register)
    assert [code for code, _ in answers] == [201] * N, answers
    versions = sorted(v for _, v in answers if v is not None)
    assert versions == list(range(versions[0], versions[0] + N))  # one new version each
    features = client.get("/intents", headers=auth("survey")).json()["features"]
    ids = {f["properties"]["intent_id"] for f in features}
    assert {f"CC-{i}" for i in range(N)} <= ids
    assert len(features) == len(before) + N
    water = {f["properties"]["intent_id"]: f["properties"]["water_m3_day"] for f in features}
    assert [water[f"CC-{i}"] for i in range(N)] == [10.0 + i for i in range(N)]


def _form(pid: str) -> dict:
    return next(f for f in demo_intakes() if f["site_id"] == pid)


def test_a_stale_put_is_refused_and_the_other_change_kept(client):
    pid = "JM-2026-005"
    url = f"/projects/{pid}"
    mine = client.get(url, headers=auth("intake"))
    theirs = client.get(url, headers=auth("intake"))
    assert mine.headers["etag"] == theirs.headers["etag"] == f'"{mine.json()["row_version"]}"'
    # they change the contact first
    first = client.put(
        url,
        headers={**auth("intake"), "If-Match": theirs.headers["etag"]},
        json={**_form(pid), "contact": "他人修改"},
    )
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != theirs.headers["etag"]
    # my change, made from the copy read before theirs, is refused
    stale = client.put(
        url,
        headers={**auth("intake"), "If-Match": mine.headers["etag"]},
        json={**_form(pid), "contact": "我的修改"},
    )
    assert stale.status_code == 412, stale.text
    assert stale.json()["error"] == "PreconditionFailedError" and "已被他人修改" in stale.json()["detail"]
    now = client.get(url, headers=auth("intake"))
    assert now.json()["intake"]["contact"] == "他人修改"
    assert now.headers["etag"] == first.headers["etag"]
    # without If-Match: 428, nothing changed
    bare = client.put(url, headers=auth("intake"), json={**_form(pid), "contact": "我的修改"})
    assert bare.status_code == 428 and bare.json()["error"] == "PreconditionRequiredError"
    # a time node also changes the version: a PUT from the copy before it is stale
    client.post(f"{url}/nodes/surveyed", headers=auth("survey"), json={})
    late = client.put(
        url, headers={**auth("intake"), "If-Match": now.headers["etag"]}, json=_form(pid)
    )
    assert late.status_code == 412
    assert client.get(url, headers=auth("intake")).json()["intake"]["contact"] == "他人修改"


def test_of_eight_puts_from_one_copy_exactly_one_wins(client):
    pid = "JM-2026-006"
    url = f"/projects/{pid}"
    tag = client.get(url, headers=auth("intake")).headers["etag"]

    def put(i: int) -> int:
        form = {**_form(pid), "contact": f"联系人{i}"}
        return client.put(url, headers={**auth("intake"), "If-Match": tag}, json=form).status_code

    codes = together(N, put)
    assert sorted(codes) == [200] + [412] * (N - 1), codes
    winner = codes.index(200)
    assert client.get(url, headers=auth("intake")).json()["intake"]["contact"] == f"联系人{winner}"


_WRITER = """
import sys
from gis.storage.models import ProjectRecord
from gis.storage.store import Store, make_engine

store = Store(make_engine(sys.argv[1]))
for _ in range(int(sys.argv[3])):
    with store.write() as s:
        r = s.get(ProjectRecord, "CNT", with_for_update=True)
        me = sys.argv[2]
        r.time_nodes = {**r.time_nodes, "n": r.time_nodes["n"] + 1, me: r.time_nodes.get(me, 0) + 1}
        r.row_version += 1
"""


def test_writers_in_separate_processes_lose_nothing(client, tmp_path):
    """Four processes each add one 25 times to a counter in a project: the count is 100."""
    store: Store = client.app.state.linkplan.store
    with store.write() as s:
        s.add(ProjectRecord(project_id="CNT", intake={}, time_nodes={"n": 0}))
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    url = store.engine.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), url, f"p{i}", "25"],
            cwd=str(Path(__file__).resolve().parent.parent),
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with store.session() as s:
        r = s.get(ProjectRecord, "CNT")
        assert r is not None
        assert r.time_nodes == {"n": 100, "p0": 25, "p1": 25, "p2": 25, "p3": 25}
        assert r.row_version == 101
