"""Benchmark: "which leads may this user see?", first page of 50, at 100k and 1M leads (R-LEAD-7).

Builds N companies (default 10,000): c0000..c0009 operate marketplaces, c0010..c0109
give leads, every company takes them. Lead i is operated by one of the 10 operators,
given by one of the 100 givers and offered to two takers (c0110 is one of them for
every 100th lead, so its first page is full at both sizes); every other lead is
picked by its first taker. Two more companies, m1 and m2, each picked 10,000 leads.

For each size (100,000 then 1,000,000 leads) it reports the median and p99 ms of the
first page of 50 visible leads for a member of a taker, of a giver and of an operator
(who sees 100,000 leads at 1M), and for an outsider asking for the operator's
(refused with ``NotAMember``: the guard inside the statement reads none of its
leads); the SELECTs one page costs (on SQL 1, the membership guard R-LEAD-4
included); and two same-run baselines. ``raw``: a raw Core keyset page of 50 rows of
the leads table by primary key (memory: merging four id lists in plain Python).
``union`` (SQL only): the page's query written by hand, a UNION of the four index
range scans each stopped by its LIMIT and joined back to the leads, without any
guard, run through the driver (sqlite3, psycopg, PyMySQL) on a connection kept open
in autocommit. Then it merges m2 into m1 (10,000 leads each) and reports the time.
Every page, the hand-written one too, is checked against a brute-force answer over
the generated facts.

Run: ``python benchmarks/leads.py [--leads 100000,1000000] [--adapters memory,sqlite,postgres]
[--explain]``; ``--explain`` prints PostgreSQL's EXPLAIN ANALYZE of the operator's page
and of an outsider's (whose guard stops every branch).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from checks import NOW, autocommit_driver, make_store, per_adapter  # type: ignore[import-not-found]
from overview import statements_of  # type: ignore[import-not-found]

from teamaccess import Company, Lead, LeadState, Membership, Store, User
from teamaccess.errors import AccessDenied, NotAMember
from teamaccess.testing import make_service
from teamaccess.values import CompanyId, LeadId, UserId

OPERATORS, GIVERS, PAGE, PICKED_BY_M = 10, 100, 50, 10_000


def company_ids(companies: int) -> list[str]:
    return [f"c{i:04d}" for i in range(companies)]


def lead_facts(i: int, companies: list[str]) -> tuple[Lead, list[CompanyId]]:
    """Lead number ``i`` and the takers it is still offered to."""
    takers = companies[OPERATORS + GIVERS :]
    first = takers[0] if i % 100 == 0 else takers[(i * 7) % len(takers)]  # c0110: 1 in 100
    second = takers[(i * 13 + 1) % len(takers)]
    picked = CompanyId(first) if i % 2 else None
    if i < 2 * PICKED_BY_M:  # m1 and m2 picked the first 20,000
        picked = CompanyId("m1" if i < PICKED_BY_M else "m2")
    lead = Lead(
        LeadId(f"L{i:07d}"),
        CompanyId(companies[i % OPERATORS]),
        CompanyId(companies[OPERATORS + i % GIVERS]),
        f"Lead {i}",
        LeadState.PICKED if picked else LeadState.OFFERED,
        NOW,
        picked_by=picked,
    )
    offers = [] if picked else sorted({CompanyId(first), CompanyId(second)})
    return lead, offers


def build_companies(store: Store, companies: list[str]) -> None:
    with store.transaction() as tx:
        for user in ("u-op", "u-giver", "u-taker", "u-m1", "u-m2", "admin"):
            tx.users.add(User(UserId(user), f"{user}@example.com"))
        for cid in [*companies, "m1", "m2"]:
            tx.companies.add(Company(CompanyId(cid), cid, NOW))
        taker = companies[OPERATORS + GIVERS]
        for user, cid in [("u-op", companies[0]), ("u-giver", companies[OPERATORS]),
                          ("u-taker", taker), ("u-m1", "m1"), ("u-m2", "m2")]:  # fmt: skip
            tx.memberships.add(Membership(CompanyId(cid), UserId(user), "admin", NOW, True))
        tx.commit()


def add_leads(store: Store, start: int, stop: int, companies: list[str]) -> None:
    """Leads ``start..stop-1``: through the port on memory, by bulk insert on SQL."""
    engine = getattr(store, "engine", None)
    if engine is None:
        with store.transaction() as tx:
            for i in range(start, stop):
                tx.leads.add(*lead_facts(i, companies))
            tx.commit()
        return
    t = store.tables  # type: ignore[attr-defined]
    for chunk in range(start, stop, 20_000):
        leads, offers = [], []
        for i in range(chunk, min(chunk + 20_000, stop)):
            lead, takers = lead_facts(i, companies)
            leads.append({"id": lead.id, "operator_id": lead.operator_id,
                          "giver_id": lead.giver_id, "title": lead.title,
                          "state": lead.state.value, "created_at": NOW,
                          "picked_by": lead.picked_by})  # fmt: skip
            offers += [{"lead_id": lead.id, "company_id": c} for c in takers]
        with engine.begin() as conn:
            conn.execute(t.leads.insert(), leads)
            if offers:
                conn.execute(t.offers.insert(), offers)
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {store.tables.leads.name}")  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"VACUUM ANALYZE {store.tables.offers.name}")  # type: ignore[attr-defined]


def expected_first_page(company: str, size: int, companies: list[str]) -> list[str]:
    """The brute-force answer: scan every lead."""
    found = []
    for i in range(size):
        lead, offers = lead_facts(i, companies)
        if company in (lead.operator_id, lead.giver_id, lead.picked_by) or company in offers:
            found.append(lead.id)
            if len(found) == PAGE:
                break
    return found


def baseline(store: Store) -> Callable[[], object]:
    engine = getattr(store, "engine", None)
    if engine is None:
        lists = [[f"L{i:07d}" for i in range(k, 5000, 4)] for k in range(4)]
        return lambda: list(itertools.islice(heapq.merge(*lists), PAGE))
    t = store.tables.leads  # type: ignore[attr-defined]
    statement = sa.select(t).where(t.c.id > sa.bindparam("after")).order_by(t.c.id).limit(PAGE)

    def page() -> object:
        with engine.connect() as conn:
            return conn.execute(statement, {"after": "L0050000"}).all()

    return page


LEAD_COLUMNS = ("id", "operator_id", "giver_id", "title", "state", "created_at", "picked_by",
                "picked_by_user", "picked_at", "assignee_id")  # fmt: skip


def union_sql(store: Store, mark: str, limit: int = PAGE + 1) -> str:
    """The page's query written by hand: four index range scans stopped by a LIMIT, joined back.

    ``mark`` is the driver's placeholder; the parameters are `union_params`. The
    store's table names and the page size are put in the text, every other value is a
    parameter: with LIMIT as a parameter PostgreSQL plans the prepared statement anew
    on every run (the library writes its page size in for the same reason).
    """
    leads, offers = store.tables.leads.name, store.tables.offers.name  # type: ignore[attr-defined]
    scans = [
        f"SELECT id FROM {leads} WHERE {column} = {mark} ORDER BY id LIMIT {limit:d}"  # noqa: S608
        for column in ("operator_id", "giver_id", "picked_by")
    ]
    scans.append(
        f"SELECT lead_id AS id FROM {offers} WHERE company_id = {mark} "  # noqa: S608
        f"ORDER BY lead_id LIMIT {limit:d}"
    )
    union = " UNION ".join(
        f"SELECT id FROM ({scan}) b{i}"  # noqa: S608
        for i, scan in enumerate(scans)
    )
    columns = ", ".join(f"l.{name}" for name in LEAD_COLUMNS)
    return (
        f"SELECT {columns} FROM {leads} l JOIN ({union}) v ON v.id = l.id "  # noqa: S608
        f"ORDER BY l.id LIMIT {limit:d}"
    )


def union_params(company: str) -> tuple[object, ...]:
    """The company, for each of the four scans."""
    return (company,) * 4


class UnionPage:
    """`union_sql` run through the driver on a connection of its own, kept open in autocommit."""

    def __init__(self, store: Store) -> None:
        engine = store.engine  # type: ignore[attr-defined]
        self._pooled = engine.raw_connection()
        self._driver = autocommit_driver(self._pooled, engine)
        self.sql = union_sql(store, "?" if engine.dialect.paramstyle == "qmark" else "%s")

    def page(self, company: str) -> list[Any]:
        """The company's page, 51 rows (the service asks for one more than it shows)."""
        cursor = self._driver.cursor()
        cursor.execute(self.sql, union_params(company))
        rows = cursor.fetchall()
        cursor.close()
        return list(rows)

    def close(self) -> None:
        """Give the connection back to the engine's pool."""
        self._pooled.close()


def sample(calls: list[Callable[[], object]], repeat: int) -> list[tuple[float, float]]:
    """Median and p99 ms of each call; the calls take turns, so drift weighs on all alike."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for call, kept in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            kept.append((time.perf_counter() - start) * 1000)
    found = []
    for kept in times:
        kept.sort()
        found.append((statistics.median(kept), kept[min(len(kept) - 1, int(len(kept) * 0.99))]))
    return found


def explain(store: Store, user: str, company: str) -> str:
    """PostgreSQL's plan of the visible-leads statement for ``user`` acting for ``company``."""
    engine = store.engine  # type: ignore[attr-defined]
    captured: list[Any] = []

    def listen(_c: object, _cur: object, statement: str, params: Any, *_: object) -> None:
        if "UNION" in statement:
            captured.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        make_service(store).leads.visible(user, company, limit=PAGE)
    except AccessDenied:
        pass  # an outsider: refused, after the same one statement
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    statement, params = captured[0]
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run(adapter: str, sizes: list[int], companies_n: int, repeat: int, show: bool) -> list[dict]:
    store = make_store(adapter)
    companies = company_ids(companies_n)
    build_companies(store, companies)
    ta = make_service(store, platform_admins={"admin"})
    who = {"taker": ("u-taker", companies[OPERATORS + GIVERS]),
           "giver": ("u-giver", companies[OPERATORS]),
           "operator": ("u-op", companies[0]),
           "outsider": ("u-taker", companies[0])}  # fmt: skip

    def first_page(user: str, company: str) -> list[str] | None:
        """The ids of the first page, or None for an outsider (refused: NotAMember)."""
        try:
            return [lead.id for lead in ta.leads.visible(user, company, limit=PAGE).items]
        except NotAMember:
            return None

    union = UnionPage(store) if hasattr(store, "engine") else None
    rows, done = [], 0
    try:
        for size in sizes:
            start = time.perf_counter()
            add_leads(store, done, size, companies)
            load_s, done = time.perf_counter() - start, size
            for role, (user, company) in who.items():
                expected = expected_first_page(company, size, companies)
                assert first_page(user, company) == (None if role == "outsider" else expected)
                hand = None if union is None or role == "outsider" else union
                if hand is not None:
                    assert [row[0] for row in hand.page(company)][:PAGE] == expected
                calls = [lambda u=user, c=company: first_page(u, c), baseline(store)]
                if hand is not None:
                    calls.append(lambda c=company, h=hand: h.page(c))
                measured = sample(calls, repeat)
                (median, p99), (raw_ms, _) = measured[:2]
                rows.append({
                    "adapter": adapter, "leads": size, "viewer": role, "load_s": load_s,
                    "median_ms": median, "p99_ms": p99, "baseline_ms": raw_ms,
                    "union_ms": measured[2][0] if hand is not None else None,
                    "selects": statements_of(store, lambda u=user, c=company: first_page(u, c)),
                })  # fmt: skip
        if show and adapter == "postgres":
            print(f"-- the operator's page\n{explain(store, 'u-op', companies[0])}")
            print(f"-- an outsider's page\n{explain(store, 'u-taker', companies[0])}")
    finally:
        if union is not None:
            union.close()
    start = time.perf_counter()
    ta.lifecycle.merge("admin", "m2", "m1")
    merge_ms = (time.perf_counter() - start) * 1000
    assert len(ta.leads.visible("u-m2", "m1", state="picked", limit=1000).items) == 1000
    for row in rows:
        row["merge_ms"] = merge_ms
    if hasattr(store, "engine"):
        store.drop_schema()
        store.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="100000,1000000")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--adapters", default="memory,sqlite,postgres")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.leads.split(",")]
    if min(sizes) < 2 * PICKED_BY_M:
        raise SystemExit(f"--leads must be at least {2 * PICKED_BY_M}")
    rows = [
        row
        for found in per_adapter(
            args.adapters, lambda a: run(a, sizes, args.companies, args.repeat, args.explain)
        )
        for row in found
    ]
    title = f"first page of {PAGE} visible leads, {args.companies} companies"
    print(f"{title}; merge of 2 x {PICKED_BY_M} leads")
    print(f"{'adapter':<9} {'leads':>8} {'viewer':<9} {'load s':>7} {'median ms':>9} {'p99 ms':>7} "
          f"{'raw ms':>7} {'x raw':>6} {'union ms':>8} {'x union':>7} {'selects':>7} "
          f"{'merge ms':>9}")  # fmt: skip
    for r in rows:
        ratio = r["median_ms"] / r["baseline_ms"]
        selects = "-" if r["selects"] is None else r["selects"]
        union, by_hand = "-", "-"
        if r["union_ms"] is not None:
            union, by_hand = f"{r['union_ms']:.3f}", f"{r['median_ms'] / r['union_ms']:.2f}"
        print(f"{r['adapter']:<9} {r['leads']:>8} {r['viewer']:<9} {r['load_s']:>7.1f} "
              f"{r['median_ms']:>9.3f} {r['p99_ms']:>7.3f} {r['baseline_ms']:>7.3f} "
              f"{ratio:>6.1f} {union:>8} {by_hand:>7} {selects:>7} "
              f"{r['merge_ms']:>9.0f}")  # fmt: skip
    for adapter in dict.fromkeys(r["adapter"] for r in rows):
        if len(sizes) < 2:
            continue
        mine = [r for r in rows if r["adapter"] == adapter]
        for name, key in (("teamaccess", "median_ms"), ("union", "union_ms")):
            by = {(r["leads"], r["viewer"]): r[key] for r in mine}
            if all(value is None for value in by.values()):
                continue
            growth = ", ".join(
                f"{v} x{by[(sizes[-1], v)] / by[(sizes[0], v)]:.2f}"
                for v in dict.fromkeys(r["viewer"] for r in mine)
                if by[(sizes[0], v)] is not None
            )
            print(f"{adapter} {name}: {sizes[0]} -> {sizes[-1]} leads: {growth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
