"""The relays: claim a batch with a lease, deliver it, settle it (R-ALL-8, R-ALL-11).

`Relay` runs on a thread with a [Sink][teamaccess.relay.Sink]; `AsyncRelay` on an event
loop with an [AsyncSink][teamaccess.relay.AsyncSink], and calls a store over an
``AsyncEngine`` through its ``run_sync``. Both share the batch logic below: one short
transaction leases the batch, the deliveries run outside any transaction, and one more
transaction records the outcome (delivered, retry later, dead, or released because an
earlier event of the same company failed, the lease is running out or the relay stops).

Nothing one row or one sink does stops the relay (R-ALL-11): an event this version
cannot read is parked at once with its reason; whatever a sink raises is a failed
attempt; a sink that does not answer within ``timeout`` is a failed attempt too, and
``Relay`` calls its sink on a worker thread so that it can leave a hung call behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import queue
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs

from teamaccess.domain.events import OutboxMessage, UndecodableEvent
from teamaccess.domain.relay import backoff
from teamaccess.errors import InvalidInput, StorageError, TransientStorageError
from teamaccess.ports import Clock, Store
from teamaccess.relay._envelope import AsyncSink, Envelope, Sink
from teamaccess.relay._secrets import redact_urls
from teamaccess.service.defaults import utc_now

__all__ = ["AsyncRelay", "BatchReport", "Relay"]

log = logging.getLogger("teamaccess.relay")

_RESERVE = 10
"""A tenth of the lease is kept for the claim and the settling transaction."""

_WORKER_IDLE = 5.0
"""Seconds a relay's sink thread waits for a call before it ends (a new one starts later)."""


_SETTLE_ATTEMPTS = 5  # a settle that meets a deadlock is tried again this often


@attrs.frozen
class BatchReport:
    """What one batch did.

    Attributes:
        claimed: Events leased for this batch.
        delivered: Events the sink took.
        failed: Events whose delivery raised and that will be retried.
        dead: Events parked after their last attempt, or at once because this version
            cannot read them (R-ALL-11).
        held: Events given back unattempted: an earlier event of their company failed
            in this batch, the lease was running out, or the relay was stopping.
    """

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    held: int = 0


@attrs.frozen
class _Settings:
    name: str
    batch: int
    lease: timedelta
    timeout: float
    max_attempts: int
    retry_base: timedelta
    retry_cap: timedelta
    source: str
    clock: Clock


def describe(error: BaseException) -> str:
    """A failed attempt's text: its type and message, URL secrets hidden, 2,000 characters."""
    try:
        text = str(error)
    except Exception:  # an error whose __str__ fails is still a failed attempt
        text = "(no text)"
    return redact_urls(f"{type(error).__name__}: {text}" if text else type(error).__name__)[:2000]


class _Batch:
    """One claimed batch: the deliveries to make and their outcome, settled at once."""

    def __init__(self, messages: Sequence[OutboxMessage], settings: _Settings) -> None:
        self.messages = messages
        self._settings = settings
        self._blocked: set[str] = set()
        self.delivered: list[int] = []
        self.held: list[int] = []
        self.failures: list[tuple[int, str, datetime | None, datetime | None]] = []

    def todo(self, go_on: Callable[[], bool]) -> Iterator[tuple[OutboxMessage, Envelope]]:
        """The messages to deliver, in order.

        Those behind a failure of their company wait; one this version cannot read is
        parked at once (R-ALL-11); once ``go_on()`` is false (the lease runs out, the
        relay stops) the rest are given back unattempted.
        """
        messages = iter(self.messages)
        for message in messages:
            event = message.event
            if event.company_id in self._blocked:
                self.held.append(message.position)
                continue
            if isinstance(event, UndecodableEvent):
                self.park(message, event.reason)
                continue
            if not go_on():
                self.held.append(message.position)
                self.held.extend(rest.position for rest in messages)
                return
            try:
                envelope = Envelope.of(message, self._settings.source)
            except Exception as error:  # one bad row never stops the feed
                self.park(message, f"cannot build its envelope: {describe(error)}")
                continue
            yield message, envelope

    def park(self, message: OutboxMessage, reason: str) -> None:
        """Set ``message`` aside as a dead letter at once, with ``reason`` (R-ALL-11)."""
        log.error("event %s is a dead letter: %s", message.position, reason)
        self.failures.append((message.position, reason[:2000], None, self._settings.clock()))

    def failed(self, message: OutboxMessage, error: BaseException) -> None:
        """Count a failed attempt: retried later (its company waits), or dead at the last."""
        settings = self._settings
        attempt = message.attempts + 1
        now = settings.clock()
        text = describe(error)
        if attempt >= settings.max_attempts:
            log.error("event %s is dead after %d attempts: %s", message.position, attempt, text)
            self.failures.append((message.position, text, None, now))
            return
        if message.event.company_id is not None:
            self._blocked.add(message.event.company_id)
        wait = backoff(attempt, base=settings.retry_base, cap=settings.retry_cap)
        log.warning(
            "event %s failed (attempt %d), retry in %s: %s", message.position, attempt, wait, text
        )
        self.failures.append((message.position, text, now + wait, None))

    def settle(self, store: Store) -> BatchReport:
        """Record the outcome in one transaction, tried again on a deadlock.

        A batch left unsettled would be delivered again once its lease ends, so a
        transient failure (a deadlock with another relay's claim) is retried a few times.
        """
        for attempt in range(1, _SETTLE_ATTEMPTS + 1):
            try:
                self._record(store)
                break
            except TransientStorageError as error:
                if attempt == _SETTLE_ATTEMPTS:
                    raise
                log.warning("relay %s settles again: %s", self._settings.name, error)
                time.sleep(0.005 * attempt)
        dead = sum(1 for failure in self.failures if failure[3] is not None)
        report = BatchReport(
            claimed=len(self.messages),
            delivered=len(self.delivered),
            failed=len(self.failures) - dead,
            dead=dead,
            held=len(self.held),
        )
        log.info("relay %s: %s", self._settings.name, report)
        return report

    def _record(self, store: Store) -> None:
        with store.transaction() as tx:
            tx.outbox.mark_delivered(self.delivered, self._settings.clock())
            for position, error, retry_at, dead_at in self.failures:
                tx.outbox.failed(self._settings.name, position, error, retry_at, dead_at)
            tx.outbox.release(self._settings.name, self.held)
            tx.commit()


def _claim(store: Store, settings: _Settings) -> list[OutboxMessage]:
    """Lease a batch in one short transaction (nothing when the store is busy)."""
    now = settings.clock()
    try:
        with store.transaction() as tx:
            messages = list(
                tx.outbox.claim(settings.name, now, now + settings.lease, settings.batch)
            )
            tx.commit()
    except TransientStorageError as error:
        log.warning("relay %s could not claim a batch, will try again: %s", settings.name, error)
        return []
    return messages


def _leave(store: Store, name: str) -> None:
    """Tell the others relay ``name`` stops, so that they share its shards (R-ALL-8).

    Best effort: should the store fail, the relay drops out when its lease ends.
    """
    try:
        with store.transaction() as tx:
            tx.outbox.leave(name)
            tx.commit()
    except StorageError as error:
        log.warning("relay %s could not sign off, its share passes on later: %s", name, error)


def _sink_timeout(sink: object) -> float | None:
    """The ``timeout`` a sink declares (seconds or a timedelta), if it declares one."""
    value = getattr(sink, "timeout", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _is_async(sink: object) -> bool:
    """Whether calling ``sink`` makes a coroutine (an ``async def`` function or ``__call__``)."""
    return inspect.iscoroutinefunction(sink) or inspect.iscoroutinefunction(
        getattr(sink, "__call__", None)  # noqa: B004 - the method, not whether it is callable
    )


def _no_answer(timeout: float) -> TimeoutError:
    return TimeoutError(f"the sink gave no answer within {timeout:g} s")


_S = TypeVar("_S")


class _RelayBase(Generic[_S]):
    """The configuration both relays share; see `Relay` for the arguments."""

    _awaits_sink = True

    def __init__(
        self,
        store: Store,
        sink: _S,
        *,
        name: str | None = None,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=30),
        timeout: timedelta | None = None,
        max_attempts: int = 8,
        retry_base: timedelta = timedelta(seconds=1),
        retry_cap: timedelta = timedelta(minutes=10),
        source: str = "teamaccess",
        clock: Clock = utc_now,
    ) -> None:
        for value, what in ((batch, "batch"), (max_attempts, "max_attempts")):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(f"{what} must be a positive integer: {value!r}")
        for span, what in ((lease, "lease"), (retry_base, "retry_base"), (retry_cap, "retry_cap")):
            if not isinstance(span, timedelta) or span <= timedelta(0):
                raise InvalidInput(f"{what} must be a positive timedelta: {span!r}")
        if timeout is not None and (not isinstance(timeout, timedelta) or timeout <= timedelta(0)):
            raise InvalidInput(f"timeout must be a positive timedelta: {timeout!r}")
        if not callable(sink):
            raise InvalidInput(f"a sink is a callable that takes an Envelope: {sink!r}")
        if not self._awaits_sink and _is_async(sink):
            raise InvalidInput(
                "Relay calls its sink on a thread and cannot await it: "
                "use AsyncRelay for an async sink"
            )
        seconds = (
            timeout.total_seconds()
            if timeout is not None
            else _sink_timeout(sink) or lease.total_seconds() / 3
        )
        room = lease.total_seconds() * (1 - 1 / _RESERVE)
        if seconds > room:
            raise InvalidInput(
                f"the lease ({lease.total_seconds():g} s) must cover one delivery "
                f"({seconds:g} s, the sink's timeout) and a tenth of itself for the "
                f"transactions: make it at least {seconds / (1 - 1 / _RESERVE):g} s"
            )
        self.store = store
        self.sink = sink
        self.settings = _Settings(
            name=name or f"relay-{secrets.token_hex(4)}", batch=batch, lease=lease,
            timeout=seconds, max_attempts=max_attempts, retry_base=retry_base,
            retry_cap=retry_cap, source=source, clock=clock,
        )  # fmt: skip

    def _deadline(self) -> float:
        """When deliveries of a batch claimed now must have ended (``time.monotonic``)."""
        return time.monotonic() + self.settings.lease.total_seconds() * (1 - 1 / _RESERVE)

    def _go_on(self, deadline: float, stopping: Callable[[], bool]) -> Callable[[], bool]:
        """Whether the next delivery may start: the relay goes on and it ends in the lease."""
        timeout = self.settings.timeout
        return lambda: not stopping() and time.monotonic() + timeout <= deadline

    def _batch_lost(self, error: StorageError) -> int:
        """Log a batch a storage error ended; its lease runs out and it is delivered again."""
        log.error("relay %s: storage error, batch left to its lease: %s", self.settings.name, error)
        return 0

    def _batch_broken(self, error: Exception) -> int:
        """Log a batch that ended in an error nobody foresaw; the relay goes on (R-ALL-11)."""
        log.error(
            "relay %s: batch ended in %s, left to its lease", self.settings.name, describe(error)
        )
        return 0


class _Job:
    """One sink call handed to the worker thread."""

    __slots__ = ("envelope", "error", "running")

    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.running = threading.Lock()  # held until the call has returned: cheaper than an Event
        self.running.acquire()
        self.error: BaseException | None = None


class _Courier:
    """Calls a sink on one worker thread, so that a relay can leave a hung call behind.

    The sink is never called twice at once: after a call that overran its time, the
    next one waits until it has returned (`ready`).
    """

    def __init__(self, sink: Sink, name: str) -> None:
        self._sink = sink
        self._name = name
        self._lock = threading.Lock()  # who starts or ends the worker
        self._jobs: queue.SimpleQueue[_Job | None] | None = None
        self._overdue: _Job | None = None

    def ready(self) -> bool:
        """Whether no call left behind is still running."""
        if self._overdue is not None and self._overdue.running.locked():
            return False
        self._overdue = None
        return True

    def call(self, envelope: Envelope, timeout: float) -> BaseException | None:
        """Deliver one envelope: ``None``, or what made the attempt fail."""
        job = _Job(envelope)
        with self._lock:
            if self._jobs is None:
                self._jobs = queue.SimpleQueue()
                threading.Thread(
                    target=self._work, args=(self._jobs,), name=f"{self._name}-sink", daemon=True
                ).start()
            jobs = self._jobs
            jobs.put(job)
        if job.running.acquire(timeout=timeout):
            return job.error
        self._overdue = job  # left behind: its worker ends when the call returns
        with self._lock:
            jobs.put(None)
            if self._jobs is jobs:
                self._jobs = None
        return _no_answer(timeout)

    def close(self) -> None:
        """End the worker thread once its call in hand has returned."""
        with self._lock:
            if self._jobs is not None:
                self._jobs.put(None)
                self._jobs = None

    def _work(self, jobs: queue.SimpleQueue[_Job | None]) -> None:
        while True:
            try:
                job = jobs.get(timeout=_WORKER_IDLE)
            except queue.Empty:
                with self._lock:  # no call comes in while the worker decides to end
                    if jobs.empty():
                        if self._jobs is jobs:
                            self._jobs = None
                        return
                continue
            if job is None:
                return
            try:
                result: object = self._sink(job.envelope)  # a Sink may still return one
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    job.error = TypeError("the sink returned an awaitable: use AsyncRelay")
            except BaseException as error:  # whatever a sink raises is a failed attempt
                job.error = error
            finally:
                job.running.release()


class Relay(_RelayBase[Sink]):
    """Delivers the outbox to a sink, at least once and per company in commit order.

    The sink runs on a worker thread of the relay's; one call at a time.

    Args:
        store: The store whose outbox to relay (the one the service writes to).
        sink: Delivers one [Envelope][teamaccess.relay.Envelope] or raises. An
            ``async def`` sink is refused: use [AsyncRelay][teamaccess.relay.AsyncRelay].
        name: This relay's name in leases and logs; random if omitted.
        batch: Events leased at a time.
        lease: How long a batch is this relay's. Past it, another relay may deliver
            the batch again (delivery is at least once). A batch starts no delivery that
            could end past nine tenths of the lease: the rest is given back for the
            next batch.
        timeout: The longest one delivery may take; a sink that has not returned by
            then has failed the attempt, and the relay no longer waits for it. By
            default the sink's own ``timeout`` attribute (``WebhookSink``'s), else a
            third of the lease; at most nine tenths of the lease.
        max_attempts: Failed attempts after which an event is dead (parked).
        retry_base: The first retry waits up to this long; each later one up to twice
            as long as the one before (exponential backoff, full jitter) ...
        retry_cap: ... but never more than this.
        source: The first part of each envelope's idempotency key ``<source>-<position>``.
        clock: The current aware UTC time.

    Raises:
        InvalidInput: A count or a time span that is not positive, a timeout the lease
            does not cover, or a sink that is not callable or is ``async``.
    """

    _awaits_sink = False
    _stopping: Callable[[], bool] = staticmethod(lambda: False)

    @functools.cached_property
    def _courier(self) -> _Courier:
        return _Courier(self.sink, self.settings.name)

    def run_once(self) -> BatchReport:
        """Claim one batch, deliver it, record the outcome; what happened."""
        return self._run_batch(self._stopping)

    def _run_batch(self, stopping: Callable[[], bool]) -> BatchReport:
        if not self._courier.ready():
            log.warning(
                "relay %s: the sink has not returned from a call that overran its time",
                self.settings.name,
            )
            return BatchReport()
        deadline = self._deadline()
        batch = _Batch(_claim(self.store, self.settings), self.settings)
        if not batch.messages:
            return BatchReport()
        in_time = self._go_on(deadline, stopping)

        def go_on() -> bool:
            # After a call that overran its time, nothing more goes to the sink in this batch.
            return self._courier.ready() and in_time()

        for message, envelope in batch.todo(go_on):
            error = self._courier.call(envelope, self.settings.timeout)
            if error is None:
                batch.delivered.append(message.position)
            else:
                batch.failed(message, error)
        return batch.settle(self.store)

    def drain(self) -> int:
        """Run batches until none is due; how many events were delivered."""
        delivered = 0
        while (report := self.run_once()).claimed:
            delivered += report.delivered
        return delivered

    def run(self, stop: threading.Event, *, idle: float = 0.5) -> None:
        """Relay until ``stop`` is set.

        Once ``stop`` is set no delivery starts: the call in hand is waited for at most
        ``timeout``, the rest of the batch is given back unattempted, and one short
        transaction records the batch. When nothing is due it waits ``idle`` seconds (or
        until ``stop``) between polls. An error ends the batch, not the relay: it is
        logged, and the batch's lease runs out and the events are delivered again.
        """
        log.info("relay %s started", self.settings.name)
        self._stopping = stop.is_set
        try:
            while not stop.is_set():
                try:
                    claimed = self.run_once().claimed
                except StorageError as error:
                    claimed = self._batch_lost(error)
                except Exception as error:  # nothing one batch does ends the relay
                    claimed = self._batch_broken(error)
                if not claimed:
                    stop.wait(idle)
        finally:
            self._stopping = lambda: False
            self._courier.close()
            _leave(self.store, self.settings.name)
        log.info("relay %s stopped", self.settings.name)


class AsyncRelay(_RelayBase[AsyncSink]):
    """The relay for an event loop: it awaits its sink and the store's I/O.

    The arguments are [Relay][teamaccess.relay.Relay]'s, with an
    [AsyncSink][teamaccess.relay.AsyncSink]; a delivery that is not done within
    ``timeout`` is cancelled and counts as a failed attempt. A plain function also
    works as a sink (what it returns is not awaited), but it blocks the loop while it
    runs. A store over an ``AsyncEngine`` is called through its ``run_sync``; any other
    store directly.
    """

    async def _store_call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if getattr(self.store, "is_async", False):
            return await self.store.run_sync(fn, *args)  # type: ignore[attr-defined]
        return fn(*args)

    async def _deliver(self, envelope: Envelope) -> BaseException | None:
        try:
            result: Any = self.sink(envelope)
            if inspect.isawaitable(result):
                await asyncio.wait_for(_awaited(result), self.settings.timeout)
        except asyncio.TimeoutError:
            return _no_answer(self.settings.timeout)
        except Exception as error:  # whatever a sink raises is a failed attempt
            return error
        return None

    _stopping: Callable[[], bool] = staticmethod(lambda: False)

    async def run_once(self) -> BatchReport:
        """Claim one batch, deliver it, record the outcome; what happened."""
        return await self._run_batch(self._stopping)

    async def _run_batch(self, stopping: Callable[[], bool]) -> BatchReport:
        deadline = self._deadline()
        messages = await self._store_call(_claim, self.store, self.settings)
        batch = _Batch(messages, self.settings)
        if not batch.messages:
            return BatchReport()
        for message, envelope in batch.todo(self._go_on(deadline, stopping)):
            error = await self._deliver(envelope)
            if error is None:
                batch.delivered.append(message.position)
            else:
                batch.failed(message, error)
        report: BatchReport = await self._store_call(batch.settle, self.store)
        return report

    async def drain(self) -> int:
        """Run batches until none is due; how many events were delivered."""
        delivered = 0
        while (report := await self.run_once()).claimed:
            delivered += report.delivered
        return delivered

    async def run(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Relay until ``stop`` is set; it stops as `Relay.run` does."""
        self._stopping = stop.is_set
        try:
            while not stop.is_set():
                try:
                    claimed = (await self.run_once()).claimed
                except StorageError as error:
                    claimed = self._batch_lost(error)
                except Exception as error:  # nothing one batch does ends the relay
                    claimed = self._batch_broken(error)
                if not claimed:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop.wait(), idle)
        finally:
            self._stopping = lambda: False
            await self._store_call(_leave, self.store, self.settings.name)


async def _awaited(awaitable: Awaitable[Any]) -> None:
    await awaitable
