"""The audit trail, searched: a company's stored events picked by who, whom, what and when.

The outbox is the audit trail (R-ALL-4). A search keeps one company's events, oldest
first, by their actor, by the users they are about (their *targets*: every user id an
event names in its own fields, such as the removed member of ``MemberRemoved``), by
their kinds (type names) and by a half-open time range, a page at a time by outbox
position. An export of the result is JSON or CSV, its CSV cells formula-safe like the
access review's. Retention: a platform admin purges the events older than a cutoff
that no consumer still waits for, keeping the records of erasures.
"""

from __future__ import annotations

import json
import typing
from datetime import datetime
from typing import Any

import attrs

from teamaccess.domain.events import (
    Event,
    OutboxMessage,
    UndecodableEvent,
    _event,
    event_to_dict,
)
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.review import csv_text

__all__ = [
    "KEPT_ON_PURGE",
    "AuditEntry",
    "AuditFilter",
    "AuditLog",
    "AuditTrailPurged",
    "kind_of",
    "targets_of",
]

_COLUMNS = (
    "position", "occurred_at", "kind", "actor_id", "acting_as", "company_id", "targets",
    "ip", "user_agent", "request_id", "details",
)  # fmt: skip
_STAMP = frozenset({"type", "occurred_at", "actor_id", "company_id", "acting_as", "context"})


def kind_of(event: Event) -> str:
    """The event's type name as stored (an undecodable event keeps its stored type)."""
    return event.stored_type if isinstance(event, UndecodableEvent) else event.type


_USER_FIELDS: dict[type[Event], tuple[str, ...]] = {}


def _user_fields(cls: type[Event]) -> tuple[str, ...]:
    """The fields of an event class that hold user ids, other than ``actor_id``."""
    names = _USER_FIELDS.get(cls)
    if names is None:
        hints = typing.get_type_hints(cls)
        names = _USER_FIELDS[cls] = tuple(
            f.name
            for f in attrs.fields(cls)
            if f.name != "actor_id" and UserId in (hints[f.name], *typing.get_args(hints[f.name]))
        )
    return names


def targets_of(event: Event) -> frozenset[UserId]:
    """The users an event is about: the user ids in its own fields (not its actor's).

    A user who acted on themselves (left a company) is their own event's target too.
    An undecodable event names none.
    """
    values = (getattr(event, name) for name in _user_fields(type(event)))
    return frozenset(v for v in values if v is not None)


@attrs.frozen(kw_only=True)
class AuditFilter:
    """Which of a company's stored events a search keeps.

    Attributes:
        company_id: The company whose events are searched (their acting company).
        actor_id: Only events this user did, or ``None`` for anyone's.
        target_id: Only events about this user (`targets_of`), or ``None``.
        kinds: Only these event type names (``MemberRemoved``), or all when empty.
        since: Only events at or after this instant, or ``None``.
        until: Only events before this instant, or ``None``.
        after: Only events after this outbox position (the page cursor).
    """

    company_id: CompanyId
    actor_id: UserId | None = None
    target_id: UserId | None = None
    kinds: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    after: int = 0

    def matches(self, message: OutboxMessage) -> bool:
        """Whether the search keeps this message."""
        event = message.event
        return (
            message.position > self.after
            and event.company_id == self.company_id
            and (self.actor_id is None or event.actor_id == self.actor_id)
            and (not self.kinds or kind_of(event) in self.kinds)
            and (self.since is None or event.occurred_at >= self.since)
            and (self.until is None or event.occurred_at < self.until)
            and (self.target_id is None or self.target_id in targets_of(event))
        )


@attrs.frozen
class AuditEntry:
    """One event of the audit trail, at its outbox position.

    Attributes:
        position: Its place in the outbox (the search's cursor).
        event: The event as stored (erased people under their pseudonym, R-CO-7).
    """

    position: int
    event: Event

    @property
    def kind(self) -> str:
        """The event's type name."""
        return kind_of(self.event)

    @property
    def targets(self) -> tuple[str, ...]:
        """The users the event is about, sorted."""
        return tuple(sorted(targets_of(self.event)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: who, when, which company, from which request, and details."""
        data = event_to_dict(self.event)
        e = self.event
        return {
            "position": self.position,
            "occurred_at": e.occurred_at.isoformat(),
            "kind": self.kind,
            "actor_id": e.actor_id,
            "acting_as": e.acting_as,
            "company_id": e.company_id,
            "targets": list(self.targets),
            "context": None if e.context is None else attrs.asdict(e.context),
            "details": {k: v for k, v in data.items() if k not in _STAMP},
        }


@attrs.frozen
class AuditLog:
    """The entries of an audit search, oldest first, for export.

    Attributes:
        company_id: The company searched.
        entries: The entries found.
    """

    company_id: CompanyId
    entries: tuple[AuditEntry, ...]

    def to_json(self) -> str:
        """The entries as a JSON document: ``{"company_id": ..., "entries": [...]}``."""
        entries = [entry.to_dict() for entry in self.entries]
        return json.dumps({"company_id": self.company_id, "entries": entries}, sort_keys=True)

    def to_csv(self) -> str:
        """The entries as CSV with a header line, formula-like cells neutralized.

        ``targets`` is space-separated; ``ip``, ``user_agent`` and ``request_id`` come
        from the request context (empty without one); ``details`` are the event's own
        fields as JSON.
        """
        rows = []
        for entry in self.entries:
            data = entry.to_dict()
            data["targets"] = " ".join(data["targets"])
            context = data.pop("context") or {}
            data.update({k: context.get(k) for k in ("ip", "user_agent", "request_id")})
            data["details"] = json.dumps(data["details"], sort_keys=True)
            rows.append(["" if data[column] is None else data[column] for column in _COLUMNS])
        return csv_text(_COLUMNS, rows)


@_event
@attrs.frozen(kw_only=True)
class AuditTrailPurged(Event):
    """A platform admin purged the audit trail's events older than a cutoff.

    Attributes:
        before: Events that occurred before this instant were deleted, except those
            still owed to a consumer and the records of erasures (``UserErased``).
        purged: How many events were deleted.
        resealed: How many audit chains (companies, and the platform's) the purge
            sealed again from their first deleted event on (issue 32).
    """

    before: datetime
    purged: int
    resealed: int = 0


KEPT_ON_PURGE = frozenset({"UserErased"})
"""Event kinds a purge never deletes: the record that an erasure was done (R-CO-7)."""
