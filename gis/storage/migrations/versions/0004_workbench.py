"""Workbench: passwords and sessions, lock-out, project owners and the issued sheet.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the users' sign-in columns, the sessions table and the projects' owner and sheet."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(128)))
        batch.add_column(sa.Column("password_hash", sa.String(255)))
        batch.add_column(
            sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("owner", sa.String(64)))
        batch.add_column(sa.Column("final_sheet", sa.JSON))
        batch.create_index("ix_projects_owner", ["owner"])


def downgrade() -> None:
    """Drop what this revision added."""
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_owner")
        batch.drop_column("final_sheet")
        batch.drop_column("owner")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("password_hash")
        batch.drop_column("display_name")
