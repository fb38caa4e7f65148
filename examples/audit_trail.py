"""Who removed Ben, and when? A company's audit trail, searched, exported and kept in bounds.

(R-ALL-4, R-CO-6, R-CO-7.) ACME's main contact Anna adds Ben; a week later Carl, an
admin, removes him, from a browser in the office. Anna searches the trail for events
about Ben and exports them as CSV for the works council; Ben may not look; the platform
purges what is older than its retention. Run it: ``python examples/audit_trail.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from teamaccess import MemoryStore, TeamAccess
from teamaccess.errors import AccessDenied, NotAMember
from teamaccess.events import request_context
from teamaccess.testing import FrozenClock

clock = FrozenClock(datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
ta = TeamAccess(MemoryStore(), clock=clock, platform_admins={"ops"})
for user in ("anna", "ben", "carl", "ops"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("anna", "ACME GmbH", company_id="acme")
ta.members.add("anna", "acme", "ben")
ta.members.add("anna", "acme", "carl", role="admin")

clock.advance(days=7)
with request_context(ip="198.51.100.23", user_agent="Firefox/133.0", request_id="req-8841"):
    ta.members.remove("carl", "acme", "ben")

print("Events about ben in ACME:")
for entry in ta.audit.search("anna", "acme", about="ben").items:
    where = "" if entry.event.context is None else f" from {entry.event.context.ip}"
    print(f"  #{entry.position} {entry.event.occurred_at:%Y-%m-%d} {entry.kind}"
          f" by {entry.event.actor_id}{where}")  # fmt: skip

print("\nCSV export (first lines):")
print("\n".join(ta.audit.export("anna", "acme", about="ben").to_csv().splitlines()[:3]))

try:
    ta.audit.search("ben", "acme")
except NotAMember as error:  # ben is no member any more: the same answer as for nobody
    print(f"\nben asks: {type(error).__name__}")
ta.members.add("anna", "acme", "ben")
try:
    ta.audit.search("ben", "acme")
except AccessDenied as error:
    print(f"ben, a plain member again, asks: {error.decision}")

while pending := ta.outbox.pending(limit=1000):  # a consumer delivered them
    ta.outbox.mark_delivered([m.position for m in pending])
clock.advance(days=400)
purged = ta.audit.purge("ops", older_than=timedelta(days=365))
print(f"\nretention of a year: {purged} events purged;",
      "the trail now holds", [m.event.type for m in ta.outbox.pending()])  # fmt: skip

verdict = ta.audit.verify("anna", "acme")  # every stored event as written? (issue 32)
print(f"\nverify after the purge: {verdict.message}")
assert verdict.ok
