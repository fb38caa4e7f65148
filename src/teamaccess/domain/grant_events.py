"""Domain events of time-bound grants (R-TIME-2, R-TIME-4).

Registered with `teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds them like every other event (R-ALL-4). An expiry is an event of its own, not a
removal: a CRM can tell "their contract ended" from "someone removed them" (R-TIME-2).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.seats import PoolId

__all__ = [
    "EnrollmentExpired",
    "MembershipExpired",
    "MembershipWindowChanged",
    "PartnerSightExpired",
    "PartnerSightWindowChanged",
    "RoleExpired",
    "RoleWindowChanged",
    "SeatWindowChanged",
    "TagGrantExpired",
]


@_event
@attrs.frozen(kw_only=True)
class MembershipExpired(Event):
    """A membership reached its ``expires_at`` and the sweep ended it (R-TIME-2).

    What the member held through the company ended with it, each with its own event,
    as for a removal (R-MEM-10); ``actor_id`` is ``None``: nobody did it.

    Attributes:
        user_id: The former member.
        expired_at: The end of the membership's window.
    """

    user_id: UserId
    expired_at: datetime


@_event
@attrs.frozen(kw_only=True)
class RoleExpired(Event):
    """A temporary role reached its ``role_until``; the member now holds ``new_role`` (R-TIME-2).

    Attributes:
        user_id: The member.
        old_role: The temporary role that ended.
        new_role: The role the member holds from then on.
        expired_at: When the temporary role ended.
    """

    user_id: UserId
    old_role: str
    new_role: str
    expired_at: datetime


@_event
@attrs.frozen(kw_only=True)
class MembershipWindowChanged(Event):
    """A membership's window was set, extended or shortened (R-TIME-4).

    Attributes:
        user_id: The member.
        starts_at: The new start, or ``None``.
        expires_at: The new end, or ``None`` (no end).
        old_starts_at: The start before.
        old_expires_at: The end before.
    """

    user_id: UserId
    starts_at: datetime | None
    expires_at: datetime | None
    old_starts_at: datetime | None
    old_expires_at: datetime | None


@_event
@attrs.frozen(kw_only=True)
class RoleWindowChanged(Event):
    """A member's role became temporary, or its end moved (R-TIME-1, R-TIME-4).

    Attributes:
        user_id: The member.
        role: The temporary role.
        role_until: When it ends, or ``None`` if it no longer does.
        role_after: The role held after it.
        old_role_until: The end before.
    """

    user_id: UserId
    role: str
    role_until: datetime | None
    role_after: str | None
    old_role_until: datetime | None


@_event
@attrs.frozen(kw_only=True)
class TagGrantExpired(Event):
    """A direct tag grant reached its ``expires_at`` and the sweep ended it (R-TIME-2).

    Read it as a `TagRevoked` (R-TAG-6): ``still_held`` is true if another source keeps
    the tag for the user (R-TAG-3).

    Attributes:
        user_id: Who held it.
        tag: The tag.
        source: The grant's source (``direct:<label>``).
        still_held: Whether another source still gives the user the tag.
        expired_at: When the grant ended.
    """

    user_id: UserId
    tag: str
    source: str
    still_held: bool
    expired_at: datetime


@_event
@attrs.frozen(kw_only=True)
class EnrollmentExpired(Event):
    """A participant's seat reached its end and the sweep took it (R-TIME-2).

    As `ParticipantRemoved`: the product's replacement policy decided whether the seat
    was freed (R-SEAT-10); the tag the seat gave ends with `TagGrantExpired` (R-TAG-3).

    Attributes:
        pool_id: The pool.
        user_id: The former participant.
        seat_freed: Whether the seat can be given to someone new.
        expired_at: When the seat ended.
    """

    pool_id: PoolId
    user_id: UserId
    seat_freed: bool
    expired_at: datetime


@_event
@attrs.frozen(kw_only=True)
class SeatWindowChanged(Event):
    """A participant's seat got an end, or its end moved or was cleared (R-TIME-4).

    Attributes:
        pool_id: The pool.
        user_id: The participant.
        expires_at: The new end, or ``None``.
        old_expires_at: The end before.
    """

    pool_id: PoolId
    user_id: UserId
    expires_at: datetime | None
    old_expires_at: datetime | None


@_event
@attrs.frozen(kw_only=True)
class PartnerSightWindowChanged(Event):
    """The window of a partner's sight of a child account was set, moved or cleared (R-TIME-4).

    ``company_id`` is the child account; the sight is that of its parent's members
    (and through it of every ancestor's, R-PART-2, R-PART-5).

    Attributes:
        parent_id: The parent whose sight it is.
        starts_at: The new start, or ``None``.
        expires_at: The new end, or ``None`` (no end).
        old_starts_at: The start before.
        old_expires_at: The end before.
    """

    parent_id: CompanyId
    starts_at: datetime | None
    expires_at: datetime | None
    old_starts_at: datetime | None
    old_expires_at: datetime | None


@_event
@attrs.frozen(kw_only=True)
class PartnerSightExpired(Event):
    """A partner's sight of a child account reached its end; the sweep recorded it (R-TIME-2).

    ``company_id`` is the child account. The link stays (the tree is unchanged) and
    so does the ended window: no sight passes it until a new window is set (R-TIME-4).
    ``actor_id`` is ``None``: nobody did it.

    Attributes:
        parent_id: The parent whose sight ended.
        expired_at: The end of the window.
    """

    parent_id: CompanyId
    expired_at: datetime
