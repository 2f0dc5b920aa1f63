"""The staff project page shows the 容缺 items chosen at acceptance (review F2 item 8)."""

from __future__ import annotations

from gis.storage.models import ProjectRecord
from tests.service import client_fixture
from tests.web import signed_in

client = client_fixture()


def test_the_missing_items_are_shown_to_staff(client):
    state = client.app.state.linkplan
    with state.store.write() as s:  # as api.process.applications stores them at acceptance
        r = s.get(ProjectRecord, "JM-2026-009")
        r.time_nodes = {**(r.time_nodes or {}), "missing_items": ["营业执照副本", "用地规划许可证"]}
    for who in ("intake", "planning", "urban"):
        page = signed_in(client, who).get("/ui/projects/JM-2026-009").text
        assert "容缺受理：待补正材料 营业执照副本、用地规划许可证" in page
    complete = signed_in(client, "intake").get("/ui/projects/JM-2026-010").text
    assert "容缺受理" not in complete
