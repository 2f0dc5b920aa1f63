"""Token expiry and revocation, development users, project row versions, holiday notices.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the users' token lifetime columns, the projects' row version, holiday notices."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime))
        batch.add_column(sa.Column("expires_at", sa.DateTime))
        batch.add_column(sa.Column("revoked_at", sa.DateTime))
        batch.add_column(
            sa.Column("development", sa.Boolean, nullable=False, server_default=sa.false())
        )
    # users seeded by earlier development databases carry the well-known dev-* tokens
    op.execute(
        sa.text(
            "UPDATE users SET development = :yes WHERE token_hash IN ("
            + ", ".join(f":h{i}" for i in range(len(_DEV_HASHES)))
            + ")"
        ).bindparams(yes=True, **{f"h{i}": h for i, h in enumerate(_DEV_HASHES)})
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("row_version", sa.Integer, nullable=False, server_default="1")
        )
    op.create_table(
        "holiday_notices",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("holidays", sa.JSON, nullable=False),
        sa.Column("workdays", sa.JSON, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("loaded_by", sa.String(64)),
    )


def downgrade() -> None:
    """Drop what this revision added."""
    op.drop_table("holiday_notices")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("row_version")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("development")
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
        batch.drop_column("created_at")


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DEV_HASHES = [
    _sha256(f"dev-{name}")
    for name in (
        "admin", "investment", "intake", "planning", "survey",
        "water", "gas", "heat", "power", "telecom",
    )
]
"""Hashes of the well-known development tokens (``api.seed.DEV_TOKENS``) of earlier seeds."""
