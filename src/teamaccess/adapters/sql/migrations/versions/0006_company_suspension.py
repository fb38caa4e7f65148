"""A company's suspension: when and why (R-CO-5).

Revision ID: teamaccess_0006
Revises: teamaccess_0005
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import suspension_columns
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0006"
down_revision = "teamaccess_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in suspension_columns():
            batch.add_column(column)


def downgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in reversed(suspension_columns()):
            batch.drop_column(column.name)
