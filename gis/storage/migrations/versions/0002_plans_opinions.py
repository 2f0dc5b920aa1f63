"""Plans (pre-lay, coordination) and planning opinions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the plans table and the projects' opinions column."""
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("utility", sa.String(16)),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
    )
    op.create_index("ix_plans_kind", "plans", ["kind"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("opinions", sa.JSON, nullable=False, server_default="{}"))


def downgrade() -> None:
    """Drop what this revision added."""
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("opinions")
    op.drop_table("plans")
