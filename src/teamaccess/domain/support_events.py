"""Domain events of support access (R-SUP-1..3).

Registered with `teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds them like every other event (R-ALL-4). Events of commands a staff member runs
under a grant carry the grant in ``acting_as`` (R-SUP-2); these say what happened to
the grant itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import UserId

__all__ = [
    "SupportAccessApproved",
    "SupportAccessDeclined",
    "SupportAccessEnded",
    "SupportAccessExpired",
    "SupportAccessRequested",
]


@_event
@attrs.frozen(kw_only=True)
class SupportAccessRequested(Event):
    """Platform staff asked for support access to the company (R-SUP-1).

    Attributes:
        grant_id: The new grant.
        staff_id: The staff member it is for (also ``actor_id``).
        reason: The reason they gave.
        permissions: The actions it would cover.
        duration: How long it would last once approved.
    """

    grant_id: str
    staff_id: UserId
    reason: str
    permissions: tuple[str, ...]
    duration: timedelta


@_event
@attrs.frozen(kw_only=True)
class SupportAccessApproved(Event):
    """The company (or a second platform admin) approved a support grant (R-SUP-1).

    Attributes:
        grant_id: The grant.
        staff_id: The staff member it is for.
        starts_at: From when it gives access (the approval).
        expires_at: When it ends by itself.
    """

    grant_id: str
    staff_id: UserId
    starts_at: datetime
    expires_at: datetime


@_event
@attrs.frozen(kw_only=True)
class SupportAccessDeclined(Event):
    """The company declined a requested support grant (R-SUP-1)."""

    grant_id: str
    staff_id: UserId


@_event
@attrs.frozen(kw_only=True)
class SupportAccessEnded(Event):
    """A support grant was ended (or a request withdrawn); it gives nothing from now (R-SUP-3)."""

    grant_id: str
    staff_id: UserId


@_event
@attrs.frozen(kw_only=True)
class SupportAccessExpired(Event):
    """A support grant reached its end and the sweep recorded it, once (R-TIME-2).

    Attributes:
        grant_id: The grant.
        staff_id: The staff member it was for.
        expired_at: Its ``expires_at``.
    """

    grant_id: str
    staff_id: UserId
    expired_at: datetime
