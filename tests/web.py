"""Helpers for the workbench tests: signing in through the form, CSRF tokens, a live server.

- ``signed_in(client, user)``: a new client on the same app, signed in as a development user
  through the sign-in form (its password from ``api.seed.DEV_PASSWORDS``);
- ``csrf_of(client, url)``: the CSRF token of a page (its ``<meta name="csrf-token">``);
- ``live_server(app)``: the app served by uvicorn in a thread, for Playwright (yields the base URL).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from api.seed import DEV_PASSWORDS

__all__ = ["csrf_of", "live_server", "login", "signed_in"]

_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_of(client: TestClient, url: str) -> str:
    """Return the CSRF token in the page at ``url`` (fails if the page has none)."""
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    found = _META.search(r.text)
    assert found and found.group(1), f"{url}: no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str) -> Any:
    """Send the sign-in form (with the form's CSRF token); return the answer (not followed)."""
    token = csrf_of(client, "/ui/login")
    return client.post(
        "/ui/login",
        data={"name": name, "password": password, "csrf_token": token, "next": "/ui/"},
        follow_redirects=False,
    )


def signed_in(client: TestClient, user: str) -> TestClient:
    """Return a new client on ``client``'s app, signed in as development user ``user``."""
    other = TestClient(client.app)
    r = login(other, user, DEV_PASSWORDS[user])
    assert r.status_code == 303, (user, r.status_code, r.text[:300])
    return other


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
