"""Writes on a read-only node raise ReadOnlyStorage; tokens of SQL stores (R-ALL-12).

A read-only session stands in for a replica on the shared servers: PostgreSQL's
``default_transaction_read_only`` (SQLSTATE 25006, as a hot standby answers),
MariaDB's ``SET SESSION TRANSACTION READ ONLY`` (error 1792), SQLite's ``PRAGMA
query_only`` (``SQLITE_READONLY``). The streaming replica itself is in
``test_replicas.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from teamaccess import Action, TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.consistency import ConsistencyToken, last_token
from teamaccess.errors import ReadOnlyStorage, StorageError, TransientStorageError
from teamaccess.testing import make_service

_READ_ONLY = {
    "sqlite": "PRAGMA query_only = ON",
    "postgresql": "SET default_transaction_read_only = on",
    "mysql": "SET SESSION TRANSACTION READ ONLY",
}


def read_only_twin(store: SqlStore) -> SqlStore:
    """A store on the same database whose every session is read-only."""
    url = store.engine.url
    engine = create_engine(url)
    statement = _READ_ONLY[store.dialect]

    @sa.event.listens_for(engine, "connect")
    def read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        if store.dialect != "sqlite":
            dbapi_connection.commit()

    return SqlStore(engine, prefix=store.tables.prefix)


def test_r_all_12_a_command_on_a_read_only_node_raises_read_only_storage(
    sql_store: SqlStore,
) -> None:
    """R-ALL-12: a write refused as read-only is ReadOnlyStorage, not retried, nothing written."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    company = ta.companies.create("anna", "ACME GmbH", company_id="acme")
    twin = read_only_twin(sql_store)
    try:
        on_twin = TeamAccess(twin)
        assert on_twin.check("anna", company.id, Action.OPEN_BACKOFFICE)  # reads work
        with pytest.raises(ReadOnlyStorage, match="read-only") as caught:
            on_twin.users.register("ben", "ben@example.com")
        assert isinstance(caught.value, StorageError)
        assert not isinstance(caught.value, TransientStorageError)
        assert [m.user_id for m in ta.members.list("anna", company.id)] == ["anna"]
        assert ta.users.find_by_email("ben@example.com") is None
    finally:
        twin.engine.dispose()


def test_r_all_12_host_transaction_gets_its_token_after_its_commit(sql_store: SqlStore) -> None:
    """R-ALL-12: a bound command issues no token; current_token after the COMMIT covers it."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    before = last_token()
    assert before is not None
    with sql_store.engine.connect() as conn, conn.begin():
        ta.bind(conn).companies.create("anna", "ACME GmbH", company_id="acme")
        assert last_token() is None
        with pytest.raises(TypeError, match="after your COMMIT"):
            ta.bind(conn).current_token()
    after = ta.current_token()
    assert after > before
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE)


def test_r_all_12_sqlite_token_survives_the_process(tmp_path: Any) -> None:
    """R-ALL-12: a SQLite token is the outbox's position: a new store on the file is past it."""
    url = f"sqlite:///{tmp_path / 'tokens.sqlite'}"
    first = SqlStore.from_url(url)
    first.create_schema()
    TeamAccess(first).users.register("anna", "anna@example.com")
    token = last_token()
    first.engine.dispose()
    again = SqlStore.from_url(url)
    try:
        assert isinstance(token, ConsistencyToken)
        assert again.current_token() >= token
        TeamAccess(again).users.register("ben", "ben@example.com")
        assert last_token() > token  # type: ignore[operator]
    finally:
        again.engine.dispose()


def test_r_all_12_replicas_are_refused_off_postgresql(sql_store: SqlStore) -> None:
    """R-ALL-12: replicas on SQLite or MariaDB are refused with a reason (not silently ignored); PostgreSQL takes them."""
    from teamaccess.errors import InvalidInput

    engine = create_engine(sql_store.engine.url)
    try:
        if sql_store.dialect == "postgresql":  # routed (tests/sql/test_replicas.py)
            routed = SqlStore(engine, prefix=sql_store.tables.prefix, replicas=[engine])
            assert len(routed.replicas) == 1
            return
        with pytest.raises(InvalidInput, match="PostgreSQL only"):
            SqlStore(engine, prefix=sql_store.tables.prefix, replicas=[engine])
    finally:
        engine.dispose()
