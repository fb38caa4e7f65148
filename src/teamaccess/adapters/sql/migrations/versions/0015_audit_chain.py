"""The tamper-evident audit chain: each event's seal covers the one before it (issue 32).

Revision ID: teamaccess_0015
Revises: teamaccess_0014

Adds ``outbox.chain_prev`` and ``outbox.chain_seal`` and the table ``audit_heads``
(one row per chain: a company, or ``''`` for the events without one). The events
already stored are sealed here, chain by chain in position order, as the library seals
new ones (``teamaccess.domain.audit_chain``), so ``ta.audit.verify`` checks the whole
trail after the upgrade; it vouches for those events from the upgrade on, not before.
The downgrade drops the seals.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._audit_schema import audit_heads_table, outbox_seal_columns
from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.adapters.sql.migrations.prefix import migration_prefix
from teamaccess.domain.audit_chain import GENESIS, SealedEvent, chain_key, relink

revision = "teamaccess_0015"
down_revision = "teamaccess_0014"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    p = migration_prefix(context)
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in outbox_seal_columns():
            batch.add_column(column)
    heads = audit_heads_table(sa.MetaData(), p)
    bind = op.get_bind()
    heads.create(bind)
    outbox = sa.table(
        f"{p}outbox",
        sa.column("position", sa.BigInteger),
        sa.column("event_type", sa.String),
        sa.column("occurred_at", UtcDateTime()),
        sa.column("actor_id", Id()),
        sa.column("company_id", Id()),
        sa.column("payload", sa.JSON),
        sa.column("chain_prev", sa.String),
        sa.column("chain_seal", sa.String),
    )
    companies = bind.execute(sa.select(outbox.c.company_id).distinct()).scalars().all()
    for company in sorted(companies, key=chain_key):
        mine = outbox.c.company_id.is_(None) if company is None else outbox.c.company_id == company
        prev, after = GENESIS, 0
        while True:
            rows = bind.execute(
                sa.select(outbox)
                .where(mine, outbox.c.position > after)
                .order_by(outbox.c.position)
                .limit(_BATCH)
            ).all()
            events = [
                SealedEvent(
                    int(r.position),
                    r.event_type,
                    r.company_id,
                    r.actor_id,
                    r.occurred_at,
                    r.payload,
                    None,
                    None,
                )
                for r in rows
            ]
            seals = []
            for event, link, digest in relink(prev, events):
                seals.append({"at": event.position, "chain_prev": link, "chain_seal": digest})
                prev = digest
            if seals:
                bind.execute(outbox.update().where(outbox.c.position == sa.bindparam("at")), seals)
            if len(rows) < _BATCH:
                break
            after = int(rows[-1].position)
        bind.execute(heads.insert().values(chain=chain_key(company), seal=prev))


def downgrade() -> None:
    p = migration_prefix(context)
    op.drop_table(f"{p}audit_heads")
    with op.batch_alter_table(f"{p}outbox") as batch:
        for column in reversed(outbox_seal_columns()):
            batch.drop_column(column.name)
