"""Seat pools, groups and access tags (seed 002): values and the decisions on them.

A product grants exactly one access tag (R-TAG-1). A buyer purchases a pool of N seats
of a product with a group title and becomes the group leader (R-SEAT-1); participants
enrolled in the pool hold the product's tag (R-TAG-2). Tags are held per source, so a
user keeps a tag while any source still gives it (R-TAG-3).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import NewType

import attrs

from teamaccess.domain.decisions import Decision
from teamaccess.domain.gate import company_gate
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company

__all__ = [
    "Enrollment",
    "GroupView",
    "PoolId",
    "Product",
    "ProductId",
    "ReplacementPolicy",
    "SeatPool",
    "TagGrant",
    "decide_content",
    "decide_group",
    "direct_source",
    "live_tags",
    "pool_source",
    "purchase_source",
]

ProductId = NewType("ProductId", str)
"""A product's id: what a seat pool gives access to."""
PoolId = NewType("PoolId", str)
"""A seat pool's id, which is also its group's id."""


class ReplacementPolicy(str, enum.Enum):
    """What happens to a removed participant's seat (R-SEAT-10)."""

    REFILL = "refill"
    """The seat is freed for someone new (the default)."""
    CONSUME = "consume"
    """The seat stays used: the pool shrinks for good."""


@attrs.frozen
class Product:
    """Something sold with group access.

    Attributes:
        id: The product's id.
        name: Its display name.
        tag: Its one group-access tag (R-TAG-1).
        replacement: The replacement policy for removed participants (R-SEAT-10).
        notify_on_enroll: Whether enrollments ask the host to send an e-mail (R-SEAT-8).
    """

    id: ProductId
    name: str
    tag: str
    replacement: ReplacementPolicy = ReplacementPolicy.REFILL
    notify_on_enroll: bool = True


@attrs.frozen
class SeatPool:
    """A purchased pool of seats: the group (R-SEAT-1).

    Attributes:
        id: The pool's id (also the group's).
        product_id: The product whose tag its participants hold.
        title: The group title the buyer chose.
        leader_id: The buyer, who manages the group (R-SEAT-4).
        seats: N, the number of seats bought (>= 1).
        used: Seats in use: enrolled participants plus consumed seats (R-SEAT-6).
        consumed: Seats used up by removed participants under ``consume`` (R-SEAT-10).
        created_at: When it was bought.
        company_id: The company it was bought for, if any.
    """

    id: PoolId
    product_id: ProductId
    title: str
    leader_id: UserId
    seats: int
    used: int
    consumed: int
    created_at: datetime
    company_id: CompanyId | None = None

    @property
    def free(self) -> int:
        """Seats still free (R-SEAT-6)."""
        return self.seats - self.used

    @property
    def usage(self) -> str:
        """The usage line a management view shows, e.g. ``"9/10 free"``."""
        return f"{self.free}/{self.seats} free"


@attrs.frozen
class GroupView:
    """The group management view (R-SEAT-4).

    Attributes:
        pool: The seat pool, with ``usage`` such as ``"9/10 free"``.
        participants: Its enrollments, ordered by user id.
    """

    pool: SeatPool
    participants: Sequence[Enrollment]


@attrs.frozen
class Enrollment:
    """A participant holding a seat of a pool.

    Attributes:
        pool_id: The pool.
        user_id: The participant.
        enrolled_at: When they were enrolled.
    """

    pool_id: PoolId
    user_id: UserId
    enrolled_at: datetime


@attrs.frozen
class TagGrant:
    """One source giving one user one tag (R-TAG-3).

    Attributes:
        user_id: Who holds the tag.
        tag: The access tag.
        source: Where it comes from: ``pool:<id>``, ``purchase:<id>`` or ``direct:<label>``.
        granted_at: When this source granted it.
        expires_at: When a direct grant ends (UTC); from then on it opens no content,
            before any sweep (R-TIME-1). ``None``: never.
    """

    user_id: UserId
    tag: str
    source: str
    granted_at: datetime
    expires_at: datetime | None = None


def pool_source(pool_id: str) -> str:
    """The source name of a tag held through a seat in a pool."""
    return f"pool:{pool_id}"


def purchase_source(purchase_id: str) -> str:
    """The source name of a tag held through a single-access purchase (R-SEAT-3)."""
    return f"purchase:{purchase_id}"


def direct_source(label: str) -> str:
    """The source name of a tag granted directly by a platform admin."""
    return f"direct:{label}"


def decide_group(
    actor_id: str,
    pool: SeatPool | None,
    *,
    platform_admin: bool,
    leader_is_member: bool = True,
    company: Company | None = None,
    insider: bool = True,
    reading: bool = False,
    leader_erased: bool = False,
) -> Decision:
    """May ``actor_id`` manage the group (view, enroll, remove, re-invite, resize)? (R-SEAT-4).

    Who may comes first (the leader or a platform admin), so anyone else learns
    nothing of the pool's company. Then a company's pool passes that company's gate
    (R-CO-3, R-CO-8): while the company is closed or suspended nobody manages the
    pool, neither its leader nor a platform admin; a platform admin may still open the
    group view (``reading``), as the company's history stays readable (R-CO-5).

    Args:
        actor_id: Who asks.
        pool: The pool, or ``None`` if it does not exist.
        platform_admin: Whether the actor is a platform admin.
        leader_is_member: Whether the leader of a company's pool is still a member of
            that company: leadership of a company's pool ends with the membership
            (R-MEM-10).
        company: The pool's company (``None`` for a pool bought without one).
        insider: Whether the actor is a member of that company: only members read
            the suspension reason (R-ALL-9).
        reading: The group view or a dry run, not a change.
        leader_erased: The leader was erased: erasure ends their leadership (R-CO-9).
    """
    if pool is None:
        return Decision.deny("unknown_group", "R-ALL-1")
    if platform_admin:
        allowed = Decision.allow("is_platform_admin", "R-SEAT-4")
    elif actor_id != pool.leader_id:
        return Decision.deny(
            "not_group_leader", "R-SEAT-4", "only the group leader or a platform admin"
        )
    elif leader_erased:
        return Decision.deny("leader_erased", "R-CO-9", "the group's leader was erased")
    elif not leader_is_member:
        return Decision.deny(
            "leader_left_company",
            "R-MEM-10",
            f"the group belongs to {pool.company_id!r}, which its leader has left",
        )
    else:
        allowed = Decision.allow("is_group_leader", "R-SEAT-4")
    if pool.company_id is not None:  # the pool's company passes its gate (R-CO-8)
        denied = company_gate(company, insider=insider)
        if denied is not None and not (platform_admin and reading and company is not None):
            return denied
    return allowed


def live_tags(grants: Iterable[TagGrant], shut: Collection[str]) -> frozenset[str]:
    """The tags that open content: held through at least one source not in ``shut``.

    ``shut`` names the sources that give no access for now: the pools of a suspended
    or closed company (R-CO-8). A tag held also through another source still opens
    (R-TAG-3).
    """
    return frozenset(grant.tag for grant in grants if grant.source not in shut)


def decide_content(held: Iterable[str], content_tags: Iterable[str]) -> Decision:
    """May a user holding ``held`` tags open content protected by ``content_tags``? (R-TAG-4).

    Deny by default: content with no tags, or a user with none of them, is denied.
    """
    wanted = sorted(set(content_tags))
    held_set = set(held)
    for tag in wanted:
        if tag in held_set:
            return Decision.allow("holds_tag", "R-TAG-4", tag)
    if not wanted:
        return Decision.deny("content_not_tagged", "R-TAG-4", "no tag protects it")
    return Decision.deny("missing_tag", "R-TAG-4", f"needs one of {', '.join(wanted)}")
