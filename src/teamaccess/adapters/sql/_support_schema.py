"""The table of support grants (revision teamaccess_0013, R-SUP-1..3).

One row per grant; indexed by company (the company's list, the access review) and by
staff member with status (the decision's second read for a non-member staff member,
and erasure), and by status with end (the sweep).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._types import Id, UtcDateTime

__all__ = ["support_grant_indexes", "support_grant_items", "support_table"]

REASON_LENGTH = 500


def support_grant_items(p: str) -> list[Any]:
    """The columns and constraints of ``<p>support_grants``."""
    return [
        sa.Column("id", Id(), primary_key=True),
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(f"{p}companies.id", name=f"{p}fk_support_grants_company"),
            nullable=False,
        ),
        sa.Column(
            "staff_id",
            Id(),
            sa.ForeignKey(f"{p}users.id", name=f"{p}fk_support_grants_staff"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(REASON_LENGTH), nullable=False),
        sa.Column("permissions", sa.JSON, nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("duration_us", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approved_by", Id(), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.Column("starts_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("ended_by", Id(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("duration_us > 0", name=f"{p}ck_support_grants_duration"),
    ]


def support_grant_indexes(p: str) -> list[tuple[str, list[str]]]:
    """The indexes of ``<p>support_grants``: (name, columns)."""
    return [
        (f"{p}ix_support_grants_company", ["company_id"]),
        (f"{p}ix_support_grants_staff", ["staff_id", "company_id", "status"]),
        (f"{p}ix_support_grants_due", ["status", "expires_at"]),
    ]


def support_table(md: sa.MetaData, p: str) -> sa.Table:
    """Declare the support grants table with prefix ``p``."""
    table = sa.Table(f"{p}support_grants", md, *support_grant_items(p))
    for name, columns in support_grant_indexes(p):
        sa.Index(name, *(table.c[c] for c in columns))
    return table
