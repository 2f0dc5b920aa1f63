"""The workbench's error pages (review F2 item 6): an invalid query parameter is answered by the
error page in Chinese naming the parameter, the value and what is expected (not FastAPI's JSON)."""

from __future__ import annotations

import pytest

from tests.service import serve
from tests.web import signed_in


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    with serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}") as c:
        yield signed_in(c, "intake")


@pytest.mark.parametrize(
    ("url", "parameter", "given", "expected"),
    [
        ("/ui/projects?page=abc", "page", "abc", "整数"),
        ("/ui/ledger?page=abc", "page", "abc", "整数"),
        ("/ui/ledger?now=garbage", "now", "garbage", "2026-01-31T09:30"),
    ],
)
def test_an_invalid_parameter_gets_a_chinese_page(web, url, parameter, given, expected):
    r = web.get(url)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "int_parsing" not in r.text and '"detail"' not in r.text
    assert "<h1>输入有误</h1>" in r.text
    assert f"参数「{parameter}」收到「{given}」，应为" in r.text and expected in r.text
