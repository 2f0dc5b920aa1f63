"""Writing layer versions: the locked transaction, a version with its features, diff and audit.

Every read-modify-write runs in :meth:`StoreWriter.write`: one writer at a time per layer, all or
nothing. A version is written ``pending``, its features and diff added, and only then marked
``committed``, so a failed or killed write leaves no half-written version visible.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import shapely
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis.errors import ConfigurationError
from gis.storage.models import AuditEntry, NetworkFeature, NetworkVersion, ProjectRecord
from gis.storage.reading import StoreReader
from gis.storage.rows import ImportResult, LayerRows

__all__ = ["StoreWriter"]

_LAYER_LOCKS = 4546_0002
"""First key of the PostgreSQL advisory locks of layers (the second: the layer name's hash)."""


class StoreWriter(StoreReader):
    """The writing half of :class:`~gis.storage.store.Store`: locked transactions, versions."""

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

    def _write_version(
        self, s: Session, layer: str, rows: LayerRows, *, user: str | None, source: str | None
    ) -> ImportResult:
        """Write one layer version in ``s`` (pending, features, diff, committed) and its audit."""
        previous = s.scalars(
            select(NetworkVersion)
            .where(NetworkVersion.layer == layer, NetworkVersion.status == "committed")
            .order_by(NetworkVersion.version.desc())
            .limit(1)
        ).first()
        number = (previous.version if previous else 0) + 1
        v = NetworkVersion(
            layer=layer, version=number, status="pending", created_by=user, source=source
        )
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
        detail = {
            "source": source,
            "features": len(rows.ids),
            **{k: len(x) for k, x in diff.items()},
        }
        s.add(
            AuditEntry(user=user, action="import_layer", target=f"{layer} v{number}", detail=detail)
        )
        return ImportResult(layer, number, len(rows.ids), added, removed, changed)

    @staticmethod
    def _put_project(
        s: Session, project_id: str, form: dict[str, Any], *, user: str | None
    ) -> None:
        """Add a project, or give an existing one (locked) its new intake form."""
        record = s.get(ProjectRecord, project_id, with_for_update=True)
        if record is None:
            s.add(ProjectRecord(project_id=project_id, intake=form, created_by=user))
        else:
            record.intake = form
            record.row_version = (record.row_version or 1) + 1

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
            for r in s.scalars(
                select(NetworkFeature).where(NetworkFeature.version_id == previous.id)
            )
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
