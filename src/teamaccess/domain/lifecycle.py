"""Company lifecycle (seed 003): migration from a per-user model, and merging companies.

Pure rules only; [TeamAccess][teamaccess.TeamAccess] runs each of them as one command.
Migration gives every user a company of their own whose id is derived from the user's
id, so running it again finds the company and changes nothing (R-CO-1). A merge moves
what the source holds to the target (R-CO-2): the functions below say what the
target's members, licenses, articles and property definitions become.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import attrs

from teamaccess.domain.ids import MAX_ID_LENGTH, CompanyId, UserId
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.partners import Article, License, PropertyDefinition
from teamaccess.domain.roles import Policy
from teamaccess.errors import MergeConflict

__all__ = [
    "MergedMembers",
    "Migration",
    "MigrationConflict",
    "higher_role",
    "merge_articles",
    "merge_definitions",
    "merge_licenses",
    "merge_members",
    "personal_company_id",
]

_PERSONAL = "personal-"


def personal_company_id(user_id: str) -> CompanyId:
    """The id of the company migration makes for ``user_id`` (R-CO-1).

    ``"personal-<user id>"``, or ``"personal-<sha256 prefix>"`` when that would be
    longer than an id may be. The same user always gets the same id.
    """
    plain = _PERSONAL + user_id
    if len(plain) <= MAX_ID_LENGTH:
        return CompanyId(plain)
    return CompanyId(_PERSONAL + hashlib.sha256(user_id.encode()).hexdigest()[:40])


@attrs.frozen
class MigrationConflict:
    """A user migration could not give a company of their own (R-CO-4).

    Attributes:
        user_id: The user left without a company.
        company_id: The id their company would have had, already taken.
        reason: Why, in words.
    """

    user_id: UserId
    company_id: CompanyId
    reason: str


@attrs.frozen
class Migration:
    """What one run of the migration did (R-CO-1, R-CO-4).

    Attributes:
        created: The companies this run created, one per user without one.
        conflicts: Users it could not migrate, because their company's id belongs to a
            company they are not the main contact of; nothing was created for them.
    """

    created: tuple[Company, ...]
    conflicts: tuple[MigrationConflict, ...]


def higher_role(policy: Policy, first: str, second: str) -> str:
    """The higher of two roles: the one with more permissions, then the one listed first.

    A role unknown to the policy ranks below every known one.
    """

    def rank(role: str) -> tuple[int, int, int]:
        known = role in policy.roles
        position = policy.roles.index(role) if known else len(policy.roles)
        return (int(known), len(policy.permissions(role)), -position)

    return first if rank(first) >= rank(second) else second


@attrs.frozen
class MergedMembers:
    """What a merge does to memberships (R-CO-2).

    Attributes:
        moved: Source members who were not in the target, as new target memberships.
        promoted: Target memberships whose role rises to the member's source role.
        removed: Every source membership; they all end.
    """

    moved: tuple[Membership, ...]
    promoted: tuple[Membership, ...]
    removed: tuple[Membership, ...]


def merge_members(
    source: Sequence[Membership],
    target: Sequence[Membership],
    target_id: CompanyId,
    policy: Policy,
) -> MergedMembers:
    """Move the source's members to the target; a user in both keeps the higher role.

    Its other roles in either company stay theirs as further roles (R-ROLE-3); pass
    the policy of the merged target (`policy_for`), whose own roles include the
    source's. The target's main contact stays the only main contact. A member who is a handler
    in either company stays one.
    """
    in_target: dict[UserId, Membership] = {m.user_id: m for m in target}
    moved: list[Membership] = []
    promoted: list[Membership] = []
    for member in source:
        kept = in_target.get(member.user_id)
        if kept is None:
            moved.append(attrs.evolve(member, company_id=target_id, is_main_contact=False))
            continue
        role = higher_role(policy, kept.role, member.role)
        handler = kept.is_handler or member.is_handler
        extra = frozenset(kept.roles + member.roles) - {role}  # every role held (R-ROLE-3)
        if (role, handler, extra) != (kept.role, kept.is_handler, kept.extra_roles):
            promoted.append(attrs.evolve(kept, role=role, is_handler=handler, extra_roles=extra))
    return MergedMembers(tuple(moved), tuple(promoted), tuple(source))


def merge_licenses(
    source: Sequence[License], target: Sequence[License], target_id: CompanyId
) -> list[License]:
    """The target's licenses after the merge: limits and usage of a kind add up."""
    merged = {lic.kind: lic for lic in target}
    for lic in source:
        kept = merged.get(lic.kind)
        merged[lic.kind] = (
            attrs.evolve(lic, company_id=target_id)
            if kept is None
            else attrs.evolve(kept, limit=kept.limit + lic.limit, used=kept.used + lic.used)
        )
    return [merged[kind] for kind in sorted(merged)]


def merge_articles(
    source: Sequence[Article], target: Sequence[Article], target_id: CompanyId
) -> list[Article]:
    """The target's articles after the merge: quantities of one SKU add up."""
    merged = {a.sku: a for a in target}
    for article in source:
        kept = merged.get(article.sku)
        merged[article.sku] = (
            attrs.evolve(article, company_id=target_id)
            if kept is None
            else attrs.evolve(kept, quantity=kept.quantity + article.quantity)
        )
    return [merged[sku] for sku in sorted(merged)]


def merge_definitions(
    source: Sequence[PropertyDefinition],
    target: Sequence[PropertyDefinition],
    target_id: CompanyId,
) -> list[PropertyDefinition]:
    """The target's property definitions after the merge, the target's first.

    Raises:
        MergeConflict: Both define a property of one name with different types.
    """
    merged = {d.name: d for d in target}
    for definition in source:
        kept = merged.get(definition.name)
        moved = attrs.evolve(definition, partner_id=target_id)
        if kept is None:
            merged[definition.name] = moved
        elif kept != moved:
            raise MergeConflict(
                f"both companies define property {definition.name!r}, as "
                f"{kept.kind.value} and as {definition.kind.value}; rename one first"
            )
    return list(merged.values())
