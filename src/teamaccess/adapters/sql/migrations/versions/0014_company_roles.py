"""Roles a company defines, and several roles per membership (R-ROLE-1, R-ROLE-3).

Revision ID: teamaccess_0014
Revises: teamaccess_0013

Adds ``companies.roles`` (the company's own roles, JSON) and
``memberships.extra_roles`` (a member's roles beside ``role``). A membership keeps
its one role in ``role``, where it was: nothing moves, so nothing can be lost, and a
database at teamaccess_0012 reads the same after the upgrade; every existing member
holds exactly the role they held.
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._schema import company_role_columns, membership_role_columns
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0014"
down_revision = "teamaccess_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in company_role_columns():
            batch.add_column(column)
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in membership_role_columns():
            batch.add_column(column)


def downgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}memberships") as batch:
        for column in reversed(membership_role_columns()):
            batch.drop_column(column.name)
    with op.batch_alter_table(f"{p}companies") as batch:
        for column in reversed(company_role_columns()):
            batch.drop_column(column.name)
