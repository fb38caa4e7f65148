"""Verified company domains and join requests (R-DOM-1..4).

Revision ID: teamaccess_0011
Revises: teamaccess_0010
"""

from __future__ import annotations

from alembic import context, op

from teamaccess.adapters.sql._domain_schema import domain_claim_items, join_request_items
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0011"
down_revision = "teamaccess_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    op.create_table(f"{p}domain_claims", *domain_claim_items(p))
    op.create_table(f"{p}join_requests", *join_request_items(p))


def downgrade() -> None:
    p = migration_prefix(context)
    op.drop_table(f"{p}join_requests")
    op.drop_table(f"{p}domain_claims")
