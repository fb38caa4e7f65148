"""Roles are data: a policy maps role names to permissions (R-MEM-8, R-ROLE-1).

A host replaces the policy by passing its own [RolePolicy][teamaccess.RolePolicy] (or any
object with the same two methods) to [TeamAccess][teamaccess.TeamAccess]. Those are the
built-in roles; each company may add its own ([CompanyRole][teamaccess.values.CompanyRole],
R-ROLE-1), which count in that company only: `policy_for` joins the two. A member may
hold several roles; what they hold is the union (`held`, R-ROLE-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from teamaccess.domain.models import Company, CompanyRole, Membership
from teamaccess.errors import UnknownRole

__all__ = [
    "DEFAULT_POLICY",
    "MANAGE_TEAM",
    "REASSIGN_MAIN_CONTACT",
    "Policy",
    "RolePolicy",
    "granting_role",
    "held",
    "policy_for",
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


@attrs.frozen
class _CompanyPolicy:
    """The built-in roles of ``base`` and a company's own roles (R-ROLE-1)."""

    base: Policy
    own: Mapping[str, CompanyRole]
    roles: tuple[str, ...] = attrs.field(init=False)

    @roles.default
    def _names(self) -> tuple[str, ...]:
        return (*self.base.roles, *(n for n in self.own if n not in self.base.roles))

    def permissions(self, role: str) -> frozenset[str]:
        """The permissions of a built-in role, else of the company's role of that name."""
        if role in self.base.roles:
            return self.base.permissions(role)
        defined = self.own.get(role)
        return frozenset() if defined is None else defined.permissions


def policy_for(policy: Policy, company: Company | None) -> Policy:
    """The roles that count in ``company``: the built-in ones and its own (R-ROLE-1).

    ``policy`` itself when the company defined none, so the common check allocates
    nothing.
    """
    if company is None or not company.roles:
        return policy
    return _CompanyPolicy(policy, company.roles)


def held(policy: Policy, membership: Membership) -> frozenset[str]:
    """Every permission the member holds: the union over their roles (R-ROLE-3).

    A role the policy does not know grants nothing (R-ALL-1).
    """
    if not membership.extra_roles:
        return policy.permissions(membership.role)
    found: set[str] = set()
    for role in membership.roles:
        found |= policy.permissions(role)
    return frozenset(found)


def granting_role(policy: Policy, membership: Membership, permission: str) -> str | None:
    """The first of the member's roles that grants ``permission``, if any (R-ROLE-3)."""
    return next((r for r in membership.roles if permission in policy.permissions(r)), None)


def roles_to_json(roles: Mapping[str, CompanyRole]) -> dict[str, dict[str, object]] | None:
    """A company's roles as stored: ``{name: {"label": ..., "permissions": [...]}}``."""
    if not roles:
        return None
    return {
        r.name: {"label": r.label, "permissions": sorted(r.permissions)}
        for r in sorted(roles.values(), key=lambda r: r.name)
    }


def roles_from_json(value: Mapping[str, Mapping[str, object]] | None) -> dict[str, CompanyRole]:
    """The inverse of `roles_to_json`."""
    return {
        name: CompanyRole(name, str(spec["label"]), _strings(spec["permissions"]))
        for name, spec in (value or {}).items()
    }


def _strings(value: object) -> frozenset[str]:
    return frozenset(str(v) for v in value) if isinstance(value, (list, tuple)) else frozenset()


def join_roles(roles: frozenset[str]) -> str | None:
    """A member's further roles as stored: sorted, one per line (ids hold no newline)."""
    return "\n".join(sorted(roles)) if roles else None


def split_roles(value: str | None) -> frozenset[str]:
    """The inverse of `join_roles`."""
    return frozenset(value.split("\n")) if value else frozenset()
