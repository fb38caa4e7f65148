"""On SQL, a page of visible leads is the check and one select: no BEGIN, no ROLLBACK (issue 18).

A single statement sees one snapshot, so the page runs in autocommit on a kept
connection (``reader(one_statement=True)``). Counted with SQLAlchemy's
``before_cursor_execute`` (with a listener the check's statement goes through
``execute`` too, so it is counted; SQLite's BEGIN is a statement there).
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from teamaccess.testing import in_transaction, make_service
from teamaccess.values import CompanyId, Lead, LeadId, LeadState

LEADS = 120
PAGE = 50
WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_r_lead_7_a_page_of_visible_leads_is_the_check_and_one_select(sql_store) -> None:
    """R-LEAD-7: every page is two statements, and the pages are the leads in id order."""
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
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    sa.event.listen(sql_store.engine, "before_cursor_execute", listen)
    try:
        counts, ids, after = [], [], None
        while True:
            seen.clear()
            page = ta.leads.visible("olga", "op", after=after, limit=PAGE)
            counts.append(list(seen))
            ids += [lead.id for lead in page.items]
            if page.next_after is None:
                break
            after = page.next_after
    finally:
        sa.event.remove(sql_store.engine, "before_cursor_execute", listen)
    assert ids == [f"L{i:04d}" for i in range(LEADS)]
    assert counts == [["SELECT", "SELECT"]] * 3  # the check's facts, the page
