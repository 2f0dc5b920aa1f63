"""One geometry column type for both backends, with a fixed SRID per column.

On PostgreSQL it is GeoAlchemy2's ``Geometry(type, srid)`` (PostGIS, GiST-indexed); on the
embedded SQLite default it is the geometry's WKB in a BLOB, next to bounding-box columns that
the storage layer keeps for spatial filtering (no SpatiaLite, no system package). Values are
shapely geometries in both directions; a geometry is checked against the column's type.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["GeometryColumn"]


class GeometryColumn(TypeDecorator[BaseGeometry]):
    """A geometry column: ``GeometryColumn("LINESTRING", 4546)``.

    Examples
    --------
    >>> GeometryColumn("LINESTRING", 4546).srid
    4546
    """

    impl = LargeBinary
    cache_ok = True
    # read by GeoAlchemy2's DDL hooks: the GiST index is declared with the table instead
    spatial_index = False
    use_N_D_index = False  # noqa: N815 (GeoAlchemy2 attribute name)
    management = False
    use_typmod = None
    dimension = 2
    nullable = True

    def __init__(self, geometry_type: str, srid: int) -> None:
        super().__init__()
        self.geometry_type = geometry_type.upper()
        self.srid = int(srid)

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        """PostGIS ``geometry(TYPE, SRID)`` on PostgreSQL, a BLOB elsewhere.

        GeoAlchemy2's DDL hooks ask without a dialect: the column then reads as a plain one
        and they leave it alone (the GiST index is declared with the table).
        """
        if dialect is None:
            return LargeBinary()
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                Geometry(self.geometry_type, srid=self.srid, spatial_index=False)
            )
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Shapely geometry → WKB element (PostGIS) or WKB bytes (SQLite)."""
        if value is None:
            return None
        if not isinstance(value, BaseGeometry):
            msg = f"geometry column expects a shapely geometry, got {type(value).__name__}"
            raise TypeError(msg)
        kind = value.geom_type.upper()
        if kind != self.geometry_type and self.geometry_type != "GEOMETRY":
            msg = f"geometry column of type {self.geometry_type} got a {value.geom_type}"
            raise TypeError(msg)
        if dialect.name == "postgresql":
            return from_shape(value, srid=self.srid)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        """WKB (element, bytes or hex text) → shapely geometry."""
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        return shapely.from_wkb(value)
