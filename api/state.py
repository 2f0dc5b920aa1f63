"""What the web service serves: the database (PostGIS or embedded SQLite) and what it derives.

The workspace is assembled from the latest committed layer versions and kept while those
versions stand; assessments are kept per (versions, projects, date). Workers hold no other
state, so several can serve one database.

The embedded default is a SQLite file under ``LINKPLAN_DATA_DIR``; in development an empty
database is seeded with the 掇刀区 demo district, its projects and one user per role
(:mod:`api.seed`), so ``linkplan serve`` works on a fresh machine with no server.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import func, select

from api.service import Assessed, assess
from gis.profile import Profile, load_profile
from gis.settings import Settings
from gis.storage.migrate import upgrade
from gis.storage.models import ProjectRecord
from gis.storage.store import Store, make_engine
from gis.workspace import Workspace
from planning.intake import Intake, parse_intake

__all__ = ["ServiceState", "load_state"]


@dataclass
class ServiceState:
    """The store, the policy profile and what is derived from them (cached, thread-safe)."""

    store: Store
    profile: Profile
    settings: Settings
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ws: tuple[tuple[tuple[str, int], ...], Workspace] | None = field(default=None, repr=False)
    _assessed: OrderedDict[Any, Assessed] = field(default_factory=OrderedDict, repr=False)
    _forms: tuple[Any, dict[str, Intake]] | None = field(default=None, repr=False)
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
        stamp = self._projects_stamp()
        with self._lock:
            if self._forms is None or self._forms[0] != stamp:
                with self.store.session() as s:
                    rows = list(s.scalars(select(ProjectRecord)))
                forms = {r.project_id: parse_intake(r.intake, require_identity=False) for r in rows}
                self._forms = (stamp, forms)
            return self._forms[1]

    def assessed(self, *, as_of: dt.date | None = None) -> Assessed:
        """Return the assessments of every site on ``as_of`` (default today).

        Computed once per (layer versions, projects, date) and kept for the last
        :attr:`ASSESSED_KEEP` keys used; searches patch the shared routing index in place, so
        assessments run one at a time.
        """
        when = as_of or dt.date.today()
        self.sync_calendar()
        with self._lock:
            ws, versions = self.workspace()
            forms = self.forms()
            assert self._forms is not None
            key = (tuple(sorted(versions.items())), self._forms[0], when)
            if key not in self._assessed:
                done = assess(ws, profile=self.profile, forms=forms, as_of=when)
                done.versions = versions
                self._assessed[key] = done
                while len(self._assessed) > self.ASSESSED_KEEP:
                    self._assessed.popitem(last=False)
            self._assessed.move_to_end(key)
            return self._assessed[key]


def load_state(settings: Settings) -> ServiceState:
    """Open (and migrate) the configured database; seed an empty one in development."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    store = Store(engine)
    state = ServiceState(store, load_profile(settings.profile), settings)
    if settings.env == "development" and not store.latest():
        from api.seed import seed_demo

        seed_demo(store, settings=settings)
    return state
