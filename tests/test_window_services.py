"""The window's use cases (api/process/applications) on both backends: submit, accept, register."""

from __future__ import annotations

import json

import pytest
import shapely

from api.process.applications import (
    MISSING_ITEMS,
    accept_application,
    applications_of,
    pending,
    register_at_window,
    state_of,
    submit_application,
    visible_project,
)
from api.process.assessment import ACCEPTANCE_NODE
from api.process.parcels import ParcelInput
from api.security import Principal
from api.security.ownership import can_see_project
from data.demo_intakes import demo_intakes
from gis.crs import transformer
from gis.errors import NotFoundError, ValidationError
from gis.storage.models import ProjectRecord
from tests.service import client_fixture

client = client_fixture()

APPLICANT = Principal("applicant", "applicant")
CLERK = Principal("intake", "intake")


def _form(**changes) -> dict:
    form = dict(next(f for f in demo_intakes() if f["site_id"] == "JM-2026-001"))
    form.pop("site_id")
    form.update(project_name="荆门新材料扩建项目", **changes)
    return form


def _drawn(x0: float, y0: float) -> ParcelInput:
    box = shapely.box(x0, y0, x0 + 100, y0 + 50)
    t = transformer("EPSG:4546", "EPSG:4326")
    lonlat = shapely.transform(box, t.transform, interleaved=False)
    return ParcelInput(drawn=json.dumps(shapely.geometry.mapping(lonlat)))


def _record(client, pid: str) -> ProjectRecord:
    with client.app.state.linkplan.store.session() as s:
        return s.get(ProjectRecord, pid)


def test_applicant_submits_then_clerk_accepts_with_missing_items(client):
    state = client.app.state.linkplan
    sites_before = len(state.store.layer("sites"))
    done = submit_application(
        state, APPLICANT, _form(), _drawn(613_000, 3_418_000), enterprise_type="industrial"
    )
    # (1) a new id after the demo's JM-2026-001…016, the site added, the project 待受理
    assert done.project_id == "JM-2026-017"
    assert len(state.store.layer("sites")) == sites_before + 1
    r = _record(client, done.project_id)
    assert r.owner == "applicant" and ACCEPTANCE_NODE not in r.time_nodes
    assert state_of(r) == "待受理"
    assert [p.project_id for p in pending(state)] == ["JM-2026-017"]
    assert "JM-2026-017" in [p.project_id for p in applications_of(state, APPLICANT)]
    # (2) accepted with two missing items: 受理时间 recorded, the assessment stored
    accepted = accept_application(
        state, CLERK, done.project_id, missing_items=["营业执照副本", " ", "用地规划许可证"]
    )
    r = _record(client, done.project_id)
    assert r.time_nodes[MISSING_ITEMS] == ["营业执照副本", "用地规划许可证"]
    assert ACCEPTANCE_NODE in r.time_nodes and state_of(r) == "已受理（容缺）"
    assert accepted.assessment is not None and accepted.assessment.project_id == "JM-2026-017"
    assert pending(state) == []
    # (3) accepting twice is refused
    with pytest.raises(ValidationError) as err:
        accept_application(state, CLERK, done.project_id)
    assert err.value.problems[0].code == "already_accepted"


def test_form_and_parcel_problems_come_together_and_nothing_is_stored(client):
    state = client.app.state.linkplan
    sites_before = len(state.store.layer("sites"))
    bad = ParcelInput(pasted="112.2,31.0\n112.3\n", system="wgs84")
    with pytest.raises(ValidationError) as err:
        submit_application(
            state, APPLICANT, _form(phone="123", credit_code="X"), bad, enterprise_type="industrial"
        )
    fields = {p.field for p in err.value.problems}
    assert {"phone", "credit_code", "coordinates"} <= fields
    assert len(state.store.layer("sites")) == sites_before


def test_register_at_window_accepts_at_once_and_keeps_every_site(client):
    state = client.app.state.linkplan
    before = set(state.store.layer("sites")["project_id"])
    done = register_at_window(
        state, CLERK, _form(site_id="JM-2026-300"), _drawn(615_000, 3_420_000),
        enterprise_type="commercial", missing_items=[],
    )
    assert done.project_id == "JM-2026-300" and done.assessment is not None
    assert set(state.store.layer("sites")["project_id"]) == before | {"JM-2026-300"}
    r = _record(client, "JM-2026-300")
    assert r.owner is None and state_of(r) == "已受理"
    # the same id again: refused, nothing changes
    with pytest.raises(ValidationError) as err:
        register_at_window(
            state, CLERK, _form(site_id="JM-2026-300"), _drawn(613_500, 3_420_500),
            enterprise_type="commercial",
        )
    assert err.value.problems[0].code == "exists"
    assert len(state.store.layer("sites")) == len(before) + 1


def test_an_applicant_sees_only_its_own_projects(client):
    state = client.app.state.linkplan
    other = Principal("other-enterprise", "applicant")
    own = visible_project(state, APPLICANT, "JM-2026-001")  # the demo's applicant owns it
    assert can_see_project(APPLICANT, own.owner) and not can_see_project(other, own.owner)
    with pytest.raises(NotFoundError):
        visible_project(state, other, "JM-2026-001")
    with pytest.raises(NotFoundError):
        visible_project(state, APPLICANT, "JM-2026-002")
    assert visible_project(state, CLERK, "JM-2026-002").project_id == "JM-2026-002"


