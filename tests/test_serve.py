"""``linkplan serve`` on a fresh machine: the embedded database, the demo, the OpenAPI page."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.browser import browser, open_offline


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    """GET a URL (status, body); no client library beyond the standard one."""
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return int(res.status), res.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKPLAN_")}
    env["LINKPLAN_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    linkplan = os.path.join(os.path.dirname(sys.executable), "linkplan")
    log = tmp_path_factory.mktemp("log") / "serve.log"
    out = log.open("w")
    proc = subprocess.Popen(
        [linkplan, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if _get(f"{base}/openapi.json")[0] == 200:
                break
        except OSError:
            time.sleep(0.25)
    else:
        proc.kill()
        out.close()
        pytest.fail(f"linkplan serve did not start: {log.read_text()}")
    yield base, env["LINKPLAN_DATA_DIR"]
    proc.terminate()
    proc.wait(timeout=10)
    out.close()
    assert "Bearer dev-admin" in log.read_text()  # development users are announced


def test_serve_starts_on_the_embedded_default_with_the_demo(server):
    base, data_dir = server
    assert os.path.exists(os.path.join(data_dir, "linkplan.db"))
    code, body = _get(f"{base}/projects", "dev-survey")
    assert code == 200 and len(json.loads(body)) == 16  # the demo projects
    assert _get(f"{base}/projects")[0] == 401


@pytest.mark.browser
def test_openapi_page_lists_every_route_in_chinese_offline(server):
    base, _ = server
    spec = json.loads(_get(f"{base}/openapi.json")[1])
    operations = [(p, m, op) for p, ops in spec["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 25
    for path, method, op in operations:
        assert re.search(r"[\u4e00-\u9fff]", op.get("summary", "")), (method, path)
        assert re.search(r"[\u4e00-\u9fff]", op.get("description", "")), (method, path)
    with browser() as b:
        visit = open_offline(b, f"{base}/docs", local=base)
        visit.page.wait_for_selector(".opblock", timeout=15000)
        shown = visit.page.locator(".opblock").count()
        text = visit.page.locator("body").inner_text()
        visit.screenshot("openapi-docs.png")
    assert visit.blocked == []  # Swagger UI is served by Linkplan itself
    assert shown == len(operations)
    assert "受理项目" in text and "电子台账与预警" in text


def test_ledger_command_reads_the_service_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKPLAN_")}
    env["LINKPLAN_DATA_DIR"] = str(tmp_path)
    linkplan = os.path.join(os.path.dirname(sys.executable), "linkplan")

    def ledger(now: str) -> str:
        res = subprocess.run(
            [linkplan, "ledger", "--now", now], env=env, capture_output=True, text=True, timeout=120
        )
        assert res.returncode == 0, res.stderr
        return res.stdout

    ledger("2025-09-28T10:00")  # creates and seeds the embedded database
    # every demo project received on the 调休 Sunday 2025-09-28 at 10:00, none assessed yet:
    # the stricter (commitment) bound applies, 0.5 working day = 3.5 office hours → 14:30+1 h
    with sqlite3.connect(tmp_path / "linkplan.db") as db:
        db.execute("""UPDATE projects SET time_nodes = '{"form_complete": "2025-09-28T10:00:00"}'""")
    assert "无临近时限或超时的项目" in ledger("2025-09-28T10:30")
    late = ledger("2025-09-29T09:00")
    assert "市行政审批局" in late and "JM-2026-001" in late
    assert "逾期" in late or "超" in late


def test_load_command_stores_a_workspace_as_new_versions(tmp_path):
    import yaml

    from data.demo_district import build_district
    from data.demo_intakes import demo_intakes
    from gis.workspace import write_workspace

    layers = build_district("demo")
    first = write_workspace(layers, tmp_path / "demo.gpkg")
    layers["water"] = layers["water"].iloc[:-1]  # one main fewer than the first load
    gpkg = write_workspace(layers, tmp_path / "ws.gpkg")
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes()[:2], allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKPLAN_")}
    env["LINKPLAN_DATA_DIR"] = str(tmp_path / "data")
    linkplan = os.path.join(os.path.dirname(sys.executable), "linkplan")

    def load(*args: str) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [linkplan, "load", *args], env=env, capture_output=True, text=True, timeout=180
        )
        assert res.returncode == 0, res.stderr
        return res

    # an empty database: load seeds nothing, so the first load is version 1 of every layer
    assert "water: version 1, 243 features (+243 −0 ~0)" in load(str(first)).stdout
    res = load(str(gpkg), "--demand", str(forms))
    assert "water: version 2, 242 features (+0 −1 ~0)" in res.stdout
    assert "roads: version 2, 92 features (+0 −0 ~0)" in res.stdout
    assert "2 projects stored" in res.stdout
