"""Seed 001: an agency's customer centre, with shared records and the timeline embargo.

An SEO agency (OSG) keeps minutes, invoices and a timeline for its customer. The
customer's staff read them in their customer centre; the agency's own timeline entries
reach the customer ten days late, so the agency can check its work first.
Run it: ``python examples/customer_centre.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from teamaccess import MemoryStore, RecordKind, TeamAccess
from teamaccess.errors import UnknownRecord
from teamaccess.testing import FrozenClock

clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
ta = TeamAccess(MemoryStore(), clock=clock)
for user in ("otto", "sina", "kira", "kai", "eve"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("otto", "OSG", company_id="osg")  # the agency
ta.companies.create("kira", "Kunde GmbH", company_id="kunde")  # its customer
ta.members.add("kira", "kunde", "kai")
ta.companies.create("sina", "Texter & Co", company_id="texter")  # a copywriter
ta.companies.create("eve", "Someone Else", company_id="else")
# --8<-- [end:setup]


def main() -> None:
    """Link the providers, write records, and read them from both sides."""
    # --8<-- [start:link]
    ta.records.link("kira", "kunde", "osg", "provider")
    ta.records.link("kira", "kunde", "texter", "service_provider")
    # --8<-- [end:link]

    # --8<-- [start:records]
    minutes = ta.records.add("otto", "osg", "kunde", RecordKind.MINUTES, "Jour fixe: content plan")
    ta.records.add("otto", "osg", "kunde", RecordKind.INVOICE, "Invoice 2026-031")
    entry = ta.records.add("otto", "osg", "kunde", RecordKind.TIMELINE, "12 backlinks built")
    print("embargo:", entry.visible_from - entry.occurred_at)  # 10 days, 0:00:00
    # --8<-- [end:records]

    # --8<-- [start:who-sees]
    for user, company in (("otto", "osg"), ("sina", "texter"), ("kai", "kunde"), ("eve", "else")):
        print(f"{user:>4} reads the minutes:", ta.records.check(user, company, minutes.id))
    try:
        ta.records.get("eve", "else", minutes.id)
    except UnknownRecord:  # as if it did not exist: eve learns nothing of it (R-ALL-9)
        print("eve's customer centre: no such record")
    # --8<-- [end:who-sees]

    # --8<-- [start:embargo]
    print("kai opens the timeline entry:", ta.records.check("kai", "kunde", entry.id))
    since = clock() - timedelta(days=30)
    agency_view = [r.title for r in ta.records.timeline("otto", "osg", "kunde", since=since).items]
    customer_view = [
        r.title for r in ta.records.timeline("kai", "kunde", "kunde", since=since).items
    ]
    print("the agency sees: ", agency_view)
    print("the customer sees:", customer_view)
    assert "12 backlinks built" not in customer_view

    clock.advance(days=10)
    print(
        "ten days later:  ",
        [r.title for r in ta.records.timeline("kai", "kunde", "kunde", since=since).items],
    )
    assert ta.records.check("kai", "kunde", entry.id)
    # --8<-- [end:embargo]

    # --8<-- [start:tabs]
    invoices = ta.records.timeline("kai", "kunde", "kunde", since=since, kinds=[RecordKind.INVOICE])
    print("the invoices tab:", [r.title for r in invoices.items])
    assert [r.title for r in invoices.items] == ["Invoice 2026-031"]
    # --8<-- [end:tabs]


if __name__ == "__main__":
    main()
