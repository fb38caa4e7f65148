"""R-ALL-12: every row a command locks is also written, so a multi-primary cluster sees it.

On one server the proof needs no cluster: after each locking read of the transaction
port (``for_update=True``, ``lock_holders``) the row's ``lock_version`` went up by one
on PostgreSQL and MariaDB; SQLite (one writer) and a store made with
``lock_writes=False`` write nothing; plain reads and the permission check never touch
or select the counter. ``tests/sql/test_galera_races.py`` proves what this buys on a
3-node Galera cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.domain.ids import CompanyId, LeadId, RequestId, UserId
from teamaccess.domain.seats import PoolId
from teamaccess.testing import make_service

LOCKS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "company": (
        "companies",
        lambda tx, _pool: tx.companies.get(CompanyId("acme"), for_update=True),
    ),
    "user (tags)": (
        "users",
        lambda tx, _pool: tx.tags.lock_holders([UserId("anna"), UserId("ben")]),
    ),
    "pool": ("pools", lambda tx, pool: tx.pools.get(PoolId(pool), for_update=True)),
    "license": (
        "licenses",
        lambda tx, _pool: tx.licenses.get(CompanyId("acme"), "export", for_update=True),
    ),
    "lead": ("leads", lambda tx, _pool: tx.leads.get(LeadId("lead"), for_update=True)),
    "inbox request": ("inbox", lambda tx, _pool: tx.inbox.get(RequestId("req"), for_update=True)),
}


def _world(store: SqlStore) -> str:
    """Users, companies, a lead, a pool, a license and a request; the pool's id."""
    ta = make_service(store, platform_admins={"admin"})
    for user in ("admin", "anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.companies.create("ben", "Market", company_id="market")
    ta.leads.set_market_roles("admin", "market", ["operator", "lead_giver"])
    ta.leads.set_market_roles("admin", "acme", ["lead_taker"])
    ta.leads.offer("ben", "market", taker_ids=["acme"], title="Lead", lead_id="lead")
    ta.seats.create_product("admin", "course", "Course", tag="course")
    pool = ta.seats.purchase("anna", "course", 3, "Team", company_id="acme").id
    ta.licenses.set("admin", "acme", "export", 5)
    ta.inbox.send("acme", "contact", "visitor@example.com", "Hello", request_id="req")
    return pool


def _versions(store: SqlStore) -> dict[str, list[int]]:
    t = store.tables
    with store.engine.connect() as conn:
        return {
            name: [row[0] for row in conn.execute(sa.select(table.c.lock_version).order_by(
                *table.primary_key.columns))]
            for name, table in (("companies", t.companies), ("users", t.users),
                                ("pools", t.pools), ("licenses", t.licenses),
                                ("leads", t.leads), ("inbox", t.inbox))
        }  # fmt: skip


@pytest.mark.parametrize("lock", list(LOCKS))
def test_r_all_12_every_lock_writes_its_row(sql_store: SqlStore, lock: str) -> None:
    """R-ALL-12: each locking read bumps lock_version of the rows it locks (PostgreSQL, MariaDB), nothing else."""
    pool = _world(sql_store)
    table, take = LOCKS[lock]
    before = _versions(sql_store)
    with sql_store.transaction() as tx:
        take(tx, pool)
        tx.commit()
    after = _versions(sql_store)
    changed = {name for name in after if after[name] != before[name]}
    if sql_store.dialect == "sqlite":
        assert changed == set()  # one writer: nothing to certify
        return
    assert changed == {table}
    bumped = [b - a for a, b in zip(before[table], after[table], strict=True)]
    assert sorted(bumped, reverse=True)[: 2 if lock == "user (tags)" else 1] == (
        [1, 1] if lock == "user (tags)" else [1]
    )
    assert sum(bumped) == (2 if lock == "user (tags)" else 1)


def test_r_all_12_lock_writes_off_writes_nothing(sql_store: SqlStore) -> None:
    """R-ALL-12: ``SqlStore(lock_writes=False)`` takes the same locks and writes no counter."""
    pool = _world(sql_store)
    store = SqlStore(sql_store.engine, prefix=sql_store.tables.prefix, lock_writes=False)
    before = _versions(store)
    with store.transaction() as tx:
        for _, take in LOCKS.values():
            take(tx, pool)
        tx.commit()
    assert _versions(store) == before


def test_r_all_12_reads_and_checks_never_write_and_checks_select_no_counter(
    sql_store: SqlStore,
) -> None:
    """R-ALL-12: checks, plain reads and a lead page run no UPDATE; a check selects no lock_version."""
    _world(sql_store)
    ta = make_service(sql_store)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(sql_store.engine, "before_cursor_execute", seen)
    try:
        assert ta.check("anna", "acme", "open_backoffice")
        assert not ta.check("ben", "acme", "open_backoffice")
        checks = list(statements)
        ta.leads.visible("anna", "acme")
        ta.members.list("anna", "acme")
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", seen)
    assert checks, "the listener saw the checks' statements"
    assert [s for s in checks if "lock_version" in s] == []
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE")] == []
