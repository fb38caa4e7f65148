"""A lock counter on every row a command locks, for multi-primary clusters (R-ALL-12).

Revision ID: teamaccess_0008
Revises: teamaccess_0007
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._locks import LOCK_VERSION, lock_version_column
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0008"
down_revision = "teamaccess_0007"
branch_labels = None
depends_on = None

_TABLES = ("users", "companies", "seat_pools", "licenses", "leads", "inbox_requests")


def upgrade() -> None:
    p = migration_prefix(context)
    for table in _TABLES:
        with op.batch_alter_table(f"{p}{table}") as batch:
            batch.add_column(lock_version_column())


def downgrade() -> None:
    p = migration_prefix(context)
    for table in reversed(_TABLES):
        with op.batch_alter_table(f"{p}{table}") as batch:
            batch.drop_column(LOCK_VERSION)
