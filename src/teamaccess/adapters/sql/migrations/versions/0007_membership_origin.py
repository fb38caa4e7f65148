"""The partner a membership came from (R-PART-6).

Revision ID: teamaccess_0007
Revises: teamaccess_0006
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import membership_origin_columns
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0007"
down_revision = "teamaccess_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in membership_origin_columns():
            batch.add_column(column)


def downgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in reversed(membership_origin_columns()):
            batch.drop_column(column.name)
