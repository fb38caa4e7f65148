"""Domain events of verified company domains and join requests (R-DOM-1..4).

Registered with `teamaccess.domain.events`, so
[event_from_dict][teamaccess.events.event_from_dict] rebuilds them like every other
event (R-ALL-4).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import UserId

__all__ = [
    "DomainClaimed",
    "DomainMatched",
    "DomainModeSet",
    "DomainReleased",
    "DomainVerified",
    "JoinRequestApproved",
    "JoinRequestDeclined",
    "JoinRequestWithdrawn",
    "JoinRequested",
]


@_event
@attrs.frozen(kw_only=True)
class DomainClaimed(Event):
    """A company claimed a domain, or asked for a new challenge (R-DOM-1).

    The challenge's token or code is not in the event: only the claimant gets it.
    """

    domain: str
    method: str
    expires_at: datetime


@_event
@attrs.frozen(kw_only=True)
class DomainVerified(Event):
    """The host's proof matched: the company holds the domain verified (R-DOM-1)."""

    domain: str


@_event
@attrs.frozen(kw_only=True)
class DomainModeSet(Event):
    """The enrollment mode or default role of a verified domain changed (R-DOM-2)."""

    domain: str
    mode: str
    default_role: str


@_event
@attrs.frozen(kw_only=True)
class DomainReleased(Event):
    """A company gave up its claim; ``was_verified``: the domain lost its verification.

    No membership changes because of it (R-DOM-4).
    """

    domain: str
    was_verified: bool


@_event
@attrs.frozen(kw_only=True)
class DomainMatched(Event):
    """A user's address matches a company's verified domain (R-DOM-2, R-DOM-4).

    Emitted when a user registers (``cause`` ``registered``) or changes their e-mail
    (``email_changed``) and the domain's mode is not ``manual``. What followed (a
    membership in ``join`` mode, an invitation in ``invite`` mode) has its own event;
    an e-mail change is only reported, it adds nothing (R-DOM-4).
    """

    user_id: UserId
    domain: str
    mode: str
    cause: str


@_event
@attrs.frozen(kw_only=True)
class JoinRequested(Event):
    """A user asked to join a company whose domain suggests it (R-DOM-3)."""

    request_id: str
    user_id: UserId
    domain: str


@_event
@attrs.frozen(kw_only=True)
class JoinRequestApproved(Event):
    """A manager approved a join request; ``MemberAdded`` follows (R-DOM-3)."""

    request_id: str
    user_id: UserId
    role: str


@_event
@attrs.frozen(kw_only=True)
class JoinRequestDeclined(Event):
    """A manager declined a join request (R-DOM-3)."""

    request_id: str
    user_id: UserId


@_event
@attrs.frozen(kw_only=True)
class JoinRequestWithdrawn(Event):
    """A pending join request ended: the person joined by another way (R-DOM-3)."""

    request_id: str
    user_id: UserId
