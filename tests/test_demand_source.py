"""Say when demand is assumed: every output names the demand it used (form or default).

A gas-only project with its 附件2 is assessed for gas; a site without a form for the five
utilities of the profile's default demand — and the table, the JSON (``demand_source``), the
maps, the documents and the ``coordinate``/``map`` commands say so.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from typer.testing import CliRunner

from api import service
from api.cli import app
from api.documents import planning_opinion_html
from api.report import assessment_table, assessment_to_dict, demand_warning
from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from gis.workspace import write_workspace
from planning.intake import parse_intake

from .demo import AS_OF, FORMS, JINGMEN

GAS_ONLY = "JM-2026-005"  # its 附件2 asks for gas only
NO_FORM = "JM-2026-002"  # assessed here without its form
FORM_LINE = "需求来源：需求信息采集单（附件2）；研判专业：燃气"
DEFAULT_LINE = "需求来源：默认需求（未提交采集单，按小型工业企业估算）；研判专业：供水、燃气、供热、供电、通信"


@pytest.fixture(scope="module")
def done(demo_ws):
    forms = {GAS_ONLY: parse_intake(FORMS[GAS_ONLY], require_identity=False)}
    return service.assess(
        demo_ws, profile=JINGMEN, site_ids=[GAS_ONLY, NO_FORM], forms=forms, as_of=AS_OF
    )


def test_the_assessment_carries_its_demand_source(done):
    gas, default = done.one(GAS_ONLY), done.one(NO_FORM)
    assert (gas.demand_source, list(gas.utilities)) == ("form", ["gas"])
    assert default.demand_source == "profile_default"
    assert list(default.utilities) == ["water", "gas", "heat", "power", "telecom"]
    assert gas.demand_note() == FORM_LINE
    assert default.demand_note() == DEFAULT_LINE


def test_json_and_table_say_which_demand(done):
    gas = assessment_to_dict(done.one(GAS_ONLY), crs=done.ws.crs)
    default = assessment_to_dict(done.one(NO_FORM), crs=done.ws.crs)
    assert (gas["demand_source"], gas["demand_utilities"]) == ("form", ["gas"])
    assert default["demand_source"] == "profile_default"
    assert default["demand_utilities"] == ["water", "gas", "heat", "power", "telecom"]
    json.dumps(gas, ensure_ascii=False)  # JSON-ready
    table = assessment_table([done.one(GAS_ONLY), done.one(NO_FORM)], profile=JINGMEN)
    assert FORM_LINE in table and DEFAULT_LINE in table


def test_maps_say_which_demand(done):
    project = service.project_map_html(done, NO_FORM, basemap="none")
    assert DEFAULT_LINE in project
    assert FORM_LINE in service.project_map_html(done, GAS_ONLY, basemap="none")
    district = service.district_map_html(done, basemap="none")
    assert "需求来源：采集单（附件2）1 个；未提交采集单、按默认需求（五类专业）研判 1 个" in district


def test_documents_say_which_demand(done):
    G = done.ws.corridor_graph()
    start = dt.datetime(2026, 11, 30, 10)
    page = planning_opinion_html(done.one(NO_FORM), None, G=G, profile=JINGMEN, start=start)
    assert DEFAULT_LINE in page
    sheet = service.document_html(done, GAS_ONLY, "approval_sheet", start=start)
    assert FORM_LINE in sheet


def test_the_warning_names_the_sites_without_a_form(done):
    warning = demand_warning(done.assessments.values())
    assert warning is not None
    assert warning.startswith("注意：1 个地块未提交需求信息采集单（附件2）")
    assert NO_FORM in warning and GAS_ONLY not in warning
    assert demand_warning([done.one(GAS_ONLY)]) is None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demand")
    ws = tmp / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    return ws


def test_map_and_coordinate_warn_when_forms_are_missing(workspace, tmp_path):
    runner = CliRunner()
    out = tmp_path / "map.html"
    res = runner.invoke(app, ["map", str(workspace), "--site", NO_FORM, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "注意：1 个地块未提交需求信息采集单（附件2）" in res.stderr and NO_FORM in res.stderr
    assert DEFAULT_LINE in out.read_text(encoding="utf-8")
    dates = ["--from", "2027-01-01", "--to", "2027-12-31"]
    res = runner.invoke(app, ["coordinate", str(workspace), *dates])
    assert res.exit_code == 0, res.output
    assert "注意：16 个地块未提交需求信息采集单（附件2）" in res.stderr
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["coordinate", str(workspace), *dates, "--demand", str(forms)])
    assert res.exit_code == 0, res.output
    assert "未提交需求信息采集单" not in res.stderr
