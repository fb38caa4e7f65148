"""Leads and offers, company inbox, shared records and service links, closed companies.

Seeds 000, 001 and 003: the lead marketplace, the inbox, the customer centre, and the
company lifecycle (market roles, closing by merge, responsible handlers).

Revision ID: teamaccess_0004
Revises: teamaccess_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0004"
down_revision = "teamaccess_0003"
branch_labels = None
depends_on = None


def _prefix() -> str:
    return migration_prefix(context)


def _fk(p: str, column: str, table: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{p}{table}.id"], name=f"{p}fk_{name}")


def upgrade() -> None:
    p = _prefix()
    op.add_column(f"{p}companies", sa.Column("market_roles", sa.JSON, nullable=True))
    op.add_column(f"{p}companies", sa.Column("closed_at", UtcDateTime(), nullable=True))
    op.add_column(f"{p}companies", sa.Column("merged_into", Id(), nullable=True))
    op.add_column(
        f"{p}memberships",
        sa.Column("handler", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        f"{p}leads",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("operator_id", Id(), nullable=False),
        sa.Column("giver_id", Id(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("picked_by", Id(), nullable=True),
        sa.Column("picked_by_user", Id(), nullable=True),
        sa.Column("picked_at", UtcDateTime(), nullable=True),
        sa.Column("assignee_id", Id(), nullable=True),
        _fk(p, "operator_id", "companies", "leads_operator"),
        _fk(p, "giver_id", "companies", "leads_giver"),
        _fk(p, "picked_by", "companies", "leads_picker"),
        _fk(p, "picked_by_user", "users", "leads_picking_user"),
        _fk(p, "assignee_id", "users", "leads_assignee"),
    )
    for name, column in (("operator", "operator_id"), ("giver", "giver_id"),
                         ("picker", "picked_by")):  # fmt: skip
        op.create_index(f"{p}ix_leads_{name}", f"{p}leads", [column, "id"])
    op.create_table(
        f"{p}lead_offers",
        sa.Column("company_id", Id(), primary_key=True),
        sa.Column("lead_id", Id(), primary_key=True),
        _fk(p, "company_id", "companies", "offers_company"),
        _fk(p, "lead_id", "leads", "offers_lead"),
    )
    op.create_index(f"{p}ix_offers_lead", f"{p}lead_offers", ["lead_id"])
    op.create_table(
        f"{p}inbox_requests",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("company_id", Id(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender_email", Id(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("sender_id", Id(), nullable=True),
        sa.Column("assignee_id", Id(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        _fk(p, "company_id", "companies", "inbox_company"),
        _fk(p, "sender_id", "users", "inbox_sender"),
        _fk(p, "assignee_id", "users", "inbox_assignee"),
    )
    op.create_index(f"{p}ix_inbox_company", f"{p}inbox_requests", ["company_id", "id"])
    op.create_table(
        f"{p}records",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("customer_id", Id(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("visible_from", UtcDateTime(), nullable=True),
        sa.Column("author_id", Id(), nullable=False),
        sa.Column("author_company_id", Id(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _fk(p, "customer_id", "companies", "records_customer"),
        _fk(p, "author_id", "users", "records_author"),
        _fk(p, "author_company_id", "companies", "records_author_company"),
    )
    op.create_index(f"{p}ix_records_timeline", f"{p}records", ["customer_id", "occurred_at", "id"])
    op.create_index(f"{p}ix_records_author_company", f"{p}records", ["author_company_id"])
    op.create_table(
        f"{p}service_links",
        sa.Column("customer_id", Id(), primary_key=True),
        sa.Column("partner_id", Id(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("linked_at", UtcDateTime(), nullable=False),
        _fk(p, "customer_id", "companies", "links_customer"),
        _fk(p, "partner_id", "companies", "links_partner"),
    )
    op.create_index(f"{p}ix_links_partner", f"{p}service_links", ["partner_id"])


def downgrade() -> None:
    p = _prefix()
    for table in ("service_links", "records", "inbox_requests", "lead_offers", "leads"):
        op.drop_table(f"{p}{table}")
    with op.batch_alter_table(f"{p}memberships") as batch:
        batch.drop_column("handler")
    for column in ("merged_into", "closed_at", "market_roles"):
        op.drop_column(f"{p}companies", column)
