"""The SQL audit search reads targets from payloads a batch at a time (R-ALL-4).

Company, actor, kinds and time narrow the rows in SQL; whom an event is about lives
inside its payload, so a search by target reads matching rows in batches and keeps
going until its page is full. With batches of 2, the pages still equal a filter
over every stored event; a row this version cannot read (R-ALL-11) shows under its
stored type and names no target.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from teamaccess.adapters.sql import SqlStore, _outbox
from teamaccess.domain.audit import targets_of
from teamaccess.testing import make_service

NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def test_r_all_4_a_target_search_reads_on_past_full_batches(
    sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-ALL-4: with batches of 2, paging by target gives every event about ben, in order."""
    monkeypatch.setattr(_outbox, "_SEARCH_BATCH", 2)
    ta = make_service(sql_store)
    for user in ("anna", "ben", *(f"u{i}" for i in range(6))):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    for i in range(6):  # events about others between ben's
        ta.members.add("anna", "acme", f"u{i}")
    ta.members.change_role("anna", "acme", "ben", "admin")
    ta.members.remove("anna", "acme", "ben")
    with sql_store.engine.begin() as conn:  # a newer writer's event in acme's trail
        conn.execute(
            sql_store.tables.outbox.insert(),
            {"event_type": "SeatsMoved", "occurred_at": NOW, "actor_id": "anna",
             "company_id": "acme", "payload": {"type": "SeatsMoved", "user_id": "ben"}},
        )  # fmt: skip
    with sql_store.reader() as tx:
        stored = list(tx.outbox.all())
    about_ben = [
        m.position for m in stored if m.event.company_id == "acme" and "ben" in targets_of(m.event)
    ]
    walked: list[int] = []
    after = None
    while True:
        page = ta.audit.search("anna", "acme", about="ben", after=after, limit=1)
        walked += [e.position for e in page.items]
        if (after := page.next_after) is None:
            break
    assert walked == about_ben
    assert [e.kind for e in ta.audit.search("anna", "acme", about="ben").items] == [
        "MemberAdded", "RoleChanged", "MemberRemoved",
    ]  # fmt: skip
    moved = ta.audit.search("anna", "acme", kinds=["SeatsMoved"]).items
    assert [(e.kind, e.targets, e.event.actor_id) for e in moved] == [("SeatsMoved", (), "anna")]
