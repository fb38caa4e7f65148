"""Filters for the host's tables and the batch check, on every SQL store (issue 32).

``company_filter`` keeps exactly the host's rows whose company the check allows: a
random world of memberships with roles (built in, the company's own, several at once,
temporary), partners' sight from above with its windows, suspended companies, time
windows and support grants, compared row by row with ``ta.check`` on SQLite,
PostgreSQL and MariaDB. ``check_many`` gives the decisions of ``check`` on every store,
in one statement on SQL. On PostgreSQL with 100k host rows the filter is one
statement whose plan reaches the host's rows through the index on its company column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings

from teamaccess import MemoryStore
from teamaccess.adapters.sql import SqlStore, company_filter
from teamaccess.errors import InvalidInput, InvalidName
from teamaccess.testing import FrozenClock, make_service
from teamaccess.testing.contract._helpers import examples
from teamaccess.testing.worlds import (
    WORLD_ACTIONS,
    WORLD_OPTIONS,
    WORLD_USERS,
    World,
    build_world,
    worlds,
)

_HOST_IDS = ("w0", "w1", "w2", "w3", "nowhere", None)


def _host_table(store: SqlStore) -> sa.Table:
    """The host's own table (``<prefix>host_rows``): a row per company id, one unknown, one NULL."""
    metadata = sa.MetaData()
    table = sa.Table(
        f"{store.tables.prefix}host_rows",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("company_id", sa.String(64), nullable=True, index=True),
    )
    with store.engine.begin() as conn:
        metadata.create_all(conn)
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0:
            conn.execute(
                table.insert(), [{"id": i, "company_id": c} for i, c in enumerate(_HOST_IDS)]
            )
    return table


@pytest.fixture
def host(sql_store: SqlStore) -> tuple[SqlStore, sa.Table]:
    """The SQL store and the host's table beside teamaccess's."""
    return sql_store, _host_table(sql_store)


def _kept(store: SqlStore, table: sa.Table, clause: Any) -> list[str | None]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.company_id).where(clause).order_by(table.c.id))
        return [row.company_id for row in rows]


@settings(max_examples=examples(6))
@given(world=worlds())
def test_r_part_2_r_co_8_r_time_1_company_filter_keeps_the_rows_check_allows(
    host: tuple[SqlStore, sa.Table], world: World
) -> None:
    """R-PART-2, R-PART-5, R-CO-8, R-TIME-1, R-ROLE-1, R-ROLE-3, R-SUP-1, R-ALL-1, R-ALL-5: the host's rows the filter keeps are exactly those ``ta.check`` allows, for every user and action of a random world."""
    store, table = host
    store.clear()
    clock = FrozenClock()
    ta = make_service(store, clock=clock, **WORLD_OPTIONS)
    build_world(ta, clock, world)
    for user in WORLD_USERS:
        for action in WORLD_ACTIONS:
            expected = [c for c in _HOST_IDS if c is not None and ta.check(user, c, action)]
            got = _kept(store, table, company_filter(ta, user, action, table.c.company_id))
            assert got == expected, (user, action)


def test_r_part_2_company_filter_follows_the_clock_suspension_and_sight(host) -> None:
    """R-PART-2, R-CO-8, R-TIME-1, R-ALL-1: the filter follows a membership's end, a partner's sight window and a suspension of the ancestor, as the check does; unknown and NULL company ids are never kept."""
    store, table = host
    store.clear()
    clock = FrozenClock()
    ta = make_service(store, clock=clock, platform_admins=["root"])
    for user in ("root", "paula", "karl"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("paula", "Partner", company_id="w0")
    ta.partners.create_child("paula", "w0", "Customer", company_id="w1")
    ta.members.add("paula", "w0", "karl", expires_at=clock.now + _days(2))

    def kept(action: str = "view_overview") -> list[str | None]:
        return _kept(store, table, company_filter(ta, "karl", action, table.c.company_id))

    assert kept() == ["w0", "w1"]  # member of the partner, overview of the account below
    assert kept("open_backoffice") == ["w0"]  # the account's data is its members' (R-PART-2)
    ta.partners.set_sight_window("paula", "w1", starts_at=clock.now + _days(1))
    assert kept() == ["w0"]  # the sight starts tomorrow
    clock.advance(days=1)
    assert kept() == ["w0", "w1"]
    ta.companies.suspend("root", "w0", reason="unpaid")
    assert kept() == []  # the partner itself, and its sight of the account (R-CO-8)
    ta.companies.resume("root", "w0")
    assert kept() == ["w0", "w1"]
    clock.advance(days=1)
    assert kept() == []  # karl's membership ended (R-TIME-1)


def test_r_part_5_r_sup_1_the_nearest_membership_decides_as_in_the_check(host) -> None:
    """R-PART-5, R-PART-2, R-SUP-1, R-MEM-8: a member's own role decides in their company (an admin above does not help), the nearest ancestor's membership decides below it (not a farther one), and a staff member with sight from above is not let in by a support grant."""
    store, table = host
    store.clear()
    clock = FrozenClock()
    ta = make_service(store, clock=clock, **WORLD_OPTIONS)
    for user in ("root", "boss", "u1", "u3"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("boss", "Top", company_id="w0")
    ta.partners.create_child("boss", "w0", "Middle", company_id="w1")
    ta.partners.create_child("boss", "w1", "Bottom", company_id="w2")
    ta.members.add("boss", "w0", "u1", role="admin")
    ta.members.add("boss", "w1", "u1", role="member")  # nearer than w0 for w2
    ta.members.add("boss", "w0", "u3", role="member")
    grant = ta.support.request("u3", "w1", reason="help", permissions=["open_backoffice"])
    ta.support.approve("boss", grant.id)

    def kept(user: str, action: str) -> list[str | None]:
        return _kept(store, table, company_filter(ta, user, action, table.c.company_id))

    for user, action, expected in [
        ("u1", "manage_team", ["w0"]),  # a member of w1 and of w2's nearest: their role there
        ("u1", "view_overview", ["w0", "w1", "w2"]),
        ("u3", "open_backoffice", ["w0"]),  # w1: sight from w0 decides, the grant is not asked
        ("u3", "view_overview", ["w0", "w1", "w2"]),
    ]:
        assert kept(user, action) == expected, (user, action)
        assert expected == [c for c in _HOST_IDS if c is not None and ta.check(user, c, action)]


def test_r_all_6_company_filter_refuses_a_memory_store_and_bad_input() -> None:
    """R-ALL-6, R-ALL-7: over the in-memory store the filter would be a list of ids: it raises TypeError; a malformed id raises InvalidName."""
    ta = make_service(MemoryStore())
    column = sa.column("company_id")
    with pytest.raises(TypeError, match="list of company ids"):
        company_filter(ta, "anna", "view_overview", column)
    store = SqlStore.from_url("sqlite://")
    store.create_schema()
    with pytest.raises(InvalidName):
        company_filter(make_service(store), " anna", "view_overview", column)


@settings(max_examples=examples(4))
@given(world=worlds(max_companies=3))
def test_r_all_2_r_all_5_check_many_equals_check_on_every_store(
    store_factory, world: World
) -> None:
    """R-ALL-2, R-ALL-5: ``check_many`` gives, pair for pair, the decision ``check`` gives, on every store."""
    clock = FrozenClock()
    ta = make_service(store_factory(), clock=clock, **WORLD_OPTIONS)
    build_world(ta, clock, world)
    pairs = [(c, a) for c in ("w0", "w1", "w2", "nowhere") for a in WORLD_ACTIONS]
    for user in WORLD_USERS:
        assert ta.access.check_many(user, pairs) == [ta.check(user, c, a) for c, a in pairs]


def test_r_all_2_check_many_is_one_statement_on_sql(sql_store: SqlStore) -> None:
    """R-ALL-2, R-PART-2: ``check_many`` over members, a partner's account and an unknown company reads them in one statement."""
    ta = make_service(sql_store)
    for user in ("anna", "carl"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "HQ", company_id="hq")
    ta.partners.create_child("anna", "hq", "Branch", company_id="branch")
    ta.members.add("anna", "hq", "carl")
    pairs = [
        ("hq", "open_backoffice"), ("branch", "view_overview"), ("branch", "manage_team"),
        ("nowhere", "open_backoffice"), ("hq", "manage_team"),
    ]  # fmt: skip
    seen: list[str] = []

    def listen(*args: object) -> None:
        seen.append(str(args[2]))

    sa.event.listen(sql_store.engine, "before_cursor_execute", listen)
    try:
        decisions = ta.access.check_many("carl", pairs)
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", listen)
    assert len(seen) == 1, seen
    assert [d.allowed for d in decisions] == [True, True, False, False, False]
    assert decisions == [ta.check("carl", c, a) for c, a in pairs]


def test_r_all_6_check_many_refuses_bad_pairs() -> None:
    """R-ALL-6, R-ALL-7: a pair that is not two ids, more than 1000 pairs, or a malformed id raise the library's errors."""
    ta = make_service()
    assert ta.access.check_many("anna", []) == []
    for bad in ("acme", [("acme",)], [("acme", "a", "b")], [3]):
        with pytest.raises(InvalidInput):
            ta.access.check_many("anna", bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidName):
        ta.access.check_many("anna", [("acme", "open\x00")])
    with pytest.raises(InvalidInput, match="1000"):
        ta.access.check_many("anna", [("acme", "open_backoffice")] * 1001)


def test_r_all_5_async_check_many_and_company_clause_answer_as_check(async_backend) -> None:
    """R-ALL-5, R-PART-2: on aiosqlite, asyncpg and asyncmy, ``await ata.access.check_many`` and a clause from ``await ata.access.company_filter`` give the check's answers."""
    from teamaccess import AsyncTeamAccess
    from teamaccess.adapters.sql import company_clause
    from teamaccess.testing.blocking import run_blocking

    engine, store = async_backend.engine, async_backend.store()
    ata = AsyncTeamAccess(store, clock=FrozenClock())
    table = sa.Table(
        f"{store.tables.prefix}host_async_rows", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("company_id", sa.String(64)),
    )  # fmt: skip
    pairs = [("hq", "view_overview"), ("branch", "view_overview"), ("branch", "manage_team")]

    async def run() -> tuple[list[bool], list[bool], list[str]]:
        async with engine.begin() as conn:
            await conn.run_sync(table.create, checkfirst=True)
            await conn.execute(table.delete())
            await conn.execute(
                table.insert(), [{"id": 1, "company_id": "hq"}, {"id": 2, "company_id": "branch"}]
            )
        for user in ("anna", "carl"):
            await ata.users.register(user, f"{user}@example.com")
        await ata.companies.create("anna", "HQ", company_id="hq")
        await ata.partners.create_child("anna", "hq", "Branch", company_id="branch")
        await ata.members.add("anna", "hq", "carl")
        many = [d.allowed for d in await ata.access.check_many("carl", pairs)]
        one = [(await ata.check("carl", c, a)).allowed for c, a in pairs]
        spec = await ata.access.company_filter("carl", "open_backoffice")
        query = sa.select(table.c.company_id).where(
            company_clause(spec, store.tables, table.c.company_id)
        )
        async with engine.connect() as conn:
            kept = list((await conn.execute(query)).scalars())
        async with engine.begin() as conn:
            await conn.run_sync(table.drop)
        return many, one, kept

    many, one, kept = run_blocking(run())
    assert many == one == [True, True, False]
    assert kept == ["hq"]


@pytest.mark.postgres
def test_r_part_2_company_filter_is_one_indexed_statement_at_100k_rows_on_postgres() -> None:
    """R-PART-2, R-LEAD-7: on PostgreSQL with 100k host rows the filter is one statement, planned with an index scan on the host's company column."""
    from ..backends import POSTGRES

    store = POSTGRES.store()
    store.clear()
    ta = make_service(store)
    for user in ("anna", "carl"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "HQ", company_id="c1")
    ta.partners.create_child("anna", "c1", "Branch", company_id="c2")
    ta.companies.create("anna", "Other", company_id="c3")
    ta.members.add("anna", "c1", "carl")
    name = f"{store.tables.prefix}host_big"
    table = sa.Table(
        name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company_id", sa.String(64)), sa.Index(f"{name}_company", "company_id"),
    )  # fmt: skip
    with store.engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.exec_driver_sql(
            f"INSERT INTO {name} (id, company_id) "  # noqa: S608 - the test's own table
            "SELECT g, 'c' || mod(g, 1000) FROM generate_series(1, 100000) AS g"
        )
        conn.exec_driver_sql(f"ANALYZE {name}")
    seen: list[str] = []

    def explain(
        conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> tuple[str, Any]:
        seen.append(statement)
        return "EXPLAIN (FORMAT JSON) " + statement, parameters

    query = sa.select(table.c.id).where(
        company_filter(ta, "carl", "view_overview", table.c.company_id)
    )
    try:
        with store.engine.connect() as conn:
            sa.event.listen(conn, "before_cursor_execute", explain, retval=True)
            plan = conn.execute(query).scalar()
        assert len(seen) == 1
        nodes = list(_nodes(plan if isinstance(plan, list) else json.loads(plan)))
        host_scans = [n["Node Type"] for n in nodes if n.get("Relation Name") == name]
        assert host_scans, nodes
        assert "Seq Scan" not in host_scans, host_scans
        by_index = [n["Node Type"] for n in nodes if n.get("Index Name") == f"{name}_company"]
        assert set(by_index) & {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}, by_index
        with store.engine.connect() as conn:  # and the answer: the 200 rows of c1 and c2
            assert len(conn.execute(query).all()) == 200
    finally:
        with store.engine.begin() as conn:
            table.drop(conn, checkfirst=True)


def _nodes(plan: Any) -> Iterator[dict[str, Any]]:
    if isinstance(plan, list):
        for item in plan:
            yield from _nodes(item)
    elif isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for key in ("Plan", "Plans"):
            if key in plan:
                yield from _nodes(plan[key])


def _days(n: float) -> Any:
    from datetime import timedelta

    return timedelta(days=n)
