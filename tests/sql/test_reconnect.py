"""Kept read connections recover after the server drops them (a restart, a kill).

The check and the reads keep a few connections open between uses. When PostgreSQL
(``pg_terminate_backend``) or MariaDB (``KILL``) ends them, the next check answers
right away on a fresh connection (it retries once after a disconnect), and the next
read after a pause gets a live one (an idle kept connection is pinged first).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from teamaccess import Action, TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.testing import make_service

from ..backends import MARIADB, POSTGRES


@pytest.fixture(params=[POSTGRES, MARIADB], ids=["postgres", "mariadb"])
def own_store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """A store with an engine of its own, on the session's tables."""
    session_store = request.param.store()
    session_store.clear()
    store = SqlStore(create_engine(session_store.engine.url), prefix=session_store.tables.prefix)
    yield store
    store.engine.dispose()


def _kept_ids(store: SqlStore) -> list[int]:
    """The server-side ids of the store's kept read connections."""
    ids = []
    for kept in (store._readers, store._plain_readers):
        held = []
        while not kept.empty():
            held.append(kept.get_nowait())
        for conn, used in held:
            driver = conn.connection.dbapi_connection
            ids.append(
                driver.info.backend_pid if store.dialect == "postgresql" else driver.thread_id()
            )
            kept.put((conn, used))
    return ids


def _kill(store: SqlStore, ids: list[int]) -> None:
    """End those server connections from another one, and wait until they are gone."""
    engine = sa.create_engine(store.engine.url)
    try:
        _kill_and_wait(engine, store.dialect, ids)
    finally:
        engine.dispose()


def _kill_and_wait(engine: sa.Engine, dialect: str, ids: list[int]) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        for server_id in ids:
            if dialect == "postgresql":
                admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": server_id})
            else:
                admin.execute(sa.text(f"KILL {int(server_id)}"))
        for _ in range(100):
            if dialect == "postgresql":
                alive = admin.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"),
                    {"p": ids},
                ).scalar()
            else:
                listed = ",".join(str(int(i)) for i in ids)  # whole numbers only
                alive = admin.execute(
                    sa.text(
                        f"SELECT count(*) FROM information_schema.processlist WHERE id IN ({listed})"  # noqa: S608
                    )
                ).scalar()
            if not alive:
                return
            time.sleep(0.05)
    raise AssertionError(f"connections {ids} still alive")


def _service(store: SqlStore) -> TeamAccess:
    ta = make_service(store)
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    return ta


def test_r_all_5_check_answers_right_after_its_connection_was_killed(own_store) -> None:
    """R-ALL-5: a check whose kept connection the server ended answers on a fresh one."""
    ta = _service(own_store)
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE).allowed
    ta.members.list("anna", "acme")
    ids = _kept_ids(own_store)
    assert len(ids) == 2
    _kill(own_store, ids)
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE).allowed  # no pause: the retry
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna"]


def test_r_all_5_read_after_a_pause_gets_a_live_connection(own_store) -> None:
    """R-ALL-5: after the server ended the kept connections, the next read after a pause (as after a restart) and the next check answer correctly."""
    ta = _service(own_store)
    ta.members.list("anna", "acme")
    assert ta.check("ben", "acme", Action.OPEN_BACKOFFICE).reason == "not_a_member"
    _kill(own_store, _kept_ids(own_store))
    time.sleep(0.6)
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna"]
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE).allowed


def _server_id(conn: sa.Connection) -> int:
    """The server-side id of a connection (PostgreSQL backend pid, MariaDB thread id)."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return int(driver.info.backend_pid)
    return int(driver.thread_id())


def test_r_all_10_read_right_after_its_connection_was_killed(own_store) -> None:
    """R-ALL-10: a read with no pause after the server ended its kept connection answers (the closed socket is seen without a round trip)."""
    ta = _service(own_store)
    ta.members.list("anna", "acme")
    ta.check("anna", "acme", Action.OPEN_BACKOFFICE)
    _kill(own_store, _kept_ids(own_store))
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna"]  # within 0.5 s
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE).allowed
    ta.leads.visible("anna", "acme")  # reader(one_statement=True): kept, autocommit
    _kill(own_store, _kept_ids(own_store))
    assert not ta.leads.visible("anna", "acme").items


@pytest.fixture(params=[POSTGRES, MARIADB], ids=["postgres", "mariadb"])
def host_store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """A store on a host's engine without pool_pre_ping: one pooled connection, none kept."""
    session_store = request.param.store()
    session_store.clear()
    engine = sa.create_engine(session_store.engine.url, pool_size=1, max_overflow=0)
    store = SqlStore(engine, prefix=session_store.tables.prefix, fast_path_connections=0)
    yield store
    engine.dispose()


def test_r_all_10_command_after_its_pooled_connection_was_killed(host_store) -> None:
    """R-ALL-10: on a host's engine without pre-ping, a command, a read and a check right after the server ended the pooled connection succeed."""
    ta = _service(host_store)
    with host_store.engine.connect() as conn:
        victim = _server_id(conn)
    _kill(host_store, [victim])
    ta.companies.update_profile("anna", "acme", name="ACME AG")
    _kill(host_store, [_pooled_id(host_store)])
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna"]
    _kill(host_store, [_pooled_id(host_store)])
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE).allowed
    assert ta.companies.get("acme").name == "ACME AG"


def _pooled_id(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return _server_id(conn)


def test_r_all_10_disconnect_before_commit_is_retried_once_not_applied_twice(host_store) -> None:
    """R-ALL-10: a connection lost at a command's first statement raises a transient error inside, and the service's retry applies the command once."""
    ta = _service(host_store)
    before = len(ta.outbox.pending())
    killed: list[int] = []

    def kill_first(conn, cursor, statement, parameters, context, executemany) -> None:
        if not killed:
            killed.append(_server_id(conn))
            _kill(host_store, killed)

    sa.event.listen(host_store.engine, "before_cursor_execute", kill_first)
    try:
        ta.companies.update_profile("anna", "acme", name="ACME AG")
    finally:
        sa.event.remove(host_store.engine, "before_cursor_execute", kill_first)
    assert killed
    assert ta.companies.get("acme").name == "ACME AG"
    assert len(ta.outbox.pending()) == before + 1


@pytest.mark.parametrize(
    ("backend", "driver"),
    [(POSTGRES, "postgresql+asyncpg"), (MARIADB, "mysql+asyncmy")],
    ids=["asyncpg", "asyncmy"],
)
def test_r_all_10_async_check_right_after_its_connection_was_killed(backend, driver) -> None:
    """R-ALL-10: on an async engine, a check whose pooled connection died unseen (the loop was busy) answers on a fresh one, and so do the next."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from teamaccess import AsyncTeamAccess

    session_store = backend.store()
    session_store.clear()
    _service(SqlStore(session_store.engine, prefix=session_store.tables.prefix))
    url = session_store.engine.url.set(drivername=driver)
    whoami = (
        "SELECT pg_backend_pid()" if driver.startswith("postgresql") else "SELECT CONNECTION_ID()"
    )

    async def main() -> list[bool]:
        engine = create_async_engine(url, pool_size=1, max_overflow=0)
        ata = AsyncTeamAccess(SqlStore(engine, prefix=session_store.tables.prefix))
        try:
            answers = [(await ata.check("anna", "acme", Action.OPEN_BACKOFFICE)).allowed]
            async with engine.connect() as conn:
                victim = int(await conn.scalar(sa.text(whoami)))
            _kill(session_store, [victim])  # blocks the loop: the driver has not seen it yet
            for _ in range(3):
                answers.append((await ata.check("anna", "acme", Action.OPEN_BACKOFFICE)).allowed)
            return answers
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == [True, True, True, True]
