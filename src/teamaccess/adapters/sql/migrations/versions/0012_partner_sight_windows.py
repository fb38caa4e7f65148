"""The window of a partner's sight of a child account (R-TIME-1, R-TIME-2).

Revision ID: teamaccess_0012
Revises: teamaccess_0011
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import sight_window_columns
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0012"
down_revision = "teamaccess_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in sight_window_columns():
            batch.add_column(column)
    op.create_index(f"{p}ix_companies_sight_expires", f"{p}companies", ["sight_expires_at"])


def downgrade() -> None:
    p = migration_prefix(context)
    op.drop_index(f"{p}ix_companies_sight_expires", table_name=f"{p}companies")
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in reversed(sight_window_columns()):
            batch.drop_column(column.name)
