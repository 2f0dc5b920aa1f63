"""What the web service serves: the database (PostGIS or embedded SQLite) and what it derives.

The workspace is assembled from the latest committed layer versions and kept while those
versions stand; assessments are kept per (versions, projects, date). Workers hold no other
state, so several can serve one database.

The embedded default is a SQLite file under ``LINKPLAN_DATA_DIR``; in development an empty
database is seeded with the 掇刀区 demo district, its projects and one user per role
(:mod:`api.seed`), so ``linkplan serve`` works on a fresh machine with no server. Workers
starting together seed it once (:func:`startup_lock`). In production the development users of
a database first used in development are revoked on start (:func:`prepare_database`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Engine, func, select

from api.schemas import china_now
from api.service import Assessed, assess
from api.settings import Settings, default_database_url
from gis.profile import Profile, load_profile
from gis.storage.migrate import upgrade
from gis.storage.models import NetworkVersion, ProjectRecord, User
from gis.storage.store import Store, make_engine
from gis.workspace import Workspace
from planning.intake import Intake, parse_intake

__all__ = ["ServiceState", "StartReport", "load_state", "open_database", "prepare_database", "startup_lock"]

log = logging.getLogger("linkplan")


@dataclass
class ServiceState:
    """The store, the policy profile and what is derived from them (cached, thread-safe)."""

    store: Store
    profile: Profile
    settings: Settings
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ws: tuple[tuple[tuple[str, int], ...], Workspace] | None = field(default=None, repr=False)
    _assessed: OrderedDict[Any, Assessed] = field(default_factory=OrderedDict, repr=False)
    _forms: tuple[Any, str, dict[str, Intake]] | None = field(default=None, repr=False)
    _notices: tuple[Any, ...] | None = field(default=None, repr=False)

    ASSESSED_KEEP: ClassVar[int] = 4
    """Assessments kept (least recently used dropped): each date's is about 1.5 MB."""

    def sync_calendar(self) -> None:
        """Hand the stored holiday notices to the calendar when they changed (any worker's load).

        Deadlines computed afterwards use them: provisional ones are recomputed.
        """
        from api.holidays import notices_stamp, sync_notices

        stamp = notices_stamp(self.store)
        with self._lock:
            if stamp != self._notices:
                sync_notices(self.store)
                self._notices = stamp

    def workspace(self) -> tuple[Workspace, dict[str, int]]:
        """Return the workspace of the latest layer versions, and those versions."""
        latest = self.store.latest()
        key = tuple(sorted(latest.items()))
        with self._lock:
            if self._ws is None or self._ws[0] != key:
                ws, versions = self.store.workspace()
                self._ws = (tuple(sorted(versions.items())), ws)
                self._assessed.clear()
            return self._ws[1], dict(self._ws[0])

    def _projects_stamp(self) -> tuple[Any, ...]:
        """Return what changes whenever a project is added or changed (count, last update)."""
        with self.store.session() as s:
            count, last = s.execute(
                select(func.count(), func.max(ProjectRecord.updated_at))
            ).one()
        return (int(count), last)

    def forms(self) -> dict[str, Intake]:
        """Return the intake forms of every stored project (parsed again only after a change)."""
        return self._forms_and_digest()[1]

    def _forms_and_digest(self) -> tuple[str, dict[str, Intake]]:
        """Return a digest of the stored intake forms, and the forms parsed.

        A project row changes for many reasons (a time node, an assessment stored, an opinion);
        only a change of its intake form changes the digest, so only that makes every site be
        assessed again.
        """
        stamp = self._projects_stamp()
        with self._lock:
            if self._forms is None or self._forms[0] != stamp:
                with self.store.session() as s:
                    rows = list(s.execute(select(ProjectRecord.project_id, ProjectRecord.intake)))
                forms = {pid: parse_intake(intake, require_identity=False) for pid, intake in rows}
                digest = hashlib.sha256(
                    json.dumps(sorted((pid, intake) for pid, intake in rows), sort_keys=True,
                               default=str).encode()
                ).hexdigest()
                self._forms = (stamp, digest, forms)
            return self._forms[1], self._forms[2]

    def assessed(self, *, as_of: dt.date | None = None) -> Assessed:
        """Return the assessments of every site on ``as_of`` (default today).

        Computed once per (layer versions, projects, date) and kept for the last
        :attr:`ASSESSED_KEEP` keys used; searches patch the shared routing index in place, so
        assessments run one at a time.
        """
        when = as_of or china_now().date()  # China's date, whatever the server's zone
        self.sync_calendar()
        with self._lock:
            ws, versions = self.workspace()
            digest, forms = self._forms_and_digest()
            key = (tuple(sorted(versions.items())), digest, when)
            if key not in self._assessed:
                done = assess(ws, profile=self.profile, forms=forms, as_of=when)
                done.versions = versions
                self._assessed[key] = done
                while len(self._assessed) > self.ASSESSED_KEEP:
                    self._assessed.popitem(last=False)
            self._assessed.move_to_end(key)
            return self._assessed[key]


@dataclass(frozen=True)
class StartReport:
    """What opening the database did: the demo seeded, development users disabled."""

    seeded: bool = False
    disabled_users: tuple[str, ...] = ()

    def messages(self) -> list[str]:
        """Return what the start should say (Chinese, English in brackets)."""
        out = []
        if self.seeded:
            out.append("已导入演示数据与开发用户 (demo district and development users seeded)")
        if self.disabled_users:
            out.append(
                f"已停用 {len(self.disabled_users)} 个开发用户 (development users disabled): "
                + ", ".join(self.disabled_users)
            )
        return out


_STARTUP_LOCK_ID = 4546_0002
"""PostgreSQL advisory lock held while a starting worker seeds or disables users."""


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock shared by every worker starting on ``engine``'s database.

    PostgreSQL: an advisory lock; SQLite: a lock file beside the database (an in-memory
    database is private to its process and needs none).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.exec_driver_sql(f"SELECT pg_advisory_lock({_STARTUP_LOCK_ID})")
            try:
                yield
            finally:
                lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_STARTUP_LOCK_ID})")
                lock.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.startup.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_empty(store: Store) -> bool:
    """Whether the database holds no layer version, project or user (a new database)."""
    with store.session() as s:
        for model in (NetworkVersion, ProjectRecord, User):
            if s.scalar(select(func.count()).select_from(model)):
                return False
    return True


def prepare_database(store: Store, settings: Settings, *, seed: bool = True) -> StartReport:
    """Seed a new development database, or disable development users in production.

    Runs under :func:`startup_lock`, and checks the database again inside it, so workers
    starting together on a new database seed it once.

    Parameters
    ----------
    store
        The (migrated) database.
    settings
        ``settings.env`` decides: development seeds an empty database (if ``seed``);
        production revokes every development user still active.
    seed
        Whether an empty development database gets the demo (``linkplan serve``); ``False``
        for commands that must not add anything (``linkplan user``).
    """
    with startup_lock(store.engine):
        if settings.env == "production":
            from api.security import disable_development_users

            return StartReport(disabled_users=tuple(disable_development_users(store)))
        if seed and _is_empty(store):
            from api.seed import seed_demo

            seed_demo(store, settings=settings)
            return StartReport(seeded=True)
    return StartReport()


def open_database(settings: Settings, *, seed: bool = True) -> tuple[Store, StartReport]:
    """Open, migrate and prepare (:func:`prepare_database`) the configured database.

    1. migrate the database (once, whoever starts first);
    2. in development, seed an empty database (if ``seed``); in production, disable the
       development users;
    3. return the store and what step 2 did.
    """
    engine = make_engine(default_database_url(settings))
    upgrade(engine)
    store = Store(engine)
    return store, prepare_database(store, settings, seed=seed)


def load_state(settings: Settings, *, seed: bool = True) -> ServiceState:
    """Open the configured database (:func:`open_database`) and return the service state.

    What the start did (demo seeded, development users disabled) is logged on ``linkplan``;
    ``linkplan serve`` prints it.
    """
    store, report = open_database(settings, seed=seed)
    for message in report.messages():
        log.warning(message)
    return ServiceState(store, load_profile(settings.profile), settings)
