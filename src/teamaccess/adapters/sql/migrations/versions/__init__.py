"""Alembic revisions of the teamaccess schema."""
