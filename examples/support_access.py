"""A platform's support desk looks into a customer's account, with consent and for a while.

(R-SUP-1..3, R-TIME-1, R-TIME-2.) Sam works at the platform's support desk. A customer,
ACME, reports missing invoices. Sam asks for access with a reason; ACME's main contact
approves it for four hours; Sam looks and fixes the company name, and every event of
that names the grant; the company's access review shows the grant; then it ends by
itself. Run it: ``python examples/support_access.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from teamaccess import MemoryStore, TeamAccess
from teamaccess.errors import SupportActionForbidden
from teamaccess.testing import FrozenClock

clock = FrozenClock(datetime(2026, 12, 7, 9, tzinfo=timezone.utc))
ta = TeamAccess(MemoryStore(), clock=clock, support_staff={"sam"})
for user in ("anna", "ben", "sam"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("anna", "ACME GmbH", company_id="acme")
ta.members.add("anna", "acme", "ben")

print("without a grant:", ta.check("sam", "acme", "view_members"))

try:
    ta.support.request("sam", "acme", reason="ticket 4711", permissions=["invite"])
except SupportActionForbidden as error:
    print("refused:", error)

grant = ta.support.request(
    "sam", "acme",
    reason="ticket 4711: invoices missing",
    permissions=["view_members", "edit_profile"],
    duration=timedelta(hours=4),
)  # fmt: skip
grant = ta.support.approve("anna", grant.id)
print(f"approved by {grant.approved_by} until {grant.expires_at:%H:%M}")

decision = ta.check("sam", "acme", "view_members")
print("under the grant:", decision, decision.acting_as)
ta.companies.update_profile("sam", "acme", name="ACME GmbH & Co. KG")
event = ta.outbox.pending(limit=100)[-1].event
print(f"{event.type}: actor {event.actor_id}, acting as {event.acting_as}")
assert event.acting_as == grant.id

for row in ta.access.review("anna", "acme").rows:
    if row.kind == "support":
        print(f"review: {row.subject} may {row.grant} until {row.until} ({row.via})")

clock.advance(hours=4)
print("four hours later:", ta.check("sam", "acme", "view_members"))
report = ta.support.expire_due()
print("swept:", [g.id for g in report.expired])
assert not ta.check("sam", "acme", "view_members")
