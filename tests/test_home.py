"""The home page's to-do lists (待办): each department sees what waits for it."""

from __future__ import annotations

import re

from tests.service import auth, client_fixture
from tests.web import signed_in

client = client_fixture()


def _todo(html: str) -> dict[str, list[str]]:
    """Heading → project links of each to-do list of the home page."""
    out = {}
    for section in re.findall(r'<section class="card todo".*?</section>', html, flags=re.S):
        title = re.search(r"<h2>([^<（]+)", section)[1]
        out[title] = re.findall(r'<a href="([^"]+)">JM-', section)
    return out


def test_each_department_sees_the_opinions_waiting_for_it(client):
    pid = "JM-2026-016"  # joint in the demo
    assert (
        client.post(f"/projects/{pid}/assessment", headers=auth("intake")).json()["approval_path"]
        == "joint"
    )
    urban, planning = signed_in(client, "urban"), signed_in(client, "planning")
    link = f"/ui/projects/{pid}/opinions/urban"
    assert link in _todo(urban.get("/ui/").text)["待市城管委签批意见的联合审批项目"]
    r = client.post(
        f"/projects/{pid}/opinions/urban",
        headers=auth("urban"),
        json={"decision": "agree", "text": "同意"},
    )
    assert r.status_code == 200, r.text
    assert link not in _todo(urban.get("/ui/").text)["待市城管委签批意见的联合审批项目"]
    # 自然资源和规划局 still has it to do; a commitment project is never on these lists
    waiting = _todo(planning.get("/ui/").text)["待市自然资源和规划局签批意见的联合审批项目"]
    assert f"/ui/projects/{pid}/opinions/planning" in waiting
    client.post("/projects/JM-2026-012/assessment", headers=auth("intake"))  # commitment
    assert not any(
        "JM-2026-012" in h
        for h in _todo(planning.get("/ui/").text)["待市自然资源和规划局签批意见的联合审批项目"]
    )


def test_a_utility_sees_its_projects_not_yet_connected(client):
    gas = signed_in(client, "gas")
    links = _todo(gas.get("/ui/").text)["申请燃气、尚未接入完成的项目"]
    # the demo's gas projects: 005, 006, 008, 014, 016
    assert sorted(links) == [
        f"/ui/projects/JM-2026-{n}" for n in ("005", "006", "008", "014", "016")
    ]
    r = client.post("/projects/JM-2026-005/nodes/connected", headers=auth("gas"), json={})
    assert r.status_code == 200, r.text
    assert (
        "/ui/projects/JM-2026-005"
        not in _todo(gas.get("/ui/").text)["申请燃气、尚未接入完成的项目"]
    )
