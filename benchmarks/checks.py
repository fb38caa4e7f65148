"""Benchmark: a permission check and "list my companies" per adapter, against a dict lookup.

Builds N users in M companies (default 10,000 in 1,000), then reports the median and
p99 latency per call of:

- ``check`` hit (a member opens the back office), miss (a non-member), miss (an
  unknown company);
- ``companies_of`` ("list my companies") for a user in 1 company;
- the baselines, in the same run: ``dict.get`` on a dict of the same memberships and,
  on SQL, a primary-key SELECT of the company through SQLAlchemy Core with a prebuilt
  statement on an open connection;
- pycasbin on the same facts (RBAC with domains: one domain per company, users
  grouped into ``admin``/``member`` per domain): ``Enforcer.enforce`` and
  ``FastEnforcer.enforce`` (policies filtered by domain and object), when ``casbin`` is installed.

Run: ``python benchmarks/checks.py`` (add ``--adapters memory,sqlite,postgres,mariadb``;
servers from TEAMACCESS_TEST_POSTGRES_URL / TEAMACCESS_TEST_MARIADB_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from teamaccess import Action, Company, Membership, MemoryStore, Store, User
from teamaccess.testing import make_service
from teamaccess.values import CompanyId, UserId

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
URLS = {
    "postgres": os.environ.get(
        "TEAMACCESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "TEAMACCESS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}


_T = TypeVar("_T")


def per_adapter(adapters: str, run: Callable[[str], _T]) -> list[_T]:
    """``run(adapter)`` for each comma-separated adapter name, in order.

    A server that cannot be used is reported and skipped; memory and SQLite always run.
    """
    results = []
    for adapter in adapters.split(","):
        try:
            results.append(run(adapter))
        except Exception as error:
            if adapter in ("memory", "sqlite"):
                raise
            print(f"skipped {adapter}: {type(error).__name__}: {str(error).splitlines()[0]}")
    return results


def autocommit_driver(pooled: Any, engine: sa.Engine) -> Any:
    """The DB-API connection of ``pooled``, switched to autocommit for ``engine``'s driver."""
    driver = pooled.driver_connection
    if engine.dialect.name == "sqlite":
        driver.isolation_level = None
    elif callable(getattr(driver, "autocommit", None)):  # PyMySQL, mysqlclient
        driver.autocommit(True)
    else:
        driver.autocommit = True
    return driver


def make_store(adapter: str) -> Store:
    if adapter == "memory":
        return MemoryStore()
    from teamaccess.adapters.sql import SqlStore

    url = URLS.get(adapter) or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    store = SqlStore.from_url(url, prefix="tabench_")
    store.drop_schema()
    store.create_schema()
    return store


def load(store: Store, users: int, companies: int) -> None:
    """Bulk-load the facts in one transaction through the ports."""
    per_company = users // companies
    with store.transaction() as tx:
        for u in range(users):
            tx.users.add(User(UserId(f"u{u}"), f"u{u}@example.com"))
        for c in range(companies):
            company = Company(CompanyId(f"c{c}"), f"Company {c}", NOW)
            tx.companies.add(company)
            for k in range(per_company):
                user_id = UserId(f"u{c * per_company + k}")
                tx.memberships.add(
                    Membership(company.id, user_id, "admin" if k == 0 else "member", NOW, k == 0)
                )
        tx.commit()


def measure(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p99 of one call, in microseconds; each sample times a batch."""
    batch = 1
    while True:  # grow the batch until one sample takes >= 20 us, to beat timer noise
        start = time.perf_counter_ns()
        for _ in range(batch):
            call()
        if time.perf_counter_ns() - start >= 20_000 or batch >= 1024:
            break
        batch *= 2
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(batch):
            call()
        samples.append((time.perf_counter_ns() - start) / batch / 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def run(adapter: str, users: int, companies: int, repeat: int) -> list[dict[str, object]]:
    store = make_store(adapter)
    load(store, users, companies)
    ta = make_service(store)
    member, outsider = "u5", f"u{users - 1}"
    # The answers must be right before they are fast.
    assert ta.check(member, "c0", Action.OPEN_BACKOFFICE).allowed
    assert not ta.check(outsider, "c0", Action.OPEN_BACKOFFICE).allowed
    assert not ta.check(member, "nowhere", Action.OPEN_BACKOFFICE).allowed
    assert [m.company_id for m in ta.members.of_user(member)] == ["c0"]

    baseline = {
        (f"c{c}", f"u{u}"): True for c in range(companies) for u in range(users // companies)
    }
    calls: list[tuple[str, Callable[[], object]]] = [
        ("dict lookup (baseline)", lambda: baseline.get(("c0", member))),
        ("check: member (hit)", lambda: ta.check(member, "c0", Action.OPEN_BACKOFFICE)),
        ("check: non-member (miss)", lambda: ta.check(outsider, "c0", Action.OPEN_BACKOFFICE)),
        ("check: unknown company", lambda: ta.check(member, "nowhere", Action.OPEN_BACKOFFICE)),
        ("companies_of (list mine)", lambda: ta.members.of_user(member)),
    ]
    engine = getattr(store, "engine", None)
    if engine is not None:
        calls.append(("raw Core PK select (base)", raw_select(store)))
    rows = []
    for name, call in calls:
        median, p99 = measure(call, repeat)
        rows.append({"adapter": adapter, "scenario": name, "median_us": median, "p99_us": p99})
    base = rows[0]["median_us"]
    for row in rows:
        row["x_dict"] = row["median_us"] / base  # type: ignore[operator]
    if engine is not None:
        store.drop_schema()
        engine.dispose()
    return rows


def raw_select(store: Store) -> Callable[[], object]:
    """A primary-key SELECT through SQLAlchemy Core, prebuilt, on an open connection."""
    t = store.tables.companies  # type: ignore[attr-defined]
    statement = sa.select(t).where(t.c.id == sa.bindparam("id"))
    engine = store.engine  # type: ignore[attr-defined]
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    sa.event.listen(engine, "engine_disposed", lambda _engine: conn.close())
    return lambda: conn.execute(statement, {"id": "c0"}).first()


CASBIN_MODEL = """
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""


def casbin_rows(users: int, companies: int, repeat: int) -> list[dict[str, object]]:
    """Pycasbin's Enforcer and FastEnforcer on the same facts, or nothing if not installed."""
    try:
        import casbin  # type: ignore[import-untyped]
    except ImportError:
        return []
    per_company = users // companies
    model = Path(tempfile.mkdtemp()) / "rbac_with_domains.conf"
    model.write_text(CASBIN_MODEL)
    rows = []
    for name, make in [
        ("casbin Enforcer", lambda m: casbin.Enforcer(m)),
        ("casbin FastEnforcer", lambda m: casbin.FastEnforcer(m, cache_key_order=[1, 2])),
    ]:
        enforcer = make(str(model))
        for c in range(companies):
            for role in ("admin", "member"):
                enforcer.add_policy(role, f"c{c}", "backoffice", "open")
            for k in range(per_company):
                role = "admin" if k == 0 else "member"
                enforcer.add_grouping_policy(f"u{c * per_company + k}", role, f"c{c}")
        outsider = f"u{users - 1}"
        assert enforcer.enforce("u5", "c0", "backoffice", "open")
        assert not enforcer.enforce(outsider, "c0", "backoffice", "open")
        assert not enforcer.enforce("u5", "nowhere", "backoffice", "open")
        for case, args in [("hit", ("u5", "c0")), ("miss", (outsider, "c0")),
                           ("unknown company", ("u5", "nowhere"))]:  # fmt: skip
            median, p99 = measure(
                lambda a=args, e=enforcer: e.enforce(a[0], a[1], "backoffice", "open"),
                max(3, repeat // 20),
            )
            rows.append({"adapter": "casbin", "scenario": f"{name} ({case})",
                         "median_us": median, "p99_us": p99})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--adapters", default="memory,sqlite,postgres,mariadb")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--no-casbin", action="store_true", help="leave pycasbin out")
    args = parser.parse_args(argv)

    rows: list[dict[str, object]] = []
    if not args.no_casbin:
        rows += casbin_rows(args.users, args.companies, args.repeat)
    for found in per_adapter(
        args.adapters, lambda a: run(a, args.users, args.companies, args.repeat)
    ):
        rows += found
    print(f"{args.users} users in {args.companies} companies; median and p99 per call")
    print(f"{'adapter':<9} {'scenario':<31} {'median us':>10} {'p99 us':>10} {'x dict':>9}")
    for row in rows:
        x_dict = f"{row['x_dict']:>9.0f}" if "x_dict" in row else f"{'-':>9}"
        print(
            f"{row['adapter']:<9} {row['scenario']:<31} {row['median_us']:>10.2f} "
            f"{row['p99_us']:>10.2f} {x_dict}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
