"""Outbox rows this version cannot read, written straight into the table (R-ALL-11).

A newer writer during a rolling deploy, or a hand-made row: an unknown ``type``, a
payload that is not a JSON object, a known type with missing or broken fields. On
SQLite, PostgreSQL and MariaDB, reading the outbox never raises because of such a row;
the relay sets each aside as a dead letter with its reason, and every other event,
of its company too, goes out in order.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from teamaccess.adapters.sql import SqlStore
from teamaccess.domain.events import UndecodableEvent
from teamaccess.relay import Relay
from teamaccess.testing import FrozenClock, in_transaction

from ..backends import MARIADB, POSTGRES, SQLITE

BACKENDS = [
    pytest.param(SQLITE, id="sqlite"),
    pytest.param(POSTGRES, id="postgres"),
    pytest.param(MARIADB, id="mariadb"),
]
NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def _row(event_type: str, payload: object, company: str | None = "acme") -> dict[str, object]:
    return {
        "event_type": event_type,
        "occurred_at": NOW,
        "actor_id": None,
        "company_id": company,
        "payload": payload,
    }


def _good(name: str) -> dict[str, object]:
    return _row(
        "CompanyProfileUpdated",
        {"type": "CompanyProfileUpdated", "occurred_at": NOW.isoformat(), "actor_id": None,
         "company_id": "acme", "name": name},
    )  # fmt: skip


BAD = {
    "unknown type": (
        _row("SeatsTransferred", {"type": "SeatsTransferred", "company_id": "acme"}),
        "unknown event type 'SeatsTransferred'",
    ),
    "not an object": (_row("MemberAdded", [1, 2, 3]), "event payload is not an object: list"),
    "no type": (_row("MemberAdded", {"company_id": "acme"}), "cannot decode 'MemberAdded'"),
    "missing fields": (
        _row("MemberAdded", {"type": "MemberAdded", "company_id": "acme"}),
        "cannot decode 'MemberAdded'",
    ),
    "broken time": (
        _row(
            "CompanyProfileUpdated",
            {
                "type": "CompanyProfileUpdated",
                "occurred_at": "yesterday",
                "actor_id": None,
                "company_id": "acme",
                "name": "x",
            },
        ),
        "cannot decode 'CompanyProfileUpdated'",
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_r_all_11_raw_rows_this_version_cannot_read_are_dead_letters(backend) -> None:
    """R-ALL-11: rows of an unknown type or a broken payload read without error and become dead letters; the rest go out in order."""
    store: SqlStore = backend.store()
    store.clear()
    rows = [_good("first")]
    for bad, _ in BAD.values():
        rows += [bad, _good(f"after {len(rows)}")]
    with store.engine.begin() as conn:
        conn.execute(store.tables.outbox.insert(), rows)
    messages = in_transaction(store, lambda tx: tx.outbox.pending(100))
    positions = [m.position for m in messages]
    unreadable = [m for m in messages if isinstance(m.event, UndecodableEvent)]
    assert len(unreadable) == len(BAD)
    assert all(m.event.company_id == "acme" for m in unreadable)  # from the row's column
    got: list[int] = []
    relay = Relay(store, lambda envelope: got.append(envelope.position), clock=FrozenClock())
    assert relay.drain() == len(rows) - len(BAD)
    assert got == [p for p, m in zip(positions, messages, strict=True) if m not in unreadable]
    dead = in_transaction(store, lambda tx: tx.outbox.dead(100))
    assert [m.position for m in dead] == [m.position for m in unreadable]
    for message, (_, reason) in zip(dead, BAD.values(), strict=True):
        assert (message.last_error or "").startswith(reason), message.last_error
        assert message.attempts == 1
    assert in_transaction(store, lambda tx: tx.outbox.count_pending()) == 0
    with store.engine.connect() as conn:  # the rows are as written: an upgrade can redrive them
        stored = conn.execute(
            store.tables.outbox.select().order_by(store.tables.outbox.c.position)
        ).all()
    assert [row.payload for row in stored] == [row["payload"] for row in rows]
    store.engine.dispose()
