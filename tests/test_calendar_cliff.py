"""The year-end cliff (issue 12, item 9): deadlines into a year whose State Council notice is
not loaded are computed from the statutory holidays and weekends, marked 暂定 everywhere, and
recomputed once an administrator loads the notice.

Hand computations use the statutory holidays of 全国年节及纪念日放假办法 (2025 amendment) for
2027: 元旦 01-01 (Fri), 春节 02-05 (除夕, Fri) to 02-08 (初三, Mon), 清明 04-05, 劳动节 05-01/02,
端午 06-09, 中秋 09-15, 国庆 10-01..03. The 2027 "notice" below is a TEST FIXTURE, fictional.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from datetime import datetime as DT  # noqa: N812

import chinese_calendar
import pytest

from api.documents import approval_sheet_html
from api.process import nodes
from gis.errors import CalendarError
from planning.calendar import (
    STATUTORY_FILE,
    WorkCalendar,
    calendar_for,
    loaded_notices,
    missing_schedule_warning,
    notice_year,
    path_deadlines,
    statutory_holidays,
    use_notices,
)
from tests.demo import JINGMEN
from tests.service import auth, serve

FICTIONAL_2027 = {
    # TEST ONLY: not the real 2027 notice. 春节 02-05..02-12 off, Sat 02-20 a 调休 working day;
    # every statutory day of 2027 off (清明 04-05, 劳动节, 端午 06-09, 中秋 09-15, 国庆)
    "holidays": [
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
        *(f"2027-02-{d:02d}" for d in range(5, 13)),
        "2027-04-05",
        *(f"2027-05-{d:02d}" for d in range(1, 6)),
        "2027-06-09",
        "2027-09-15",
        *(f"2027-10-{d:02d}" for d in range(1, 8)),
    ],
    "workdays": ["2027-02-20"],
    "source": "国务院办公厅关于2027年部分节假日安排的通知（TEST FIXTURE, fictional）",
}


@pytest.fixture(autouse=True)
def no_loaded_notices():
    """Each test starts and ends with no loaded notice (the registry is process-wide)."""
    use_notices(())
    yield
    use_notices(())


def _bare() -> WorkCalendar:
    return WorkCalendar.from_profile(JINGMEN, notices=())


# --------------------------------------------------------------------------- the statutory rule


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_are_days_off_in_the_real_notices(year):
    # the rule and the lunar dates, checked against the State Council's real 2025 and 2026
    # schedules (chinese_calendar): every statutory day is a day off there
    days = statutory_holidays(year)
    assert len(days) == 13
    assert [d for d in days if chinese_calendar.is_workday(d)] == []


def test_statutory_holidays_2027_by_hand():
    days = statutory_holidays(2027)
    assert sorted(days) == [
        date(2027, 1, 1),
        *(date(2027, 2, d) for d in (5, 6, 7, 8)),
        date(2027, 4, 5),
        date(2027, 5, 1),
        date(2027, 5, 2),
        date(2027, 6, 9),
        date(2027, 9, 15),
        *(date(2027, 10, d) for d in (1, 2, 3)),
    ]
    assert days[date(2027, 2, 5)] == "春节" and days[date(2027, 9, 15)] == "中秋节"
    text = STATUTORY_FILE.read_text(encoding="utf-8")
    assert "全国年节及纪念日放假办法" in text and "lunardate" in text  # the source is named


# --------------------------------------------------------------------------- provisional deadlines


def test_joint_path_from_christmas_eve_2026_is_provisional():
    # Thu 2026-12-24 10:00. submission 2 wd: Fri 12-25, Mon 12-28. approval 3 wd from the
    # submission deadline: 12-29, 12-30, 12-31. connection 0.5 wd = 3.5 office hours after
    # 12-31 18:00: 01-01 元旦, 01-02/03 weekend, so Mon 2027-01-04 08:30 + 3.5 h = 12:00.
    nodes, years = path_deadlines(DT(2026, 12, 24, 10), "joint", profile=JINGMEN, calendar=_bare())
    assert nodes == {
        "submission": DT(2026, 12, 28, 18),
        "approval": DT(2026, 12, 31, 18),
        "connection": DT(2027, 1, 4, 12),
        "general_reply": DT(2026, 12, 25, 10),
        "complex_reply": DT(2026, 12, 29, 18),
    }
    assert years == (2027,)
    # inside 2026 alone nothing is provisional
    _, years = path_deadlines(DT(2026, 12, 1, 10), "joint", profile=JINGMEN, calendar=_bare())
    assert years == ()


def test_loading_a_notice_with_a_tiaoxiu_day_changes_the_deadline():
    start = DT(2027, 2, 17, 10)  # Wed
    # provisional: submission Thu 02-18, Fri 02-19; approval Mon 02-22, 02-23, 02-24
    nodes, years = path_deadlines(start, "joint", profile=JINGMEN)
    assert (nodes["submission"], nodes["approval"], nodes["connection"]) == (
        DT(2027, 2, 19, 18),
        DT(2027, 2, 24, 18),
        DT(2027, 2, 25, 12),
    )
    assert years == (2027,)
    # the administrator loads the (fictional) notice: Sat 02-20 is a working day
    use_notices([notice_year(2027, **FICTIONAL_2027)])
    assert [n.year for n in loaded_notices()] == [2027]
    nodes, years = path_deadlines(start, "joint", profile=JINGMEN)
    assert (nodes["submission"], nodes["approval"], nodes["connection"]) == (
        DT(2027, 2, 19, 18),
        DT(2027, 2, 23, 18),  # Sat 02-20 (调休), Mon 02-22, Tue 02-23
        DT(2027, 2, 24, 12),
    )
    assert years == ()
    assert calendar_for(JINGMEN).is_working_day(date(2027, 2, 9)) is False  # notice's holiday


def test_missing_notice_warning_from_the_first_of_november():
    assert missing_schedule_warning(date(2026, 10, 31), calendar=_bare()) is None
    warning = missing_schedule_warning(date(2026, 11, 1), calendar=_bare())
    assert warning is not None and warning.startswith("2027年节假日安排通知尚未载入")
    assert "暂定" in warning
    assert missing_schedule_warning(date(2026, 12, 31), calendar=_bare()) is not None
    # in January without the notice the current year is missing too
    assert "2027" in (missing_schedule_warning(date(2027, 1, 5), calendar=_bare()) or "")
    loaded = WorkCalendar.from_profile(JINGMEN, notices=[notice_year(2027, **FICTIONAL_2027)])
    assert missing_schedule_warning(date(2026, 11, 1), calendar=loaded) is None


def test_a_notice_that_leaves_a_statutory_holiday_working_is_refused():
    """A notice listing only 元旦 would make 春节 working days in every deadline: refused."""
    with pytest.raises(CalendarError) as info:
        notice_year(2027, holidays=["2027-01-01"], source="国务院办公厅关于2027年部分节假日安排的通知")
    message = str(info.value)
    # 春节 2027: 除夕 02-05 (Fri) … 正月初三 02-08 (Mon); the weekend days are off anyway
    for day in ("2027-02-05（春节）", "2027-02-08（春节）", "2027-04-05（清明节）", "2027-10-01（国庆节）"):
        assert day in message
    assert "2027-02-06" not in message and "2027-01-01" not in message
    # a statutory day made a 调休 working day is refused too (2027-10-02 is a Saturday)
    with pytest.raises(CalendarError, match="2027-10-02（国庆节）"):
        holidays = [d for d in FICTIONAL_2027["holidays"] if d != "2027-10-02"]
        notice_year(2027, **{**FICTIONAL_2027, "holidays": holidays, "workdays": ["2027-10-02"]})


def test_notices_are_checked_without_naming_server_paths():
    with pytest.raises(ValueError, match="2027-02-22 is a weekday") as info:
        notice_year(2027, holidays=["2027-01-01"], workdays=["2027-02-22"], source="x")
    assert "/" not in str(info.value).replace("〔…〕", "")
    with pytest.raises(ValueError, match="outside the 2027 notice"):
        notice_year(2027, holidays=["2028-01-01"], source="x")


# --------------------------------------------------------------------------- documents


def test_approval_sheet_prints_provisional_deadlines_and_no_server_path(results, graph):
    page = approval_sheet_html(
        results["JM-2026-011"], None, G=graph, profile=JINGMEN, start=dt.datetime(2026, 12, 24, 10)
    )
    assert "无法计算" not in page
    assert "接入时限：2027年1月4日12:00前（暂定）" in page
    assert "暂定：2027年节假日安排通知尚未载入" in page
    for path_text in ("holidays.yaml", "/planning/", "/work/", "site-packages"):
        assert path_text not in page


@pytest.fixture(scope="module")
def graph(demo_ws):
    return demo_ws.corridor_graph()


# --------------------------------------------------------------------------- the admin load (API)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A development service on SQLite."""
    with serve(f"sqlite:///{tmp_path_factory.mktemp('db') / 'linkplan.db'}") as c:
        yield c


def test_admin_loads_a_notice_and_documents_are_recomputed(client, monkeypatch):
    # the project was accepted (受理) on 2027-02-17 10:00: its deadlines count from then
    # (recorded then: a time node is never in the future)
    monkeypatch.setattr(nodes, "china_now", lambda: dt.datetime(2027, 2, 17, 10, 0))
    node = "/projects/JM-2026-011/nodes/form_complete"
    res = client.post(node, headers=auth("intake"), json={"at": "2027-02-17T10:00"})
    assert res.status_code == 200, res.text
    doc = "/projects/JM-2026-011/documents/approval_sheet"
    before = client.get(doc, headers=auth("survey")).text
    assert "办理时限：2027年2月24日18:00前（暂定）" in before
    status = client.get("/admin/holidays?today=2026-11-01", headers=auth("admin")).json()
    by_year = {y["year"]: y for y in status["years"]}
    assert by_year[2027]["provisional"] is True and by_year[2026]["provisional"] is False
    assert status["warning"].startswith("2027年节假日安排通知尚未载入")
    # only an administrator reads the status or loads a notice
    for who in ("planning", "intake", "survey"):
        assert client.get("/admin/holidays", headers=auth(who)).status_code == 403
        res = client.post("/admin/holidays/2027", headers=auth(who), json=FICTIONAL_2027)
        assert res.status_code == 403
    assert client.get(doc, headers=auth("survey")).text == before
    # a malformed notice is refused (422), nothing stored, no server path in the answer
    bad = {**FICTIONAL_2027, "workdays": ["2027-02-22"]}
    res = client.post("/admin/holidays/2027", headers=auth("admin"), json=bad)
    assert res.status_code == 422 and "2027-02-22" in res.text and "/work/" not in res.text
    assert client.get(doc, headers=auth("survey")).text == before
    res = client.post("/admin/holidays/2027", headers=auth("admin"), json=FICTIONAL_2027)
    assert res.status_code == 200, res.text
    by_year = {y["year"]: y for y in res.json()["years"]}
    assert by_year[2027] == {
        "year": 2027,
        "source": "已载入通知",
        "provisional": False,
        "notice": FICTIONAL_2027["source"],
    }
    after = client.get(doc, headers=auth("survey")).text
    assert "办理时限：2027年2月23日18:00前" in after and "暂定" not in after
    status = client.get("/admin/holidays?today=2026-11-01", headers=auth("admin")).json()
    assert status["warning"] is None


# --------------------------------------------------------------------------- the admin load (CLI)


def test_cli_loads_a_notice_and_deadlines_are_no_longer_provisional(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app as cli
    from api.settings import get_settings

    monkeypatch.setenv("LINKPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LINKPLAN_ENV", "production")  # no demo seeding
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        start = ["deadline", "--start", "2027-02-17T10:00", "--working-days", "5"]
        before = runner.invoke(cli, start)
        # Thu 02-18 .. Wed 02-24 (Sat/Sun off, no 调休 known): provisional
        assert before.exit_code == 0, before.output
        assert before.output.splitlines()[0] == "2027-02-24T18:00（暂定）"
        status = runner.invoke(cli, ["holidays", "status", "--today", "2026-11-01"])
        assert "2027: 暂定（法定节假日和周末）" in status.output
        assert "2027年节假日安排通知尚未载入" in status.output
        notice = tmp_path / "notice-2027.yaml"
        notice.write_text(
            "format: 1\nyears:\n  2027:\n"
            f"    notice: {FICTIONAL_2027['source']}\n"
            "    holidays: [{from: 2027-01-01, to: 2027-01-03}, {from: 2027-02-05, to: 2027-02-12},"
            " 2027-04-05, {from: 2027-05-01, to: 2027-05-05}, 2027-06-09, 2027-09-15,"
            " {from: 2027-10-01, to: 2027-10-07}]\n"
            "    workdays: [2027-02-20]\n",
            encoding="utf-8",
        )
        missing = runner.invoke(cli, ["holidays", "load", str(notice), "--year", "2028"])
        assert missing.exit_code != 0
        loaded = runner.invoke(cli, ["holidays", "load", str(notice), "--year", "2027"])
        assert loaded.exit_code == 0, loaded.output
        assert "2027 年节假日安排已载入：26 天放假，1 天调休上班" in loaded.output
        after = runner.invoke(cli, start)
        assert after.output.splitlines()[0] == "2027-02-23T18:00"  # Sat 02-20 counts
        status = runner.invoke(cli, ["holidays", "status", "--today", "2026-11-01"])
        assert "2027: 已载入通知" in status.output and "尚未载入" not in status.output
    finally:
        get_settings.cache_clear()
