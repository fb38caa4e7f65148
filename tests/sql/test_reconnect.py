"""Kept read connections recover after the server drops them (a restart, a kill).

The check and the reads keep a few connections open between uses. When PostgreSQL
(``pg_terminate_backend``) or MariaDB (``KILL``) ends them, the next check answers
right away on a fresh connection (it retries once after a disconnect), and the next
read after a pause gets a live one (an idle kept connection is pinged first).
"""

from __future__ import annotations

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
