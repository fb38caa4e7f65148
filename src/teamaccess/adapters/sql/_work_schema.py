"""Tables of leads, offers, inbox requests, shared records and service links (schema 0004).

Each lead is indexed by ``(operator_id, id)``, ``(giver_id, id)`` and
``(picked_by, id)``, and each offer by ``(company_id, lead_id)``: "the leads this
company may see, after id X, 50 of them" is a union of four index range scans that
each stop after 50 rows (R-LEAD-7). Records are indexed by
``(customer_id, occurred_at, id)`` for the timeline window (R-REC-3).
"""

from __future__ import annotations

import sqlalchemy as sa

from teamaccess.adapters.sql._locks import lock_version_column
from teamaccess.adapters.sql._types import Id, UtcDateTime

__all__ = ["work_tables"]


def work_tables(
    md: sa.MetaData, p: str, companies: sa.Table, users: sa.Table
) -> tuple[sa.Table, sa.Table, sa.Table, sa.Table, sa.Table]:
    """Declare the leads, offers, inbox, records and links tables with prefix ``p``."""

    def company(name: str, fk: str, *, nullable: bool = False, key: bool = False) -> sa.Column[str]:
        reference = sa.ForeignKey(companies.c.id, name=f"{p}fk_{fk}")
        return sa.Column(name, Id(), reference, nullable=nullable, primary_key=key)

    def user(name: str, fk: str, *, nullable: bool = False) -> sa.Column[str]:
        reference = sa.ForeignKey(users.c.id, name=f"{p}fk_{fk}")
        return sa.Column(name, Id(), reference, nullable=nullable)

    leads = sa.Table(
        f"{p}leads",
        md,
        sa.Column("id", Id(), primary_key=True),
        company("operator_id", "leads_operator"),
        company("giver_id", "leads_giver"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        company("picked_by", "leads_picker", nullable=True),
        user("picked_by_user", "leads_picking_user", nullable=True),
        sa.Column("picked_at", UtcDateTime(), nullable=True),
        user("assignee_id", "leads_assignee", nullable=True),
        lock_version_column(),
        sa.Index(f"{p}ix_leads_operator", "operator_id", "id"),
        sa.Index(f"{p}ix_leads_giver", "giver_id", "id"),
        sa.Index(f"{p}ix_leads_picker", "picked_by", "id"),
    )
    offers = sa.Table(  # open offers only: a pick deletes the lead's offers
        f"{p}lead_offers",
        md,
        company("company_id", "offers_company", key=True),
        sa.Column(
            "lead_id",
            Id(),
            sa.ForeignKey(leads.c.id, name=f"{p}fk_offers_lead"),
            primary_key=True,
        ),
        sa.Index(f"{p}ix_offers_lead", "lead_id"),
    )
    inbox = sa.Table(
        f"{p}inbox_requests",
        md,
        sa.Column("id", Id(), primary_key=True),
        company("company_id", "inbox_company"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender_email", Id(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        user("sender_id", "inbox_sender", nullable=True),
        user("assignee_id", "inbox_assignee", nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        lock_version_column(),
        sa.Index(f"{p}ix_inbox_company", "company_id", "id"),
    )
    records = sa.Table(
        f"{p}records",
        md,
        sa.Column("id", Id(), primary_key=True),
        company("customer_id", "records_customer"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("visible_from", UtcDateTime(), nullable=True),
        user("author_id", "records_author"),
        company("author_company_id", "records_author_company"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Index(f"{p}ix_records_timeline", "customer_id", "occurred_at", "id"),
        sa.Index(f"{p}ix_records_author_company", "author_company_id"),
    )
    links = sa.Table(
        f"{p}service_links",
        md,
        company("customer_id", "links_customer", key=True),
        company("partner_id", "links_partner", key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("linked_at", UtcDateTime(), nullable=False),
        sa.Index(f"{p}ix_links_partner", "partner_id"),
    )
    return leads, offers, inbox, records, links
