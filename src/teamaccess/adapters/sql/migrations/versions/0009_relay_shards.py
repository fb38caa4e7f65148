"""Relays that share the work: each outbox row's shard, and the live relays (issue 28).

Revision ID: teamaccess_0009
Revises: teamaccess_0008

The shard of the rows still pending is computed here (``shard_of`` of their company);
delivered and dead rows keep shard 0, which no relay reads again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._schema import outbox_shard_columns, relays_table
from teamaccess.adapters.sql.migrations.prefix import migration_prefix
from teamaccess.domain.relay import shard_of

revision = "teamaccess_0009"
down_revision = "teamaccess_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in outbox_shard_columns():
            batch.add_column(column)
    relays_table(sa.MetaData(), p).create(op.get_bind())
    outbox = sa.table(
        f"{p}outbox",
        sa.column("company_id", sa.String),
        sa.column("shard", sa.SmallInteger),
        sa.column("delivered_at"),
        sa.column("dead_at"),
    )
    pending = sa.and_(outbox.c.delivered_at.is_(None), outbox.c.dead_at.is_(None))
    bind = op.get_bind()
    companies = bind.execute(
        sa.select(outbox.c.company_id).distinct().where(pending, outbox.c.company_id.is_not(None))
    ).scalars()
    for company in list(companies):
        if shard_of(company):
            bind.execute(
                outbox.update()
                .where(pending, outbox.c.company_id == company)
                .values(shard=shard_of(company))
            )


def downgrade() -> None:
    p = migration_prefix(context)
    op.drop_table(f"{p}relays")
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in reversed(outbox_shard_columns()):
            batch.drop_column(column.name)
