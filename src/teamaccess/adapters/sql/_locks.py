"""Locks a multi-primary cluster can see: every locked row is also written (R-ALL-12).

A command that guards an invariant locks a row (``SELECT ... FOR UPDATE``): the company
for its members and main contact, a user's row for their tag events, a pool, a license,
a lead, an inbox request. On one server that lock serialises the commands. On a
multi-primary cluster (MariaDB Galera) it does not: row locks are local to a node, and
certification at commit compares only the rows each transaction *wrote*. Two admins on
two nodes demoting each other each lock the company on their own node, write different
membership rows, and both commit: the company has no admin left.

So the SQL store writes every row it locks: after the ``SELECT ... FOR UPDATE`` (which
takes the locks, in key order) one ``UPDATE ... SET lock_version = lock_version + 1``
bumps a counter on the same rows. Two commands guarded by one lock now write one row,
Galera certifies them as conflicting, and the later one fails at commit with error 1213,
which the service retries whole (with backoff, see `teamaccess.values.RetryPolicy`). On a
single PostgreSQL or MariaDB server the write changes nothing but costs one statement
per lock; ``SqlStore(..., lock_writes=False)`` leaves it out for single-primary
deployments. SQLite has one writer (``BEGIN IMMEDIATE``): nothing is written there.
No read, and no permission check, ever selects the counter.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["LOCK_VERSION", "LOCK_WRITES", "data_columns", "lock_version_column", "write_locked"]

LOCK_VERSION = "lock_version"
"""The counter column a command bumps on every row it locks (revision teamaccess_0008)."""
LOCK_WRITES = "teamaccess_lock_writes"
"""The execution option (on the store's engine) that turns the lock writes off when False."""


def lock_version_column() -> sa.Column[int]:
    """The lock counter of a lockable row: BIGINT NOT NULL DEFAULT 0 (revision teamaccess_0008)."""
    return sa.Column(
        LOCK_VERSION,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        nullable=False,
        server_default="0",
    )


def write_locked(conn: Connection, table: sa.Table, where: sa.ColumnElement[bool]) -> None:
    """Bump ``lock_version`` of the rows ``where`` selects, which the caller has just locked.

    Nothing happens on SQLite (one writer) or when the engine carries
    ``LOCK_WRITES=False``.
    """
    if conn.dialect.name == "sqlite" or not _enabled(conn.get_execution_options()):
        return
    counter = table.c[LOCK_VERSION]
    conn.execute(table.update().where(where).values({LOCK_VERSION: counter + 1}))


def _enabled(options: Any) -> bool:
    return bool(options.get(LOCK_WRITES, True))


def data_columns(table: sa.FromClause) -> list[sa.ColumnElement[Any]]:
    """The columns of ``table`` (or an alias of it) without the lock counter."""
    return [column for column in table.columns if column.name != LOCK_VERSION]
