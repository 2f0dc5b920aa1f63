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

from gis.storage.engine import create_all, make_engine
from gis.storage.imports import StoreImports
from gis.storage.rows import ImportResult, jsonable

__all__ = ["ImportResult", "Store", "create_all", "jsonable", "make_engine"]


class Store(StoreImports):
    """Versioned layers (and projects, assessments, users, audit) in one database.

    Assembled in layers, one concern each: :class:`~gis.storage.reading.StoreReader` (reading
    versions), :class:`~gis.storage.writing.StoreWriter` (the locked transaction, writing a
    version) and :class:`~gis.storage.imports.StoreImports` (validated, guarded imports).

    Parameters
    ----------
    engine
        From :func:`make_engine`; the schema is created by the migrations
        (:func:`gis.storage.migrate.upgrade`).
    """
