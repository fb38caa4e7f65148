"""The outbox relay's bookkeeping: attempts, retry time, lease, dead letters (issue 16).

Revision ID: teamaccess_0005
Revises: teamaccess_0004
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import outbox_relay_columns
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0005"
down_revision = "teamaccess_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in outbox_relay_columns():
            batch.add_column(column)


def downgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in reversed(outbox_relay_columns()):
            batch.drop_column(column.name)
