"""Benchmark: enrolling N participants from one CSV file, all-or-nothing (R-SEAT-7).

For each adapter: the seconds and rows/s of ``enroll_csv`` of N new people into a pool
of N seats, next to baselines measured in the same run: on SQL a raw SQLAlchemy
``executemany`` of N e-mails into a scratch table, and the rows the import wrote
(users, enrollments, tag grants, outbox events) inserted again into scratch tables with
SQLAlchemy's ``executemany``; the floor (issue 18): on SQLite those rows through
``sqlite3``'s own ``executemany``, on PostgreSQL through ``COPY``, in memory parsing
the file and building the same values. Also checks that a file whose last row
overflows the pool enrolls nobody.

Run: ``python benchmarks/csv_enroll.py [--rows 10000] [--adapters memory,sqlite,postgres]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from checks import make_store, per_adapter  # type: ignore[import-not-found]

from teamaccess import CsvLimits, Enrollment, User
from teamaccess.errors import CsvImportError
from teamaccess.events import (
    EnrollmentNotificationRequested,
    OutboxMessage,
    ParticipantEnrolled,
    TagGranted,
    UserRegistered,
)
from teamaccess.testing import dump, make_service
from teamaccess.values import PoolId, TagGrant, UserId, read_enrollment_csv


def baseline(store: object, rows: int) -> float | None:
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    md = sa.MetaData()
    scratch = sa.Table("tabench_scratch", md, sa.Column("email", sa.String(254), primary_key=True))
    md.drop_all(engine)
    md.create_all(engine)
    data = [{"email": f"person{i}@example.com"} for i in range(rows)]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(scratch.insert(), data)
    seconds = time.perf_counter() - start
    md.drop_all(engine)
    return seconds


def same_rows(store: object) -> float | None:
    """Seconds to insert, with SQLAlchemy ``executemany``, the rows the import wrote.

    Users, enrollments, tag grants and outbox events are read back and inserted into
    scratch tables of the same columns and primary keys (no foreign keys, no other
    indexes), one ``executemany`` per table, in one transaction: the floor of writing
    what the rules require (R-SEAT-5, R-SEAT-8, R-TAG-5, R-ALL-4), without deciding
    anything.
    """
    engine = getattr(store, "engine", None)
    tables = getattr(store, "tables", None)
    if engine is None or tables is None:
        return None
    md = sa.MetaData()
    written = (tables.users, tables.enrollments, tables.tags, tables.outbox)
    scratch = {
        table: sa.Table(
            f"tabench_{table.name}",
            md,
            *(sa.Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns),
        )
        for table in written
    }
    with engine.connect() as conn:
        data = {t: [dict(r._mapping) for r in conn.execute(sa.select(t))] for t in written}
    md.drop_all(engine)
    md.create_all(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table, copy in scratch.items():
            conn.execute(copy.insert(), data[table])
    seconds = time.perf_counter() - start
    md.drop_all(engine)
    return seconds


def same_rows_driver(store: object) -> float | None:
    """Like `same_rows`, through the driver's own ``executemany`` (SQLite only).

    The rows are read back as the driver stores them (JSON as text, times as strings)
    and written into scratch tables with ``sqlite3``'s ``executemany`` in one
    transaction: the floor without SQLAlchemy and without converting any value.
    """

    def write(cursor: Any, table: sa.Table, rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(table.columns))
        cursor.executemany(f"INSERT INTO tabench_{table.name} VALUES ({marks})", rows)  # noqa: S608

    return _raw_floor(store, "sqlite", write)


def same_rows_copy(store: object) -> float | None:
    """Like `same_rows_driver`, through psycopg's ``COPY ... FROM STDIN`` (PostgreSQL only).

    The rows are read back with JSON as text and written into scratch tables with one
    COPY per table in one transaction: PostgreSQL's bulk-load floor.
    """

    def write(cursor: Any, table: sa.Table, rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(c.name for c in table.columns)
        with cursor.copy(f"COPY tabench_{table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    return _raw_floor(store, "postgresql", write)


def _raw_floor(
    store: object, dialect: str, write: Callable[[Any, sa.Table, list[tuple[Any, ...]]], None]
) -> float | None:
    """Seconds to ``write`` the rows the import wrote into scratch tables, in one transaction.

    The rows are read back as the driver gives them, JSON columns as text.
    """
    engine = getattr(store, "engine", None)
    tables = getattr(store, "tables", None)
    if engine is None or tables is None or engine.dialect.name != dialect:
        return None
    written = (tables.users, tables.enrollments, tables.tags, tables.outbox)
    md = sa.MetaData()
    for table in written:
        columns = (sa.Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns)
        sa.Table(f"tabench_{table.name}", md, *columns)
    data = {}
    with engine.connect() as conn:  # our own table names, no input: noqa S608 below
        for t in written:
            listed = ", ".join(
                sa.cast(c, sa.Text).compile(engine).string if isinstance(c.type, sa.JSON)
                else c.name
                for c in t.columns
            )  # fmt: skip
            data[t] = [tuple(r) for r in conn.exec_driver_sql(f"SELECT {listed} FROM {t.name}")]  # noqa: S608
    md.drop_all(engine)
    md.create_all(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        if dialect == "sqlite":
            cursor.execute("BEGIN")
        for table in written:
            write(cursor, table, data[table])
        raw.commit()
        seconds = time.perf_counter() - start
    finally:
        raw.close()
    md.drop_all(engine)
    return seconds


def same_objects(csv: str, pool_id: str) -> float:
    """Seconds to parse the file and build the values the import must hold, nothing else.

    Per row: the user, the enrollment, the tag grant, the four events (R-SEAT-5,
    R-SEAT-8, R-TAG-5) and their outbox messages (R-ALL-4); the in-memory floor.
    """
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    kept = []
    for i, row in enumerate(read_enrollment_csv(csv, CsvLimits())[0]):
        user_id, pool = UserId(f"user-{i}"), PoolId(pool_id)
        common = {"occurred_at": now, "actor_id": UserId("buyer"), "company_id": None}
        events = [
            UserRegistered(**common, user_id=user_id, email=row.email),
            ParticipantEnrolled(**common, pool_id=pool, user_id=user_id, email=row.email),
            EnrollmentNotificationRequested(
                **common, pool_id=pool, user_id=user_id, email=row.email, title="Everyone"
            ),
            TagGranted(**common, user_id=user_id, tag="course", source="pool", newly_held=True),
        ]
        kept.append((User(user_id, row.email), Enrollment(pool, user_id, now)))
        kept.append(TagGrant(user_id, "course", "pool", now))
        kept.extend(OutboxMessage(4 * i + n, event) for n, event in enumerate(events))
    return time.perf_counter() - start


def run(adapter: str, rows: int) -> dict[str, object]:
    store = make_store(adapter)
    ta = make_service(store, platform_admins={"admin"})
    ta.users.register("admin", "admin@example.com")
    ta.users.register("buyer", "buyer@example.com")
    ta.seats.create_product("admin", "course", "Course", tag="course")
    pool = ta.seats.purchase("buyer", "course", rows, "Everyone")
    csv = "email;name\n" + "".join(f"person{i}@example.com;Person {i}\n" for i in range(rows))

    overflow = csv + "one.too.many@example.com;Late\n"
    before = dump(store)
    refused: list[int] = []
    try:
        ta.seats.enroll_csv("buyer", pool.id, overflow)
    except CsvImportError as error:
        refused = [e.row for e in error.errors]
    assert refused == [rows + 2], f"the overflowing row must be refused, got {refused}"
    assert dump(store) == before, "the refused import wrote something"

    start = time.perf_counter()
    enrolled = ta.seats.enroll_csv("buyer", pool.id, csv)
    seconds = time.perf_counter() - start
    assert len(enrolled) == rows
    assert ta.seats.get(pool.id).free == 0
    raw = baseline(store, rows)
    if hasattr(store, "engine"):
        same = same_rows(store)
        driver, copy = same_rows_driver(store), same_rows_copy(store)
        floor, kind = (driver, "sqlite3 executemany") if driver else (copy, "COPY")
        if floor is None:
            kind = "-"
        store.drop_schema()
        store.engine.dispose()
    else:
        same, floor, kind = None, same_objects(csv, pool.id), "the same objects"
    return {
        "adapter": adapter,
        "rows": rows,
        "seconds": seconds,
        "raw_executemany": raw,
        "same_rows_executemany": same,
        "floor": floor,
        "floor_kind": kind,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    args = parser.parse_args(argv)
    print(f"enroll_csv of {args.rows} rows into a pool of {args.rows} seats, one transaction")
    print(
        f"{'adapter':<9} {'seconds':>9} {'rows/s':>10} {'raw executemany s':>18} {'x raw':>7}"
        f" {'same rows, SQLAlchemy s':>24} {'x same':>7} {'floor s':>8} {'x floor':>8}  floor"
    )
    for r in per_adapter(args.adapters, lambda a: run(a, args.rows)):
        adapter = r["adapter"]
        seconds: float = r["seconds"]  # type: ignore[assignment]
        columns = [f"{adapter:<9} {seconds:9.3f} {args.rows / seconds:10.0f}"]
        for key, width in (("raw_executemany", 18), ("same_rows_executemany", 24), ("floor", 8)):
            base = r[key]
            if isinstance(base, float):
                columns.append(f"{base:{width}.3f} {seconds / base:7.1f}x")
            else:
                columns.append(f"{'-':>{width}} {'-':>8}")
        print(" ".join(columns), f" {r['floor_kind']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
