"""On SQL, a page of "who may do ACTION in COMPANY" is one select, however big the company.

Counted with SQLAlchemy's ``before_cursor_execute``: per page the reader reads the
company and the asking member's membership (the guard, R-CO-6), then one select of
the page, a UNION with the ancestors' members for an overview (R-PART-2).
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Membership, User
from teamaccess.testing import in_transaction, make_service

MEMBERS = 10_000
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _grow(store, company: str, count: int) -> None:
    def add(tx) -> None:
        users = [User(UserId(f"m{n:05d}"), f"m{n:05d}@example.com") for n in range(count)]
        tx.users.add_many(users)
        for user in users:
            tx.memberships.add(Membership(CompanyId(company), user.id, "member", WHEN))

    in_transaction(store, add)


def test_r_co_6_who_may_is_one_select_per_page_at_ten_thousand_members(sql_store) -> None:
    """R-CO-6, R-PART-2: every page of who_may over 10,000 members is the same 3 statements."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "HQ", company_id="hq")
    ta.partners.create_child("anna", "hq", "Branch", company_id="branch")
    _grow(sql_store, "hq", MEMBERS)
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT")):
            seen.append(statement)

    sa.event.listen(sql_store.engine, "before_cursor_execute", listen)
    try:
        pages, rows, after = [], 0, None
        while True:
            seen.clear()
            page = ta.access.who_may("anna", "branch", "view_overview", after=after, limit=1000)
            pages.append(len(seen))
            rows += len(page.items)
            if page.next_after is None:
                break
            after = page.next_after
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", listen)
    assert rows == MEMBERS + 1  # anna as a member, the others through hq
    assert set(pages) == {3}, pages
    assert len(pages) == 11
