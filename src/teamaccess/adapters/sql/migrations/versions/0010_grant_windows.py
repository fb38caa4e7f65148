"""Time-bound memberships, temporary roles, invitations' memberships and tag grants (R-TIME-1).

Revision ID: teamaccess_0010
Revises: teamaccess_0009
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import (
    grant_window_columns,
    invitation_window_columns,
    tag_grant_window_columns,
)
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0010"
down_revision = "teamaccess_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in grant_window_columns():
            batch.add_column(column)
    op.create_index(f"{p}ix_memberships_expires", f"{p}memberships", ["expires_at"])
    op.create_index(f"{p}ix_memberships_role_until", f"{p}memberships", ["role_until"])
    with op.batch_alter_table(f"{p}tag_grants") as batch:
        for column in tag_grant_window_columns():
            batch.add_column(column)
    op.create_index(f"{p}ix_tag_grants_expires", f"{p}tag_grants", ["expires_at"])
    with op.batch_alter_table(f"{p}invitations") as batch:
        for column in invitation_window_columns():
            batch.add_column(column)


def downgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}invitations") as batch:
        for column in reversed(invitation_window_columns()):
            batch.drop_column(column.name)
    op.drop_index(f"{p}ix_tag_grants_expires", table_name=f"{p}tag_grants")
    with op.batch_alter_table(f"{p}tag_grants") as batch:
        for column in reversed(tag_grant_window_columns()):
            batch.drop_column(column.name)
    op.drop_index(f"{p}ix_memberships_role_until", table_name=f"{p}memberships")
    op.drop_index(f"{p}ix_memberships_expires", table_name=f"{p}memberships")
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in reversed(grant_window_columns()):
            batch.drop_column(column.name)
