"""Connected directories (SCIM 2.0 provisioning) and their records (R-PROV-1, R-PROV-2).

Revision ID: teamaccess_0016
Revises: teamaccess_0015
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._provisioning_schema import DIRECTORY_INDEXES, directory_items
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0016"
down_revision = "teamaccess_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    for name, columns in directory_items(p).items():
        op.create_table(f"{p}{name}", *columns)
    for name, table, columns in DIRECTORY_INDEXES:
        op.create_index(f"{p}{name}", f"{p}{table}", columns)


def downgrade() -> None:
    p = migration_prefix(context)
    # dropping a table drops its indexes (MariaDB refuses to drop one a foreign key needs)
    for name in reversed(list(directory_items(p))):
        op.drop_table(f"{p}{name}")
