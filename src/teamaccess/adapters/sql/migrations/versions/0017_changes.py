"""The change log of the checks' cache (issue 29).

Revision ID: teamaccess_0017
Revises: teamaccess_0016

Adds ``changes``: one row per company and per user a command changed, read by the
processes that remember the facts of recent checks, to forget exactly those.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._changes_schema import changes_table
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0017"
down_revision = "teamaccess_0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    changes_table(sa.MetaData(), migration_prefix(context)).create(op.get_bind())


def downgrade() -> None:
    op.drop_table(f"{migration_prefix(context)}changes")
