"""Commands inside the host's own transaction: one unit of work with the host's writes.

On SQLite, PostgreSQL and MariaDB: a host row and a teamaccess command in one
transaction; a host rollback leaves neither (outbox included); a host commit keeps both;
a denied command in the middle rolls back only its savepoint, and the host's other
writes and later commands stay.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from teamaccess import MemoryStore, TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import AccessDenied
from teamaccess.testing import dump, make_service

ORDERS = sa.Table(
    "host_orders", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)
)


@pytest.fixture
def host(sql_store: SqlStore) -> Iterator[tuple[SqlStore, TeamAccess]]:
    """The session's store, a host table beside its tables, and a service with users."""
    ORDERS.create(sql_store.engine, checkfirst=True)
    ta = make_service(sql_store)
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    yield sql_store, ta
    ORDERS.drop(sql_store.engine)


def _orders(store: SqlStore) -> list[int]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(ORDERS.c.id).order_by(ORDERS.c.id)).scalars())


def test_r_all_3_host_rollback_undoes_the_host_row_and_the_command(host) -> None:
    """R-ALL-3: a host rollback after a command leaves neither the host's row nor the company nor its events."""
    store, ta = host
    before = dump(store)
    with store.engine.connect() as conn:
        conn.begin()
        conn.execute(ORDERS.insert().values(id=1))
        bound = ta.bind(conn)
        bound.companies.create("anna", "ACME", company_id="acme")
        assert bound.companies.get("acme").name == "ACME"  # seen inside the transaction
        assert bound.check("anna", "acme", "edit_profile").allowed
        conn.rollback()
    assert _orders(store) == []
    assert dump(store) == before
    assert ta.companies.find("acme") is None


def test_r_all_4_host_commit_keeps_both_with_their_events(host) -> None:
    """R-ALL-4: commands on the host's connection commit with the host's row, outbox events included; nothing is visible before."""
    store, ta = host
    events_before = ta.outbox.count_pending()
    with store.engine.connect() as conn:
        conn.begin()
        conn.execute(ORDERS.insert().values(id=2))
        bound = ta.bind(conn)
        bound.companies.create("anna", "ACME", company_id="acme")
        bound.members.add("anna", "acme", "ben")
        conn.commit()
    assert _orders(store) == [2]
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna", "ben"]
    assert ta.outbox.count_pending() == events_before + 4  # created, added x2, main contact


def test_r_all_3_a_denied_command_rolls_back_only_its_savepoint(host) -> None:
    """R-ALL-3: a refused command in the middle leaves the host's writes and the transaction usable."""
    store, ta = host
    with store.engine.connect() as conn:
        conn.begin()
        conn.execute(ORDERS.insert().values(id=3))
        bound = ta.bind(conn)
        bound.companies.create("anna", "ACME", company_id="acme")
        bound.members.add("anna", "acme", "ben")
        with pytest.raises(AccessDenied):
            bound.companies.update_profile("ben", "acme", name="Taken")  # R-MC-2
        conn.execute(ORDERS.insert().values(id=4))
        bound.companies.update_profile("anna", "acme", name="ACME AG")
        conn.commit()
    assert _orders(store) == [3, 4]
    assert ta.companies.get("acme").name == "ACME AG"


def test_binding_needs_a_store_that_can_join_a_transaction() -> None:
    """The in-memory store has no host transaction to join: bind says so."""
    with pytest.raises(TypeError, match="cannot join"):
        TeamAccess(MemoryStore()).bind(object())
