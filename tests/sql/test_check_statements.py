"""How many statements a check costs on each SQL store, and that they answer alike (issue 18).

A member's check is one statement everywhere. A non-member's check on an account with
a parent also needs the nearest ancestor's membership (R-PART-2): one statement through
the closure table on SQLite and PostgreSQL; on MariaDB/MySQL, which plan that subquery
on every check, a second statement read only in that case.
"""

from __future__ import annotations

import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import make_service


def test_r_part_2_a_check_is_one_statement_and_two_for_a_partner_on_mariadb(
    sql_store: SqlStore,
) -> None:
    """R-PART-2, R-ALL-2: members 1 statement; an ancestor's member 1 (2 on MariaDB)."""
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
    partner = 2 if sql_store.dialect == "mysql" else 1
    assert counts == [1, partner, partner, 1, 1, 1]
