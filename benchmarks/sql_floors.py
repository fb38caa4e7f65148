"""Benchmark: the SQL stores against their raw driver on the same facts (issue 18).

For each SQL store, every figure next to its baseline measured in the same run through
the same driver on the same database:

- **check**: ``ta.check`` over 10,000 users in 1,000 companies (a random mix of
  members, non-members and unknown companies, three actions), against a raw DB-API
  primary-key select of the company (``SELECT id, name ... WHERE id = ?``) on a
  connection of its own, asked for the same companies (target: <= 2x); p50 and p99
  of each call. Cold: the first pass over 20,000 questions; warm: the second pass (on
  SQLite a kept connection remembers answers while nothing was committed, ``PRAGMA
  data_version``). The check's own statement run raw shows what the database's work
  costs.
- **cache** (PostgreSQL, MariaDB): the same checks with ``Consistency.minimize_latency(1 s)``
  on a store with ``cache_refresh=100 ms`` (issue 29), against the in-memory store's
  check on the same facts (target: <= 3x), cold (first pass) and warm (second pass);
  and ``Consistency.fully_consistent()`` on the store without a cache, against the raw
  primary-key select (target: <= 1.5x), against the check's own statement run raw, and
  against the least any check reads (the company joined to the user's membership, both
  by primary key) run raw.
- **writes elsewhere** (SQLite): warm checks while another process commits one
  membership change after every 100 checks (1% writes, each followed by a timed
  check), against the same warm checks with no writer (target: <= 1.5x).
- **threads**: checks per second with 8 threads against 1 (target: >= 0.9x), next to
  the raw select's own ratio, each thread on a connection of its own.
- **lead page**: the first page of 50 visible leads of a company operating ``--leads``
  leads, against the page's own statement (the guard's facts and the page) run raw
  through the driver (target: <= 2x), and against the page's query written by hand
  (a UNION of the four index range scans each stopped by its LIMIT, no guard) run
  raw, and against that query turning its rows into the same ``Lead`` values; the
  statements a page costs, counted with a listener (1: the guard is inside).

``--mariadb-urls`` compares MariaDB drivers (e.g. ``mysql+pymysql://...,
mysql+mysqldb://...,mariadb+mariadbconnector://...``): each runs the check cases.

Run: ``python benchmarks/sql_floors.py [--adapters sqlite,postgres,mariadb]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from checks import URLS, autocommit_driver  # type: ignore[import-not-found]
from floors import cycling, questions  # type: ignore[import-not-found]
from floors import load as load_memory  # type: ignore[import-not-found]
from leads import union_params, union_sql  # type: ignore[import-not-found]
from threads import rate  # type: ignore[import-not-found]

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.consistency import Consistency
from teamaccess.testing import in_transaction, make_service
from teamaccess.values import Company, CompanyId, Lead, LeadState, Membership, User, UserId

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
PREFIX = f"bsqlfl{os.getpid()}_"
Row = tuple[str, float, float, str]  # case, teamaccess, baseline, target
_HELD: list[Any] = []


def load(store: SqlStore, users: int, companies: int, leads: int) -> None:
    """Users in companies (the first of each an admin), and leads operated by ``c0``."""
    per = users // companies

    def fill(tx: Any) -> None:
        tx.users.add_many([User(UserId(f"u{i}"), f"u{i}@example.com") for i in range(users)])
        for c in range(companies):
            tx.companies.add(Company(CompanyId(f"c{c}"), f"Company {c}", NOW))
            for k in range(per):
                user = UserId(f"u{c * per + k}")
                role = "admin" if k == 0 else "member"
                tx.memberships.add(Membership(CompanyId(f"c{c}"), user, role, NOW, k == 0))

    in_transaction(store, fill)
    t = store.tables
    rows = [{"id": f"L{i:07d}", "operator_id": "c0", "giver_id": f"c{1 + i % (companies - 1)}",
             "title": f"Lead {i}", "state": LeadState.PICKED.value, "created_at": NOW,
             "picked_by": f"c{1 + (i * 7) % (companies - 1)}"} for i in range(leads)]  # fmt: skip
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(t.leads.insert(), rows[start : start + 20_000])
    if store.dialect == "postgresql":  # the statistics autovacuum would gather after a load
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"ANALYZE {t.leads.name}")
            conn.exec_driver_sql(f"ANALYZE {t.memberships.name}")


def raw_connection(engine: sa.Engine) -> Any:
    """A DB-API connection of its own, in autocommit, held until the engine is disposed."""
    pooled = engine.raw_connection()
    _HELD.append(pooled)  # a pooled connection dropped by its last user goes back to the pool
    return autocommit_driver(pooled, engine)


def placeholder(engine: sa.Engine) -> str:
    return "?" if engine.dialect.paramstyle in ("qmark", "numeric") else "%s"


def raw_select(engine: sa.Engine, table: str) -> Callable[[str, str, str], object]:
    """A raw primary-key select of the company, on a connection of its own."""
    conn = raw_connection(engine)
    sql = f"SELECT id, name FROM {table} WHERE id = {placeholder(engine)}"  # noqa: S608

    def select(_user: str, company: str, _action: str) -> object:
        cursor = conn.cursor()
        cursor.execute(sql, (company,))
        row = cursor.fetchone()
        cursor.close()
        return row

    return select


def raw_statement(engine: sa.Engine, statement: Any) -> Callable[[dict[str, Any]], list[Any]]:
    """``statement`` compiled once, run raw on a connection of its own with the given values."""
    conn = raw_connection(engine)
    compiled = statement.compile(dialect=engine.dialect)
    order = compiled.positiontup if compiled.positional else None
    required = {b.key: None for b in compiled.binds.values() if b.required}
    defaults = compiled.construct_params(required)  # with the statement's literals

    def run(params: dict[str, Any]) -> list[Any]:
        values = {**defaults, **params}
        bound = values if order is None else [values[k] for k in order]
        cursor = conn.cursor()
        cursor.execute(compiled.string, bound)
        rows = cursor.fetchall()
        cursor.close()
        return list(rows)

    return run


def two_rows(store: SqlStore) -> Callable[[str, str, str], object]:
    """The least a check reads, raw: the company and the user's membership, by primary key."""
    conn = raw_connection(store.engine)
    mark = placeholder(store.engine)
    c, m = store.tables.companies.name, store.tables.memberships.name
    sql = (
        f"SELECT c.id, c.suspended_at, c.closed_at, m.role, m.main_contact FROM {c} c"  # noqa: S608
        f" LEFT JOIN {m} m ON m.company_id = c.id AND m.user_id = {mark} WHERE c.id = {mark}"
    )

    def select(user: str, company: str, _action: str) -> object:
        cursor = conn.cursor()
        cursor.execute(sql, (user, company))
        row = cursor.fetchone()
        cursor.close()
        return row

    return select


def checks(ta: TeamAccess, store: SqlStore, asked: list[tuple[str, str, str]]) -> list[Row]:
    base = raw_select(store.engine, store.tables.companies.name)
    least = two_rows(store)
    # On a server the check reads the company and the membership first (the whole
    # statement only for non-members of accounts with a parent): that is its floor there.
    own_statement = store._facts if store._member is None else store._member
    statement = raw_statement(store.engine, own_statement.statement)
    cold = latencies(ta.check, asked)
    # The second pass: each question asked of every side in turn, so that the machine's
    # drift (autovacuum, a neighbour) weighs on all of them alike.
    warm, full, floor, own, two = interleaved(
        [
            ta.check,
            lambda u, c, a: ta.check(u, c, a, consistency=FULLY),
            base,
            lambda u, c, _a: statement({"user_id": u, "company_id": c}),
            least,
        ],
        asked,
    )
    return [
        ("check p50, us (cold: first pass)", _p(cold, 0.5), _p(floor, 0.5), "<= 2x"),
        ("check p99, us (cold: first pass)", _p(cold, 0.99), _p(floor, 0.99), "-"),
        ("check p50, us (warm: second pass)", _p(warm, 0.5), _p(floor, 0.5), "<= 2x"),
        ("check p99, us (warm: second pass)", _p(warm, 0.99), _p(floor, 0.99), "-"),
        ("the check's statement run raw, p50 us", _p(own, 0.5), _p(floor, 0.5), "-"),
        ("fully_consistent p50, us vs raw PK select", _p(full, 0.5), _p(floor, 0.5), "<= 1.5x"),
        ("fully_consistent p50, us vs its stmt raw", _p(full, 0.5), _p(own, 0.5), "-"),
        ("company + membership join raw, p50 us", _p(two, 0.5), _p(floor, 0.5), "-"),
        ("fully_consistent p50, us vs that join", _p(full, 0.5), _p(two, 0.5), "-"),
    ]


LATENCY = Consistency.minimize_latency(timedelta(seconds=1))
FULLY = Consistency.fully_consistent()


def cache(url: str, args: Any, asked: list[Any]) -> list[Row]:
    """The check through a cache (``minimize_latency``) against the memory store's check."""
    cached = SqlStore(create_engine(url), prefix=PREFIX, cache_refresh=timedelta(milliseconds=100))
    try:
        feed = cached._feed
        assert feed is not None
        assert feed.connected.wait(10)
        deadline = time.monotonic() + 10
        while not cached.cache.serves(LATENCY):  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the cache never confirmed"
            time.sleep(0.01)
        quick = make_service(cached)
        memory, _ = load_memory(args.users, args.companies)

        def latency(u: str, c: str, a: str) -> object:
            return quick.check(u, c, a, consistency=LATENCY)

        for user, company, action in asked[:2000]:
            assert latency(user, company, action) == memory.check(user, company, action)
        assert len(cached.cache) > 0  # type: ignore[arg-type]  # the answers were kept
        fresh = questions(args.users, args.companies, args.questions, 29)
        cold, memory_cold = interleaved([latency, memory.check], fresh)
        # warm: the same questions again
        warm, memory_warm = interleaved([latency, memory.check], fresh)
    finally:
        cached.engine.dispose()
    return [
        ("cached check p50, us (cold) vs memory", _p(cold, 0.5), _p(memory_cold, 0.5), "<= 3x"),
        ("cached check p50, us (warm) vs memory", _p(warm, 0.5), _p(memory_warm, 0.5), "<= 3x"),
        ("cached check p99, us (warm) vs memory", _p(warm, 0.99), _p(memory_warm, 0.99), "-"),
    ]


def _writer(url: str, prefix: str, companies: int, per: int, orders: Any, done: Any) -> None:
    """Another process: on each order "write", add or remove a member of one company.

    On "pause" it answers without writing: the same round trip, no commit.
    """
    ta = make_service(SqlStore(create_engine(url), prefix=prefix))
    n = 0
    while (order := orders.recv()) != "stop":
        if order == "write":
            admin, company, user = f"u{(n % companies) * per}", f"c{n % companies}", f"w{n % 3}"
            try:
                ta.members.add(admin, company, user)
            except Exception:
                ta.members.remove(admin, company, user)
            n += 1
        done.send(True)


def writes_elsewhere(url: str, ta: TeamAccess, args: Any, asked: list[Any]) -> list[Row]:
    """Warm checks with 1% writes from another process, against warm checks with none.

    The baseline waits for the other process as often as the writes do, so both sides
    pay the same round trips between processes; only the commits differ.
    """
    for user, company, action in asked:  # warm
        ta.check(user, company, action)
    quiet = latencies(ta.check, asked)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    done_theirs, done_ours = context.Pipe()
    users = [UserId(f"w{k}") for k in range(3)]
    in_transaction(ta.store, lambda tx: tx.users.add_many(
        [User(u, f"{u}@example.com") for u in users]))  # fmt: skip
    per = args.users // args.companies
    child = context.Process(
        target=_writer, args=(url, PREFIX, args.companies, per, theirs, done_theirs)
    )
    child.start()

    def every_100th(order: str) -> list[float]:
        times: list[float] = []
        clock = time.perf_counter
        for n, (user, company, action) in enumerate(asked):
            if n % 100 == 99:
                ours.send(order)
                if not done_ours.poll(30):
                    raise RuntimeError("the writer process did not answer")
                done_ours.recv()
            start = clock()
            ta.check(user, company, action)
            times.append((clock() - start) * 1e6)
        return times

    try:
        paused = every_100th("pause")
        written = every_100th("write")
    finally:
        ours.send("stop")
        child.join(10)
    return [
        ("warm check p50, us, 1% writes elsewhere", _p(written, 0.5), _p(quiet, 0.5), "<= 1.5x"),
        ("  the same, the baseline waits as often", _p(written, 0.5), _p(paused, 0.5), "<= 1.5x"),
        ("warm check mean, us, 1% writes elsewhere", _mean(written), _mean(quiet), "<= 1.5x"),
        ("  the same, the baseline waits as often", _mean(written), _mean(paused), "<= 1.5x"),
        ("warm check p99, us, 1% writes elsewhere", _p(written, 0.99), _p(quiet, 0.99), "-"),
    ]


def latencies(call: Callable[[str, str, str], object], asked: list[Any]) -> list[float]:
    """Microseconds of each call, one per question."""
    times = []
    clock = time.perf_counter
    for user, company, action in asked:
        start = clock()
        call(user, company, action)
        times.append((clock() - start) * 1e6)
    return times


def interleaved(
    calls: list[Callable[[str, str, str], object]], asked: list[Any]
) -> list[list[float]]:
    """Microseconds of each call for each question, the calls taking turns question by question."""
    times: list[list[float]] = [[] for _ in calls]
    clock = time.perf_counter
    for user, company, action in asked:
        for call, kept in zip(calls, times, strict=True):
            start = clock()
            call(user, company, action)
            kept.append((clock() - start) * 1e6)
    return times


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def threads(ta: TeamAccess, store: SqlStore, asked: list[Any], seconds: float) -> list[Row]:
    one = rate(lambda: cycling(ta.check, asked), 1, seconds)
    eight = rate(lambda: cycling(ta.check, asked), 8, seconds)
    table = store.tables.companies.name
    r1 = rate(lambda: cycling(raw_select(store.engine, table), asked), 1, seconds)
    r8 = rate(lambda: cycling(raw_select(store.engine, table), asked), 8, seconds)
    return [
        ("checks/s, 1 thread", one, r1, "-"),
        ("checks/s, 8 threads", eight, r8, "-"),
        ("8 threads : 1 thread (ratio columns)", eight / one, r8 / r1, ">= 0.9x"),
    ]


def _lead_of(row: Any) -> Lead:
    """The hand-written UNION's row as the library's value: states and aware times parsed."""
    values = list(row)
    values[4] = LeadState(values[4])
    for at in (5, 8):  # created_at, picked_at: text on SQLite, naive UTC everywhere
        value = values[at]
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        values[at] = None if value is None else value.replace(tzinfo=timezone.utc)
    return Lead(*values)


def lead_page(ta: TeamAccess, store: SqlStore, repeat: int) -> list[Row]:
    from teamaccess.adapters.sql._work import _page_select

    params = {"company_id": "c0", "user_id": "u0"}
    select = _page_select(store.tables, False, False, True, 51, store.engine.dialect)
    own, at = raw_statement(store.engine, select.select.statement), select.leads_at
    hand = raw_connection(store.engine)
    by_hand = union_sql(store, placeholder(store.engine))

    def union() -> list[Any]:
        cursor = hand.cursor()
        cursor.execute(by_hand, union_params("c0"))
        rows = cursor.fetchall()
        cursor.close()
        return list(rows)

    def union_leads() -> list[Lead]:
        return [_lead_of(row) for row in union()]

    page = ta.leads.visible("u0", "c0", limit=50).items
    assert [lead.id for lead in page] == sorted(row[at] for row in own(params) if row[0] == 1)[:50]
    assert list(page) == union_leads()[:50]
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(store.engine, "before_cursor_execute", listen)
    ta.leads.visible("u0", "c0", limit=50)
    sa.event.remove(store.engine, "before_cursor_execute", listen)
    ours, base, plain, valued = interleaved(
        [
            lambda *_: ta.leads.visible("u0", "c0", limit=50),
            lambda *_: own(params),
            lambda *_: union(),
            lambda *_: union_leads(),
        ],
        [("", "", "")] * repeat,
    )
    return [
        ("lead page of 50, p50 us (vs its statement)", _p(ours, 0.5), _p(base, 0.5), "<= 2x"),
        ("lead page of 50, p99 us (vs its statement)", _p(ours, 0.99), _p(base, 0.99), "-"),
        ("lead page of 50, p50 us (vs UNION by hand)", _p(ours, 0.5), _p(plain, 0.5), "-"),
        ("  vs the UNION building the same Leads", _p(ours, 0.5), _p(valued, 0.5), "-"),
        ("statements a page (guard and page in one)", len(seen), 1, "1"),
    ]


def bench(url: str, args: argparse.Namespace, *, only_checks: bool = False) -> list[Row]:
    store = SqlStore(create_engine(url), prefix=PREFIX)
    store.drop_schema()
    store.create_schema()
    try:
        load(store, args.users, args.companies, 0 if only_checks else args.leads)
        ta = make_service(store)
        asked = questions(args.users, args.companies, args.questions)
        rows = checks(ta, store, asked)
        if store.dialect == "sqlite":
            rows += writes_elsewhere(url, ta, args, asked)
        elif not only_checks and not store.is_async:
            rows += cache(url, args, asked)
        if not only_checks:
            rows += threads(ta, store, asked, args.seconds)
            rows += lead_page(ta, store, args.repeat)
        return rows
    finally:
        for pooled in _HELD:
            pooled.close()
        _HELD.clear()
        store.drop_schema()
        store.engine.dispose()


def show(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"{'case':<42} {'teamaccess':>11} {'raw driver':>11} {'ratio':>7} {'target':>8}")
    for case, ours, base, target in rows:
        print(f"{case:<42} {ours:>11,.2f} {base:>11,.2f} {ours / base:>6.2f}x {target:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", default="sqlite,postgres,mariadb")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--mariadb-urls", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": f"sqlite:///{Path(folder) / 'floors.sqlite'}", **URLS}
        for adapter in filter(None, args.adapters.split(",")):
            try:
                rows = bench(urls[adapter], args)
            except sa.exc.OperationalError as error:
                print(f"\nskipped {adapter}: {str(error.orig).splitlines()[0]}")
                continue
            show(f"{adapter} ({sa.make_url(urls[adapter]).drivername})", rows)
    for url in filter(None, args.mariadb_urls.split(",")):
        show(f"MariaDB through {sa.make_url(url).drivername}", bench(url, args, only_checks=True))


if __name__ == "__main__":
    main()
