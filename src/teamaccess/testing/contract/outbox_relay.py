"""Contract: the outbox relay on every store (R-ALL-8).

Every event is delivered at least once and, per company, in commit order; a failing
event holds back only the later events of its own company; after ``max_attempts`` it
is dead until redriven; a lease keeps a batch one relay's until it ends.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamaccess.errors import InvalidInput
from teamaccess.relay import Relay
from teamaccess.testing import in_transaction


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
