"""A host's own table, filtered to the companies where the check allows (issue 32).

(R-PART-2, R-PART-5, R-CO-8, R-TIME-1.) The host keeps invoices in its own table, one
company id per row, in the same SQLite database as teamaccess. Paula runs the partner
"lm" with a customer account "kunde-a" below it; Karl is a plain member of lm until
the end of the month. ``company_filter`` turns "the invoices Karl may see" into one
``WHERE`` over the host's table; ``check_many`` answers a list of checks at once.
Run it: ``python examples/host_filters.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, company_filter
from teamaccess.testing import FrozenClock

store = SqlStore.from_url("sqlite://")
store.create_schema()
clock = FrozenClock(datetime(2026, 12, 7, 9, tzinfo=timezone.utc))
ta = TeamAccess(store, clock=clock, platform_admins={"root"})
for user in ("root", "paula", "karl"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("paula", "LineMetrics", company_id="lm")
ta.partners.create_child("paula", "lm", "Kunde A", company_id="kunde-a")
ta.companies.create("paula", "Elsewhere", company_id="elsewhere")
ta.members.add("paula", "lm", "karl", expires_at=clock.now + timedelta(days=24))

# The host's own table, beside teamaccess's.
invoices = sa.Table(
    "invoices",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("company_id", sa.String(64), index=True),
    sa.Column("total", sa.Integer),
)
with store.engine.begin() as conn:
    invoices.create(conn)
    conn.execute(
        invoices.insert(),
        [
            {"company_id": "lm", "total": 100},
            {"company_id": "kunde-a", "total": 250},
            {"company_id": "elsewhere", "total": 999},
        ],
    )


def visible(user: str, action: str) -> list[str]:
    """The companies of the invoices the user may see: one statement."""
    where = company_filter(ta, user, action, invoices.c.company_id)
    query = sa.select(invoices.c.company_id).where(where).order_by(invoices.c.id)
    with store.engine.connect() as conn:
        return list(conn.scalars(query))


print("karl, overview:", visible("karl", "view_overview"))  # lm, and kunde-a from above
print("karl, back office:", visible("karl", "open_backoffice"))  # kunde-a's data is its own
print("paula, team management:", visible("paula", "manage_team"))

ta.companies.suspend("root", "lm", reason="unpaid invoice")
print("lm suspended, karl:", visible("karl", "view_overview"))  # R-CO-8
ta.companies.resume("root", "lm")

clock.advance(days=30)  # karl's membership has ended (R-TIME-1)
print("a month later, karl:", visible("karl", "view_overview"))

decisions = ta.access.check_many(
    "paula", [("lm", "manage_team"), ("kunde-a", "edit_profile"), ("elsewhere", "invite")]
)
for decision in decisions:
    print("paula:", decision)
