"""The audit trail, sealed: each stored event's hash covers the one before it (issue 32).

Every company's events form a chain, and the events without a company one chain of
the platform's (key `PLATFORM_CHAIN`). An event's seal is the SHA-256 of a canonical
encoding of what the store keeps of it (`seal`: its kind, company, actor, time and
payload, the request context inside it, and the seal of the event before it in its
chain, ``prev``); the store keeps each event's ``prev`` and seal beside it, and the
chain's *head*, the seal of its last event, in a row of its own that every command
appending to the chain locks, so two commands link one after the other.

`ChainCheck` walks a chain in outbox order and reports the first event that does not
fit: its content changed since it was sealed, it does not link to the event before it
(one was deleted, inserted or moved in between), it carries no seal, or the head names
another last event (the last ones were deleted). Rewrites the library makes itself
(erasure's redaction, a changed e-mail, the retention purge) seal the chains they
change again from the first changed event on, and say so in their event.

What a chain cannot prove: someone who can write the tables can recompute every seal
and the head after a change of their own. A host that keeps the head elsewhere (a log,
a notary) can tell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

import attrs

from teamaccess.domain.codec import keep_last
from teamaccess.domain.ids import CompanyId

__all__ = [
    "GENESIS",
    "PLATFORM_CHAIN",
    "AuditVerification",
    "ChainCheck",
    "EncodedPayload",
    "SealedEvent",
    "canonical",
    "chain_key",
    "relink",
    "seal",
]

GENESIS = "0" * 64
"""The ``prev`` of a chain's first event, and the head of a chain without events."""
PLATFORM_CHAIN = ""
"""The chain key of the events without a company (no company id is empty)."""

CHANGED = "changed"
UNLINKED = "unlinked"
UNSEALED = "unsealed"
TRUNCATED = "truncated"

_REASONS = {
    CHANGED: "its kind, company, actor, time, payload or context changed after it was sealed",
    UNLINKED: "it does not follow the event before it: an event was deleted, inserted or moved",
    UNSEALED: "it carries no seal",
    TRUNCATED: "the chain's head names another last event: the last events were deleted",
}


def chain_key(company_id: str | None) -> str:
    """The key of the chain an event of ``company_id`` belongs to."""
    return PLATFORM_CHAIN if company_id is None else company_id


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # what it writes for a str


@keep_last
def _instant(value: datetime) -> str:
    """The time as `seal` writes it."""
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def canonical(payload: Any) -> str:
    """``payload`` as `seal` encodes it: JSON, sorted keys, no blanks, ASCII only."""
    return _CANONICAL.encode(payload)


class EncodedPayload(dict[str, Any]):
    """A payload that carries its `canonical` text, so a store writes the text it sealed.

    It is the payload dict itself wherever a dict is taken (SQLAlchemy's JSON type
    encodes it again); `seal` and the stores' bulk inserts use ``text``, encoding it
    once instead of twice per event.
    """

    __slots__ = ("text",)

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload)
        self.text = canonical(payload)


def seal(
    prev: str,
    kind: str,
    company_id: str | None,
    actor_id: str | None,
    occurred_at: datetime,
    payload: Any,
) -> str:
    """The seal of a stored event: SHA-256 (hex) of its canonical JSON after ``prev``.

    The encoding is a JSON object with sorted keys and no blanks (``ensure_ascii``),
    the time as UTC ISO 8601 with microseconds; the payload is the stored one, as read
    back (the request context is part of it). The object is written out key by key
    in sorted order (what ``json.dumps(..., sort_keys=True)`` writes), so that an
    `EncodedPayload`'s text goes in as it is.
    """
    text = payload.text if isinstance(payload, EncodedPayload) else canonical(payload)
    actor = "null" if actor_id is None else _string(actor_id)
    company = "null" if company_id is None else _string(company_id)
    body = (
        f'{{"actor":{actor},"at":"{_instant(occurred_at)}","company":{company},'
        f'"kind":{_string(kind)},"payload":{text},"prev":{_string(prev)},"v":1}}'
    )
    return hashlib.sha256(body.encode("ascii")).hexdigest()


@attrs.frozen
class SealedEvent:
    """One stored event as its chain sees it.

    Attributes:
        position: Its outbox position.
        kind: Its type name as stored.
        company_id: Its company as stored (``None``: the platform's chain).
        actor_id: Its actor as stored.
        occurred_at: Its time as stored.
        payload: Its payload as stored (JSON-ready).
        prev: The seal it links to (`GENESIS` for a chain's first), ``None`` if unsealed.
        digest: Its seal as stored, ``None`` if unsealed.
    """

    position: int
    kind: str
    company_id: str | None
    actor_id: str | None
    occurred_at: datetime
    payload: Any
    prev: str | None
    digest: str | None

    def expected(self, prev: str) -> str:
        """Its seal after ``prev``, computed from its content now."""
        return seal(prev, self.kind, self.company_id, self.actor_id, self.occurred_at, self.payload)


@attrs.frozen(kw_only=True)
class AuditVerification:
    """The verdict of ``ta.audit.verify`` on one chain.

    Attributes:
        company_id: The company whose chain was checked (``None``: the platform's).
        ok: Whether every stored event is as it was sealed and the chain is whole.
        events: How many events were checked (up to the first broken one).
        head: The chain's head as stored: the seal of its last event (`GENESIS` for
            none). Keep it elsewhere to notice later a rewrite of the whole chain.
        broken_at: The position of the first event that does not fit, or ``None``.
        reason: Why (``"changed"``, ``"unlinked"``, ``"unsealed"``, ``"truncated"``),
            or ``None``.
    """

    company_id: CompanyId | None
    ok: bool
    events: int
    head: str
    broken_at: int | None = None
    reason: str | None = None

    @property
    def message(self) -> str:
        """One line for people: ``ok`` with the count, or where and why it broke."""
        if self.ok:
            return f"ok: {self.events} events, head {self.head}"
        where = "" if self.broken_at is None else f" at position {self.broken_at}"
        return f"broken{where}: {_REASONS.get(self.reason or '', self.reason)}"


class ChainCheck:
    """Checks one chain fed in outbox order, a batch at a time; stops at the first break."""

    def __init__(self, company_id: CompanyId | None) -> None:
        self._company_id = company_id
        self._last = GENESIS
        self._last_position: int | None = None
        self._count = 0
        self._broken: tuple[int | None, str] | None = None

    @property
    def broken(self) -> bool:
        """Whether a break was found (further events are not looked at)."""
        return self._broken is not None

    def feed(self, events: Iterable[SealedEvent]) -> None:
        """Check these events, the next ones of the chain in outbox order."""
        for event in events:
            if self._broken is not None:
                return
            reason = _fault(event, self._last)
            if reason is not None:
                self._broken = (event.position, reason)
                return
            self._count += 1
            self._last = event.digest or GENESIS
            self._last_position = event.position

    def result(self, head: str | None) -> AuditVerification:
        """The verdict, given the head as stored (``None``: the store keeps none)."""
        shown = GENESIS if head is None else head
        broken = self._broken
        if broken is None and shown != self._last:
            broken = (self._last_position, TRUNCATED)
        if broken is None:
            return AuditVerification(
                company_id=self._company_id, ok=True, events=self._count, head=shown
            )
        return AuditVerification(
            company_id=self._company_id,
            ok=False,
            events=self._count,
            head=shown,
            broken_at=broken[0],
            reason=broken[1],
        )


def relink(prev: str, events: Iterable[SealedEvent]) -> Iterator[tuple[SealedEvent, str, str]]:
    """Seal ``events`` (a chain's next ones, in order) again after ``prev``.

    Yields each event with its new ``prev`` and seal; a rewrite the library makes
    itself (redaction, purge) stores them, and the chain's head becomes the last seal.
    """
    for event in events:
        digest = event.expected(prev)
        yield event, prev, digest
        prev = digest


def _fault(event: SealedEvent, last: str) -> str | None:
    """Why ``event`` does not fit after the seal ``last``, or ``None``."""
    if event.prev is None or event.digest is None:
        return UNSEALED
    if event.expected(event.prev) != event.digest:
        return CHANGED
    if event.prev != last:
        return UNLINKED
    return None
