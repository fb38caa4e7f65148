"""Contract: the outbox relay on every store (R-ALL-8, R-ALL-11, R-CO-9).

Every event is delivered at least once and, per company, in commit order; a failing
event holds back only the later events of its own company; after ``max_attempts`` it
is dead until redriven; a lease keeps a batch one relay's until it ends; live relays
share the companies by shard, and a relay that stops or whose lease ends passes its
share to the others. One bad row
never stops the feed: an event this version cannot read is a dead letter at once, with
its reason, and reading the outbox never fails because of it; a company held back by a
failing event never starves the others. Erasure reaches the relay's stored errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from teamaccess.domain.events import (
    CompanyProfileUpdated,
    Event,
    UndecodableEvent,
    decode_event,
    event_to_dict,
)
from teamaccess.domain.relay import shard_of
from teamaccess.errors import InvalidInput
from teamaccess.relay import Relay
from teamaccess.testing import in_transaction, make_service

_WHEN = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def _history(ta) -> None:
    """Users, two companies with members: events of two companies and of none."""
    for user in ("anna", "ben", "cleo", "dora"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.companies.create("cleo", "Umbrella", company_id="umbrella")
    ta.members.add("anna", "acme", "ben")
    ta.members.add("cleo", "umbrella", "dora")
    ta.companies.update_profile("anna", "acme", name="ACME AG")


def _relay(ta, clock, sink, **options) -> Relay:
    return Relay(ta.store, sink, clock=clock, retry_base=timedelta(seconds=1), **options)


def _all_positions(ta) -> list[int]:
    return [m.position for m in in_transaction(ta.store, lambda tx: tx.outbox.all())]


def test_r_all_8_relay_delivers_every_event_once_in_order(ta, clock) -> None:
    """R-ALL-8: one relay delivers every event exactly once, in position order, keyed by position."""
    _history(ta)
    got = []
    assert _relay(ta, clock, got.append).drain() == len(_all_positions(ta))
    assert [e.position for e in got] == _all_positions(ta)
    assert [e.id for e in got] == [f"teamaccess-{p}" for p in _all_positions(ta)]
    assert ta.outbox.count_pending() == 0
    assert _relay(ta, clock, got.append).drain() == 0  # nothing twice


def test_r_all_8_a_failing_event_holds_back_only_its_company(ta, clock) -> None:
    """R-ALL-8: while an ACME event fails, Umbrella's events flow and ACME's later ones wait, then go in order."""
    _history(ta)
    failing = {"acme"}
    got = []

    def sink(envelope) -> None:
        if envelope.company_id in failing:
            raise ConnectionError("receiver down")
        got.append(envelope)

    relay = _relay(ta, clock, sink)
    relay.drain()
    assert {e.company_id for e in got} == {None, "umbrella"}
    acme = [m for m in ta.outbox.pending(1000) if m.event.company_id == "acme"]
    assert acme[0].attempts == 1
    assert "receiver down" in acme[0].last_error
    assert all(m.attempts == 0 for m in acme[1:])  # held back, not attempted
    failing.clear()
    assert relay.drain() == 0  # the retry is not due yet
    clock.advance(seconds=2)
    relay.drain()
    acme_order = [e.position for e in got if e.company_id == "acme"]
    assert acme_order == [m.position for m in acme]
    assert sorted(e.position for e in got) == _all_positions(ta)


def test_r_all_8_poison_event_goes_dead_and_redrive_delivers_it(ta, clock) -> None:
    """R-ALL-8: after max_attempts an event is dead, later events of its company flow; redrive delivers it."""
    _history(ta)
    got = []
    poison = _all_positions(ta)[-1]  # ACME's profile update
    broken = [True]

    def sink(envelope) -> None:
        if envelope.position == poison and broken[0]:
            raise ValueError("cannot parse")
        got.append(envelope.position)

    relay = _relay(ta, clock, sink, max_attempts=3)
    for _ in range(4):
        relay.drain()
        clock.advance(minutes=30)
    dead = ta.outbox.dead()
    assert [(m.position, m.attempts) for m in dead] == [(poison, 3)]
    assert "ValueError: cannot parse" in dead[0].last_error
    assert poison not in got
    assert ta.outbox.count_pending() == 0
    ta.users.register("emil", "emil@example.com")
    ta.members.add("anna", "acme", "emil")  # later ACME events are not blocked by the dead one
    relay.drain()
    assert ta.outbox.count_pending() == 0
    broken[0] = False  # the receiver is fixed
    assert ta.outbox.redrive() == 1
    assert ta.outbox.dead() == []
    relay.drain()
    assert got.count(poison) == 1
    assert sorted(got) == _all_positions(ta)


def test_r_all_8_a_lease_keeps_a_batch_until_it_ends(ta, clock) -> None:
    """R-ALL-8: a second relay claims nothing a first one holds; after the lease ends it delivers again (at least once)."""
    _history(ta)
    first = in_transaction(
        ta.store,
        lambda tx: tx.outbox.claim("r1", clock(), clock() + timedelta(seconds=30), 100),
    )
    assert first
    later = []
    assert _relay(ta, clock, later.append, name="r2").drain() == 0
    clock.advance(seconds=31)  # r1 died: its lease ends
    assert _relay(ta, clock, later.append, name="r2").drain() == len(first)
    assert [e.position for e in later] == [m.position for m in first]


def test_r_all_8_redrive_of_unknown_or_bad_positions(ta) -> None:
    """R-ALL-6: redrive of positions that are not dead changes nothing; junk is refused."""
    _history(ta)
    assert ta.outbox.redrive([1, 2, 999]) == 0
    with pytest.raises(InvalidInput):
        ta.outbox.redrive(["x"])
    with pytest.raises(InvalidInput):
        Relay(ta.store, print, batch=0)


def test_r_all_8_a_relay_whose_lease_passed_on_cannot_touch_the_new_lease(ta, clock) -> None:
    """R-ALL-8: r1's lease ended and r2 holds the event: r1's late failure or release leaves r2's lease and attempts alone."""
    _history(ta)
    now = clock()
    first = in_transaction(
        ta.store, lambda tx: tx.outbox.claim("r1", now, now + timedelta(seconds=30), 1)
    )[0]
    later = clock.advance(seconds=31)
    again = in_transaction(
        ta.store, lambda tx: tx.outbox.claim("r2", later, later + timedelta(seconds=30), 1)
    )[0]
    assert again.position == first.position

    def late(tx) -> None:
        tx.outbox.failed("r1", first.position, "timeout", later, None)
        tx.outbox.release("r1", [first.position])

    in_transaction(ta.store, late)
    held = next(m for m in ta.outbox.pending(1000) if m.position == first.position)
    assert (held.leased_by, held.attempts, held.last_error) == ("r2", 0, None)


def test_r_all_8_a_storage_error_ends_the_batch_not_the_relay(ta, clock) -> None:
    """R-ALL-8: a batch ends in a storage error; run() logs it and goes on until every event is delivered."""
    import threading

    from teamaccess.errors import StorageError

    _history(ta)
    expected = _all_positions(ta)
    got = []
    stop = threading.Event()

    class Flaky(Relay):
        failures = 1

        def run_once(self):
            report = super().run_once()
            if self.failures and report.claimed:
                self.failures -= 1
                clock.advance(seconds=31)  # the failed batch's lease runs out
                raise StorageError("connection lost")
            if ta.outbox.count_pending() == 0:
                stop.set()
            return report

    relay = Flaky(ta.store, lambda e: got.append(e.position), clock=clock, batch=2)
    runner = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 0.01})
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert sorted(set(got)) == expected


def _profile(company: str, name: str) -> CompanyProfileUpdated:
    return CompanyProfileUpdated(occurred_at=_WHEN, actor_id=None, company_id=company, name=name)


def _newer_writer(company: str, kind: str = "SeatsTransferred") -> Event:
    """An event as a newer version writes it: a type this version does not know."""
    return decode_event(
        {"type": kind, "occurred_at": _WHEN.isoformat(), "actor_id": None,
         "company_id": company, "pool_id": "p-9", "to": "c-x"}
    )  # fmt: skip


def _append(ta, events: list[Event]) -> list[int]:
    """Append ``events`` in one transaction; their positions."""
    before = {m.position for m in in_transaction(ta.store, lambda tx: tx.outbox.all())}
    in_transaction(ta.store, lambda tx: tx.outbox.extend(events))
    after = in_transaction(ta.store, lambda tx: tx.outbox.all())
    return [m.position for m in after if m.position not in before]


def _drain_until_settled(relay: Relay, ta, clock, rounds: int = 8) -> None:
    """Drain, let retries fall due, drain again, until nothing is pending."""
    for _ in range(rounds):
        relay.drain()
        if ta.outbox.count_pending() == 0:
            return
        clock.advance(minutes=30)


def test_r_all_11_unknown_type_and_poison_are_dead_lettered_while_1000_events_flow(
    ta, clock
) -> None:
    """R-ALL-11: an unknown event type and a poison event are dead letters with a reason; 1,000 events of 10 companies are delivered in order."""
    events: list[Event] = [_profile(f"c{i % 10}", f"n{i}") for i in range(1000)]
    events.insert(200, _newer_writer("c3"))
    events.insert(500, _profile("c7", "poison"))
    positions = _append(ta, events)
    unknown, poison = positions[200], positions[500]
    # Reading never fails because of one row.
    assert isinstance(ta.outbox.pending(1000)[200].event, UndecodableEvent)
    assert ta.outbox.count_pending() == 1002
    got: list[tuple[int, str | None]] = []

    def sink(envelope) -> None:
        if envelope.data.get("name") == "poison":
            raise ValueError("the receiver cannot parse it")
        got.append((envelope.position, envelope.company_id))

    relay = _relay(ta, clock, sink, max_attempts=3, batch=100)
    _drain_until_settled(relay, ta, clock)
    dead = {m.position: m for m in ta.outbox.dead()}
    assert sorted(dead) == [unknown, poison]
    assert dead[unknown].last_error == "unknown event type 'SeatsTransferred'"
    assert dead[unknown].attempts == 1  # set aside at once, no sink call
    assert dead[poison].attempts == 3
    assert "ValueError: the receiver cannot parse it" in (dead[poison].last_error or "")
    delivered = [position for position, _ in got]
    assert len(delivered) == len(set(delivered)) == 1000
    assert sorted(delivered) == [p for p in positions if p not in (unknown, poison)]
    for company in (f"c{i}" for i in range(10)):
        mine = [position for position, owner in got if owner == company]
        assert mine == sorted(mine), company  # per company, in commit order (R-ALL-8)
        assert len(mine) == 100


def test_r_all_8_a_dead_letter_is_skipped_and_redrive_brings_it_back(ta, clock) -> None:
    """R-ALL-8: a company's later events go on past its dead letter; redrive after an upgrade delivers it with its own id."""
    positions = _append(ta, [_profile("acme", "a1"), _newer_writer("acme"), _profile("acme", "a2")])
    got: list[int] = []
    relay = _relay(ta, clock, lambda envelope: got.append(envelope.position))
    relay.drain()
    assert got == [positions[0], positions[2]]
    assert [m.position for m in ta.outbox.dead()] == [positions[1]]
    assert ta.outbox.redrive([positions[1]]) == 1  # still unknown to this version
    relay.drain()
    again = ta.outbox.dead()
    assert [(m.position, m.attempts) for m in again] == [(positions[1], 1)]
    assert again[0].last_error == "unknown event type 'SeatsTransferred'"
    stored = event_to_dict(again[0].event)
    assert (stored["type"], stored["pool_id"]) == ("SeatsTransferred", "p-9")  # kept as written


def test_r_all_11_reading_the_outbox_never_fails_because_of_one_row(ta, clock) -> None:
    """R-ALL-11: rows of an unknown type or a broken payload read as UndecodableEvent; pending, all, dead, claim and the relay go on."""
    broken = decode_event({"type": "MemberAdded", "company_id": "acme", "role": "member"})
    positions = _append(ta, [_newer_writer("acme"), broken, _profile("acme", "ok")])
    assert isinstance(broken, UndecodableEvent)
    assert broken.reason.startswith("cannot decode 'MemberAdded'")
    read = [m.event for m in ta.outbox.pending(10)]
    assert [type(event).__name__ for event in read] == ["UndecodableEvent"] * 2 + [
        "CompanyProfileUpdated"
    ]
    assert [event.company_id for event in read] == ["acme"] * 3
    assert len(in_transaction(ta.store, lambda tx: tx.outbox.all())) == 3
    report = _relay(ta, clock, lambda envelope: None).run_once()
    assert (report.claimed, report.delivered, report.dead) == (3, 1, 2)
    reasons = [m.last_error for m in ta.outbox.dead()]
    assert reasons[0] == "unknown event type 'SeatsTransferred'"
    assert (reasons[1] or "").startswith("cannot decode 'MemberAdded'")
    assert [m.position for m in ta.outbox.dead()] == positions[:2]


def test_r_all_11_a_company_held_back_never_starves_the_others(ta, clock) -> None:
    """R-ALL-11: 150 events of a company wait behind its failed first one; another company's events behind them still go out."""
    _append(ta, [_profile("big", f"b{i}") for i in range(150)])
    small = _append(ta, [_profile("small", f"s{i}") for i in range(5)])
    got: list[int] = []

    def sink(envelope) -> None:
        if envelope.company_id == "big":
            raise ConnectionError("big's receiver is down")
        got.append(envelope.position)

    relay = _relay(ta, clock, sink, batch=100)
    relay.drain()
    assert got == small


def test_r_co_9_erasure_redacts_a_sink_error_that_quotes_the_payload(store, clock) -> None:
    """R-CO-9: a sink error quoting a person's address is stored in last_error; after erasure no outbox row, readable or not, holds the address."""
    ta = make_service(store, clock=clock, platform_admins={"root"})
    ta.users.register("root", "root@example.com")
    ta.users.register("erin", "erin.secret@example.com")
    ta.companies.create("root", "ACME", company_id="acme")
    newer = {"type": "SeatsTransferred", "company_id": "acme", "to": "erin.secret@example.com"}
    _append(ta, [decode_event(newer)])  # a row this version cannot read, naming her too

    def sink(envelope) -> None:
        raise ValueError(f"receiver refused {envelope.data}")

    _relay(ta, clock, sink, max_attempts=1).drain()  # every event is dead, quoting its data
    quoting = [m for m in ta.outbox.dead(1000) if "erin.secret@example.com" in (m.last_error or "")]
    assert quoting
    ta.privacy.erase("root", "erin")
    for message in in_transaction(ta.store, lambda tx: tx.outbox.all()):
        assert "erin.secret@example.com" not in str(event_to_dict(message.event))
        assert "erin.secret@example.com" not in (message.last_error or ""), message.position


def _shared_history(ta) -> list[int]:
    """Three events each of 40 companies whose shards are both even and odd."""
    companies = [f"c{i}" for i in range(40)]
    assert {shard_of(c) % 2 for c in companies} == {0, 1}
    return _append(ta, [_profile(c, f"n{k}") for k in range(3) for c in companies])


def _claim_and_deliver(ta, clock, owner: str, limit: int = 10) -> set[int]:
    """``owner`` claims up to ``limit`` events and delivers them: the parities of their shards."""
    now = clock()
    claimed = in_transaction(
        ta.store, lambda tx: tx.outbox.claim(owner, now, now + timedelta(seconds=30), limit)
    )
    assert claimed
    in_transaction(
        ta.store, lambda tx: tx.outbox.mark_delivered([m.position for m in claimed], now)
    )
    return {shard_of(m.event.company_id) % 2 for m in claimed}


def test_r_all_8_live_relays_claim_the_companies_of_their_own_shards(ta, clock) -> None:
    """R-ALL-8: two live relays claim companies of disjoint shards (r1 the even, r2 the odd); once r2 leaves, r1 claims every shard."""
    _shared_history(ta)
    assert _claim_and_deliver(ta, clock, "r1") == {0, 1}  # alone: any shard
    assert _claim_and_deliver(ta, clock, "r2") == {1}  # r1 is alive: r2 takes the odd shards
    assert _claim_and_deliver(ta, clock, "r1") == {0}  # and r1 the even ones
    assert _claim_and_deliver(ta, clock, "r2") == {1}
    in_transaction(ta.store, lambda tx: tx.outbox.leave("r2"))  # r2 stops
    assert _claim_and_deliver(ta, clock, "r1", 100) == {0, 1}


def test_r_all_8_a_dead_relays_share_passes_on_when_its_lease_ends(ta, clock) -> None:
    """R-ALL-8: r2 dies (claims no more); while its lease runs r1 keeps to its own shards, after it r1 claims every shard."""
    _shared_history(ta)
    _claim_and_deliver(ta, clock, "r1")
    assert _claim_and_deliver(ta, clock, "r2") == {1}
    clock.advance(seconds=29)
    assert _claim_and_deliver(ta, clock, "r1") == {0}  # r2's lease still runs
    clock.advance(seconds=2)
    assert _claim_and_deliver(ta, clock, "r1", 100) == {0, 1}


def test_r_all_8_a_relay_whose_shards_are_empty_helps_with_the_others(ta, clock) -> None:
    """R-ALL-8: r2's shards have nothing due; it claims from r1's shards rather than idle."""
    companies = [f"c{i}" for i in range(40)]
    even = [c for c in companies if shard_of(c) % 2 == 0]
    _append(ta, [_profile(c, f"n{k}") for k in range(2) for c in even])
    _claim_and_deliver(ta, clock, "r1", 1)
    assert _claim_and_deliver(ta, clock, "r2", 100) == {0}  # r1's shards, r2 being alive
    assert ta.outbox.count_pending() == 0
