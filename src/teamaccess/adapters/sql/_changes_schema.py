"""The change log the checks' cache forgets by (revision teamaccess_0017, issue 29).

Every command that writes a company (its row or its place in the hierarchy) or a
membership adds one row per company and per user it changed, in its own transaction,
just before its COMMIT: ``company_id`` for a company (its members' and its
descendants' checks), ``user_id`` for a membership (that user's checks). Processes
read the rows after the last one they saw and forget exactly those answers (SQLite on
the next check after any commit, MariaDB by polling). PostgreSQL sends the same keys
with ``NOTIFY`` instead and writes no rows here. Rows older than the newest 100,000
are deleted by the writers as they go.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._types import Id

__all__ = ["changes_items", "changes_table"]


def changes_items() -> list[Any]:
    """The columns of ``<p>changes``."""
    return [
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("company_id", Id(), nullable=True),
        sa.Column("user_id", Id(), nullable=True),
    ]


def changes_table(md: sa.MetaData, p: str) -> sa.Table:
    """Declare the change log with prefix ``p`` (positions never reused on SQLite)."""
    return sa.Table(f"{p}changes", md, *changes_items(), sqlite_autoincrement=True)
