"""The in-memory outbox: events appended in the command's transaction, claimed by relays."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from teamaccess.adapters.memory._repo import Journal, Repo, Tables
from teamaccess.domain.audit import AuditFilter, kind_of
from teamaccess.domain.audit_chain import GENESIS, PLATFORM_CHAIN, SealedEvent, chain_key, relink
from teamaccess.domain.events import Event, OutboxMessage, event_to_dict, without_context
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.privacy import redact_event
from teamaccess.domain.relay import in_company_order, shard_of, share

_FORGET = timedelta(hours=1)
"""A relay this long past its lease is forgotten by the next claim."""


def _sealed(message: OutboxMessage, link: tuple[str, str] | None) -> SealedEvent:
    """The message as its audit chain sees it (what an SQL row keeps of it)."""
    event = message.event
    prev, digest = (None, None) if link is None else link
    return SealedEvent(
        message.position,
        kind_of(event),
        event.company_id,
        event.actor_id,
        event.occurred_at,
        event_to_dict(event),
        prev,
        digest,
    )


class MemoryOutbox(Repo):
    def __init__(self, tables: Tables, journal: Journal) -> None:
        super().__init__(tables, journal)
        self._changed: dict[str, int] = {}  # chain key -> first position rewritten

    def append(self, event: Event) -> None:
        self.extend([event])

    def extend(self, events: Sequence[Event]) -> None:
        first = self._t.next_position[0]
        self._t.next_position[0] += len(events)  # like a database sequence: not rolled back
        messages = {first + i: OutboxMessage(first + i, event) for i, event in enumerate(events)}
        heads, seals = self._t.heads, self._t.seals
        for position, message in messages.items():  # the store's lock orders the chains
            key = chain_key(message.event.company_id)
            prev = heads.get(key, GENESIS)
            digest = _sealed(message, None).expected(prev)
            self._j.put(seals, position, (prev, digest))
            self._j.put(heads, key, digest)
        self._j.put_new(self._t.outbox, messages)

    def chain(self, company_id: CompanyId | None, after: int, limit: int) -> Sequence[SealedEvent]:
        found = (
            _sealed(m, self._t.seals.get(p))
            for p, m in self._t.outbox.items()
            if p > after and m.event.company_id == company_id
        )
        return list(itertools.islice(found, limit))

    def head(self, company_id: CompanyId | None) -> str | None:
        return self._t.heads.get(chain_key(company_id))

    def _rewritten(self, message: OutboxMessage) -> None:
        key = chain_key(message.event.company_id)
        self._changed[key] = min(self._changed.get(key, message.position), message.position)

    def reseal(self) -> Mapping[CompanyId | None, int]:
        done: dict[CompanyId | None, int] = {}
        seals = self._t.seals
        for key, start in sorted(self._changed.items()):
            company = None if key == PLATFORM_CHAIN else CompanyId(key)
            ours = [m for m in self._t.outbox.values() if m.event.company_id == company]
            before = [m for m in ours if m.position < start]
            prev = seals[before[-1].position][1] if before else GENESIS
            later = [_sealed(m, None) for m in ours if m.position >= start]
            for event, new_prev, digest in relink(prev, later):
                self._j.put(seals, event.position, (new_prev, digest))
                prev = digest
            self._j.put(self._t.heads, key, prev)
            done[company] = len(later)
        self._changed.clear()
        return done

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        found: list[OutboxMessage] = []
        for message in self._t.outbox.values():
            if len(found) >= limit:
                break
            if _waiting(message):
                found.append(message)
        return found

    def count_pending(self) -> int:
        return sum(1 for message in self._t.outbox.values() if _waiting(message))

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        self._change(positions, delivered_at=at, leased_by=None, leased_until=None)

    def claim(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        relays = self._t.relays
        for name in [name for name, alive in relays.items() if alive < now - _FORGET]:
            del relays[name]
        live = [name for name, alive in relays.items() if alive > now]
        relays[owner] = until
        mine = share(live, owner)
        found = self._claim(owner, now, until, limit, mine)
        if not found and mine is not None:  # nothing due in its share: any shard will do
            found = self._claim(owner, now, until, limit, None)
        return found

    def leave(self, owner: str) -> None:
        self._t.relays.pop(owner, None)

    def _claim(
        self,
        owner: str,
        now: datetime,
        until: datetime,
        limit: int,
        shards: frozenset[int] | None,
    ) -> Sequence[OutboxMessage]:
        # The store's lock is held by the whole transaction: claims run one at a time.
        # A company whose earliest pending message is not due holds back its later ones;
        # the walk looks past them, so one company's queue never starves the others.
        due: list[tuple[int, str | None]] = []
        seen: list[tuple[int, str | None]] = []
        held: set[str] = set()
        for m in self._t.outbox.values():
            if not _waiting(m):
                continue
            company = m.event.company_id
            seen.append((m.position, company))
            if company is not None and company in held:
                continue
            if not _due(m, now):
                if company is not None:
                    held.add(company)
                continue
            if shards is not None and shard_of(company) not in shards:
                continue
            due.append((m.position, company))
            if len(due) >= limit:
                break
        keep = in_company_order(due, seen)[:limit]
        self._change(keep, leased_by=owner, leased_until=until)
        return [self._t.outbox[position] for position in keep]

    def release(self, owner: str, positions: Sequence[int]) -> None:
        mine = [p for p in positions if self._leased_by(p, owner)]
        self._change(mine, leased_by=None, leased_until=None)

    def failed(
        self,
        owner: str,
        position: int,
        error: str,
        retry_at: datetime | None,
        dead_at: datetime | None,
    ) -> None:
        message = self._t.outbox.get(position)
        if message is not None and self._leased_by(position, owner):
            self._change(
                [position],
                attempts=message.attempts + 1,
                last_error=error,
                retry_at=retry_at,
                dead_at=dead_at,
                leased_by=None,
                leased_until=None,
            )

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        found = [m for m in self._t.outbox.values() if m.dead_at is not None]
        return found[:limit]

    def redrive(self, positions: Sequence[int] | None) -> int:
        chosen = [
            m.position
            for m in self._t.outbox.values()
            if m.dead_at is not None and (positions is None or m.position in positions)
        ]
        self._change(chosen, dead_at=None, attempts=0, retry_at=None)
        return len(chosen)

    def redact(self, old: str, new: str) -> int:
        changed = 0
        for position, message in list(self._t.outbox.items()):
            changes: dict[str, Any] = {}
            event = redact_event(message.event, old, new)
            if event is not None:
                changes["event"] = event
            if message.last_error is not None and old in message.last_error:
                changes["last_error"] = message.last_error.replace(old, new)  # R-CO-9
            if changes:
                self._j.put(self._t.outbox, position, attrs.evolve(message, **changes))
                if event is not None:
                    self._rewritten(message)
                changed += 1
        return changed

    def _leased_by(self, position: int, owner: str) -> bool:
        message = self._t.outbox.get(position)
        return message is not None and message.leased_by == owner

    def _change(self, positions: Iterable[int], **changes: Any) -> None:
        for position in positions:
            message = self._t.outbox.get(position)
            if message is not None and message.delivered_at is None:
                self._j.put(self._t.outbox, position, attrs.evolve(message, **changes))

    def all(self) -> Sequence[OutboxMessage]:
        return list(self._t.outbox.values())

    def search(self, query: AuditFilter, limit: int) -> Sequence[OutboxMessage]:
        return list(itertools.islice(filter(query.matches, self._t.outbox.values()), limit))

    def forget_context(self, actor_id: UserId) -> int:
        outbox = self._t.outbox
        told = [p for p, m in outbox.items() if m.event.actor_id == actor_id and m.event.context]
        for position in told:
            message = outbox[position]
            self._j.put(
                outbox, position, attrs.evolve(message, event=without_context(message.event))
            )
            self._rewritten(message)
        return len(told)

    def purge(self, before: datetime, keep: frozenset[str]) -> int:
        gone = [
            position
            for position, m in self._t.outbox.items()
            if not _waiting(m) and m.event.occurred_at < before and kind_of(m.event) not in keep
        ]
        if gone:
            outbox = self._t.outbox
            before_purge = dict(outbox)  # a rollback restores it in position order

            def restore() -> None:
                outbox.clear()
                outbox.update(before_purge)

            self._j.call(restore)
            for position in gone:
                self._rewritten(outbox.pop(position))
                self._j.pop(self._t.seals, position)
        return len(gone)


def _waiting(message: OutboxMessage) -> bool:
    return message.delivered_at is None and message.dead_at is None


def _due(message: OutboxMessage, now: datetime) -> bool:
    leased = message.leased_until is not None and message.leased_until > now
    return not leased and (message.retry_at is None or message.retry_at <= now)
