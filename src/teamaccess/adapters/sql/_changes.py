"""What a command changed that a check reads, and how other processes hear of it (issue 29).

A check reads a company, the user's membership in it and, for an account with a
parent, the user's membership in the nearest ancestor (``check_facts``). The SQL
repositories record every company and every membership a command writes in the
transaction's `Changed`; just before COMMIT, `publish` hands the keys to the other
processes in the same transaction, so they arrive exactly when the change is visible
and never for a command that rolled back:

- PostgreSQL: ``pg_notify`` on the store's channel (delivered at COMMIT, in commit
  order), no rows written;
- SQLite, MariaDB/MySQL: one row per key in ``<prefix>changes`` (a row with neither
  key: forget everything).

A user key stands for the user's every answer (a membership in a parent account
answers for its descendants too); a company key for the company's answers and those
of every account with a parent (the company may be their ancestor).
"""

from __future__ import annotations

import random
import time

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from teamaccess.adapters.sql._schema import Tables

__all__ = [
    "EVERYTHING",
    "Changed",
    "channel_of",
    "publish",
    "publish_everything",
    "republish_if_slow",
]

EVERYTHING = "*"
"""The payload that tells every listener to forget all it remembers."""
_PAYLOAD = 7_000  # bytes of keys one notification carries (PostgreSQL's limit is 8,000)
_KEEP = 100_000  # change rows kept: about one row in 4,096 makes its writer delete older ones
_PRUNE_EVERY = 4096
_SLOW_COMMIT = 1.0  # seconds: a commit slower than this publishes its keys again (MariaDB)
_NOTIFY = sa.text("SELECT pg_notify(:channel, :payload)")  # each driver's own parameter style


@attrs.define
class Changed:
    """The companies and users whose check facts one transaction changed."""

    companies: set[str] = attrs.field(factory=set)
    users: set[str] = attrs.field(factory=set)

    def __bool__(self) -> bool:
        return bool(self.companies or self.users)

    def clear(self) -> None:
        """Forget the keys (after they were published)."""
        self.companies.clear()
        self.users.clear()

    def lines(self) -> list[str]:
        """The keys as lines: ``c <company>``, ``u <user>`` (ids hold no line breaks)."""
        return [f"c {c}" for c in sorted(self.companies)] + [f"u {u}" for u in sorted(self.users)]


def channel_of(tables: Tables) -> str:
    """The PostgreSQL notification channel of a store's prefix."""
    return f"{tables.prefix}changes"


def publish(conn: Connection, tables: Tables, changed: Changed) -> None:
    """Hand ``changed`` to the other processes inside the transaction on ``conn``."""
    if not changed:
        return
    if conn.dialect.name == "postgresql":
        for payload in _payloads(changed.lines()):
            conn.execute(_NOTIFY, {"channel": channel_of(tables), "payload": payload})
        return
    t = tables.changes
    rows = [{"company_id": c, "user_id": None} for c in sorted(changed.companies)]
    rows += [{"company_id": None, "user_id": u} for u in sorted(changed.users)]
    conn.execute(t.insert().values(rows))  # one statement, whatever the number of keys
    if random.random() < len(rows) / _PRUNE_EVERY:  # noqa: S311 - not a secret
        top = conn.execute(sa.select(sa.func.max(t.c.position))).scalar_one()  # MySQL: not
        conn.execute(t.delete().where(t.c.position < top - _KEEP))  # in the DELETE itself


def publish_everything(conn: Connection, tables: Tables) -> None:
    """Tell every process to forget all it remembers (rows changed wholesale, `SqlStore.clear`).

    PostgreSQL: the `EVERYTHING` payload; the change log: a row with neither key.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_NOTIFY, {"channel": channel_of(tables), "payload": EVERYTHING})
    else:
        conn.execute(tables.changes.insert(), {"company_id": None, "user_id": None})


def republish_if_slow(conn: Connection, tables: Tables, changed: Changed, began: float) -> None:
    """After a COMMIT that took longer than a second, publish ``changed`` once more.

    MariaDB numbers change rows when they are inserted, not when they commit: a poller
    that saw later numbers gives up waiting for an earlier one after two seconds. A
    command whose COMMIT took longer than one writes its keys again, in a transaction
    of their own, so that no poller misses them.
    """
    if conn.dialect.name != "mysql" or not changed or time.monotonic() - began < _SLOW_COMMIT:
        return
    with conn.begin():
        publish(conn, tables, changed)


def _payloads(lines: list[str]) -> list[str]:
    """The notifications' payloads: the keys in pieces, or `EVERYTHING` for a great many."""
    if sum(len(line) + 1 for line in lines) > 8 * _PAYLOAD:
        return [EVERYTHING]
    payloads: list[str] = []
    piece: list[str] = []
    size = 0
    for line in lines:
        if piece and size + len(line) + 1 > _PAYLOAD:
            payloads.append("\n".join(piece))
            piece, size = [], 0
        piece.append(line)
        size += len(line) + 1
    payloads.append("\n".join(piece))
    return payloads
