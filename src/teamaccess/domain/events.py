"""Domain events: every state change emits one to the outbox (R-ALL-4).

Each event says who (``actor_id``), what (its type and fields), when
(``occurred_at``) and for which company (``company_id``). Events are plain frozen
values; [event_to_dict][teamaccess.events.event_to_dict] and
[event_from_dict][teamaccess.events.event_from_dict] turn them into JSON-ready
dicts and back, which is how SQL adapters store them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, TypedDict, TypeVar

import attrs

from teamaccess.domain.codec import converter
from teamaccess.domain.ids import CompanyId, InvitationId, UserId

__all__ = [
    "CompanyCreated",
    "CompanyProfileUpdated",
    "CompanyResumed",
    "CompanySuspended",
    "ContactVisibilityChanged",
    "EnrollmentNotificationRequested",
    "Event",
    "InvitationAccepted",
    "InvitationSent",
    "InvitationWithdrawn",
    "MainContactChanged",
    "MemberAdded",
    "MemberRemoved",
    "OutboxMessage",
    "ParticipantEnrolled",
    "ParticipantRemoved",
    "PoolLeaderChanged",
    "ProductCreated",
    "RequestContext",
    "RoleChanged",
    "SeatPoolResized",
    "SeatsPurchased",
    "SingleAccessPurchased",
    "Stamp",
    "TagGranted",
    "TagRevoked",
    "UndecodableEvent",
    "UserEmailChanged",
    "UserErased",
    "UserRegistered",
    "decode_event",
    "event_from_dict",
    "event_to_dict",
    "stamp",
    "without_context",
]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _header_text(value: object, limit: int) -> str | None:
    """Text fit for the audit trail: control characters dropped, cut at ``limit``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text or None, got {type(value).__name__}")
    return _CONTROL.sub("", value)[:limit] or None


def _ip(value: object) -> str | None:
    return _header_text(value, 45)


def _user_agent(value: object) -> str | None:
    return _header_text(value, 300)


def _request_id(value: object) -> str | None:
    return _header_text(value, 128)


@attrs.frozen(kw_only=True)
class RequestContext:
    """Where a command came from: the web request behind it, on its events for the audit.

    The values come from the request (its headers are the client's to choose), so each
    is kept as text without control characters, cut at its length; an empty one is
    ``None``. They are personal data: erasing a person removes them from the events
    the person did (R-CO-7).

    Attributes:
        ip: The client's address as the host sees it (after its trusted proxies), at
            most 45 characters.
        user_agent: The ``User-Agent`` header, at most 300 characters.
        request_id: The request's id (``X-Request-ID``), at most 128 characters.
    """

    ip: str | None = attrs.field(default=None, converter=_ip)
    user_agent: str | None = attrs.field(default=None, converter=_user_agent)
    request_id: str | None = attrs.field(default=None, converter=_request_id)


@attrs.frozen(kw_only=True)
class Event:
    """Base of every domain event.

    Attributes:
        occurred_at: When it happened (UTC, from the service's clock).
        actor_id: The user who did it, or ``None`` for a system action.
        company_id: The acting company, or ``None`` if none is involved.
        acting_as: The support grant under which platform staff (``actor_id``) did
            it, or ``None`` (R-SUP-2). Stored only when set, so events without it
            encode exactly as before.
        context: The web request the command came from, when the host named one
            (``teamaccess.events.request_context``, the contrib middlewares); stored only
            when set.
    """

    type: ClassVar[str] = "Event"
    occurred_at: datetime
    actor_id: UserId | None
    company_id: CompanyId | None
    acting_as: str | None = None
    context: RequestContext | None = None


class Stamp(TypedDict):
    """The who/when/where fields every event shares, for ``Event(**stamp, ...)``."""

    occurred_at: datetime
    actor_id: UserId | None
    company_id: CompanyId | None


def stamp(occurred_at: datetime, actor_id: UserId | None, company_id: CompanyId | None) -> Stamp:
    """The shared who/when/where fields, for ``Event(**stamp(now, actor, company), ...)``."""
    return {"occurred_at": occurred_at, "actor_id": actor_id, "company_id": company_id}


_REGISTRY: dict[str, type[Event]] = {}
_E = TypeVar("_E", bound=type[Event])


def _event(cls: _E) -> _E:
    cls.type = cls.__name__
    _REGISTRY[cls.__name__] = cls
    return cls


@_event
@attrs.frozen(kw_only=True)
class UserRegistered(Event):
    """A user became known to the library."""

    user_id: UserId
    email: str


@_event
@attrs.frozen(kw_only=True)
class UserEmailChanged(Event):
    """A user's e-mail address changed (the host's user record did, R-DOM-4).

    Memberships, seats and tags stay as they were. The new address is the only one
    the event names: earlier events are rewritten to it, so that an erasure later
    finds every copy of the person's address (R-CO-9).

    Attributes:
        user_id: The user.
        email: The new address.
        resealed: How many audit chains the rewrite sealed again (issue 32).
    """

    user_id: UserId
    email: str
    resealed: int = 0


@_event
@attrs.frozen(kw_only=True)
class UserErased(Event):
    """A person's data was erased on their request (GDPR art. 17, R-CO-7).

    Their memberships and seats ended first, each with its own event; their e-mail
    address and attributes were replaced by a pseudonym everywhere, this outbox included.

    Attributes:
        user_id: The erased user.
        resealed: How many audit chains the redaction sealed again (issue 32): the
            chains of the events that named the person or carried their request context.
    """

    user_id: UserId
    resealed: int = 0


@_event
@attrs.frozen(kw_only=True)
class CompanyCreated(Event):
    """A company was created; its creator becomes its first member (R-MC-1)."""

    name: str


@_event
@attrs.frozen(kw_only=True)
class CompanySuspended(Event):
    """A platform admin suspended the company: every action is refused (R-CO-5)."""

    reason: str


@_event
@attrs.frozen(kw_only=True)
class CompanyResumed(Event):
    """A platform admin resumed a suspended company (R-CO-5)."""


@_event
@attrs.frozen(kw_only=True)
class CompanyProfileUpdated(Event):
    """The main contact edited the company profile (R-MC-2)."""

    name: str


@_event
@attrs.frozen(kw_only=True)
class MemberAdded(Event):
    """A user became a member (R-MEM-3, R-INV-3)."""

    user_id: UserId
    role: str
    invitation_id: InvitationId | None = None


@_event
@attrs.frozen(kw_only=True)
class MemberRemoved(Event):
    """A member was removed or left (R-MEM-7)."""

    user_id: UserId


@_event
@attrs.frozen(kw_only=True)
class RoleChanged(Event):
    """A member's role changed (R-MEM-8)."""

    user_id: UserId
    old_role: str
    new_role: str


@_event
@attrs.frozen(kw_only=True)
class MainContactChanged(Event):
    """The main contact changed; ``None`` on a side means there was or is none (R-MC-1)."""

    old_user_id: UserId | None
    new_user_id: UserId | None


@_event
@attrs.frozen(kw_only=True)
class ContactVisibilityChanged(Event):
    """A member's "show as contact" flag changed (R-MEM-5)."""

    user_id: UserId
    show_as_contact: bool


@_event
@attrs.frozen(kw_only=True)
class InvitationSent(Event):
    """An invitation was sent or re-sent (R-INV-1, R-INV-2).

    The token itself is never in an event; only the caller of ``invite`` sees it.
    """

    invitation_id: InvitationId
    email: str
    role: str
    expires_at: datetime
    replaces: InvitationId | None = None


@_event
@attrs.frozen(kw_only=True)
class InvitationWithdrawn(Event):
    """A pending invitation was revoked (R-INV-2)."""

    invitation_id: InvitationId


@_event
@attrs.frozen(kw_only=True)
class InvitationAccepted(Event):
    """An invitation was accepted by ``user_id`` (R-INV-3)."""

    invitation_id: InvitationId
    user_id: UserId


@_event
@attrs.frozen(kw_only=True)
class ProductCreated(Event):
    """A product with group access and its one tag was defined (R-TAG-1)."""

    product_id: str
    name: str
    tag: str


@_event
@attrs.frozen(kw_only=True)
class SeatsPurchased(Event):
    """A buyer purchased a pool of seats; they lead its group (R-SEAT-1)."""

    pool_id: str
    product_id: str
    title: str
    seats: int
    leader_id: UserId


@_event
@attrs.frozen(kw_only=True)
class SingleAccessPurchased(Event):
    """A single-access purchase: no group, the buyer alone gets the tag (R-SEAT-3)."""

    purchase_id: str
    product_id: str
    user_id: UserId


@_event
@attrs.frozen(kw_only=True)
class ParticipantEnrolled(Event):
    """A user took a seat in a pool (R-SEAT-5)."""

    pool_id: str
    user_id: UserId
    email: str


@_event
@attrs.frozen(kw_only=True)
class EnrollmentNotificationRequested(Event):
    """The host should e-mail a participant about their access (R-SEAT-8)."""

    pool_id: str
    user_id: UserId
    email: str
    title: str
    reinvite: bool = False


@_event
@attrs.frozen(kw_only=True)
class ParticipantRemoved(Event):
    """A participant lost their seat; ``seat_freed`` is false under ``consume`` (R-SEAT-10)."""

    pool_id: str
    user_id: UserId
    seat_freed: bool


@_event
@attrs.frozen(kw_only=True)
class SeatPoolResized(Event):
    """A pool grew or shrank (R-SEAT-11)."""

    pool_id: str
    old_seats: int
    new_seats: int


@_event
@attrs.frozen(kw_only=True)
class PoolLeaderChanged(Event):
    """A group's leadership passed on because its leader left the company (R-MEM-10)."""

    pool_id: str
    old_leader_id: UserId
    new_leader_id: UserId


@_event
@attrs.frozen(kw_only=True)
class TagGranted(Event):
    """A source granted a user a tag; ``newly_held`` if they did not hold it before (R-TAG-5)."""

    user_id: UserId
    tag: str
    source: str
    newly_held: bool


@_event
@attrs.frozen(kw_only=True)
class TagRevoked(Event):
    """A source stopped granting a tag (R-TAG-5).

    ``still_held`` is true if another source keeps the tag for the user (R-TAG-3).
    """

    user_id: UserId
    tag: str
    source: str
    still_held: bool


@attrs.frozen
class OutboxMessage:
    """An event as stored in the outbox.

    Attributes:
        position: Its place in the outbox; increasing, not necessarily contiguous.
        event: The domain event.
        delivered_at: When a consumer marked it delivered, or ``None`` while pending.
        attempts: Failed deliveries so far (the relay's retries).
        dead_at: When the relay parked it after its last attempt, or ``None``.
        last_error: The last delivery failure, or ``None``.
        retry_at: When a failed event is due again, or ``None``.
        leased_by: The relay that holds it while delivering, or ``None``.
        leased_until: When that relay's lease ends (another relay may then claim it).
    """

    position: int
    event: Event
    delivered_at: datetime | None = None
    attempts: int = 0
    dead_at: datetime | None = None
    last_error: str | None = None
    retry_at: datetime | None = None
    leased_by: str | None = None
    leased_until: datetime | None = None


@attrs.frozen(kw_only=True)
class UndecodableEvent(Event):
    """A stored event this version cannot read (R-ALL-11): set aside, never a crash.

    A newer writer's event type during a rolling deploy, or a payload that does not fit
    its type. Reading the outbox yields this value instead of raising, so one row never
    stops the feed; the relay parks it as a dead letter with ``reason`` as its error
    (``ta.outbox.redrive()`` brings it back after an upgrade). Written back, it keeps
    the stored payload unchanged.

    Attributes:
        stored_type: The type name the stored row carries (``""`` if none).
        data: The stored payload as it was, without its ``type``.
        reason: Why it cannot be read, e.g. ``unknown event type 'SeatsMoved'``.
    """

    type: ClassVar[str] = "UndecodableEvent"
    stored_type: str
    data: dict[str, Any] = attrs.field(hash=False)
    reason: str


def event_to_dict(event: Event) -> dict[str, Any]:
    """Return a JSON-ready dict of ``event`` with its ``type`` name.

    An `UndecodableEvent` gives back its stored
    payload and type unchanged.
    """
    if isinstance(event, UndecodableEvent):
        return {**event.data, "type": event.stored_type}
    data: dict[str, Any] = converter.unstructure(event, unstructure_as=type(event))
    for optional in ("acting_as", "context"):  # absent unless set: old payloads stay as they were
        if data.get(optional, "") is None:
            del data[optional]
    data["type"] = event.type
    return data


def without_context(event: Event) -> Event:
    """The event without its request context (erasure of the person who did it, R-CO-7)."""
    if isinstance(event, UndecodableEvent):
        return attrs.evolve(
            event, context=None, data={k: v for k, v in event.data.items() if k != "context"}
        )
    return attrs.evolve(event, context=None)


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from [event_to_dict][teamaccess.events.event_to_dict] output.

    Never raises: a dict of an unknown type or one that does not fit its type becomes
    an `UndecodableEvent` (R-ALL-11).
    """
    return decode_event(data)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def decode_event(
    data: object,
    *,
    stored_type: str | None = None,
    occurred_at: datetime | None = None,
    actor_id: str | None = None,
    company_id: str | None = None,
) -> Event:
    """The event a stored payload holds, or an `UndecodableEvent` saying why not.

    The keyword arguments are what the store keeps beside the payload (an SQL row's
    columns); an undecodable event takes its company, actor and time from them, so it
    keeps its company's place in the order (R-ALL-8).
    """
    fields = dict(data) if isinstance(data, Mapping) else {}
    name = fields.pop("type", None)
    if not isinstance(name, str):
        name = stored_type or ""
    cls = _REGISTRY.get(name)
    if not isinstance(data, Mapping):
        reason = f"event payload is not an object: {type(data).__name__}"
    elif cls is None:
        reason = f"unknown event type {name!r}" if name else "event without a type"
    else:
        try:
            return converter.structure(fields, cls)
        except Exception as error:  # any failure to decode sets the row aside
            reason = f"cannot decode {name!r}: {_first_line(error)}"
    return UndecodableEvent(
        occurred_at=_stamp_time(fields.get("occurred_at"), occurred_at),
        actor_id=_text(actor_id, fields.get("actor_id")),
        company_id=_text(company_id, fields.get("company_id")),
        stored_type=name,
        data=fields,
        reason=reason[:500],
    )


def _first_line(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not break the read
        text = ""
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def _text(column: str | None, value: object) -> Any:
    if column is not None:
        return column
    return value if isinstance(value, str) else None


def _stamp_time(value: object, column: datetime | None) -> datetime:
    if column is not None:
        return column
    try:
        when = converter.structure(value, datetime)
    except Exception:  # an unreadable time falls back to the epoch
        return _EPOCH
    return when if isinstance(when, datetime) and when.tzinfo is not None else _EPOCH
