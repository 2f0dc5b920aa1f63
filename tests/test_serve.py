"""``linkplan serve`` on a fresh machine: the embedded database, the demo, the OpenAPI page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.browser import browser, open_offline


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
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
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
    res = httpx.get(f"{base}/projects", headers={"Authorization": "Bearer dev-survey"})
    assert res.status_code == 200 and len(res.json()) == 16  # the demo projects
    assert httpx.get(f"{base}/projects").status_code == 401


def test_openapi_page_lists_every_route_in_chinese_offline(server):
    base, _ = server
    spec = httpx.get(f"{base}/openapi.json").json()
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
