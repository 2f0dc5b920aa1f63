"""Alembic migration environment of the storage schema."""
