"""Storage models (SQLAlchemy 2 declarative, GeoAlchemy2 geometry on PostGIS).

Network layers are **versioned**: an import of a utility's network writes a new
:class:`NetworkVersion` with all its :class:`NetworkFeature` rows in one transaction, so a
failed import leaves the previous version as it was and no half-written version is visible
(only ``committed`` versions are read). Every assessment records the versions it used.

Spatial tables have a fixed SRID, EPSG:4546 (the default working CRS); layers in another CRS
are projected to it on import. Each spatial row also keeps its bounding box, which the
SQLite backend filters on (indexed); PostGIS filters with ``&&``/``ST_Intersects`` on a GiST
index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gis.storage.geometry import GeometryColumn

__all__ = [
    "SRID",
    "AssessmentRecord",
    "AuditEntry",
    "Base",
    "HolidayNotice",
    "NetworkFeature",
    "NetworkVersion",
    "PlanRecord",
    "ProjectRecord",
    "User",
]

SRID = 4546
"""SRID of every spatial column: EPSG:4546 (CGCS2000 3° GK, CM 111°E), the working CRS."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of Linkplan's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class NetworkVersion(Base):
    """One imported version of one layer (a utility network, roads, sites, …)."""

    __tablename__ = "network_versions"
    __table_args__ = (UniqueConstraint("layer", "version", name="uq_network_versions_layer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """``pending`` while rows are written, ``committed`` when complete (only those are read)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    n_features: Mapped[int] = mapped_column(Integer, default=0)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Changes against the previous version: ``added``, ``removed``, ``changed`` asset ids."""

    features: Mapped[list[NetworkFeature]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class NetworkFeature(Base):
    """One feature of a layer version: its id, attributes and geometry (working CRS)."""

    __tablename__ = "network_features"
    __table_args__ = (
        Index("ix_network_features_bbox", "version_id", "minx", "maxx", "miny", "maxy"),
        Index("ix_network_features_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("network_versions.id", ondelete="CASCADE"), index=True
    )
    feature_id: Mapped[str] = mapped_column(String(64))
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    geom: Mapped[Any] = mapped_column(GeometryColumn("GEOMETRY", SRID))
    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)

    version: Mapped[NetworkVersion] = relationship(back_populates="features")


class ProjectRecord(Base):
    """A project: its site id and the full intake form (附件2) as submitted."""

    __tablename__ = "projects"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    intake: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    time_nodes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """E-ledger time nodes (registered, form complete, assessed, …) as ISO date-times."""
    opinions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    """Department → opinion (text, by, at), e.g. 自然资源和规划局's planning opinion."""
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by one at every change: the ETag of the project (optimistic concurrency)."""
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    """The applying enterprise's user (掌上办), who alone of the applicants sees the project."""
    final_sheet: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The issued approval sheet (统一出件): document number, issued at, by; ``None``: not yet."""


class AssessmentRecord(Base):
    """One assessment of a project, with the network versions it used."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.project_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    as_of: Mapped[dt.date] = mapped_column(DateTime)
    profile: Mapped[str] = mapped_column(String(64))
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Layer → network version used."""
    approval_path: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanRecord(Base):
    """A stored plan: a pre-lay plan or a coordination of works, with the versions it used."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    """``prelay`` or ``coordination``."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str | None] = mapped_column(String(64))
    utility: Mapped[str | None] = mapped_column(String(16))
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The plan's lines as a GeoJSON FeatureCollection in CRS84."""


class User(Base):
    """A user with one role (and a utility for utility planners)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    utility: Mapped[str | None] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """After this instant (UTC, naive) the token is refused; ``None``: no expiry."""
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """When the token was revoked (``linkplan user --revoke``); a revoked token is refused."""
    development: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A development user with a well-known token: never accepted in production."""
    display_name: Mapped[str | None] = mapped_column(String(128))
    """The person's or enterprise's name shown in the workbench (e.g. 荆门某某科技有限公司)."""
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """scrypt hash of the workbench password (:mod:`api.security.passwords`); ``None``: token only."""
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Wrong passwords in a row; reset by a successful sign-in."""
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """Sign-in refused until this instant (UTC, naive) after too many wrong passwords."""


class WebSession(Base):
    """A signed-in workbench session (the cookie holds a random secret; stored as its hash)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the session cookie's secret."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    """The session's CSRF token, sent back with every form."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    """UTC, naive; the session ends at this instant or at sign-out (row deleted)."""


class HolidayNotice(Base):
    """The State Council's holiday notice for one year, as loaded by an administrator.

    Until a year's notice is loaded, deadlines in that year are computed from the statutory
    holidays of the national regulations and marked provisional (暂定).
    """

    __tablename__ = "holiday_notices"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list[Any]] = mapped_column(JSON)
    """ISO dates that are days off (法定节假日 and the days moved to join them)."""
    workdays: Mapped[list[Any]] = mapped_column(JSON)
    """ISO dates of weekends that are working days (调休上班)."""
    source: Mapped[str | None] = mapped_column(Text)
    """The notice (e.g. 国务院办公厅关于2027年部分节假日安排的通知)."""
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    loaded_by: Mapped[str | None] = mapped_column(String(64))


class AuditEntry(Base):
    """Who did what, when (imports, project changes, opinions)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    user: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
