"""Initial schema: versioned layers, projects, assessments, users, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gis.storage.geometry import GeometryColumn

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SRID = 4546  # fixed for this revision: a later SRID is a new migration, not an edit here


def upgrade() -> None:
    """Create the tables (and, on PostgreSQL, the PostGIS extension and a GiST index)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "network_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("layer", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("source", sa.Text),
        sa.Column("n_features", sa.Integer, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.UniqueConstraint("layer", "version", name="uq_network_versions_layer"),
    )
    op.create_index("ix_network_versions_layer", "network_versions", ["layer"])
    op.create_table(
        "network_features",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("network_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("feature_id", sa.String(64), nullable=False),
        sa.Column("attrs", sa.JSON, nullable=False),
        sa.Column("geom", GeometryColumn("GEOMETRY", SRID), nullable=False),
        sa.Column("minx", sa.Float, nullable=False),
        sa.Column("miny", sa.Float, nullable=False),
        sa.Column("maxx", sa.Float, nullable=False),
        sa.Column("maxy", sa.Float, nullable=False),
    )
    op.create_index("ix_network_features_version_id", "network_features", ["version_id"])
    op.create_index(
        "ix_network_features_bbox", "network_features", ["version_id", "minx", "maxx", "miny", "maxy"]
    )
    op.create_index(
        "ix_network_features_geom", "network_features", ["geom"], postgresql_using="gist"
    )
    op.create_table(
        "projects",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("intake", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("time_nodes", sa.JSON, nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id",
            sa.String(64),
            sa.ForeignKey("projects.project_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("as_of", sa.DateTime, nullable=False),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("approval_path", sa.String(16)),
        sa.Column("result", sa.JSON, nullable=False),
    )
    op.create_index("ix_assessments_project_id", "assessments", ["project_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("utility", sa.String(16)),
        sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user", sa.String(64)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128)),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    """Drop every table of this revision."""
    for table in ("audit_log", "users", "assessments", "projects", "network_features", "network_versions"):
        op.drop_table(table)
