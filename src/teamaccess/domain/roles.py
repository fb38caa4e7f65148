"""Roles are data: a policy maps role names to permissions (R-MEM-8).

A host replaces the policy by passing its own [RolePolicy][teamaccess.RolePolicy] (or any object
with
the same two methods) to [TeamAccess][teamaccess.TeamAccess].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from teamaccess.errors import UnknownRole

__all__ = [
    "DEFAULT_POLICY",
    "MANAGE_TEAM",
    "REASSIGN_MAIN_CONTACT",
    "Policy",
    "RolePolicy",
]

MANAGE_TEAM = "manage_team"
"""Permission: remove members, change roles, invite, set others' contact flag."""
REASSIGN_MAIN_CONTACT = "reassign_main_contact"
"""Permission: move the main-contact role without being the main contact (R-MC-3)."""


class Policy(Protocol):
    """What the library asks of a role policy."""

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role name the policy knows, in a stable order."""
        ...

    def permissions(self, role: str) -> frozenset[str]:
        """Return the permissions of ``role``; an unknown role has none."""
        ...


def _freeze(grants: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    return {role: frozenset(perms) for role, perms in grants.items()}


@attrs.frozen
class RolePolicy:
    """A role-to-permission table.

    Attributes:
        grants: For each role name, the permissions it grants.
    """

    grants: Mapping[str, frozenset[str]] = attrs.field(converter=_freeze)
    _roles: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    @grants.validator
    def _check(self, _attribute: object, value: Mapping[str, frozenset[str]]) -> None:
        if not value:
            raise ValueError("a role policy needs at least one role")
        for role in value:
            if not isinstance(role, str) or not role.strip():
                raise ValueError(f"role names must be non-empty strings: {role!r}")

    def __attrs_post_init__(self) -> None:
        """Keep the role names at hand: every check asks for them."""
        object.__setattr__(self, "_roles", tuple(self.grants))

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role name the policy knows."""
        return self._roles

    def permissions(self, role: str) -> frozenset[str]:
        """Return the permissions of ``role``; an unknown role has none (R-ALL-1)."""
        return self.grants.get(role, frozenset())


DEFAULT_POLICY = RolePolicy(
    {"admin": {MANAGE_TEAM, REASSIGN_MAIN_CONTACT}, "member": set()},
)
"""``admin`` manages the team and may reassign the main contact; ``member`` may not."""


def require_known_role(policy: Policy, role: object) -> str:
    """Return ``role`` if the policy knows it, else raise `UnknownRole`."""
    if not isinstance(role, str) or role not in policy.roles:
        raise UnknownRole(str(role), policy.roles)
    return role
