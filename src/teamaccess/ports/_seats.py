"""Repositories of products, seat pools, enrollments and tag grants (seed 002)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company
from teamaccess.domain.seats import Enrollment, PoolId, Product, ProductId, SeatPool, TagGrant

__all__ = ["Enrollments", "Products", "SeatPools", "TagGrants"]


class Products(Protocol):
    """Products that sell group access."""

    def get(self, product_id: ProductId) -> Product | None:
        """Return the product or ``None``."""
        ...

    def add(self, product: Product) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def all(self) -> Sequence[Product]:
        """Every product, ordered by id."""
        ...


class SeatPools(Protocol):
    """Seat pools (groups)."""

    def get(self, pool_id: PoolId, *, for_update: bool = False) -> SeatPool | None:
        """Return the pool or ``None``; ``for_update`` locks it until the transaction ends."""
        ...

    def add(self, pool: SeatPool) -> None:
        """Insert; raise ``Conflict`` on a duplicate id."""
        ...

    def update(self, pool: SeatPool) -> None:
        """Replace the stored pool; the store refuses ``used > seats`` (``SeatsExhausted``)."""
        ...

    def all(self) -> Sequence[SeatPool]:
        """Every pool, ordered by id."""
        ...

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        """Make the pools bought by ``source`` belong to ``target`` (a merge, R-CO-2)."""
        ...

    def led_by(self, company_id: CompanyId, user_id: UserId) -> Sequence[SeatPool]:
        """The pools of ``company_id`` that ``user_id`` leads, ordered by id (R-MEM-10)."""
        ...

    def of_leader(self, user_id: UserId) -> Sequence[SeatPool]:
        """Every pool ``user_id`` leads, with or without a company, ordered by id (R-SEAT-4)."""
        ...

    def of_company(self, company_id: CompanyId) -> Sequence[SeatPool]:
        """The pools bought for the company, ordered by id."""
        ...

    def owners(self, pool_ids: Sequence[PoolId]) -> Mapping[PoolId, Company]:
        """The company of each of these pools that has one, keyed by pool id (R-CO-8).

        One statement on SQL: the content check asks it for the pools a tag comes from.
        """
        ...


class Enrollments(Protocol):
    """Participants holding seats, at most one seat per (pool, user)."""

    def get(self, pool_id: PoolId, user_id: UserId) -> Enrollment | None:
        """Return the enrollment or ``None``."""
        ...

    def of_pool(self, pool_id: PoolId) -> Sequence[Enrollment]:
        """The pool's participants, ordered by user id."""
        ...

    def of_user(self, user_id: UserId) -> Sequence[Enrollment]:
        """The user's seats, ordered by pool id."""
        ...

    def add(self, enrollment: Enrollment) -> None:
        """Insert; raise ``AlreadyEnrolled`` on a duplicate."""
        ...

    def add_many(self, enrollments: Sequence[Enrollment]) -> None:
        """Insert several enrollments at once; a duplicate raises ``AlreadyEnrolled``."""
        ...

    def remove(self, pool_id: PoolId, user_id: UserId) -> None:
        """Delete the enrollment."""
        ...

    def all(self) -> Sequence[Enrollment]:
        """Every enrollment, ordered by (pool id, user id)."""
        ...


class TagGrants(Protocol):
    """Tags held per source (R-TAG-3)."""

    def add(self, grant: TagGrant) -> None:
        """Insert; raise ``Conflict`` if this source already grants this tag."""
        ...

    def add_many(self, grants: Sequence[TagGrant]) -> None:
        """Insert several grants at once; a duplicate raises ``Conflict``."""
        ...

    def holders(self, tag: str, user_ids: Sequence[UserId]) -> frozenset[UserId]:
        """Those of ``user_ids`` who hold ``tag`` through at least one source."""
        ...

    def remove(self, user_id: UserId, tag: str, source: str) -> None:
        """Delete one source's grant."""
        ...

    def sources(self, user_id: UserId, tag: str) -> Sequence[str]:
        """The sources that give ``user_id`` the tag, ordered."""
        ...

    def lock_holders(self, user_ids: Sequence[UserId]) -> None:
        """Serialize tag changes of these users until the transaction ends (R-TAG-6).

        Called before the tags of a user are read and changed, so that what a tag
        event says (``still_held``, ``newly_held``) is true at commit: a SQL store
        locks the users' rows in id order; a store whose writers never overlap does
        nothing.
        """
        ...

    def tags_of(self, user_id: UserId) -> frozenset[str]:
        """Every tag the user holds through at least one source."""
        ...

    def of_users(self, user_ids: Sequence[UserId]) -> Sequence[TagGrant]:
        """Every grant of these users, ordered by (user id, tag, source)."""
        ...

    def all(self) -> Sequence[TagGrant]:
        """Every grant, ordered by (user, tag, source)."""
        ...

    def set_expiry(
        self, user_id: UserId, tag: str, source: str, expires_at: datetime | None
    ) -> None:
        """Set when one source's grant ends (``None``: never); it must exist (R-TIME-4)."""
        ...

    def due(self, now: datetime, limit: int) -> Sequence[TagGrant]:
        """Up to ``limit`` grants with ``expires_at <= now``, by (user, tag, source) (R-TIME-2)."""
        ...

    def next_due(self, after: datetime) -> datetime | None:
        """The earliest ``expires_at`` later than ``after``, or ``None`` (R-TIME-2)."""
        ...
