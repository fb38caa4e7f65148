"""On asyncpg an awaited check reads its facts with the driver itself (issue 29).

`SqlStore.check_facts_awaited` runs the check's statement with asyncpg's ``fetchrow`` on
an idle kept connection, and ``AsyncTeamAccess.check`` decides on the loop; whenever it
cannot (no idle kept connection, a host watching its SQL, a driver error, platform
staff, a consistency mode) the check takes SQLAlchemy's greenlet bridge as before.
These tests prove the two ways give the same answers and that each way out is taken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from teamaccess import AsyncTeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.consistency import Consistency
from teamaccess.testing.blocking import run_blocking

from ..backends import ASYNCPG

ADMIN = "platform"
ACTIONS = ("view_members", "edit_profile", "invite", "view_overview", "manage_team")
USERS = ("anna", "ben", "eve", "ghost", ADMIN)
COMPANIES = ("acme", "child", "frozen", "nowhere")


@pytest.fixture
def stores() -> Iterator[tuple[SqlStore, SqlStore]]:
    """The run's asyncpg store emptied, and a store on its engine keeping 2 connections."""
    shared = ASYNCPG.store()
    run_blocking(shared.run_sync(shared.clear))
    direct = SqlStore(ASYNCPG.engine, prefix=shared.tables.prefix, fast_path_connections=2)
    yield shared, direct
    run_blocking(direct.run_sync(direct._close_readers))


def _facts(shared: SqlStore) -> None:
    """Members, an account below acme, a suspended company, and a staff member's grant."""
    ata = AsyncTeamAccess(shared, platform_admins={ADMIN})

    async def fill() -> None:
        for user in USERS:
            await ata.users.register(user, f"{user}@example.com")
        await ata.companies.create("anna", "ACME", company_id="acme")
        await ata.members.add("anna", "acme", "ben")
        await ata.partners.create_child("anna", "acme", "Child", company_id="child")
        await ata.companies.create("eve", "Frozen", company_id="frozen")
        await ata.companies.suspend(ADMIN, "frozen", reason="unpaid")
        grant = await ata.support.request(
            ADMIN, "acme", reason="ticket 7", permissions=["view_members"]
        )
        await ata.support.approve("anna", grant.id)

    run_blocking(fill())


def _answers(ata: AsyncTeamAccess) -> dict[tuple[str, str, str], tuple[bool, str, str]]:
    async def ask() -> dict[tuple[str, str, str], tuple[bool, str, str]]:
        found = {}
        for user in USERS:
            for company in COMPANIES:
                for action in ACTIONS:
                    d = await ata.check(user, company, action)
                    found[user, company, action] = (d.allowed, d.reason, d.rule)
        return found

    return run_blocking(ask())


def _all_back(store: SqlStore) -> None:
    """Every connection out of the store's own pool is one of its kept ones again."""
    own = store._own_pool
    assert own is not None
    assert own.checkedout() == store._readers.qsize() + store._plain_readers.qsize()


def _counting_bridge(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (user, company) pairs the bridge's ``check_facts`` was asked about."""
    asked: list[tuple[str, str]] = []
    plain = store.check_facts

    def counted(company_id: str, user_id: str):  # type: ignore[no-untyped-def]
        asked.append((user_id, company_id))
        return plain(company_id, user_id)

    monkeypatch.setattr(store, "check_facts", counted)
    return asked


def test_r_all_5_asyncpg_checks_on_the_driver_answer_as_the_bridge(
    stores: tuple[SqlStore, SqlStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-ALL-5, R-ALL-9, R-PART-2, R-CO-5, R-SUP-1: every answer equals the bridge's; only staff take it."""
    shared, direct = stores
    _facts(shared)
    options = {"platform_admins": {ADMIN}, "support_staff": {ADMIN}}
    bridged = _answers(AsyncTeamAccess(shared, **options))  # no kept connection: the bridge
    asked = _counting_bridge(direct, monkeypatch)
    assert _answers(AsyncTeamAccess(direct, **options)) == bridged
    # The first check opened the kept connection; after it only the staff member's
    # refusals as an outsider took the bridge (their grants).
    assert asked[0] == ("anna", "acme")
    assert {user for user, _ in asked[1:]} == {ADMIN}
    assert bridged[ADMIN, "acme", "view_members"][0]  # the support grant (R-SUP-1)
    assert bridged["ben", "child", "view_overview"][0]  # sight from above (R-PART-2)
    assert not bridged["eve", "frozen", "view_members"][0]  # suspended (R-CO-5)
    assert bridged["eve", "acme", "invite"] == bridged["eve", "nowhere", "invite"]  # R-ALL-9


def test_r_all_12_a_consistency_mode_and_a_watching_host_take_the_bridge(
    stores: tuple[SqlStore, SqlStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-ALL-12: a mode is routed as before; a host listening to its SQL still sees the check."""
    shared, direct = stores
    _facts(shared)
    ata = AsyncTeamAccess(direct)
    asked = _counting_bridge(direct, monkeypatch)
    run_blocking(ata.check("anna", "acme", "view_members"))  # opens a kept connection
    assert asked == [("anna", "acme")]
    run_blocking(ata.check("anna", "acme", "view_members"))
    assert len(asked) == 1  # the driver's own read
    mode = Consistency.fully_consistent()
    assert run_blocking(ata.check("anna", "acme", "view_members", consistency=mode))
    assert len(asked) == 2
    seen: list[str] = []

    def listen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(ASYNCPG.engine.sync_engine, "before_cursor_execute", listen)
    try:
        assert run_blocking(ata.check("ben", "acme", "view_members"))
    finally:
        sa.event.remove(ASYNCPG.engine.sync_engine, "before_cursor_execute", listen)
    assert asked[-1] == ("ben", "acme")
    assert any(shared.tables.companies.name in statement for statement in seen)


def test_r_all_10_a_killed_connection_falls_back_and_heals(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    """R-ALL-10: a kept connection killed under the driver's read: the check still answers."""
    shared, direct = stores
    _facts(shared)
    ata = AsyncTeamAccess(direct)

    async def run() -> list[bool]:
        answers = [bool(await ata.check("ben", "acme", "view_members"))]
        kept, used = direct._readers.get_nowait()  # the one kept connection, put back
        direct._readers.put((kept, used))
        pid = kept.connection.driver_connection.get_server_pid()
        async with ASYNCPG.engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.05)
        for _ in range(3):  # the dead one is discarded, a fresh one answers
            answers.append(bool(await ata.check("ben", "acme", "view_members")))
        answers.append(bool(await ata.check("eve", "acme", "view_members")))
        return answers

    assert run_blocking(run()) == [True, True, True, True, False]
    _all_back(direct)


def test_a_cancelled_check_leaves_no_connection_behind(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    """A check cancelled while the driver reads: its connection is discarded, the next checks answer."""
    shared, direct = stores
    _facts(shared)
    ata = AsyncTeamAccess(direct)

    async def run() -> bool:
        await ata.check("ben", "acme", "view_members")
        task = asyncio.ensure_future(ata.check("ben", "acme", "view_members"))
        await asyncio.sleep(0)  # the read has been sent
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(timedelta(milliseconds=100).total_seconds())  # the discard
        return bool(await ata.check("ben", "acme", "view_members"))

    assert run_blocking(run())
    _all_back(direct)
