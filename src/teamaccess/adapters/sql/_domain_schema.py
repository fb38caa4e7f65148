"""Tables of domain claims and join requests (revision teamaccess_0011, R-DOM-1..4).

One verified company per domain is held by the database: ``verified_domain`` is the
domain while the claim is verified and NULL otherwise, under a unique constraint
(NULLs are distinct on every database, so pending claims do not collide; no partial
index, which MariaDB lacks). Two companies verifying one domain at once: the second
commit fails on the constraint. The same trick gives one pending join request per
(company, user).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._types import Id, UtcDateTime

__all__ = ["domain_claim_items", "domain_tables", "join_request_items"]

DOMAIN_LENGTH = 253


def _fk(p: str, column: str, table: str, name: str, **options: Any) -> sa.Column[str]:
    return sa.Column(column, Id(), sa.ForeignKey(f"{p}{table}.id", name=f"{p}fk_{name}"), **options)


def domain_claim_items(p: str) -> list[Any]:
    """The columns and constraints of ``<p>domain_claims``."""
    return [
        _fk(p, "company_id", "companies", "domain_claims_company", primary_key=True),
        sa.Column("domain", Id(DOMAIN_LENGTH), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("challenge_hash", sa.String(64), nullable=True),
        sa.Column("challenge_address", Id(254), nullable=True),
        sa.Column("challenge_expires_at", UtcDateTime(), nullable=True),
        _fk(p, "claimed_by", "users", "domain_claims_claimant", nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("default_role", sa.String(64), nullable=True),
        _fk(p, "mode_set_by", "users", "domain_claims_mode_setter", nullable=True),
        sa.Column("verified_at", UtcDateTime(), nullable=True),
        _fk(p, "verified_by", "users", "domain_claims_verifier", nullable=True),
        sa.Column("verified_domain", Id(DOMAIN_LENGTH), nullable=True),
        sa.UniqueConstraint("verified_domain", name=f"{p}uq_domain_verified_once"),
    ]


def join_request_items(p: str) -> list[Any]:
    """The columns and constraints of ``<p>join_requests``."""
    return [
        sa.Column("id", Id(), primary_key=True),
        _fk(p, "company_id", "companies", "join_requests_company", nullable=False),
        _fk(p, "user_id", "users", "join_requests_user", nullable=False),
        sa.Column("domain", Id(DOMAIN_LENGTH), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _fk(p, "decided_by", "users", "join_requests_decider", nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        # TRUE while pending, NULL after: one pending request per (company, user)
        sa.Column("pending", sa.Boolean, nullable=True),
        sa.UniqueConstraint("company_id", "user_id", "pending", name=f"{p}uq_join_one_pending"),
        sa.Index(f"{p}ix_join_requests_user", "user_id"),
    ]


def domain_tables(md: sa.MetaData, p: str) -> tuple[sa.Table, sa.Table]:
    """Declare the domain claims and join requests tables with prefix ``p``."""
    return (
        sa.Table(f"{p}domain_claims", md, *domain_claim_items(p)),
        sa.Table(f"{p}join_requests", md, *join_request_items(p)),
    )
