"""Maps, survey packages and documents from the command line and from the HTTP API."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pyogrio
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.maps.assets import external_references
from api.seed import DEV_TOKENS
from api.settings import Settings
from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from gis.workspace import write_workspace
from tests.pdf import pdf_text


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    ws = root / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    forms = root / "forms.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")
    return ws, forms


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}"
    app = create_app(Settings(database_url=url, env="development"))
    with TestClient(app, headers={"Authorization": f"Bearer {DEV_TOKENS['intake']}"}) as c:
        yield c
    app.state.linkplan.store.engine.dispose()


def test_cli_map_survey_pack_and_sheet(demo_files, tmp_path):
    ws, forms = demo_files
    run = CliRunner()
    res = run.invoke(
        cli,
        [
            "map",
            str(ws),
            "--site",
            "JM-2026-005",
            "--demand",
            str(forms),
            "-o",
            str(tmp_path / "m.html"),
        ],
    )
    assert res.exit_code == 0, res.output
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    assert json.dumps("穿越铁路：焦柳铁路")[1:-1] in page  # the crossing marker (JSON-escaped)

    res = run.invoke(cli, ["map", str(ws), "--all", "-o", str(tmp_path / "d.html")])
    assert res.exit_code == 0, res.output
    res = run.invoke(cli, ["map", str(ws), "--site", "NOPE", "-o", str(tmp_path / "n.html")])
    assert res.exit_code != 0 and "no site with project_id 'NOPE'" in str(res.exception)
    assert not (tmp_path / "n.html").exists()

    res = run.invoke(
        cli,
        [
            "survey-pack",
            str(ws),
            "--site",
            "JM-2026-005",
            "--demand",
            str(forms),
            "-o",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(tmp_path / "JM-2026-005_踏勘包.zip") as z:
        assert sorted(z.namelist()) == [
            "JM-2026-005/README.txt",
            "JM-2026-005/map.html",
            "JM-2026-005/survey.gpkg",
        ]

    res = run.invoke(
        cli,
        [
            "sheet",
            str(ws),
            "--site",
            "JM-2026-001",
            "--demand",
            str(forms),
            "-o",
            str(tmp_path / "sheets"),
            "--start",
            "2026-11-30T10:00",
        ],
    )
    assert res.exit_code == 0, res.output
    folder = tmp_path / "sheets" / "JM-2026-001"
    assert sorted(p.name for p in folder.iterdir()) == [
        "规划意见_草拟.html",
        "规划意见_草拟.pdf",
        "附件2_需求信息采集单.html",
        "附件2_需求信息采集单.pdf",
        "附件3_综合审批意见单.html",
        "附件3_综合审批意见单.pdf",
    ]
    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-001")
    text = pdf_text((folder / "附件3_综合审批意见单.pdf").read_bytes())
    assert form["project_code"] in text and form["applicant"] in text
    assert "掇刀路（荆南快速路至石化大道段）东侧人行道" in text.replace("\r\n", "").replace(
        "\n", ""
    )


def test_api_maps(client):
    res = client.get("/maps/projects/JM-2026-005")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    assert external_references(res.text) == []
    assert "linkplanMeasure" in res.text
    assert client.get("/maps/district").status_code == 200
    assert client.get("/maps/prelay").status_code == 200
    gaode = client.get("/maps/projects/JM-2026-005", params={"basemap": "gaode"})
    assert gaode.status_code == 200 and "autonavi.com" in gaode.text


def test_api_errors_name_the_cause(client):
    res = client.get("/maps/projects/NOPE")
    assert res.status_code == 404
    assert res.json()["error"] == "NotFoundError" and "NOPE" in res.json()["detail"]
    res = client.get("/maps/projects/JM-2026-005", params={"basemap": "tianditu"})
    assert res.status_code == 400 and "天地图 key" in res.json()["detail"]
    res = client.get("/maps/projects/JM-2026-005", params={"basemap": "google"})
    assert res.status_code == 422


def test_api_documents_and_survey_package(client, tmp_path):
    form = next(f for f in demo_intakes() if f["site_id"] == "JM-2026-004")
    # the application was accepted (受理) on Mon 30 Nov 10:00: its deadlines count from then
    accepted = client.post(
        "/projects/JM-2026-004/nodes/form_complete", json={"at": "2026-11-30T10:00"}
    )
    assert accepted.status_code == 200, accepted.text
    res = client.get(
        "/projects/JM-2026-004/documents/approval_sheet", params={"format": "pdf"}
    )
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    text = pdf_text(res.content)
    assert "用户水、气、热、电、网联合服务事项综合审批意见单" in text
    assert form["project_code"] in text and form["legal_representative"] in text
    # JM-2026-004 crosses 白云大道's carriageway: joint approval, 3 working days from Mon 30 Nov
    assert "2026年12月7日18:00" in text.replace("\n", "").replace("\r", "")

    html = client.get("/projects/JM-2026-004/documents/intake_form")
    assert html.status_code == 200 and form["applicant"] in html.text
    assert "用户水、气、热、电、网需求信息采集单" in html.text

    opinion = client.get("/projects/JM-2026-004/documents/planning_opinion")
    assert opinion.status_code == 200 and "规划意见" in opinion.text

    pack = client.get("/projects/JM-2026-005/survey-package")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(pack.content)) as z:
        z.extract("JM-2026-005/survey.gpkg", tmp_path)
    layers = dict(pyogrio.list_layers(tmp_path / "JM-2026-005" / "survey.gpkg"))
    assert layers["routes"] == "LineString" and "checklist" in layers


def test_openapi_lists_every_route_in_chinese(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), path
            assert re.search(r"[\u4e00-\u9fff]", op.get("description", "")), path
