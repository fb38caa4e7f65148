"""Support grants: platform staff's consented, time-limited access (R-SUP-1..3).

Revision ID: teamaccess_0013
Revises: teamaccess_0012
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._support_schema import support_grant_indexes, support_grant_items
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0013"
down_revision = "teamaccess_0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    op.create_table(f"{p}support_grants", *support_grant_items(p))
    for name, columns in support_grant_indexes(p):
        op.create_index(name, f"{p}support_grants", columns)


def downgrade() -> None:
    p = migration_prefix(context)
    for name, _ in reversed(support_grant_indexes(p)):
        op.drop_index(name, table_name=f"{p}support_grants")
    op.drop_table(f"{p}support_grants")
