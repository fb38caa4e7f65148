"""Syncing access tags to a CRM through the outbox, surviving a crash (R-TAG-5, R-ALL-4).

The consumer pattern: fetch pending events, deliver them, then mark them delivered.
If the process dies between "deliver" and "mark", the next run delivers the same
events again (at-least-once), so the receiver must be idempotent: this fake CRM
remembers the outbox positions it has applied. Runs on a SQLite file, and the
"restart" opens a new store on the same file, as a new process would.
Run it: ``python examples/crm_tag_sync.py``.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.events import OutboxMessage, TagGranted, TagRevoked


class FakeCrm:
    """A CRM with tag management; applying the same message twice changes nothing."""

    def __init__(self) -> None:
        self.tags: dict[str, set[str]] = defaultdict(set)
        self.applied: set[int] = set()
        self.calls = 0

    def apply(self, message: OutboxMessage) -> None:
        """Apply one outbox message, skipping one this CRM has applied before."""
        self.calls += 1
        if message.position in self.applied:
            return  # a redelivery after a crash: already done
        event = message.event
        if isinstance(event, TagGranted):
            self.tags[event.user_id].add(event.tag)
        elif isinstance(event, TagRevoked) and not event.still_held:
            self.tags[event.user_id].discard(event.tag)
        self.applied.add(message.position)


class Crash(Exception):
    """Stands for the process dying."""


def sync(ta: TeamAccess, crm: FakeCrm, *, crash_before_mark: bool = False) -> int:
    """Deliver every pending event to the CRM; return how many were marked delivered."""
    marked = 0
    while batch := ta.outbox.pending(limit=4):
        for message in batch:
            crm.apply(message)
        if crash_before_mark:
            raise Crash("died after delivering, before marking")
        ta.outbox.mark_delivered([m.position for m in batch])
        marked += len(batch)
    return marked


def main() -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'crm.sqlite'}"
    store = SqlStore.from_url(url)
    store.create_schema()
    ta = TeamAccess(store, platform_admins={"admin"})
    ta.users.register("admin", "admin@platform.example")
    ta.users.register("buyer", "buyer@example.com")
    ta.seats.create_product("admin", "course", "Online course", tag="course-access")
    pool = ta.seats.purchase("buyer", "course", 3, "Our team", occupy_seat=True)
    anna = ta.seats.enroll("buyer", pool.id, "anna@example.com").user_id
    ta.seats.enroll("buyer", pool.id, "ben@example.com")
    ta.seats.remove("buyer", pool.id, anna)

    crm = FakeCrm()
    try:
        sync(ta, crm, crash_before_mark=True)
    except Crash as crash:
        print("consumer:", crash)
    store.engine.dispose()

    restarted = TeamAccess(SqlStore.from_url(url))  # a new process on the same file
    marked = sync(restarted, crm)
    print(f"after restart: {marked} events marked, {crm.calls} deliveries (some twice)")
    for user in ("buyer", anna, restarted.users.find_by_email("ben@example.com").id):
        held = restarted.tags.of_user(user)
        print(f"  {user}: CRM {sorted(crm.tags[user])} == teamaccess {sorted(held)}")
        assert crm.tags[user] == held
    assert restarted.outbox.pending() == []


if __name__ == "__main__":
    main()
