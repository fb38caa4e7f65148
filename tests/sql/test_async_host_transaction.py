"""AsyncTeamAccess inside the host's own transaction on an AsyncConnection.

On aiosqlite, asyncpg and asyncmy, as the synchronous twin (test_host_transaction.py)
on the sync drivers: a host row and a command in one transaction; a host rollback
leaves neither (outbox included); a host commit keeps both; a denied command rolls
back only its savepoint. Each scenario is a coroutine run on the test event loop.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from teamaccess import AsyncTeamAccess, MemoryStore
from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import AccessDenied
from teamaccess.testing import FrozenClock, SequentialIds, SequentialTokens, dump
from teamaccess.testing.blocking import run_blocking

ORDERS = sa.Table(
    "host_async_orders",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
)


def _service(store: SqlStore) -> AsyncTeamAccess:
    return AsyncTeamAccess(
        store, clock=FrozenClock(), ids=SequentialIds(), tokens=SequentialTokens()
    )


def _scenario(backend, body) -> None:
    """Run ``body(engine, store, ata)`` with a host table and two registered users."""
    engine, store = backend.engine, backend.store()
    ata = _service(store)

    async def run() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(ORDERS.create, checkfirst=True)
        try:
            for user in ("anna", "ben"):
                await ata.users.register(user, f"{user}@example.com")
            await body(engine, store, ata)
        finally:
            async with engine.begin() as conn:
                await conn.run_sync(ORDERS.drop)

    run_blocking(run())


async def _orders(engine) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(ORDERS.c.id).order_by(ORDERS.c.id))).scalars())


def test_r_all_3_async_host_rollback_undoes_the_host_row_and_the_command(async_backend) -> None:
    """R-ALL-3: a host rollback on an AsyncConnection leaves neither the host's row nor the company nor its events."""

    async def body(engine, store, ata) -> None:
        before = await store.run_sync(dump, store)
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(ORDERS.insert().values(id=1))
            bound = ata.bind(conn)
            await bound.companies.create("anna", "ACME", company_id="acme")
            assert (await bound.companies.get("acme")).name == "ACME"  # seen inside
            assert (await bound.check("anna", "acme", "edit_profile")).allowed
            await conn.rollback()
        assert await _orders(engine) == []
        assert await store.run_sync(dump, store) == before
        assert await ata.companies.find("acme") is None

    _scenario(async_backend, body)


def test_r_all_4_async_host_commit_keeps_both_with_their_events(async_backend) -> None:
    """R-ALL-4: commands on the host's AsyncConnection commit with the host's row, outbox events included."""

    async def body(engine, store, ata) -> None:
        events_before = await ata.outbox.count_pending()
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(ORDERS.insert().values(id=2))
            bound = ata.bind(conn)
            await bound.companies.create("anna", "ACME", company_id="acme")
            await bound.members.add("anna", "acme", "ben")
            assert await ata.companies.find("acme") is None  # not committed yet
            await conn.commit()
        assert await _orders(engine) == [2]
        members = await ata.members.list("anna", "acme")
        assert [m.user_id for m in members] == ["anna", "ben"]
        assert await ata.outbox.count_pending() == events_before + 4

    _scenario(async_backend, body)


def test_r_all_3_async_denied_command_rolls_back_only_its_savepoint(async_backend) -> None:
    """R-ALL-3: a refused command on an AsyncConnection leaves the host's writes and the transaction usable."""

    async def body(engine, store, ata) -> None:
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(ORDERS.insert().values(id=3))
            bound = ata.bind(conn)
            await bound.companies.create("anna", "ACME", company_id="acme")
            await bound.members.add("anna", "acme", "ben")
            with pytest.raises(AccessDenied):
                await bound.companies.update_profile("ben", "acme", name="Taken")  # R-MC-2
            await conn.execute(ORDERS.insert().values(id=4))
            await bound.companies.update_profile("anna", "acme", name="ACME AG")
            await conn.commit()
        assert await _orders(engine) == [3, 4]
        assert (await ata.companies.get("acme")).name == "ACME AG"

    _scenario(async_backend, body)


def test_an_async_session_connection_joins_too(async_backend) -> None:
    """An ORM AsyncSession's connection is an AsyncConnection: its rollback undoes the command."""
    from sqlalchemy.ext.asyncio import AsyncSession

    async def body(engine, store, ata) -> None:
        async with AsyncSession(engine) as session:
            bound = ata.bind(await session.connection())
            await bound.companies.create("anna", "ACME", company_id="acme")
            await session.rollback()
        assert await ata.companies.find("acme") is None

    _scenario(async_backend, body)


def test_async_facade_refuses_a_store_that_would_block_the_loop(sql_store) -> None:
    """A store over a plain Engine would block the event loop: AsyncTeamAccess says so."""
    with pytest.raises(TypeError, match="block the event loop"):
        AsyncTeamAccess(sql_store)


def test_sync_facade_refuses_an_async_store(async_backend) -> None:
    """TeamAccess over an AsyncEngine store would fail at the first query: it says so at once."""
    from teamaccess import TeamAccess

    with pytest.raises(TypeError, match="use AsyncTeamAccess"):
        TeamAccess(async_backend.store())


def test_async_binding_needs_a_store_that_can_join_a_transaction() -> None:
    """The in-memory store under AsyncTeamAccess has no host transaction to join."""
    with pytest.raises(TypeError, match="cannot join"):
        AsyncTeamAccess(MemoryStore()).bind(object())


def test_r_mem_2_concurrent_async_adds_of_one_user_yield_one_membership(async_backend) -> None:
    """R-MEM-2 on the event loop: 10 concurrent adds of one user give one membership, 9 AlreadyAMember."""
    import asyncio

    from teamaccess.errors import AlreadyAMember

    async def body(engine, store, ata) -> None:
        await ata.companies.create("anna", "ACME", company_id="acme")
        outcomes = await asyncio.gather(
            *(ata.members.add("anna", "acme", "ben") for _ in range(10)), return_exceptions=True
        )
        assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
        assert all(isinstance(o, AlreadyAMember) for o in outcomes if isinstance(o, BaseException))
        members = await ata.members.list("anna", "acme")
        assert [m.user_id for m in members] == ["anna", "ben"]

    _scenario(async_backend, body)
