"""Benchmark: a partner's overview of N descendant accounts, page by page (R-PART-2).

Builds a partner with N descendants (default 10,000) up to 5 levels deep, each with an
admin, an article and a license, then reports per adapter the median and p99 ms of
one page of 100 (every page in turn, then the first page again), the statements one
page costs on SQL, and as the same-run baseline a raw SQLAlchemy Core keyset page of
100 rows of the companies table (on memory: sorting and slicing a list of N ids).
Checks that the pages together list every descendant exactly once. On PostgreSQL
the tables are analyzed after the load, as autovacuum would do soon after it.

Run: ``python benchmarks/overview.py [--accounts 10000] [--adapters memory,sqlite,postgres]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import sqlalchemy as sa
from checks import NOW, make_store, per_adapter  # type: ignore[import-not-found]

from teamaccess import Company, Membership, Store, User
from teamaccess.testing import make_service
from teamaccess.values import Article, CompanyId, License, UserId

DEPTH = 5
BRANCHING = 7


def build(store: Store, accounts: int) -> list[str]:
    """The partner "p" and ``accounts`` descendants in breadth-first order; their ids."""
    ids: list[str] = []
    with store.transaction() as tx:
        tx.users.add(User(UserId("viewer"), "viewer@example.com"))
        tx.users.add(User(UserId("owner"), "owner@example.com"))
        tx.companies.add(Company(CompanyId("p"), "Partner", NOW))
        tx.memberships.add(Membership(CompanyId("p"), UserId("viewer"), "member", NOW))
        level, depth = ["p"], 0
        while len(ids) < accounts and depth < DEPTH:
            depth += 1
            below = []
            for parent in level:
                for k in range(BRANCHING if depth < DEPTH else accounts):
                    if len(ids) == accounts or (depth == DEPTH and k >= BRANCHING * 3):
                        break
                    cid = CompanyId(f"{parent}.{k}")
                    tx.companies.add(
                        Company(cid, f"Account {cid}", NOW, parent_id=CompanyId(parent))
                    )
                    tx.memberships.add(Membership(cid, UserId("owner"), "admin", NOW, True))
                    tx.articles.add(Article(cid, "START", "Starter"))
                    tx.licenses.add(License(cid, "create_asset", 10, 3))
                    ids.append(cid)
                    below.append(cid)
            level = below
        tx.commit()
    if len(ids) < accounts:
        raise SystemExit(f"the tree shape holds only {len(ids)} accounts")
    return sorted(ids)


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def statements_of(store: Store, call: Callable[[], object]) -> int | None:
    """How many SELECT statements ``call`` sends (``None`` on memory)."""
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    count = [0]

    def listen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        count[0] += statement.lstrip().upper().startswith("SELECT")

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return count[0]


def baseline(store: Store, ids: list[str]) -> Callable[[], object]:
    engine = getattr(store, "engine", None)
    if engine is None:
        return lambda: sorted(ids)[:100]
    t = store.tables.companies  # type: ignore[attr-defined]
    statement = sa.select(t).where(t.c.id > sa.bindparam("after")).order_by(t.c.id).limit(100)

    def page() -> object:
        with engine.connect() as conn:
            return conn.execute(statement, {"after": "p.3"}).all()

    return page


def run(adapter: str, accounts: int, repeat: int) -> dict[str, object]:
    store = make_store(adapter)
    start = time.perf_counter()
    ids = build(store, accounts)
    load_s = time.perf_counter() - start
    engine = getattr(store, "engine", None)
    if engine is not None and engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # what autovacuum does soon after a bulk load
            conn.exec_driver_sql("ANALYZE")
    ta = make_service(store)

    seen: list[str] = []
    pages: list[float] = []
    after = None
    while True:
        t0 = time.perf_counter()
        page = ta.partners.overview("viewer", "p", after=after, limit=100)
        pages.append((time.perf_counter() - t0) * 1000)
        seen.extend(a.id for a in page.accounts)
        assert all(a.licenses[0].usage == "3/10 used" for a in page.accounts)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ids, "the pages must list every descendant exactly once, in order"
    first = sorted(
        timed(lambda: ta.partners.overview("viewer", "p", limit=100)) for _ in range(repeat)
    )
    raw = baseline(store, ids)
    base = sorted(timed(raw) for _ in range(repeat))
    queries = statements_of(
        store, lambda: ta.partners.overview("viewer", "p", after="p.3", limit=100)
    )
    depth = max(
        a.depth for a in ta.partners.overview("viewer", "p", after=ids[-2], limit=1).accounts
    )
    if hasattr(store, "engine"):
        store.drop_schema()
        store.engine.dispose()
    pages.sort()
    return {
        "adapter": adapter,
        "accounts": len(ids),
        "depth": depth,
        "load_s": load_s,
        "all_pages_median_ms": statistics.median(pages),
        "all_pages_p99_ms": pages[int(len(pages) * 0.99)],
        "first_page_median_ms": statistics.median(first),
        "baseline_median_ms": statistics.median(base),
        "statements_per_page": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    args = parser.parse_args(argv)
    rows = per_adapter(args.adapters, lambda a: run(a, args.accounts, args.repeat))
    print(f"overview of a partner's descendants, pages of 100, tree {BRANCHING}-ary, depth 5")
    print(
        f"{'adapter':<9} {'accounts':>8} {'load s':>7} {'page ms':>8} {'p99 ms':>7} "
        f"{'1st ms':>7} {'raw ms':>7} {'x raw':>6} {'stmts':>6}"
    )
    for r in rows:
        ratio = r["first_page_median_ms"] / r["baseline_median_ms"]  # type: ignore[operator]
        stmts = "-" if r["statements_per_page"] is None else r["statements_per_page"]
        print(
            f"{r['adapter']:<9} {r['accounts']:>8} {r['load_s']:>7.1f} "
            f"{r['all_pages_median_ms']:>8.2f} {r['all_pages_p99_ms']:>7.2f} "
            f"{r['first_page_median_ms']:>7.2f} {r['baseline_median_ms']:>7.2f} "
            f"{ratio:>6.1f} {stmts:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
