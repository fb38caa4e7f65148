"""Domain events of a company's own roles and of members' several roles (R-ROLE-1..3).

Registered with `teamaccess.domain.events`, so [event_from_dict][teamaccess.events.event_from_dict]
rebuilds them like every other event (R-ALL-4).
"""

from __future__ import annotations

import attrs

from teamaccess.domain.events import Event, _event
from teamaccess.domain.ids import UserId

__all__ = [
    "CompanyRoleChanged",
    "CompanyRoleDefined",
    "CompanyRoleDeleted",
    "MemberRoleAdded",
    "MemberRoleRemoved",
]


@_event
@attrs.frozen(kw_only=True)
class CompanyRoleDefined(Event):
    """A company's admin defined a role of the company's own (R-ROLE-1).

    Attributes:
        role: Its name (its key, which never changes).
        label: The name shown to people.
        permissions: What it grants, sorted.
    """

    role: str
    label: str
    permissions: tuple[str, ...]


@_event
@attrs.frozen(kw_only=True)
class CompanyRoleChanged(Event):
    """A company's own role was renamed (its label) or given other permissions (R-ROLE-2).

    Attributes:
        role: Its name.
        label: The label now.
        permissions: The permissions now, sorted.
        old_label: The label before.
        old_permissions: The permissions before, sorted.
    """

    role: str
    label: str
    permissions: tuple[str, ...]
    old_label: str
    old_permissions: tuple[str, ...]


@_event
@attrs.frozen(kw_only=True)
class CompanyRoleDeleted(Event):
    """A company's own role was deleted (R-ROLE-3).

    Attributes:
        role: Its name.
        moved_to: The role its holders were given instead in the same command, if it
            was in use; each move has its own `RoleChanged` or `MemberRoleAdded` event.
    """

    role: str
    moved_to: str | None = None


@_event
@attrs.frozen(kw_only=True)
class MemberRoleAdded(Event):
    """A member was given a further role beside the ones they hold (R-ROLE-3).

    Attributes:
        user_id: The member.
        role: The role added.
    """

    user_id: UserId
    role: str


@_event
@attrs.frozen(kw_only=True)
class MemberRoleRemoved(Event):
    """One of a member's further roles was taken away (R-ROLE-3).

    Attributes:
        user_id: The member.
        role: The role removed.
    """

    user_id: UserId
    role: str
