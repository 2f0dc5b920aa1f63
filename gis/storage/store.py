"""The workspace in a database: versioned layers on PostGIS or on the embedded SQLite default.

:class:`Store` reads as its use cases: :meth:`Store.import_layer` validates a layer together
with the stored ones, writes it as a new version in one transaction and says what changed;
:meth:`Store.layer` reads the current (or a given) version, optionally within a bounding box
filtered in the database; :meth:`Store.workspace` assembles a :class:`~gis.workspace.Workspace`
from the latest versions, with the versions it used. :meth:`Store.import_layers` stores several
layers (and projects) in one transaction; :meth:`Store.update_layer` changes the current version
with nobody in between; :meth:`Store.write` is the locked transaction every read-modify-write uses.

Backends: ``LINKPLAN_DATABASE_URL`` — ``postgresql+psycopg://…`` (PostGIS, GiST index,
``ST_Intersects``) or ``sqlite:///path.db`` (the default: a local file, no server; bounding-box
columns filtered by an index, exact test in shapely).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gis.errors import (
    ConfigurationError,
    LayerNotFoundError,
    NotFoundError,
    Problem,
    ValidationError,
)
from gis.profile import Profile, load_profile
from gis.schema import LAYERS
from gis.storage import guards
from gis.storage.models import (
    SRID,
    AuditEntry,
    Base,
    NetworkFeature,
    NetworkVersion,
    ProjectRecord,
)
from gis.validate import validate_layers
from gis.workspace import Workspace

__all__ = ["ImportResult", "Store", "jsonable", "make_engine"]


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrency.

    The URL comes from the caller (the service reads it from its settings,
    :func:`api.settings.default_database_url`).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    msg = f"database URL {url.split(':', 1)[0]}://…: expected postgresql+psycopg:// or sqlite:///"
    raise ConfigurationError(msg)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: the new version and what changed against the previous one."""

    layer: str
    version: int
    n_features: int
    added: list[str]
    removed: list[str]
    changed: list[str]

    def summary(self) -> dict[str, Any]:
        """Return counts and ids, JSON-ready."""
        return {
            "layer": self.layer,
            "version": self.version,
            "n_features": self.n_features,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "added_ids": self.added,
            "removed_ids": self.removed,
            "changed_ids": self.changed,
        }


@dataclass(frozen=True)
class _Rows:
    """A validated layer as the rows to store: feature ids, attributes, geometries, bounds."""

    ids: list[str]
    attrs: list[dict[str, Any]]
    geoms: list[Any]
    bounds: np.ndarray

    @classmethod
    def of(cls, layer: str, clean: gpd.GeoDataFrame) -> _Rows:
        """Return the rows of a validated layer (ids from its id field, or the row numbers)."""
        spec = LAYERS.get(layer)
        id_field = spec.id_field if spec is not None and spec.id_field else None
        ids = clean[id_field].astype(str).tolist() if id_field else [str(i) for i in range(len(clean))]
        attrs = [
            {k: jsonable(v) for k, v in row.items() if k != "geometry"}
            for row in clean.drop(columns="geometry").to_dict("records")
        ]
        geoms = list(clean.geometry)
        return cls(ids, attrs, geoms, shapely.bounds(np.asarray(geoms, dtype=object)))


_LAYER_LOCKS = 4546_0002
"""First key of the PostgreSQL advisory locks of layers (the second: the layer name's hash)."""


def jsonable(value: Any) -> Any:
    """Return a JSON-ready value: NaN/NaT/NA → None, numpy scalars → Python, dates → ISO.

    Examples
    --------
    >>> jsonable(np.float64("nan")), jsonable(np.int64(3)), jsonable([pd.Timestamp("2027-01-02")])
    (None, 3, ['2027-01-02T00:00:00'])
    """
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    return value


def _refuse_errors(problems: Sequence[Problem], summary: str) -> None:
    """Raise :class:`~gis.errors.ValidationError` with every problem if any is an error."""
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems=list(problems), summary=summary)


class Store:
    """Versioned layers (and projects, assessments, users, audit) in one database.

    Parameters
    ----------
    engine
        From :func:`make_engine`; the schema is created by the migrations
        (:func:`gis.storage.migrate.upgrade`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session = sessionmaker(engine, expire_on_commit=False)
        self.crs = CRS.from_epsg(SRID)

    @property
    def postgis(self) -> bool:
        """Whether the backend is PostGIS (spatial filtering with GiST and ST_Intersects)."""
        return self.engine.dialect.name == "postgresql"

    # ------------------------------------------------------------------ reading
    def versions(self, layer: str | None = None) -> list[NetworkVersion]:
        """Return the committed versions (of one layer, or all), oldest first."""
        with self.session() as s:
            q = select(NetworkVersion).where(NetworkVersion.status == "committed")
            if layer is not None:
                q = q.where(NetworkVersion.layer == layer)
            return list(s.scalars(q.order_by(NetworkVersion.layer, NetworkVersion.version)))

    def latest(self) -> dict[str, int]:
        """Return layer → latest committed version number."""
        with self.session() as s:
            return self._latest(s)

    @staticmethod
    def _latest(s: Session) -> dict[str, int]:
        rows = s.execute(
            select(NetworkVersion.layer, func.max(NetworkVersion.version))
            .where(NetworkVersion.status == "committed")
            .group_by(NetworkVersion.layer)
        ).all()
        return {str(layer): int(v) for layer, v in rows}

    def has_feature(self, s: Session, layer: str, feature_id: str) -> bool:
        """Whether the latest version of ``layer`` holds ``feature_id``, read in session ``s``.

        Read inside :meth:`write` (``layers=[layer]``) to act on it before anyone replaces the
        layer: e.g. a project is created only on a site that is still there.
        """
        try:
            v = self._version_row(s, layer, None)
        except LayerNotFoundError:
            return False
        q = select(NetworkFeature.id).where(
            NetworkFeature.version_id == v.id, NetworkFeature.feature_id == feature_id
        )
        return s.scalars(q.limit(1)).first() is not None

    def _version_row(self, s: Session, layer: str, version: int | None) -> NetworkVersion:
        q = select(NetworkVersion).where(
            NetworkVersion.layer == layer, NetworkVersion.status == "committed"
        )
        q = q.where(NetworkVersion.version == version) if version is not None else q.order_by(
            NetworkVersion.version.desc()
        )
        row = s.scalars(q.limit(1)).first()
        if row is None:
            what = f"version {version} of layer {layer!r}" if version else f"layer {layer!r}"
            msg = f"the database has no {what}"
            raise LayerNotFoundError(msg) if version is None else NotFoundError(msg)
        return row

    def layer(
        self,
        layer: str,
        *,
        version: int | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> gpd.GeoDataFrame:
        """Return a layer version as a GeoDataFrame (EPSG:4546), optionally within ``bbox``.

        ``bbox`` (working CRS) is filtered in the database: ``&&`` + ``ST_Intersects`` on a
        GiST index with PostGIS; indexed bounding-box columns on SQLite, then the exact test.
        Features come in a stable order (``limit``/``offset`` page through them).
        """
        with self.session() as s:
            return self._read_layer(s, layer, version, bbox=bbox, limit=limit, offset=offset)

    def _read_layer(
        self,
        s: Session,
        layer: str,
        version: int | None,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> gpd.GeoDataFrame:
        """Read a layer version in the session ``s`` (see :meth:`layer`)."""
        v = self._version_row(s, layer, version)
        q = select(NetworkFeature).where(NetworkFeature.version_id == v.id)
        if bbox is not None:
            x0, y0, x1, y1 = bbox
            q = q.where(
                NetworkFeature.minx <= x1,
                NetworkFeature.maxx >= x0,
                NetworkFeature.miny <= y1,
                NetworkFeature.maxy >= y0,
            )
            if self.postgis:
                envelope = func.ST_MakeEnvelope(x0, y0, x1, y1, SRID)
                q = q.where(func.ST_Intersects(NetworkFeature.geom, envelope))
        q = q.order_by(NetworkFeature.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        rows = list(s.scalars(q))
        if bbox is not None and not self.postgis:
            box = shapely.box(*bbox)
            rows = [r for r in rows if shapely.intersects(r.geom, box)]
        return self._frame(layer, rows)

    def count(self, layer: str, *, version: int | None = None) -> int:
        """Return the number of features of a layer version."""
        with self.session() as s:
            v = self._version_row(s, layer, version)
            return int(v.n_features)

    def _frame(self, layer: str, rows: list[NetworkFeature]) -> gpd.GeoDataFrame:
        spec = LAYERS.get(layer)
        id_field = spec.id_field if spec is not None and spec.id_field else "feature_id"
        records = [{id_field: r.feature_id, **{k: v for k, v in r.attrs.items() if k != id_field}} for r in rows]
        return gpd.GeoDataFrame(
            pd.DataFrame.from_records(records) if records else pd.DataFrame({id_field: []}),
            geometry=[r.geom for r in rows],
            crs=self.crs,
        )

    def workspace(self, *, profile: str | Profile = "gb-defaults") -> tuple[Workspace, dict[str, int]]:
        """Return a workspace of the latest versions of every stored layer, and those versions."""
        latest = self.latest()
        if not latest:
            msg = "the database holds no layers yet: import roads, scope, sites and the networks"
            raise LayerNotFoundError(msg)
        layers = {name: self.layer(name, version=v) for name, v in latest.items()}
        return Workspace.from_layers(layers, crs=self.crs, profile=profile), latest

    # ------------------------------------------------------------------ writing
    @contextmanager
    def write(self, *, layers: Iterable[str] = ()) -> Iterator[Session]:
        """Open a transaction for a read-modify-write, serialised with the other writers.

        Everything read and written in it commits together or not at all. On SQLite the
        transaction starts with ``BEGIN IMMEDIATE``: one writer at a time across threads and
        processes (the others wait, up to the busy timeout). On PostgreSQL each of ``layers`` is
        locked (a transaction-level advisory lock, taken in name order so two writers never wait
        for each other); read project rows with ``with_for_update=True`` to lock them.

        Parameters
        ----------
        layers
            Layers whose versions this transaction reads and writes (``import_layer``,
            ``update_layer``, ``import_layers`` name theirs).

        Yields
        ------
        Session
            Committed when the block ends, rolled back when it raises.
        """
        with self.session.begin() as s:
            conn = s.connection()
            if self.postgis:
                for name in sorted(set(layers)):
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:space, hashtext(:layer))"),
                        {"space": _LAYER_LOCKS, "layer": name},
                    )
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield s

    def import_layer(
        self,
        layer: str,
        gdf: gpd.GeoDataFrame,
        *,
        user: str | None = None,
        source: str | None = None,
        source_crs: Any = None,
        profile: str | Profile = "gb-defaults",
        confirm: bool = False,
    ) -> ImportResult:
        """Validate a layer with the stored ones and store it as a new version, all or nothing.

        Validation reports every problem at once (:class:`~gis.errors.ValidationError`) and
        nothing is written; otherwise the version and all its features are written in one
        transaction and only then marked ``committed``. Imports of one layer queue
        (:meth:`write`), so each gets the next version number. A version that would remove
        most of the layer or a site a project uses, or a network mostly off the roads, is
        refused with :class:`~gis.errors.ConfirmationRequiredError` unless ``confirm``
        (:mod:`gis.storage.guards`).
        """
        # (1) validate against the stored layers (e.g. a network against the stored scope)
        stored = {name: self.layer(name) for name in self.latest() if name != layer}
        found, clean = self._check(
            {layer: gdf},
            stored,
            source_crs={layer: source_crs} if source_crs is not None else None,
            profile=profile,
        )
        _refuse_errors(found, f"import of layer {layer!r} refused")
        rows = _Rows.of(layer, clean[layer])
        with self.write(layers=[layer]) as s:
            # (2) changes that would wipe or break stored data need a confirmation
            if not confirm:
                self._guard(layer, clean[layer], rows.ids, stored.get("roads"), profile)
            # (3) one transaction: version row, features, diff, commit flag
            return self._write_version(s, layer, rows, user=user, source=source)

    def import_layers(
        self,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        projects: Mapping[str, dict[str, Any]] | None = None,
        problems: Sequence[Problem] = (),
        user: str | None = None,
        source: str | None = None,
        profile: str | Profile = "gb-defaults",
        confirm: bool = False,
    ) -> list[ImportResult]:
        """Validate several layers together and store them, and projects, in one transaction.

        Parameters
        ----------
        layers
            Layer name → features; each becomes the layer's next version.
        projects
            Site ``project_id`` → intake form (JSON-ready); each must be a site of the new (or
            stored) sites layer. An existing project gets the new form.
        problems
            Problems found by the caller (e.g. in the intake forms), reported with the others.
        confirm
            Store layers that the guards of :mod:`gis.storage.guards` would refuse (most of a
            layer removed, a live project's site removed, a network mostly off the roads).

        Returns
        -------
        list of ImportResult
            One per layer, in the order given.

        Raises
        ------
        ValidationError
            With every problem of every layer, project and ``problems`` when any is an
            error; nothing is written.
        ConfirmationRequiredError
            Without ``confirm``, when a guard refuses a layer; nothing is written.
        """
        # (1) validate the new layers with each other and with the other stored layers
        stored = {name: self.layer(name) for name in self.latest() if name not in layers}
        found, clean = self._check(dict(layers), stored, profile=profile)
        found += self._unknown_sites(projects or {}, clean.get("sites", stored.get("sites")))
        found += list(problems)
        if any(p.severity == "error" for p in found):
            raise ValidationError(problems=found, summary=f"load of {len(layers)} layer(s) refused")
        rows = {name: _Rows.of(name, clean[name]) for name in layers}
        # (2) one transaction: every version, then the projects
        roads = clean.get("roads", stored.get("roads"))
        with self.write(layers=list(layers)) as s:
            for name in layers if not confirm else ():
                self._guard(name, clean[name], rows[name].ids, roads, profile)
            results = [
                self._write_version(s, name, rows[name], user=user, source=source) for name in layers
            ]
            for pid, form in (projects or {}).items():
                self._put_project(s, pid, form, user=user)
        return results

    def update_layer(
        self,
        layer: str,
        change: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame],
        *,
        user: str | None = None,
        source: str | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> ImportResult:
        """Store ``change(current layer)`` as the layer's next version, with nobody in between.

        The current version (``None`` if the layer is not stored yet) is read, changed,
        validated and written in one locked transaction (:meth:`write`): two updates at once
        (e.g. two intents registered together) both end up in the layer.
        """
        with self.write(layers=[layer]) as s:
            latest = self._latest(s)
            current = self._read_layer(s, layer, None) if layer in latest else None
            stored = {name: self._read_layer(s, name, v) for name, v in latest.items() if name != layer}
            rows = self._prepare({layer: change(current)}, stored, profile=profile)[layer]
            return self._write_version(s, layer, rows, user=user, source=source)

    def _check(
        self,
        new: dict[str, gpd.GeoDataFrame],
        stored: dict[str, gpd.GeoDataFrame],
        *,
        source_crs: dict[str, Any] | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> tuple[list[Problem], dict[str, gpd.GeoDataFrame]]:
        """Validate ``new`` with ``stored``: the problems of ``new``, and the cleaned layers."""
        report = validate_layers(
            {**stored, **new},
            working_crs=self.crs,
            profile=profile if isinstance(profile, Profile) else None,
            source_crs=source_crs,
        )
        return [p for p in report.problems if p.layer in new], report.layers

    def _prepare(
        self,
        new: dict[str, gpd.GeoDataFrame],
        stored: dict[str, gpd.GeoDataFrame],
        *,
        source_crs: dict[str, Any] | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> dict[str, _Rows]:
        """Validate ``new`` with ``stored``; return the rows to store, or raise every problem."""
        mine, clean = self._check(new, stored, source_crs=source_crs, profile=profile)
        _refuse_errors(mine, f"import of layer {', '.join(repr(n) for n in new)} refused")
        return {name: _Rows.of(name, clean[name]) for name in new}

    @staticmethod
    def _unknown_sites(
        projects: Mapping[str, Any], sites: gpd.GeoDataFrame | None
    ) -> list[Problem]:
        """Return a problem for each project whose id is not a site of ``sites``."""
        spec = LAYERS["sites"]
        known = set() if sites is None else set(sites[spec.id_field or "project_id"].astype(str))
        return [
            Problem(
                "intake",
                pid,
                "site_id",
                repr(pid),
                "the project_id of a site polygon in the sites layer",
                code="unknown_site",
            )
            for pid in projects
            if pid not in known
        ]

    def _write_version(
        self, s: Session, layer: str, rows: _Rows, *, user: str | None, source: str | None
    ) -> ImportResult:
        """Write one layer version in ``s`` (pending, features, diff, committed) and its audit."""
        previous = s.scalars(
            select(NetworkVersion)
            .where(NetworkVersion.layer == layer, NetworkVersion.status == "committed")
            .order_by(NetworkVersion.version.desc())
            .limit(1)
        ).first()
        number = (previous.version if previous else 0) + 1
        v = NetworkVersion(layer=layer, version=number, status="pending", created_by=user, source=source)
        s.add(v)
        try:
            s.flush()
        except IntegrityError as exc:
            msg = f"another import of layer {layer!r} committed first; import again: {exc.orig}"
            raise ConfigurationError(msg) from exc
        s.add_all(
            NetworkFeature(
                version_id=v.id,
                feature_id=fid,
                attrs=a,
                geom=g,
                minx=float(b[0]),
                miny=float(b[1]),
                maxx=float(b[2]),
                maxy=float(b[3]),
            )
            for fid, a, g, b in zip(rows.ids, rows.attrs, rows.geoms, rows.bounds)
        )
        added, removed, changed = self._diff(s, previous, rows.ids, rows.attrs, rows.geoms)
        diff = {"added": added, "removed": removed, "changed": changed}
        s.execute(
            update(NetworkVersion)
            .where(NetworkVersion.id == v.id)
            .values(status="committed", n_features=len(rows.ids), diff=diff)
        )
        detail = {"source": source, "features": len(rows.ids), **{k: len(x) for k, x in diff.items()}}
        s.add(AuditEntry(user=user, action="import_layer", target=f"{layer} v{number}", detail=detail))
        return ImportResult(layer, number, len(rows.ids), added, removed, changed)

    @staticmethod
    def _put_project(s: Session, project_id: str, form: dict[str, Any], *, user: str | None) -> None:
        """Add a project, or give an existing one (locked) its new intake form."""
        record = s.get(ProjectRecord, project_id, with_for_update=True)
        if record is None:
            s.add(ProjectRecord(project_id=project_id, intake=form, created_by=user))
        else:
            record.intake = form
            record.row_version = (record.row_version or 1) + 1

    def _guard(
        self,
        layer: str,
        clean: gpd.GeoDataFrame,
        ids: list[str],
        roads: gpd.GeoDataFrame | None,
        profile: str | Profile,
    ) -> None:
        """Raise :class:`~gis.errors.ConfirmationRequiredError` if the new version needs it."""
        previous = self._feature_ids(layer)
        removed = sorted(set(previous) - set(ids))
        problems = guards.import_problems(
            layer,
            clean,
            new_ids=ids,
            previous_ids=previous,
            roads=roads,
            projects=self._project_names(removed) if layer == "sites" and removed else {},
            profile=profile if isinstance(profile, Profile) else load_profile(profile),
        )
        guards.require_confirmation(layer, problems)

    def _feature_ids(self, layer: str) -> list[str]:
        """Return the feature ids of a layer's latest version (none if it has none)."""
        with self.session() as s:
            try:
                v = self._version_row(s, layer, None)
            except LayerNotFoundError:
                return []
            q = select(NetworkFeature.feature_id).where(NetworkFeature.version_id == v.id)
            return [str(f) for f in s.scalars(q)]

    def _project_names(self, project_ids: list[str]) -> dict[str, str]:
        """Return project id → project name of the stored projects among ``project_ids``."""
        with self.session() as s:
            rows = s.execute(
                select(ProjectRecord.project_id, ProjectRecord.intake).where(
                    ProjectRecord.project_id.in_(project_ids)
                )
            ).all()
        return {str(pid): str((intake or {}).get("project_name") or pid) for pid, intake in rows}

    def restore_version(
        self,
        layer: str,
        version: int,
        *,
        user: str | None = None,
        confirm: bool = False,
        profile: str | Profile = "gb-defaults",
    ) -> ImportResult:
        """Store an earlier version's features again, as the layer's newest version.

        History is never rewritten: the restored copy is validated and guarded like any
        import (:meth:`import_layer`), and the versions in between stay readable.

        Raises
        ------
        NotFoundError
            If the layer has no committed version ``version``.
        """
        old = self.layer(layer, version=version)
        spec = LAYERS.get(layer)
        if (spec is None or not spec.id_field) and "feature_id" in old.columns:
            old = old.drop(columns="feature_id")  # positional ids, not an attribute
        return self.import_layer(
            layer,
            old,
            user=user,
            source=f"restore of version {version}",
            profile=profile,
            confirm=confirm,
        )

    def _diff(
        self,
        s: Session,
        previous: NetworkVersion | None,
        ids: list[str],
        attrs: list[dict[str, Any]],
        geoms: list[Any],
    ) -> tuple[list[str], list[str], list[str]]:
        if previous is None:
            return sorted(ids), [], []
        old = {
            r.feature_id: (r.attrs, r.geom)
            for r in s.scalars(select(NetworkFeature).where(NetworkFeature.version_id == previous.id))
        }
        new = dict(zip(ids, zip(attrs, geoms)))
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(
            fid
            for fid in set(new) & set(old)
            if json.dumps(new[fid][0], sort_keys=True, default=str)
            != json.dumps(old[fid][0], sort_keys=True, default=str)
            or not shapely.equals_exact(new[fid][1], old[fid][1], tolerance=1e-6)
        )
        return added, removed, changed


def create_all(engine: Engine) -> None:
    """Create the tables directly (tests of the models; deployments use the migrations)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    Base.metadata.create_all(engine)

