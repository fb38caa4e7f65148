"""The relays: claim a batch with a lease, deliver it, settle it (R-ALL-8).

`Relay` runs on a thread with a [Sink][teamaccess.relay.Sink]; `AsyncRelay` on an event
loop with an [AsyncSink][teamaccess.relay.AsyncSink], and calls a store over an
``AsyncEngine`` through its ``run_sync``. Both share the batch logic below: one short
transaction leases the batch, the deliveries run outside any transaction, and one more
transaction records the outcome (delivered, retry later, dead, or released because an
earlier event of the same company failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs

from teamaccess.domain.events import OutboxMessage
from teamaccess.domain.relay import backoff
from teamaccess.errors import InvalidInput, StorageError, TransientStorageError
from teamaccess.ports import Clock, Store
from teamaccess.relay._envelope import AsyncSink, Envelope, Sink
from teamaccess.service.defaults import utc_now

__all__ = ["AsyncRelay", "BatchReport", "Relay"]

log = logging.getLogger("teamaccess.relay")


@attrs.frozen
class BatchReport:
    """What one batch did.

    Attributes:
        claimed: Events leased for this batch.
        delivered: Events the sink took.
        failed: Events whose delivery raised and that will be retried.
        dead: Events parked after their last attempt.
        held: Events given back unattempted because an earlier event of their company
            failed in this batch.
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
    max_attempts: int
    retry_base: timedelta
    retry_cap: timedelta
    source: str
    clock: Clock


class _Batch:
    """One claimed batch: the deliveries to make and their outcome, settled at once."""

    def __init__(self, messages: Sequence[OutboxMessage], settings: _Settings) -> None:
        self.messages = messages
        self._settings = settings
        self._blocked: set[str] = set()
        self.delivered: list[int] = []
        self.held: list[int] = []
        self.failures: list[tuple[int, str, datetime | None, datetime | None]] = []

    def todo(self) -> Iterator[tuple[OutboxMessage, Envelope]]:
        """The messages to deliver, in order; those behind a failure of their company wait."""
        for message in self.messages:
            if message.event.company_id in self._blocked:
                self.held.append(message.position)
            else:
                yield message, Envelope.of(message, self._settings.source)

    def failed(self, message: OutboxMessage, error: BaseException) -> None:
        settings = self._settings
        if message.event.company_id is not None:
            self._blocked.add(message.event.company_id)
        attempt = message.attempts + 1
        now = settings.clock()
        text = f"{type(error).__name__}: {error}"[:2000]
        if attempt >= settings.max_attempts:
            log.error("event %s is dead after %d attempts: %s", message.position, attempt, text)
            self.failures.append((message.position, text, None, now))
            return
        wait = backoff(attempt, base=settings.retry_base, cap=settings.retry_cap)
        log.warning(
            "event %s failed (attempt %d), retry in %s: %s", message.position, attempt, wait, text
        )
        self.failures.append((message.position, text, now + wait, None))

    def settle(self, store: Store) -> BatchReport:
        """Record the outcome in one transaction."""
        with store.transaction() as tx:
            tx.outbox.mark_delivered(self.delivered, self._settings.clock())
            for position, error, retry_at, dead_at in self.failures:
                tx.outbox.failed(self._settings.name, position, error, retry_at, dead_at)
            tx.outbox.release(self._settings.name, self.held)
            tx.commit()
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


_S = TypeVar("_S")


class _RelayBase(Generic[_S]):
    """The configuration both relays share; see `Relay` for the arguments."""

    def __init__(
        self,
        store: Store,
        sink: _S,
        *,
        name: str | None = None,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=30),
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
        self.store = store
        self.sink = sink
        self.settings = _Settings(
            name=name or f"relay-{secrets.token_hex(4)}", batch=batch, lease=lease,
            max_attempts=max_attempts, retry_base=retry_base, retry_cap=retry_cap,
            source=source, clock=clock,
        )  # fmt: skip

    def _batch_lost(self, error: StorageError) -> int:
        """Log a batch a storage error ended; its lease runs out and it is delivered again."""
        log.error("relay %s: storage error, batch left to its lease: %s", self.settings.name, error)
        return 0


class Relay(_RelayBase[Sink]):
    """Delivers the outbox to a sink, at least once and per company in commit order.

    Args:
        store: The store whose outbox to relay (the one the service writes to).
        sink: Delivers one [Envelope][teamaccess.relay.Envelope] or raises.
        name: This relay's name in leases and logs; random if omitted.
        batch: Events leased at a time.
        lease: How long a batch is this relay's. Past it, another relay may deliver
            the batch again (delivery is at least once): keep it above the time a
            batch takes.
        max_attempts: Failed attempts after which an event is dead (parked).
        retry_base: The first retry waits up to this long; each later one up to twice
            as long as the one before (exponential backoff, full jitter) ...
        retry_cap: ... but never more than this.
        source: The first part of each envelope's idempotency key ``<source>-<position>``.
        clock: The current aware UTC time.

    Raises:
        InvalidInput: A count or a time span that is not positive.
    """

    def run_once(self) -> BatchReport:
        """Claim one batch, deliver it, record the outcome; what happened."""
        batch = _Batch(_claim(self.store, self.settings), self.settings)
        if not batch.messages:
            return BatchReport()
        for message, envelope in batch.todo():
            try:
                self.sink(envelope)
            except Exception as error:
                batch.failed(message, error)
            else:
                batch.delivered.append(message.position)
        return batch.settle(self.store)

    def drain(self) -> int:
        """Run batches until none is due; how many events were delivered."""
        delivered = 0
        while (report := self.run_once()).claimed:
            delivered += report.delivered
        return delivered

    def run(self, stop: threading.Event, *, idle: float = 0.5) -> None:
        """Relay until ``stop`` is set; the batch in hand is finished first.

        When nothing is due it waits ``idle`` seconds (or until ``stop``) between polls.
        A storage error ends the batch, not the relay: it is logged, and the batch's
        lease runs out and the events are delivered again.
        """
        log.info("relay %s started", self.settings.name)
        while not stop.is_set():
            try:
                claimed = self.run_once().claimed
            except StorageError as error:
                claimed = self._batch_lost(error)
            if not claimed:
                stop.wait(idle)
        log.info("relay %s stopped", self.settings.name)


class AsyncRelay(_RelayBase[AsyncSink]):
    """The relay for an event loop: it awaits its sink and the store's I/O.

    The arguments are [Relay][teamaccess.relay.Relay]'s, with an
    [AsyncSink][teamaccess.relay.AsyncSink]. A store over an ``AsyncEngine`` is called
    through its ``run_sync``; any other store directly.
    """

    async def _store_call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if getattr(self.store, "is_async", False):
            return await self.store.run_sync(fn, *args)  # type: ignore[attr-defined]
        return fn(*args)

    async def run_once(self) -> BatchReport:
        """Claim one batch, deliver it, record the outcome; what happened."""
        messages = await self._store_call(_claim, self.store, self.settings)
        batch = _Batch(messages, self.settings)
        if not batch.messages:
            return BatchReport()
        for message, envelope in batch.todo():
            try:
                await self.sink(envelope)
            except Exception as error:
                batch.failed(message, error)
            else:
                batch.delivered.append(message.position)
        report: BatchReport = await self._store_call(batch.settle, self.store)
        return report

    async def drain(self) -> int:
        """Run batches until none is due; how many events were delivered."""
        delivered = 0
        while (report := await self.run_once()).claimed:
            delivered += report.delivered
        return delivered

    async def run(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Relay until ``stop`` is set; the batch in hand is finished first (see `Relay.run`)."""
        while not stop.is_set():
            try:
                claimed = (await self.run_once()).claimed
            except StorageError as error:
                claimed = self._batch_lost(error)
            if not claimed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)
