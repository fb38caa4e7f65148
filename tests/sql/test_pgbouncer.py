"""PostgreSQL through PgBouncer in transaction pooling mode (issue 28).

PgBouncer 1.18 (Debian) hands each transaction whichever server connection is free
and knows nothing of prepared statements. psycopg prepares a statement on the server
after 5 uses on one connection, asyncpg prepares every statement: without the setting
a second client on the same server connection meets the first one's statement
("already exists") or a client's next transaction misses its own ("does not exist").
``create_engine(url, pgbouncer=True)`` and ``create_async_engine(url, pgbouncer=True)``
turn that off on every connection the store makes or keeps; then the membership,
access and seats contract modules pass through PgBouncer, sync (psycopg, with kept
check connections) and async (asyncpg). Skips with one line without ``pgbouncer``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from teamaccess import Store
from teamaccess.adapters.sql import SqlStore, create_async_engine, create_engine
from teamaccess.errors import InvalidInput, StorageError
from teamaccess.testing import make_service
from teamaccess.testing.blocking import run_blocking
from teamaccess.testing.contract.access import *  # noqa: F403 - the subset, through PgBouncer
from teamaccess.testing.contract.membership import *  # noqa: F403
from teamaccess.testing.contract.seats import *  # noqa: F403

from ..backends import POSTGRES
from ..clusters.pgbouncer import PgBouncer, bouncer_or_skip

pytestmark = pytest.mark.xdist_group("pgbouncer")
PREFIX = "tabouncer_"


def _server() -> sa.URL:
    """The run's PostgreSQL database (skips when the server is not there)."""
    return POSTGRES.store().engine.url


@pytest.fixture(scope="module")
def bouncer() -> Iterator[PgBouncer]:
    """A private PgBouncer, transaction pooling, 2 server connections."""
    _server()
    started = bouncer_or_skip()
    yield started
    started.stop()


def _store(bouncer: PgBouncer, driver: str, *, pgbouncer: bool, prefix: str = PREFIX) -> SqlStore:
    """A store of the run's database through ``bouncer`` over ``driver``."""
    url = bouncer.url(_server().set(drivername=f"postgresql+{driver}"))
    if driver == "asyncpg":
        return SqlStore(create_async_engine(url, pgbouncer=pgbouncer), prefix=prefix)
    return SqlStore(create_engine(url, pgbouncer=pgbouncer), prefix=prefix)


def _call(store: SqlStore, fn: Callable[[], object]) -> object:
    """``fn()`` where the store's I/O may run: on the test loop for an async store."""
    return run_blocking(store.run_sync(fn)) if store.is_async else fn()


def _dispose(store: SqlStore) -> None:
    """Close the store's connections (an async engine's on its loop)."""
    if store.is_async:
        run_blocking(AsyncEngine(store.engine).dispose())
    else:
        store.engine.dispose()


@contextmanager
def _churn(bouncer: PgBouncer) -> Iterator[None]:
    """Another client's short transactions, one after another, while the block runs.

    It takes whichever server connection is free for a moment and gives it back, so
    the transactions of the store under test land on one server connection, then
    another, as among the many clients of a production PgBouncer.
    """
    stop = threading.Event()
    engine = sa.create_engine(
        bouncer.url(_server()),
        poolclass=sa.pool.NullPool,
        connect_args={"prepare_threshold": None},  # it must not break on its own statements
    )

    def run() -> None:
        with engine.connect() as conn:
            while not stop.is_set():
                conn.execute(sa.text("SELECT pg_sleep(0.003)"))
                conn.commit()
                stop.wait(0.001)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        engine.dispose()


@pytest.fixture(scope="module", params=["psycopg", "asyncpg"])
def bounced(request: pytest.FixtureRequest, bouncer: PgBouncer) -> Iterator[SqlStore]:
    """A store through PgBouncer with ``pgbouncer=True``, its tables made once.

    Another client's transactions churn the server connections meanwhile.
    """
    store = _store(bouncer, request.param, pgbouncer=True)
    _call(store, store.create_schema)
    with _churn(bouncer):
        yield store
    _call(store, store.drop_schema)
    _dispose(store)


@pytest.fixture
def store_factory(bounced: SqlStore) -> Callable[[], Store]:
    """The contract modules above run on the store through PgBouncer."""

    def fresh() -> Store:
        _call(bounced, bounced.clear)
        return bounced

    return fresh


def _registrations(store: SqlStore, bouncer: PgBouncer, start: int) -> list[str]:
    """Register users through ``store`` around a transaction that pins a server connection.

    Commands one after the other run on one server connection (PgBouncer hands out the
    one used last): after 8 of them psycopg has prepared its statements there, asyncpg
    has prepared and cached all. Then another client holds that server connection in an
    open transaction, and the next commands run on the other one. The errors' texts.
    """
    errors: list[str] = []
    ta = make_service(store)

    def register(first: int, count: int) -> None:
        for i in range(first, first + count):
            try:
                ta.users.register(f"u{i}", f"u{i}@example.com")
            except StorageError as error:
                errors.append(str(error))

    register(start, 8)
    pin = sa.create_engine(bouncer.url(_server()), poolclass=sa.pool.NullPool)
    with pin.connect() as conn:
        conn.execute(sa.text("SELECT 1"))  # a transaction is open until the block ends
        register(start + 8, 8)
    pin.dispose()
    return errors


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_without_the_setting_a_prepared_statement_is_missing_on_the_next_server_connection(
    bouncer: PgBouncer, driver: str
) -> None:
    """Without pgbouncer=True commands fail on a prepared statement once a transaction lands on another server connection; with it, none does."""
    own = PgBouncer.start()  # no other client's transactions in the way
    stores = {
        flag: _store(own, driver, pgbouncer=flag, prefix="tabdemo_") for flag in (False, True)
    }
    try:
        for store in stores.values():
            _call(store, store.create_schema)
        errors = _registrations(stores[False], own, 0)
        print(f"{driver} without pgbouncer=True: {len(errors)} errors, first: {errors[:1]}")
        # asyncpg prepares every statement, so the move to the other server connection
        # always shows; psycopg prepares a statement only after 5 uses, and whether one
        # of those lands on the other connection varies from run to run (0 or 1 errors
        # seen): its deterministic proof is test_with_the_setting_no_statement_is_left_...
        if driver == "asyncpg":
            assert errors
        assert all("prepared statement" in error for error in errors), errors[:3]
        assert _registrations(stores[True], own, 100) == []
    finally:
        _call(stores[True], stores[True].drop_schema)
        for store in stores.values():
            _dispose(store)
        own.stop()


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_with_the_setting_no_statement_is_left_on_the_server_connection(
    bouncer: PgBouncer, driver: str
) -> None:
    """With pgbouncer=True, after commands and checks (kept connections too) the one server connection holds no prepared statement; without it, it does."""
    own = PgBouncer.start(pool_size=1)  # every client's transactions on one server connection
    look = sa.create_engine(
        own.url(_server()), poolclass=sa.pool.NullPool, connect_args={"prepare_threshold": None}
    )

    def left_behind(pgbouncer: bool) -> list[str]:
        store = _store(own, driver, pgbouncer=pgbouncer, prefix="tableft_")
        try:
            _call(store, store.create_schema)
            ta = make_service(store)
            for i in range(12):
                ta.users.register(f"u{i}", f"u{i}@example.com")
                ta.check(f"u{i}", "acme", "members.view")
            with look.connect() as conn:
                names = conn.execute(sa.text("SELECT name FROM pg_prepared_statements"))
                found = sorted(names.scalars())
                conn.execute(sa.text("DEALLOCATE ALL"))
                conn.commit()
            _call(store, store.drop_schema)
            return found
        finally:
            _dispose(store)

    try:
        assert left_behind(pgbouncer=True) == []
        assert left_behind(pgbouncer=False) != []
    finally:
        look.dispose()
        own.stop()


def test_asyncpg_leaves_no_statement_to_close_on_another_server_connection(
    bouncer: PgBouncer,
) -> None:
    """With pgbouncer=True on asyncpg, no named statement is left for a later Close to miss: checks go on while their last server connection is held by others."""
    own = PgBouncer.start()  # two server connections, no other client
    pinning = sa.create_engine(
        own.url(_server()), poolclass=sa.pool.NullPool, connect_args={"prepare_threshold": None}
    )
    store = _store(own, "asyncpg", pgbouncer=True, prefix="tabmove_")
    try:
        _call(store, store.create_schema)
        ta = make_service(store)
        ta.users.register("anna", "anna@example.com")
        ta.companies.create("anna", "ACME", company_id="acme")
        expected = ta.check("anna", "acme", "members.view")
        for _ in range(3):
            # Both server connections held by two other clients; the one that holds a
            # statement of the check just run keeps it, the other lets go. A named
            # statement, closed by asyncpg with the next call, would be closed on the
            # server connection that does not have it: "... does not exist".
            pins = [pinning.connect() for _ in range(2)]
            held = [
                pin.execute(sa.text("SELECT name FROM pg_prepared_statements")).scalars().all()
                for pin in pins
            ]
            assert held == [[], []]  # nothing is left on either server connection
            pins.pop().close()
            assert ta.check("anna", "acme", "members.view") == expected
            pins.pop().close()
        _call(store, store.drop_schema)
    finally:
        _dispose(store)
        pinning.dispose()
        own.stop()


def test_pgbouncer_is_for_postgresql_only() -> None:
    """pgbouncer=True for SQLite or MariaDB is refused with InvalidInput."""
    with pytest.raises(InvalidInput, match="for PostgreSQL"):
        create_engine("sqlite://", pgbouncer=True)
    with pytest.raises(InvalidInput, match="for PostgreSQL"):
        create_async_engine("mysql+asyncmy://root@127.0.0.1/test", pgbouncer=True)
