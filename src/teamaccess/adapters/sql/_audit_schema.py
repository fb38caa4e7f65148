"""The audit chain's columns and heads (revision teamaccess_0015, issue 32).

Each outbox row keeps the seal of the event before it in its chain (``chain_prev``)
and its own (``chain_seal``), both SHA-256 in hex (``teamaccess.domain.audit_chain``).
``<prefix>audit_heads`` holds one row per chain (a company, or ``''`` for the events
without one) with the seal of its last event: a command appending to a chain locks
that row (``SELECT ... FOR UPDATE``) and writes it, so two commands on one company link
one after the other, on a multi-primary cluster too (the later one fails certification
and is retried).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._types import Id

__all__ = ["SEAL_LENGTH", "audit_heads_items", "audit_heads_table", "outbox_seal_columns"]

SEAL_LENGTH = 64
"""A SHA-256 in hex."""


def outbox_seal_columns() -> list[sa.Column[Any]]:
    """Each outbox row's link and seal (revision teamaccess_0015; NULL: not sealed)."""
    return [
        sa.Column("chain_prev", sa.String(SEAL_LENGTH), nullable=True),
        sa.Column("chain_seal", sa.String(SEAL_LENGTH), nullable=True),
    ]


def audit_heads_items() -> list[Any]:
    """The columns of ``<p>audit_heads``."""
    return [
        sa.Column("chain", Id(), primary_key=True),
        sa.Column("seal", sa.String(SEAL_LENGTH), nullable=False),
    ]


def audit_heads_table(md: sa.MetaData, p: str) -> sa.Table:
    """Declare the audit chains' heads with prefix ``p``."""
    return sa.Table(f"{p}audit_heads", md, *audit_heads_items())
