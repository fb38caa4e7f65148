"""Domain events of directory provisioning (R-PROV-1, R-PROV-2).

What the directory changes in memberships, roles and seats is reported by the usual
events (``MemberAdded``, ``MemberRemoved``, ``MemberRoleAdded``, ``ParticipantEnrolled``,
``TagRevoked``, ...), with the admin the directory acts as for actor; these say what
happened to the directory and its own records. Registered with
`teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds them like every other event (R-ALL-4).
"""

from __future__ import annotations

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import UserId

__all__ = [
    "DirectoryConnected",
    "DirectoryDisconnected",
    "DirectoryGroupChanged",
    "DirectoryUserChanged",
]


@_event
@attrs.frozen(kw_only=True)
class DirectoryConnected(Event):
    """An admin connected the company's directory, or rotated its token (R-PROV-2).

    Attributes:
        groups: What its groups stand for (``roles`` or ``pools``).
        rotated: ``True`` when a token existed already: it stopped working.
    """

    groups: str
    rotated: bool


@_event
@attrs.frozen(kw_only=True)
class DirectoryDisconnected(Event):
    """An admin disconnected the directory; its token stopped working (R-PROV-2)."""


@_event
@attrs.frozen(kw_only=True)
class DirectoryUserChanged(Event):
    """The directory created, changed, deactivated or deleted one of its users (R-PROV-1).

    Attributes:
        user_id: The user.
        change: ``created``, ``updated``, ``deactivated``, ``reactivated`` or ``deleted``.
        external_id: The directory's id for them.
    """

    user_id: UserId
    change: str
    external_id: str | None


@_event
@attrs.frozen(kw_only=True)
class DirectoryGroupChanged(Event):
    """The directory created, changed or deleted a group, or an admin mapped it (R-PROV-1).

    Attributes:
        group_id: The group.
        change: ``created``, ``updated``, ``deleted`` or ``mapped``.
        external_id: The directory's id for it.
        target: The role or seat pool it stands for (after the change), or ``None``.
    """

    group_id: str
    change: str
    external_id: str | None
    target: str | None = None
