"""On SQL, a page of visible leads is one select, its guard included (issues 18 and 29).

A single statement sees one snapshot, so the page runs in autocommit on a kept
connection (``reader(one_statement=True)``): no BEGIN, no ROLLBACK. The company and
the actor's membership come back with the page, and the service judges them as every
read of a company (R-LEAD-4). Counted with SQLAlchemy's ``before_cursor_execute``
(SQLite's BEGIN is a statement there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import attrs
import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import in_transaction, make_service
from teamaccess.values import CompanyId, Lead, LeadId, LeadState, Membership, UserId

from ..backends import POSTGRES

LEADS = 120
PAGE = 50
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
ADMIN = "platform"


@contextmanager
def statements(store) -> Iterator[list[str]]:
    """The first word of every statement sent inside the block."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", listen)


def outcome(call: Callable[[], object]) -> tuple[str, str]:
    """What the caller sees: the page's lead ids, or the error's type and text."""
    try:
        page = call()
    except Exception as error:  # every refusal, whatever its type, is compared whole
        return type(error).__name__, str(error)
    return "page", str([lead.id for lead in page.items])  # type: ignore[attr-defined]


def test_r_lead_7_a_page_of_visible_leads_is_one_select(sql_store) -> None:
    """R-LEAD-7: every page is one statement, guard included, and the pages are the leads in id order."""
    ta = make_service(sql_store)
    ta.users.register("olga", "olga@example.com")
    ta.users.register("gus", "gus@example.com")
    ta.companies.create("olga", "Operator", company_id="op")
    ta.companies.create("gus", "Giver", company_id="giver")

    def add(tx) -> None:
        for i in range(LEADS):
            lead = Lead(LeadId(f"L{i:04d}"), CompanyId("op"), CompanyId("giver"), f"Lead {i}",
                        LeadState.OFFERED, WHEN)  # fmt: skip
            tx.leads.add(lead, [])

    in_transaction(sql_store, add)
    counts, ids, after = [], [], None
    while True:
        with statements(sql_store) as seen:
            page = ta.leads.visible("olga", "op", after=after, limit=PAGE)
        counts.append(seen)
        ids += [lead.id for lead in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert ids == [f"L{i:04d}" for i in range(LEADS)]
    assert counts == [["SELECT"]] * 3  # the company, the membership and the page together


@pytest.fixture
def market(sql_store, clock):
    """Companies "op" (operating L1, offered to "dealer") and "dealer"; a few members of each."""
    ta = make_service(sql_store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "olga", "otto", "dana", "xaver", "ghost", "late", "gone"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("olga", "Operator", company_id="op")
    ta.companies.create("dana", "Dealer", company_id="dealer")
    ta.members.add("olga", "op", "otto")
    ta.leads.set_market_roles(ADMIN, "op", ["operator", "lead_giver"])
    ta.leads.set_market_roles(ADMIN, "dealer", ["lead_taker"])
    ta.leads.offer("olga", "op", taker_ids=["dealer"], title="Pumps", lead_id="L1")
    now = clock()

    def members(tx) -> None:  # what no command writes: a role no policy knows; windows
        for user, changes in [
            ("ghost", {"role": "no-such-role"}),
            ("late", {"starts_at": now + timedelta(days=1)}),
            ("gone", {"expires_at": now - timedelta(days=1)}),
        ]:
            member = Membership(CompanyId("op"), UserId(user), "member", now - timedelta(days=2))
            tx.memberships.add(attrs.evolve(member, **changes))

    in_transaction(sql_store, members)
    return ta


def _close(store, company_id: str, when: datetime) -> None:
    """Close the company with its members still in it (a merge would move them)."""

    def close(tx) -> None:
        company = tx.companies.get(CompanyId(company_id))
        tx.companies.update(attrs.evolve(company, closed_at=when))

    in_transaction(store, close)


def test_r_lead_4_every_refusal_is_the_guards_and_costs_the_one_statement(
    sql_store, market, clock
) -> None:
    """R-LEAD-4, R-ALL-9: each actor gets what the separate guard gave (the one `leads.get` still reads first), in one statement."""
    cases = [
        ("olga", "op"),  # the operator's admin: the page
        ("otto", "op"),  # a colleague: the same page
        ("dana", "dealer"),  # a taker: the offer
        ("xaver", "op"),  # an outsider: NotAMember
        ("xaver", "nowhere"),  # no such company: the outsider's answer
        ("olga", "nowhere"),
        ("ghost", "op"),  # a role the policy does not know
        ("late", "op"),  # not yet valid
        ("gone", "op"),  # expired
    ]
    seen: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for state in ("open", "suspended", "closed"):
        if state == "suspended":
            market.companies.suspend(ADMIN, "op", reason="unpaid invoice 4711")
        if state == "closed":
            market.companies.resume(ADMIN, "op")
            _close(sql_store, "op", clock())
        answers = seen[state] = {}
        for user, company in cases:
            with statements(sql_store) as sent:
                answers[user, company] = outcome(
                    lambda u=user, c=company: market.leads.visible(u, c)
                )
            assert sent == ["SELECT"], (state, user, company, sent)
            if answers[user, company][0] != "page":  # the guard's refusal, read separately
                guard = outcome(lambda u=user, c=company: market.leads.get(u, c, "L1"))
                assert answers[user, company] == guard, (state, user, company)
    assert seen["open"][("olga", "op")] == seen["open"][("otto", "op")] == ("page", "['L1']")
    assert seen["open"][("dana", "dealer")] == ("page", "['L1']")
    assert seen["suspended"][("dana", "dealer")] == ("page", "['L1']")  # only op is suspended
    refused = {key: answer[0] for key, answer in seen["open"].items() if answer[0] != "page"}
    assert refused == {
        ("xaver", "op"): "NotAMember", ("xaver", "nowhere"): "NotAMember",
        ("olga", "nowhere"): "NotAMember", ("ghost", "op"): "AccessDenied",
        ("late", "op"): "AccessDenied", ("gone", "op"): "AccessDenied",
    }  # fmt: skip
    for state in ("open", "suspended"):  # an outsider learns nothing of a company it is not in
        assert seen[state]["xaver", "op"][1] == seen[state]["xaver", "nowhere"][1].replace(
            "nowhere", "op"
        )
    suspended = seen["suspended"]["olga", "op"]
    assert suspended[0] == "AccessDenied"
    assert "company_suspended (R-CO-5)" in suspended[1]
    assert "unpaid invoice 4711" in suspended[1]  # a member learns the reason
    assert {seen["closed"][user, "op"][0] for user in ("olga", "xaver", "gone")} == {
        "CompanyClosed"
    }  # a closed company says so to everyone (R-CO-3)


@pytest.mark.parametrize("backend", [pytest.param(POSTGRES, id="postgres")])
def test_r_lead_7_postgresql_plans_a_page_once(backend) -> None:
    """R-LEAD-7: the page size is in the statement's text, so PostgreSQL reuses one plan.

    psycopg prepares a statement from its fifth run. With LIMIT bound as a parameter
    PostgreSQL judged its generic plan dearer than a fresh one and planned every page
    anew (0.4 ms of planning for a 0.2 ms page); with the number written in, the
    prepared statement keeps its generic plan (``pg_prepared_statements``).
    """
    shared = backend.store()
    shared.clear()
    store = SqlStore(shared.engine, prefix=shared.tables.prefix, fast_path_connections=1)
    ta = make_service(store)
    ta.users.register("olga", "olga@example.com")
    ta.companies.create("olga", "Operator", company_id="op")
    leads = store.tables.leads.name
    with store.engine.begin() as conn:  # enough leads for the planner to weigh its plans
        conn.exec_driver_sql(
            f"INSERT INTO {leads} (id, operator_id, giver_id, title, state, created_at)"  # noqa: S608
            " SELECT 'L' || lpad(i::text, 6, '0'), 'op', 'op', 'Lead', 'offered', now()"
            " FROM generate_series(1, 100000) AS i"
        )
        conn.exec_driver_sql(f"ANALYZE {leads}")
    pages = 20
    for _ in range(pages):
        assert len(ta.leads.visible("olga", "op", limit=PAGE).items) == PAGE
    with store.reader(one_statement=True) as tx:  # the pages' one kept connection
        plans = tx.leads._c.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%UNION ALL%%'"
        ).all()
    assert plans, "the page's statement was not prepared"
    generic, custom = max(plans)
    assert custom <= 5, plans  # planned anew on every run, it was 15
    assert generic >= 5, plans
