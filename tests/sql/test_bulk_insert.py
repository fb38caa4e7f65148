"""Bulk inserts on SQLite go to the driver's executemany; a host watching its SQL sees them.

Without listeners a batch skips SQLAlchemy's per-row parameter handling; the values
are stored exactly as ``execute`` would store them, and a broken key still raises the
library's own error. With a ``before_cursor_execute`` listener (tracing, statement
counters), the batch goes through ``execute``, so the host sees every statement.
"""

from __future__ import annotations

import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import dump, make_service


def _import(store: SqlStore) -> None:
    ta = make_service(store, platform_admins={"admin"})
    ta.users.register("admin", "admin@example.com")
    ta.seats.create_product("admin", "course", "Course", tag="course")
    pool = ta.seats.purchase("admin", "course", 3, "Group")
    ta.seats.enroll_csv("admin", pool.id, "email\na@example.com\nb@example.com\nc@example.com\n")


def test_r_seat_5_driver_batches_store_what_execute_stores(tmp_path) -> None:
    """R-SEAT-5, R-ALL-4: the same import, straight to the driver or through execute, stores the same."""
    direct = SqlStore.from_url(f"sqlite:///{tmp_path / 'direct.db'}")
    watched = SqlStore.from_url(f"sqlite:///{tmp_path / 'watched.db'}")
    for store in (direct, watched):
        store.create_schema()
    seen: list[str] = []
    sa.event.listen(
        watched.engine, "before_cursor_execute", lambda *args: seen.append(args[2])
    )  # fmt: skip
    _import(direct)
    _import(watched)
    assert dump(direct) == dump(watched)
    assert len(dump(direct).enrollments) == 3
    assert any(s.startswith("INSERT INTO teamaccess_outbox") for s in seen)
    assert any(s.startswith("INSERT INTO teamaccess_tag_grants") for s in seen)
