"""What a sink receives: one outbox event with its idempotency key."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import attrs

from teamaccess.domain.events import OutboxMessage, event_to_dict

__all__ = ["AsyncSink", "Envelope", "Sink"]


@attrs.frozen
class Envelope:
    """One event on its way out of the outbox.

    Attributes:
        id: The idempotency key: ``<source>-<position>``, the same on every attempt,
            so a receiver drops repeats (delivery is at least once).
        position: The event's outbox position.
        type: The event type, e.g. ``MemberAdded``.
        company_id: The company whose order the event keeps, or ``None``.
        occurred_at: When it happened (UTC).
        attempt: 1 for the first delivery, 2 for the first retry, ...
        data: The event as JSON-ready values ([event_to_dict][teamaccess.events.event_to_dict]).
    """

    id: str
    position: int
    type: str
    company_id: str | None
    occurred_at: datetime
    attempt: int
    data: dict[str, Any]

    @classmethod
    def of(cls, message: OutboxMessage, source: str) -> Envelope:
        """The envelope of an outbox message, keyed ``<source>-<position>``."""
        event = message.event
        return cls(
            id=f"{source}-{message.position}",
            position=message.position,
            type=event.type,
            company_id=event.company_id,
            occurred_at=event.occurred_at,
            attempt=message.attempts + 1,
            data=event_to_dict(event),
        )

    def body(self) -> bytes:
        """The JSON body every shipped sink sends: ``{"id", "type", "timestamp", "data"}``."""
        document = {
            "id": self.id,
            "type": self.type,
            "timestamp": self.occurred_at.isoformat(),
            "data": self.data,
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


Sink = Callable[[Envelope], None]
"""Delivers one envelope, or raises; anything that returns counts as delivered."""

AsyncSink = Callable[[Envelope], Awaitable[None]]
"""The awaitable kind of [Sink][teamaccess.relay.Sink], for ``AsyncRelay``."""
