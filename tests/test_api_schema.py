"""The API answers as its OpenAPI schema says: error bodies, timestamps, parameters, methods.

(``tests/test_schemathesis.py`` fuzzes every operation with every check; these are the named
cases it found, on the real app.)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import ERROR_RESPONSES
from api.roles import ROUTE_ROLES
from api.seed import DEV_TOKENS
from api.settings import Settings

PID = "JM-2026-001"
ADMIN = {"Authorization": f"Bearer {DEV_TOKENS['admin']}"}
OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    db = tmp_path_factory.mktemp("schema") / "linkplan.db"
    return TestClient(create_app(Settings(database_url=f"sqlite:///{db}", env="development")))


def test_every_operation_documents_the_json_error_body(client):
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["detail", "error"]
    assert set(ERROR_RESPONSES) >= {400, 401, 403, 404, 409, 413, 422}
    n = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for code in ERROR_RESPONSES:
                content = op["responses"][str(code)]["content"]
                assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}, (
                    method,
                    path,
                    code,
                )
            n += 1
    # every operation of the role matrix is in the schema (the hidden /ogc alias aside)
    assert n == len(ROUTE_ROLES) - 1
    html = spec["paths"]["/maps/district"]["get"]["responses"]
    assert list(html["200"]["content"]) == ["text/html"]


def test_request_validation_answers_the_documented_body(client):
    r = client.post(f"/projects/{PID}/planning-opinion", headers=ADMIN, json={"text": ""})
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"detail", "error", "problems"}
    assert body["error"] == "RequestValidationError"
    assert body["detail"] == (
        "请求参数无效：请求参数 body.text：文本过短，收到「」，应为 String should have at least 1 character"
        " (request validation failed: body text: got ; expected String should have at least 1 character)"
    )
    [problem] = body["problems"]
    assert problem == {
        "layer": "request",
        "feature": "body",
        "field": "text",
        "value": "",
        "expected": "String should have at least 1 character",
        "severity": "error",
        "code": "string_too_short",
        "expected_zh": None,
        "message_zh": "请求参数 body.text：文本过短，收到「」，应为 String should have at least 1 character",
    }


def test_unparsable_json_and_unknown_paths_answer_the_documented_body(client):
    r = client.post(
        f"/projects/{PID}/planning-opinion",
        headers={**ADMIN, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422 and r.json()["error"] == "RequestValidationError"
    r = client.get("/no-such-page", headers=ADMIN)
    assert r.status_code == 404
    assert r.json() == {"detail": "没有这个地址 (Not Found): /no-such-page", "error": "HTTPException"}


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/projects", "GET, POST"),
        (f"/projects/{PID}", "GET, PUT"),
        ("/projects/reassess", "POST"),
        (f"/projects/{PID}/assessment", "GET, POST"),
    ],
)
def test_405_lists_exactly_the_methods_of_the_path(client, path, allow):
    r = client.request("DELETE", path, headers=ADMIN)
    assert r.status_code == 405
    assert r.headers["Allow"] == allow
    assert r.json()["error"] == "HTTPException"
    assert r.json()["detail"].endswith(f"{path} accepts {allow}")


def test_stored_timestamps_carry_utc_and_ledger_times_china_time(client):
    project = client.get(f"/projects/{PID}", headers=ADMIN).json()
    for key in ("created_at", "updated_at"):
        assert project[key].endswith("Z"), project[key]
        stamp = dt.datetime.fromisoformat(project[key])
        assert abs(stamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    versions = client.get("/networks", headers=ADMIN).json()
    assert versions and all(v["created_at"].endswith("Z") for v in versions)
    ledger = client.get("/ledger", headers=ADMIN, params={"all": "true"}).json()
    times = [e[k] for entries in ledger.values() for e in entries for k in ("start", "deadline") if e[k]]
    assert times and all(t.endswith("+08:00") for t in times)


@pytest.mark.parametrize(
    ("url", "field", "code"),
    [
        ("/ledger?now=0.5", "now", "value_error"),  # not a Unix timestamp
        ("/plans/coordination?date_to=0", "date_to", "value_error"),
        ("/networks?layer=water&colour=red", "colour", "unknown_parameter"),
        ("/projects?approval_path=joint&approval_path=commitment", "approval_path", "repeated_parameter"),
    ],
)
def test_parameters_outside_the_schema_are_refused(client, url, field, code):
    method = "POST" if url.startswith("/plans") else "GET"
    r = client.request(method, url, headers=ADMIN)
    assert r.status_code == 422, r.text
    [problem] = r.json()["problems"]
    assert (problem["feature"], problem["field"], problem["code"]) == ("query", field, code)


def test_unknown_time_node_is_refused_by_the_schema(client):
    r = client.post(f"/projects/{PID}/nodes/bogus", headers=ADMIN, json={})
    assert r.status_code == 422
    [problem] = r.json()["problems"]  # the path parameter is an enum of the steps in the schema
    assert (problem["feature"], problem["field"], problem["code"]) == ("path", "step", "literal_error")
    # the Chinese message names the steps by their Chinese names
    assert problem["expected_zh"] == "登记、采集单齐全、研判、踏勘、提交审批、审批办结、施工完成、接入完成"
    assert problem["message_zh"].startswith("请求参数 path.step：不在所列取值内，收到「bogus」，应为 登记、")


@pytest.mark.parametrize(
    ("word", "step"), [("受理", "form_complete"), ("踏勘", "surveyed"), ("审批办结", "approved")]
)  # 受理 first: a later node is not recorded before the 受理时间
def test_time_nodes_accept_their_chinese_names(client, word, step):
    r = client.post(f"/projects/{PID}/nodes/{word}", headers=ADMIN, json={"at": "2026-11-30T09:00:00"})
    assert r.status_code == 200, r.text
    assert r.json()["time_nodes"][step] == "2026-11-30T09:00:00"


def test_ledger_reads_an_instant_with_an_offset_in_china_time(client):
    def ledger(now: str) -> dict:
        r = client.get("/ledger", headers=ADMIN, params={"all": "true", "now": now})
        assert r.status_code == 200
        return {e["project_id"]: e["status"] for entries in r.json().values() for e in entries}

    first = next(e for es in client.get("/ledger", headers=ADMIN, params={"all": "true"}).json().values() for e in es)
    before = dt.datetime.fromisoformat(first["deadline"]) - dt.timedelta(hours=1)  # +08:00
    china = ledger(before.replace(tzinfo=None).isoformat())
    assert china[first["project_id"]] != "overdue"
    assert ledger(before.astimezone(dt.UTC).isoformat()) == china  # the same instant
    late = ledger(before.replace(tzinfo=dt.UTC).isoformat())  # 8 hours later
    assert late[first["project_id"]] == "overdue"
