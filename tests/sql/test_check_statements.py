"""How many statements a check costs on each SQL store, and that they answer alike (issue 18).

A member's check is one statement everywhere. A non-member's check on an account with
a parent also needs the nearest ancestor's membership (R-PART-2): one statement through
the closure table on SQLite; on PostgreSQL and MariaDB/MySQL, where the ancestor's part
costs about as much as the rest, the company and membership come first, and the whole
statement follows only in that case. Its row alone decides: one snapshot.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import make_service

from ..backends import SQL_BACKENDS, Sql


def test_r_part_2_a_check_is_one_statement_and_two_for_a_partner_on_a_server(
    sql_store: SqlStore,
) -> None:
    """R-PART-2, R-ALL-2: members 1 statement; an ancestor's member 1 (2 on a server)."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    ta.companies.create("anna", "HQ", company_id="hq")
    ta.partners.create_child("anna", "hq", "Branch", company_id="branch")
    ta.companies.create("ben", "Solo", company_id="solo")
    ta.users.register("carl", "carl@example.com")
    ta.members.add("anna", "hq", "carl")
    asks = [
        ("anna", "hq", "open_backoffice"),  # a member
        ("carl", "branch", "view_overview"),  # hq's member, not the branch's: through hq
        ("ben", "branch", "view_overview"),  # nobody there or above
        ("ben", "solo", "open_backoffice"),  # a member of an account without a parent
        ("anna", "solo", "open_backoffice"),  # no member, no parent
        ("anna", "nowhere", "open_backoffice"),  # no such company
    ]
    quiet = [ta.check(*ask) for ask in asks]
    counts: list[int] = []
    seen: list[str] = []

    def listen(*args: object) -> None:
        seen.append(str(args[2]))

    sa.event.listen(sql_store.engine, "before_cursor_execute", listen)
    try:
        traced = []
        for ask in asks:
            seen.clear()
            traced.append(ta.check(*ask))
            counts.append(len(seen))
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", listen)
    assert traced == quiet
    assert [d.allowed for d in quiet] == [True, True, False, True, False, False]
    assert quiet[1].rule == "R-PART-2"
    assert quiet[2].reason == "not_a_member"
    partner = 1 if sql_store.dialect == "sqlite" else 2
    assert counts == [1, partner, partner, 1, 1, 1]


@pytest.mark.parametrize("server", SQL_BACKENDS[1:])  # SQLite reads a check in one statement
def test_r_co_8_a_second_statement_never_mixes_two_snapshots(server: Sql) -> None:
    """R-CO-8, R-ALL-12: a suspension between a check's two statements is seen whole.

    A non-member's check of a child account reads the company first, then the whole
    statement; a suspension committed in between must deny. Joining the first row's
    company to the second's ancestor would allow from a state that never was.
    """
    sql_store = server.store()
    sql_store.clear()
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    ta.users.register("carl", "carl@example.com")
    ta.companies.create("anna", "HQ", company_id="hq")
    ta.partners.create_child("anna", "hq", "Branch", company_id="branch")
    ta.members.add("anna", "hq", "carl")
    assert ta.check("carl", "branch", "view_overview").allowed
    companies = sql_store.tables.companies
    seen: list[str] = []

    def suspend_after_the_first(*args: object) -> None:
        seen.append(str(args[2]))
        if len(seen) == 2:  # the whole statement is about to run: suspend first
            with sql_store.engine.begin() as other:
                other.execute(
                    companies.update()
                    .where(companies.c.id == "branch")
                    .values(suspended_at=sa.func.current_timestamp())
                )

    sa.event.listen(sql_store.engine, "before_cursor_execute", suspend_after_the_first)
    try:
        decision = ta.check("carl", "branch", "view_overview")
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", suspend_after_the_first)
    assert len(seen) >= 2
    assert decision.reason == "company_suspended", decision
