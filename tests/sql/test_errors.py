"""Driver errors are translated at the adapter's edge; hosts never see a raw one (issue 3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.errors import StorageError, TransientStorageError, UnknownCompany
from teamaccess.testing import make_service

from ..backends import POSTGRES, SQLITE


def test_missing_schema_raises_storage_error_with_cause(sql_store: SqlStore) -> None:
    """A store whose tables were never created raises StorageError chaining the driver error."""
    ta = make_service(SqlStore(sql_store.engine, prefix="tanotables_"))
    with pytest.raises(StorageError) as caught:
        ta.users.register("anna", "anna@example.com")
    assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
    with pytest.raises(StorageError):
        ta.members.of_user("anna")


def test_locked_sqlite_is_retried_then_reported_as_transient(tmp_path) -> None:
    """While another connection holds the write lock, a command retries, then raises TransientStorageError."""
    url = f"sqlite:///{tmp_path / 'locked.sqlite'}"
    store = SqlStore(create_engine(url, connect_args={"timeout": 0.05}))
    store.create_schema()
    ta = make_service(store, retries=2)
    ta.users.register("anna", "anna@example.com")
    blocker = sa.create_engine(url)
    try:
        with blocker.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            with pytest.raises(TransientStorageError, match="locked"):
                ta.users.register("ben", "ben@example.com")
            conn.exec_driver_sql("ROLLBACK")
        assert ta.users.register("ben", "ben@example.com").id == "ben"  # lock gone: works
    finally:
        blocker.dispose()
        store.engine.dispose()


def test_check_on_missing_tables_raises_storage_error(sql_store: SqlStore) -> None:
    """The check's fast path (the driver's own cursor) translates driver errors too."""
    ta = make_service(SqlStore(sql_store.engine, prefix="tanotables_"))
    with pytest.raises(StorageError) as caught:
        ta.check("anna", "acme", "open_backoffice")
    assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
    with pytest.raises(StorageError):  # the kept connection was dropped, not poisoned
        ta.check("anna", "acme", "open_backoffice")


def test_checks_stay_visible_to_sql_listeners_and_logging(
    sql_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    """R-ALL-2: a host tracing its SQL sees each check's one statement, with the same answers."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    acme = ta.companies.create("anna", "ACME")
    asks = [("anna", "edit_profile"), ("ben", "edit_profile"), ("anna", "open_backoffice")]
    quiet = [ta.check(user, acme.id, action) for user, action in asks]

    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(sql_store.engine, "before_cursor_execute", listen)
    try:
        traced = [ta.check(user, acme.id, action) for user, action in asks]
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", listen)
    assert traced == quiet
    assert len(seen) == len(asks)
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in seen)

    with caplog.at_level("INFO", logger="sqlalchemy.engine"):  # connections opened now log
        logging_ta = make_service(SqlStore(sql_store.engine, prefix=sql_store.tables.prefix))
        logged = [logging_ta.check(user, acme.id, action) for user, action in asks]
    assert logged == quiet
    assert sum("SELECT" in record.getMessage() for record in caplog.records) == len(asks)


def test_r_all_6_bind_without_begin_refuses_the_command_and_changes_nothing(
    sql_store: SqlStore,
) -> None:
    """R-ALL-6: a command on ta.bind(connection) whose connection has no transaction raises StorageError saying to call begin() first, and writes nothing."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    before = ta.outbox.count_pending()
    with sql_store.engine.connect() as connection:
        bound = ta.bind(connection)
        with pytest.raises(StorageError, match=r"connection\.begin\(\)"):
            bound.companies.create("anna", "ACME", company_id="acme")
        assert not connection.in_transaction()
    with pytest.raises(UnknownCompany):
        ta.companies.get("acme")
    assert ta.outbox.count_pending() == before
    with sql_store.engine.connect() as connection:  # begun first, it commits with the host
        connection.begin()
        ta.bind(connection).companies.create("anna", "ACME", company_id="acme")
        connection.commit()
    assert ta.companies.get("acme").name == "ACME"


def test_r_all_6_async_bind_without_begin_refuses_the_command(async_backend) -> None:
    """R-ALL-6: on an AsyncConnection without a transaction, a bound command raises StorageError and writes nothing."""
    from teamaccess import AsyncTeamAccess
    from teamaccess.testing.blocking import run_blocking

    store = async_backend.store()

    async def main() -> None:
        ata = AsyncTeamAccess(store)
        await ata.users.register("anna", "anna@example.com")
        async with async_backend.engine.connect() as connection:
            with pytest.raises(StorageError, match=r"connection\.begin\(\)"):
                await ata.bind(connection).companies.create("anna", "ACME", company_id="acme")
        with pytest.raises(UnknownCompany):
            await ata.companies.get("acme")

    run_blocking(main())


# MariaDB inserts in bulk through SQLAlchemy's executemany, not the driver's RawInsert.
@pytest.mark.parametrize("backend", [SQLITE, POSTGRES], ids=["sqlite", "postgres"])
def test_r_all_10_bulk_insert_on_the_driver_raises_storage_error(backend) -> None:
    """R-ALL-10: a driver error in RawInsert (COPY, executemany) raises StorageError from the driver's error, and the store works on."""
    from teamaccess.adapters.sql._raw import RawInsert

    sql_store = backend.store()
    sql_store.clear()

    missing = sa.Table("tanotables_rows", sa.MetaData(), sa.Column("id", sa.String(10)))
    insert = RawInsert(missing, ("id",), sql_store.engine.dialect)
    with pytest.raises(StorageError) as caught, sql_store.transaction() as tx:
        insert.many(tx.users._c, [{"id": "a"}, {"id": "b"}])
    assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
    ta = make_service(sql_store)
    assert ta.users.register("anna", "anna@example.com").id == "anna"


def test_r_all_10_the_async_bridge_raises_storage_error_for_what_escapes_the_store(
    async_backend,
) -> None:
    """R-ALL-10: a SQLAlchemy or connection error raised inside the greenlet bridge reaches the caller as StorageError from it."""
    from teamaccess.testing.blocking import run_blocking

    store = async_backend.store()

    def lost() -> None:
        raise ConnectionResetError("connection reset by peer")

    def pool_timeout() -> None:
        raise sa.exc.TimeoutError("QueuePool limit reached")

    for failing, cause in ((lost, ConnectionResetError), (pool_timeout, sa.exc.TimeoutError)):
        with pytest.raises(StorageError) as caught:
            run_blocking(store.run_sync(failing))
        assert isinstance(caught.value.__cause__, cause)
