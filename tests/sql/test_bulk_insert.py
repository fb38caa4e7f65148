"""Bulk inserts go to the driver (SQLite's executemany, PostgreSQL's COPY); a watching host sees them.

Without listeners a batch skips SQLAlchemy's per-row parameter handling; the values
are stored exactly as ``execute`` would store them, and a broken key still raises the
library's own error and writes nothing. With a ``before_cursor_execute`` listener
(tracing, statement counters), the batch goes through ``execute``, so the host sees
every statement. MariaDB uses ``execute`` both ways: the same assertions hold there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.domain.ids import UserId
from teamaccess.domain.models import User
from teamaccess.errors import EmailTaken
from teamaccess.testing import dump, in_transaction, make_service


@pytest.fixture
def two_stores(sql_store: SqlStore, tmp_path) -> Iterator[tuple[SqlStore, SqlStore]]:
    """Two empty stores of the backend, each on an engine of its own."""
    url = sql_store.engine.url
    if url.get_backend_name() == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'direct.db'}", f"sqlite:///{tmp_path / 'watched.db'}"]
    else:
        urls = [url, url]
    prefix = sql_store.tables.prefix
    stores = [
        SqlStore(create_engine(u), prefix=f"{prefix}{name}_")
        for u, name in zip(urls, ("d", "w"), strict=True)
    ]
    for store in stores:
        store.create_schema()
    yield stores[0], stores[1]
    for store in stores:
        store.drop_schema()
        store.engine.dispose()


def _import(store: SqlStore) -> None:
    ta = make_service(store, platform_admins={"admin"})
    ta.users.register("admin", "admin@example.com")
    ta.seats.create_product("admin", "course", "Course", tag="course")
    pool = ta.seats.purchase("admin", "course", 3, "Group")
    ta.seats.enroll_csv("admin", pool.id, "email\na@example.com\nb@example.com\nc@example.com\n")


def test_r_seat_5_driver_batches_store_what_execute_stores(two_stores) -> None:
    """R-SEAT-5, R-ALL-4: the same import, straight to the driver or through execute, stores the same."""
    direct, watched = two_stores
    seen: list[str] = []
    sa.event.listen(
        watched.engine, "before_cursor_execute", lambda *args: seen.append(args[2])
    )  # fmt: skip
    _import(direct)
    _import(watched)
    assert dump(direct) == dump(watched)
    assert len(dump(direct).enrollments) == 3
    outbox, grants = watched.tables.outbox.name, watched.tables.tags.name
    assert any(s.startswith(f"INSERT INTO {outbox}") for s in seen)
    assert any(s.startswith(f"INSERT INTO {grants}") for s in seen)


def test_r_all_6_a_broken_key_in_a_batch_raises_and_writes_nothing(two_stores) -> None:
    """R-ALL-6: a batch whose last row repeats a registered e-mail raises EmailTaken; no row stays."""
    store, _ = two_stores
    make_service(store).users.register("anna", "anna@example.com")
    before = dump(store)
    batch = [User(UserId(f"u{i}"), f"u{i}@example.com") for i in range(50)]
    batch.append(User(UserId("again"), "anna@example.com"))
    with pytest.raises(EmailTaken):
        in_transaction(store, lambda tx: tx.users.add_many(batch))
    assert dump(store) == before
