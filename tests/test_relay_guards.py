"""The relay against sinks that misbehave (R-ALL-11): async, slow, hung, raising anything.

Nothing a sink does stops the relay or makes it claim a delivery that did not happen:
an ``async def`` sink is refused by the thread relay; a batch starts no delivery its
lease does not cover; a hung call is a failed attempt after ``timeout`` and ``run``
stops within that bound; whatever a sink raises is a failed attempt, its text without
URL secrets. These do not depend on the store, so they run on the in-memory one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import timedelta

import pytest

from teamaccess.errors import InvalidInput, StorageError
from teamaccess.relay import AsyncRelay, Relay
from teamaccess.testing import FrozenClock, in_transaction, make_service

EVENTS = 12


@pytest.fixture
def ta():
    """A service with 12 events: 2 of no company (the users), 10 of ACME."""
    ta = make_service()
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    for name in range(EVENTS - len(_positions(ta))):
        ta.companies.update_profile("anna", "acme", name=f"ACME {name}")
    assert len(_positions(ta)) == EVENTS
    return ta


def _positions(ta) -> list[int]:
    return [m.position for m in in_transaction(ta.store, lambda tx: tx.outbox.all())]


async def _async_sink(envelope) -> None:
    """Never runs unless awaited."""


def test_r_all_11_relay_refuses_an_async_sink_at_construction(ta) -> None:
    """R-ALL-11: Relay(store, async_def_sink) raises InvalidInput instead of marking 12 events delivered unsent."""

    class AsyncCallable:
        async def __call__(self, envelope) -> None:
            """Never runs unless awaited."""

    for sink in (_async_sink, AsyncCallable()):
        with pytest.raises(InvalidInput, match="use AsyncRelay"):
            Relay(ta.store, sink)
    assert ta.outbox.count_pending() == 12


def test_r_all_11_a_sink_returning_a_coroutine_has_not_delivered(ta) -> None:
    """R-ALL-11: a plain callable that returns a coroutine is a failed attempt, never a delivery."""
    report = Relay(ta.store, lambda envelope: _async_sink(envelope), clock=FrozenClock()).run_once()
    assert report.delivered == 0
    assert report.failed == 3  # both users' events and ACME's first; ACME's others held back
    errors = {m.last_error for m in ta.outbox.pending(100) if m.last_error}
    assert errors == {"TypeError: the sink returned an awaitable: use AsyncRelay"}


def test_r_all_11_async_relay_awaits_its_sink_and_takes_a_plain_one(ta) -> None:
    """R-ALL-11: AsyncRelay awaits an async sink; a plain function sink counts as delivered once, not failed."""
    awaited: list[int] = []

    async def sink(envelope) -> None:
        await asyncio.sleep(0)
        awaited.append(envelope.position)

    assert asyncio.run(AsyncRelay(ta.store, sink).drain()) == 12
    assert awaited == _positions(ta)
    ta.users.register("gina", "gina@example.com")
    plain: list[int] = []
    assert asyncio.run(AsyncRelay(ta.store, lambda e: plain.append(e.position)).drain()) == 1
    assert ta.outbox.dead() == []


def test_r_all_11_a_lease_must_cover_one_delivery() -> None:
    """R-ALL-11: a sink timeout the lease does not cover is refused; the defaults (30 s lease, webhook 10 s) fit."""
    from teamaccess.relay.webhook import WebhookSink

    store = make_service().store
    slow = WebhookSink("https://crm.example/hooks", "whsec_c2VjcmV0", timeout=60)
    with pytest.raises(InvalidInput, match="lease"):
        Relay(store, slow)
    with pytest.raises(InvalidInput, match="lease"):
        Relay(store, print, lease=timedelta(seconds=1), timeout=timedelta(seconds=5))
    default = Relay(store, WebhookSink("https://crm.example/hooks", "whsec_c2VjcmV0"))
    lease = default.settings.lease.total_seconds()
    assert (lease, default.settings.timeout) == (30.0, 10.0)
    assert default.settings.timeout + lease / 10 <= lease
    assert Relay(store, print).settings.timeout == 10.0  # a third of the lease


def test_r_all_11_a_batch_starts_no_delivery_its_lease_does_not_cover(ta) -> None:
    """R-ALL-11: with a slow sink a batch gives back what would end past its lease; every event still goes out in order."""
    got: list[tuple[int, float]] = []

    def slow(envelope) -> None:
        time.sleep(0.04)
        got.append((envelope.position, time.monotonic()))

    lease = timedelta(seconds=0.5)
    relay = Relay(ta.store, slow, lease=lease, timeout=timedelta(seconds=0.1), batch=100)
    started = time.monotonic()
    report = relay.run_once()
    took = time.monotonic() - started
    assert report.claimed == 12
    assert 0 < report.delivered < 12
    assert report.held == 12 - report.delivered
    assert took < lease.total_seconds()
    assert all(at - started < lease.total_seconds() for _, at in got)
    relay.drain()
    assert [position for position, _ in got] == _positions(ta)


def _blocking_sink(entered: threading.Event, release: threading.Event, calls: list[int]):
    active = [0]

    def sink(envelope) -> None:
        active[0] += 1
        calls.append(active[0])
        entered.set()
        try:
            release.wait(30)
        finally:
            active[0] -= 1

    return sink


def test_r_all_11_run_stops_within_the_timeout_on_a_hung_sink(ta) -> None:
    """R-ALL-11: stop is set while the sink hangs: run returns within the timeout, the rest of the batch is given back."""
    entered, release, calls = threading.Event(), threading.Event(), []
    relay = Relay(
        ta.store,
        _blocking_sink(entered, release, calls),
        timeout=timedelta(seconds=0.3),
        lease=timedelta(seconds=5),
    )
    stop = threading.Event()
    runner = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 0.01})
    try:
        runner.start()
        assert entered.wait(10)
        stop.set()
        stopped = time.monotonic()
        runner.join(timeout=5)
        assert not runner.is_alive()
        assert time.monotonic() - stopped < 1.0  # the bound: timeout (0.3 s) and one settle
    finally:
        release.set()
        runner.join(timeout=5)
    pending = ta.outbox.pending(100)
    assert len(pending) == 12
    assert all(m.leased_by is None for m in pending)  # nothing left leased
    hung = [m for m in pending if m.attempts]
    assert [m.last_error for m in hung] == ["TimeoutError: the sink gave no answer within 0.3 s"]


def test_r_all_11_a_hung_sink_is_never_called_twice_at_once(ta) -> None:
    """R-ALL-11: after a call overran its time, no batch starts until it has returned; then delivery goes on."""
    entered, release, calls = threading.Event(), threading.Event(), []
    sink = _blocking_sink(entered, release, calls)
    relay = Relay(ta.store, sink, timeout=timedelta(seconds=0.1), clock=FrozenClock())
    first = relay.run_once()
    assert (first.failed, first.delivered) == (1, 0)
    assert relay.run_once().claimed == 0  # the sink is still in the first call
    release.set()
    deadline = time.monotonic() + 5
    while relay.run_once().claimed == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert max(calls) == 1


def test_r_all_11_whatever_a_sink_raises_is_a_failed_attempt(ta) -> None:
    """R-ALL-11: a BaseException subclass or an error whose text cannot be made is a failed attempt, and the relay goes on."""

    class Abort(BaseException):
        pass

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    raised = iter([Abort("stop it"), Unprintable()])

    def sink(envelope) -> None:
        error = next(raised, None)
        if error is not None:
            raise error

    clock = FrozenClock()
    relay = Relay(ta.store, sink, clock=clock, retry_base=timedelta(seconds=1))
    report = relay.run_once()
    assert report.failed == 2
    errors = sorted(m.last_error or "" for m in ta.outbox.pending(100) if m.attempts)
    assert errors == ["Abort: stop it", "Unprintable: (no text)"]
    clock.advance(seconds=5)
    relay.drain()
    assert ta.outbox.count_pending() == 0


def test_r_all_11_an_unforeseen_error_ends_the_batch_not_the_relay(ta) -> None:
    """R-ALL-11: a batch that raises something other than StorageError is logged; run() goes on and delivers every event."""
    got: list[int] = []
    stop = threading.Event()
    clock = FrozenClock()

    class Flaky(Relay):
        failures = 2

        def run_once(self):
            if self.failures:
                self.failures -= 1
                raise (KeyError if self.failures else StorageError)("broken batch")
            report = super().run_once()
            if ta.outbox.count_pending() == 0:
                stop.set()
            return report

    relay = Flaky(ta.store, lambda e: got.append(e.position), clock=clock, batch=5)
    runner = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 0.01})
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert got == _positions(ta)


def test_r_all_11_an_event_without_an_envelope_is_a_dead_letter(ta, monkeypatch) -> None:
    """R-ALL-11: an event whose envelope cannot be built is parked with the reason; the others go out."""
    from teamaccess.relay import _envelope

    bad = _positions(ta)[3]
    original = _envelope.Envelope.of.__func__  # type: ignore[attr-defined]

    def of(cls, message, source):
        if message.position == bad:
            raise ValueError("no JSON for this value")
        return original(cls, message, source)

    monkeypatch.setattr(_envelope.Envelope, "of", classmethod(of))
    got: list[int] = []
    Relay(ta.store, lambda e: got.append(e.position)).drain()
    assert got == [p for p in _positions(ta) if p != bad]
    dead = ta.outbox.dead()
    assert [(m.position, m.last_error) for m in dead] == [
        (bad, "cannot build its envelope: ValueError: no JSON for this value")
    ]


def test_r_all_11_url_secrets_never_reach_last_error_or_the_log(ta, caplog) -> None:
    """R-ALL-11: a sink error quoting a URL with a password or a token is stored and logged without them."""

    def sink(envelope) -> None:
        raise ConnectionError(
            "cannot reach redis://:hunter2@cache:6379/0 nor https://crm.example/h?token=tok3n&x=1"
        )

    with caplog.at_level(logging.INFO, logger="teamaccess.relay"):
        Relay(ta.store, sink, clock=FrozenClock()).run_once()
    errors = [m.last_error or "" for m in ta.outbox.pending(100) if m.attempts]
    assert errors
    for text in [*errors, caplog.text]:
        assert "hunter2" not in text
        assert "tok3n" not in text
    assert "https://crm.example/h?token=***&x=1" in errors[0]


def test_r_all_11_async_relay_fails_a_hung_delivery_and_stops_within_the_timeout(ta) -> None:
    """R-ALL-11: an async sink that never answers is a failed attempt after the timeout; run(stop) returns within it."""

    async def hung(envelope) -> None:
        await asyncio.sleep(3600)

    async def scenario() -> float:
        relay = AsyncRelay(ta.store, hung, timeout=timedelta(seconds=0.2), clock=FrozenClock())
        report = await relay.run_once()
        assert (report.failed, report.delivered) == (3, 0)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop, idle=0.01))
        await asyncio.sleep(0.05)
        stop.set()
        started = time.monotonic()
        await asyncio.wait_for(task, 5)
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 1.0
    errors = {m.last_error for m in ta.outbox.pending(100) if m.attempts}
    assert errors == {"TimeoutError: the sink gave no answer within 0.2 s"}


def test_r_all_11_stop_gives_back_the_rest_of_the_batch(ta) -> None:
    """R-ALL-11: stop set during a batch of a slow sink: the call in hand ends, the rest is given back, run returns at once."""
    entered = threading.Event()
    got: list[int] = []

    def slow(envelope) -> None:
        entered.set()
        time.sleep(0.1)
        got.append(envelope.position)

    relay = Relay(ta.store, slow, timeout=timedelta(seconds=1), lease=timedelta(seconds=30))
    stop = threading.Event()
    runner = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle": 0.01})
    runner.start()
    assert entered.wait(10)
    stop.set()
    stopped = time.monotonic()
    runner.join(timeout=10)
    assert time.monotonic() - stopped < 0.5  # a full batch of 12 would take 1.2 s
    assert len(got) < 4
    pending = ta.outbox.pending(100)
    assert len(pending) == EVENTS - len(got)
    assert all(m.leased_by is None and m.attempts == 0 for m in pending)


def test_r_all_11_an_idle_relay_leaves_no_thread_behind(ta, monkeypatch) -> None:
    """R-ALL-11: a relay's sink thread ends when idle (drain() alone starts one); the next delivery starts another."""
    from teamaccess.relay import _relay

    monkeypatch.setattr(_relay, "_WORKER_IDLE", 0.05)
    relay = Relay(ta.store, lambda envelope: None)
    assert relay.drain() == EVENTS
    name = f"{relay.settings.name}-sink"

    def workers() -> int:
        return sum(1 for thread in threading.enumerate() if thread.name == name)

    deadline = time.monotonic() + 5
    while workers() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers() == 0
    ta.users.register("gina", "gina@example.com")
    assert relay.drain() == 1
