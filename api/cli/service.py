"""Service commands: ``serve``, ``load``, ``ledger``, ``user`` and ``holidays load|status``.

They run or administer the web service's database: start the service, store a workspace's
layers and projects, list deadlines by department (the ledger), manage users and their tokens,
and load the State Council's yearly holiday notices.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli._common import cli_calendar, parse_start
from api.schemas import china_now
from gis.errors import CalendarError, Problem, ValidationError
from gis.schema import LAYERS
from gis.workspace import (
    read_layers,
)


def serve(
    port: Annotated[int, typer.Option(help="port")] = 8000,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Start the web service (OpenAPI page at /docs) on LINKPLAN_DATABASE_URL or the embedded SQLite.

    Development mode (demo, ``dev-*`` tokens) only on the embedded database and a loopback
    address, unless ``LINKPLAN_ENV=development`` is set explicitly.
    """
    import os

    import uvicorn

    from api.app import create_app
    from api.settings import default_database_url, get_settings, is_loopback, settings_for_host
    from api.state import open_database

    settings = settings_for_host(get_settings(), host)
    # the workers (and anything reading get_settings) run in the same mode
    os.environ["LINKPLAN_ENV"] = settings.env
    get_settings.cache_clear()
    url = default_database_url(settings)
    typer.echo(
        f"Linkplan 联动接入预规划 工作台: http://{host}:{port}/ui/  接口文档: http://{host}:{port}/docs"
        f"  (database {url.split('@')[-1]})"
    )
    typer.echo(f"运行模式 (LINKPLAN_ENV): {settings.env}")
    if settings.env == "development" and (not is_loopback(host) or url.startswith("postgresql")):
        typer.echo(
            "警告：开发模式（LINKPLAN_ENV=development 已显式设置）下开发令牌人人皆知，"
            "仅限本机测试 (warning: development tokens are well known; production needs "
            "LINKPLAN_ENV=production)",
            err=True,
        )
    store, report = open_database(settings)  # migrate; seed, or disable development users
    store.engine.dispose()
    for message in report.messages():
        typer.echo(message)
    _warn_missing_schedule(settings.profile)
    if settings.env == "development":
        from api.seed import DEV_PASSWORDS, DEV_TOKENS

        typer.echo("开发用户 development users (do not use in production; LINKPLAN_ENV=production):")
        for role, token in DEV_TOKENS.items():
            typer.echo(f"  {role:<11} 工作台密码 {DEV_PASSWORDS[role]:<22} Authorization: Bearer {token}")
    if workers > 1:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(settings), host=host, port=port)


def _warn_missing_schedule(profile: str, *, today: dt.date | None = None) -> None:
    """Print the missing-notice warning for administrators (from 1 November), if any."""
    from planning.calendar import missing_schedule_warning

    warning = missing_schedule_warning(today or dt.date.today(), calendar=cli_calendar(profile))
    if warning:
        typer.echo(f"警告：{warning}", err=True)


holidays_app = typer.Typer(
    help="节假日安排: the State Council's yearly holiday notices (admin).", no_args_is_help=True
)


@holidays_app.command("load")
def holidays_load(
    file: Annotated[
        Path, typer.Argument(help="YAML/JSON in the format of planning/data/holidays.yaml")
    ],
    year: Annotated[int, typer.Option(help="year of the notice to load from the file")],
    by: Annotated[str, typer.Option(help="who loads it (recorded)")] = "cli",
) -> None:
    """Load a year's notice (days off, 调休 working days) into the service database.

    Deadlines in that year are no longer provisional; the service recomputes them.
    """
    from api.holidays import save_notice
    from api.settings import get_settings
    from api.state import load_state
    from planning.calendar import load_holiday_file

    years = load_holiday_file(file)  # admin command: errors may name the file
    if year not in years:
        msg = f"holiday file {file}: no entry for {year}; it describes {sorted(years) or 'no year'}"
        raise CalendarError(msg)
    entry = years[year]
    state = load_state(get_settings(), seed=False)
    save_notice(
        state.store,
        year,
        holidays=sorted(entry.holidays),
        workdays=sorted(entry.workdays),
        source=entry.notice,
        loaded_by=by,
    )
    typer.echo(
        f"{year} 年节假日安排已载入：{len(entry.holidays)} 天放假，{len(entry.workdays)} 天调休上班"
        f"（{entry.notice}）"
    )


@holidays_app.command("status")
def holidays_status(
    today: Annotated[
        str | None, typer.Option(help="as of, e.g. 2026-11-01 (default: today)")
    ] = None,
) -> None:
    """Show where each year's working days come from, and warn of a missing notice."""
    from api.settings import get_settings
    from api.state import load_state
    from planning.calendar import HOLIDAYS_FILE, calendar_for

    state = load_state(get_settings(), seed=False)
    state.sync_calendar()
    day = dt.date.fromisoformat(today) if today else dt.date.today()
    cal = calendar_for(state.profile)
    for y in range(day.year - 1, day.year + 3):
        entry = cal.years.get(y)
        typer.echo(f"{y}: {cal.year_source(y)}" + (f"（{entry.notice}）" if entry else ""))
    typer.echo(f"节假日文件 (holiday file): {HOLIDAYS_FILE}")
    _warn_missing_schedule(state.profile.name, today=day)


def load_db(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace to store")],
    demand: Annotated[
        Path | None, typer.Option(help="intake forms (附件2) of its projects, YAML or JSON")
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm",
            help="store layers the guards refuse: most of a layer removed, a live project's "
            "site removed, a network mostly off the roads",
        ),
    ] = False,
) -> None:
    """Store a GeoPackage's layers (as new versions) and its projects in the service database.

    All or nothing: every layer (with the others) and every intake form (and its site) is
    checked first and every problem reported at once; then all layers and projects are
    stored in one transaction, so a refused or interrupted load leaves the database as it was.
    """
    from api.settings import get_settings
    from api.state import load_state
    from planning.intake import load_intakes

    # (1) read the layers and the intake forms, keeping the forms' problems
    layers = {name: gdf for name, gdf in read_layers(workspace).items() if name in LAYERS}
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    if demand is not None:
        try:
            parsed = load_intakes(demand, require_identity=False)
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            forms = {sid: f.model_dump(mode="json", exclude_none=True) for sid, f in parsed.items()}
    # (2) validate everything together and store it in one transaction
    state = load_state(get_settings(), seed=False)
    try:
        results = state.store.import_layers(
            layers,
            projects=forms,
            problems=problems,
            user="cli",
            source=str(workspace),
            confirm=confirm,
        )
    finally:
        state.store.engine.dispose()
    # (3) say what was stored
    for result in results:
        typer.echo(
            f"{result.layer}: version {result.version}, {result.n_features} features "
            f"(+{len(result.added)} −{len(result.removed)} ~{len(result.changed)})"
        )
    if demand is not None:
        typer.echo(f"{len(forms)} projects stored")


def ledger(
    now: Annotated[
        str | None, typer.Option(help="compute at, e.g. 2025-10-11T10:00 (default: now)")
    ] = None,
    all_entries: Annotated[
        bool, typer.Option("--all", help="every project, not only warnings")
    ] = False,
    department: Annotated[
        str | None, typer.Option(help="one department, e.g. 市行政审批局")
    ] = None,
) -> None:
    """List projects approaching a deadline (75 % of the time used) or overdue, by department."""
    from api.routes.ledger import ledger_projects
    from api.settings import get_settings
    from api.state import load_state
    from planning.ledger import ALERT_STATUSES, by_department, ledger_status

    state = load_state(get_settings())  # development: an empty database gets the demo
    state.sync_calendar()
    at = (
        parse_start(now, option="--now")
        if now
        else china_now()
    )
    _warn_missing_schedule(state.profile.name, today=at.date())
    entries = ledger_status(ledger_projects(state), now=at, profile=state.profile)
    groups = by_department(entries, statuses=None if all_entries else ALERT_STATUSES)
    shown = 0
    for dept, items in groups.items():
        if department is not None and dept != department:
            continue
        typer.echo(f"{dept}（{len(items)}）")
        for e in items:
            typer.echo(f"  {e.project_id} {e.name} {e.step_label}：{e.message}")
            shown += 1
    if not shown:
        typer.echo(f"{at.isoformat(timespec='minutes')}：无临近时限或超时的项目")


def _user_line(u: dict[str, Any]) -> str:
    """One line of ``linkplan user --list``: name, role, state (已撤销/已过期/开发用户)."""
    from api.security import utc_now

    role = u["role"] + (f"/{u['utility']}" if u["utility"] else "")
    notes = []
    if u["revoked_at"] is not None:
        notes.append(f"已撤销 revoked {u['revoked_at']:%Y-%m-%d %H:%M} UTC")
    elif u["expires_at"] is not None:
        word = "已过期 expired" if u["expires_at"] <= utc_now() else "有效至 expires"
        notes.append(f"{word} {u['expires_at']:%Y-%m-%d %H:%M} UTC")
    if u["development"]:
        notes.append("开发用户 development")
    return f"{u['name']:<16}{role:<16}{'；'.join(notes)}"


def user(
    name: Annotated[str | None, typer.Argument(help="user name")] = None,
    role: Annotated[
        str | None,
        typer.Option(
            help="admin, investment, intake, utility, survey, planning, urban, approval or applicant"
        ),
    ] = None,
    utility: Annotated[
        str | None, typer.Option(help="for role utility: water, gas, heat, power, telecom")
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option(help="the token expires after this many days (default: never)")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="revoke the user's token")] = False,
    list_all: Annotated[bool, typer.Option("--list", help="list the users")] = False,
) -> None:
    """Create a user of the web service and print its token (shown once, stored hashed).

    ``--revoke`` revokes a user's token, ``--list`` lists the users. Only the database is
    migrated: nothing is seeded (no demo, no development users).
    """
    from api.settings import get_settings
    from api.state import load_state

    if not list_all and name is None:
        msg = "say which user: NAME, or --list"
        raise typer.BadParameter(msg)
    if not list_all and not revoke and role is None:
        msg = (
            f"say the role of user {name!r}: --role admin, investment, intake, utility, survey, "
            "planning, urban, approval or applicant"
        )
        raise typer.BadParameter(msg)
    if expires_days is not None and expires_days < 1:
        msg = f"--expires-days {expires_days}: expected 1 or more days"
        raise typer.BadParameter(msg)
    state = load_state(get_settings(), seed=False)
    try:
        _user_action(
            state.store, name, role, utility, expires_days, revoke=revoke, list_all=list_all
        )
    finally:
        state.store.engine.dispose()


def _user_action(
    store: Any,
    name: str | None,
    role: str | None,
    utility: str | None,
    expires_days: int | None,
    *,
    revoke: bool,
    list_all: bool,
) -> None:
    """List the users, revoke one, or create one and print its token."""
    from api.security import create_user, list_users, revoke_user, utc_now

    if list_all:
        for u in list_users(store):
            typer.echo(_user_line(u))
        return
    assert name is not None
    if revoke:
        when = revoke_user(store, name, revoked_by="cli")
        typer.echo(f"用户 {name} 的令牌已撤销 (token revoked) {when:%Y-%m-%d %H:%M} UTC")
        return
    assert role is not None
    expires = None if expires_days is None else utc_now() + dt.timedelta(days=expires_days)
    token = create_user(store, name, role, utility=utility, created_by="cli", expires_at=expires)
    until = f"; expires {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    typer.echo(
        f"user {name} ({role}{'/' + utility if utility else ''}) created{until}; token (shown once):"
    )
    typer.echo(token)


def password(
    name: Annotated[str, typer.Argument(help="user name")],
    display_name: Annotated[
        str | None, typer.Option(help="the name the workbench shows, e.g. 市城管委 刘某")
    ] = None,
) -> None:
    """Set a user's workbench password (asked twice, never echoed; stored as a scrypt hash).

    At least 10 characters, not only digits, not the user name. Setting it lifts a lock-out.
    """
    from api.security import set_password
    from api.settings import get_settings
    from api.state import load_state

    secret = typer.prompt("新密码 (new password)", hide_input=True, confirmation_prompt=True)
    state = load_state(get_settings(), seed=False)
    try:
        set_password(state.store, name, secret, display_name=display_name, by="cli")
    finally:
        state.store.engine.dispose()
    typer.echo(f"用户 {name} 的工作台密码已设置 (workbench password set)")
