"""Benchmark: enrolling N participants from one CSV file, all-or-nothing (R-SEAT-7).

For each adapter: the seconds and rows/s of ``enroll_csv`` of N new people into a pool
of N seats, and, as the same-run baseline on SQL, a raw SQLAlchemy ``executemany`` of N
rows into a scratch table of the same database. Also checks that a file whose last row
overflows the pool enrolls nobody.

Run: ``python benchmarks/csv_enroll.py [--rows 10000] [--adapters memory,sqlite,postgres]``.
"""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa
from checks import make_store  # type: ignore[import-not-found]

from teamaccess.errors import CsvImportError
from teamaccess.testing import dump, make_service


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


def run(adapter: str, rows: int) -> dict[str, object]:
    store = make_store(adapter)
    ta = make_service(store, platform_admins={"admin"})
    ta.register_user("admin", "admin@example.com")
    ta.register_user("buyer", "buyer@example.com")
    ta.create_product("admin", "course", "Course", tag="course")
    pool = ta.purchase_seats("buyer", "course", rows, "Everyone")
    csv = "email;name\n" + "".join(f"person{i}@example.com;Person {i}\n" for i in range(rows))

    overflow = csv + "one.too.many@example.com;Late\n"
    before = dump(store)
    refused: list[int] = []
    try:
        ta.enroll_csv("buyer", pool.id, overflow)
    except CsvImportError as error:
        refused = [e.row for e in error.errors]
    assert refused == [rows + 2], f"the overflowing row must be refused, got {refused}"
    assert dump(store) == before, "the refused import wrote something"

    start = time.perf_counter()
    enrolled = ta.enroll_csv("buyer", pool.id, csv)
    seconds = time.perf_counter() - start
    assert len(enrolled) == rows
    assert ta.pool(pool.id).free == 0
    raw = baseline(store, rows)
    if hasattr(store, "engine"):
        store.drop_schema()
        store.engine.dispose()
    return {"adapter": adapter, "rows": rows, "seconds": seconds, "raw_executemany": raw}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    args = parser.parse_args(argv)
    print(f"enroll_csv of {args.rows} rows into a pool of {args.rows} seats, one transaction")
    print(f"{'adapter':<9} {'seconds':>9} {'rows/s':>10} {'raw executemany s':>18} {'x raw':>7}")
    for adapter in args.adapters.split(","):
        try:
            r = run(adapter, args.rows)
        except Exception as error:
            if adapter in ("memory", "sqlite"):
                raise
            print(f"skipped {adapter}: {type(error).__name__}: {str(error).splitlines()[0]}")
            continue
        raw = r["raw_executemany"]
        ratio = f"{r['seconds'] / raw:7.0f}" if raw else "      -"  # type: ignore[operator]
        raw_text = f"{raw:18.3f}" if raw else f"{'-':>18}"
        print(
            f"{adapter:<9} {r['seconds']:9.3f} {args.rows / r['seconds']:10.0f} {raw_text} {ratio}"
        )  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    sys.exit(main())
