"""The rules of a company's own roles: names, limits, who may define them (R-ROLE-1, R-ROLE-2).

Pure values and checks; ``ta.roles`` runs them inside its commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.ids import check_name, shown
from teamaccess.domain.models import Company, CompanyRole, Membership
from teamaccess.domain.roles import MANAGE_TEAM, Policy, held
from teamaccess.errors import InvalidInput, RoleLimitExceeded, UnknownPermission

__all__ = [
    "RoleLimits",
    "RolePlan",
    "check_label",
    "check_permissions",
    "check_role_name",
    "decide_definition",
]

_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


def _names_or_none(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen
class RolePlan:
    """What a pricing model (R-LIC-3) lets a company define (R-ROLE-1).

    Attributes:
        max_roles: How many roles of its own it may have; ``0`` turns them off.
        permissions: Which permissions its roles may hold; ``None``: the whole list.
    """

    max_roles: int
    permissions: frozenset[str] | None = attrs.field(default=None, converter=_names_or_none)

    def __attrs_post_init__(self) -> None:
        """Refuse a negative or non-integer count (R-ALL-6)."""
        if isinstance(self.max_roles, bool) or not isinstance(self.max_roles, int):
            raise InvalidInput(f"max_roles must be an integer, got {shown(self.max_roles)}")
        if self.max_roles < 0:
            raise InvalidInput(f"max_roles must be at least 0, got {self.max_roles}")


def _plans(value: Mapping[str, RolePlan]) -> Mapping[str, RolePlan]:
    return MappingProxyType(dict(value))


@attrs.frozen
class RoleLimits:
    """The host's bounds on companies' own roles: ``TeamAccess(role_limits=...)`` (R-ROLE-1).

    Attributes:
        permissions: The host's permission list, the only names a company's role may
            hold; ``None``: every permission some built-in role grants.
        max_roles: The cap for a company whose plan is not in ``plans``.
        plans: A [RolePlan][teamaccess.values.RolePlan] per pricing model.
    """

    permissions: frozenset[str] | None = attrs.field(default=None, converter=_names_or_none)
    max_roles: int = 20
    plans: Mapping[str, RolePlan] = attrs.field(factory=dict, converter=_plans, hash=False)

    def plan(self, company: Company) -> RolePlan:
        """The bounds for ``company``'s plan: its own entry, else the default cap."""
        found = self.plans.get(company.pricing_model or "")
        return found if found is not None else RolePlan(self.max_roles)

    def known(self, policy: Policy) -> frozenset[str]:
        """The host's permission list, or every permission of ``policy``'s roles."""
        if self.permissions is not None:
            return self.permissions
        return frozenset(p for role in policy.roles for p in policy.permissions(role))


def check_role_name(name: object) -> str:
    """A role name: a lower-case letter, then up to 63 of ``a-z 0-9 _ . -`` (R-ALL-6)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(
            "a role name is a lower-case letter followed by up to 63 lower-case letters, "
            f"digits, '_', '.' or '-', got {shown(name)}"
        )
    return name


def check_label(label: object) -> str:
    """A role's shown name: a display name of up to 200 characters, stripped (R-ALL-7)."""
    return check_name(label, "a role's label")


def check_permissions(permissions: object, known: frozenset[str]) -> frozenset[str]:
    """The permissions as a set, each on the host's list (R-ROLE-1, R-ALL-6)."""
    if isinstance(permissions, (str, bytes)) or not isinstance(permissions, Iterable):
        raise InvalidInput(f"permissions must be a collection of names, got {shown(permissions)}")
    found: set[str] = set()
    for name in permissions:
        if not isinstance(name, str) or name not in known:
            raise UnknownPermission(
                f"unknown permission {shown(name)}; the host's list is {', '.join(sorted(known))}"
            )
        found.add(name)
    return frozenset(found)


def check_plan(plan: RolePlan, company: Company, permissions: frozenset[str], *, new: bool) -> None:
    """Raise `RoleLimitExceeded` if the plan forbids one more role or one of ``permissions``."""
    if new and len(company.roles) >= plan.max_roles:
        raise RoleLimitExceeded(
            f"company {company.id!r} may have {plan.max_roles} roles of its own on its plan "
            f"({company.pricing_model or 'no plan'}); it has {len(company.roles)}"
        )
    if plan.permissions is not None and not permissions <= plan.permissions:
        extra = ", ".join(sorted(permissions - plan.permissions))
        raise RoleLimitExceeded(
            f"the plan of company {company.id!r} ({company.pricing_model or 'no plan'}) "
            f"does not include {extra}"
        )


def decide_definition(
    actor: Membership | None,
    actor_policy: Policy,
    permissions: frozenset[str],
    role: CompanyRole | None = None,
) -> Decision:
    """May ``actor`` define ``role``'s successor with ``permissions``? (R-ROLE-2).

    Defining, changing or deleting a role needs ``manage_team`` and every permission
    the role holds before and after: nobody writes into a role, nor takes out of one,
    a permission they lack, so a role never hands out more than its definer holds
    (R-MEM-9 for definitions too). ``actor`` is judged at the instant of the call
    (`at_instant`) by the caller; ``actor_policy`` is the policy of its company.
    """
    if actor is None:
        return Decision.deny(Reason.NOT_A_MEMBER, "R-ROLE-2", "the defining user is not a member")
    mine = held(actor_policy, actor) if actor.role in actor_policy.roles else frozenset()
    if MANAGE_TEAM not in mine:
        return Decision.deny(
            Reason.NOT_PERMITTED, "R-ROLE-2", f"defining roles needs {MANAGE_TEAM!r}"
        )
    touched = permissions | (role.permissions if role is not None else frozenset())
    missing = sorted(touched - mine)
    if missing:
        return Decision.deny(
            Reason.ROLE_ABOVE_ACTOR,
            "R-ROLE-2",
            f"the role would hold or held {', '.join(map(repr, missing))}, which the actor lacks",
        )
    return Decision.allow(Reason.ROLE_PERMITS, "R-ROLE-2", MANAGE_TEAM)
