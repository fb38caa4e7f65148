"""In-memory products, seat pools, enrollments and tag grants (seed 002)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company
from teamaccess.domain.seats import Enrollment, PoolId, Product, ProductId, SeatPool, TagGrant
from teamaccess.errors import (
    AlreadyEnrolled,
    Conflict,
    SeatsExhausted,
)

__all__ = ["MemoryEnrollments", "MemoryProducts", "MemorySeatPools", "MemoryTagGrants"]


class MemoryProducts(Repo):
    def get(self, product_id: ProductId) -> Product | None:
        return self._t.products.get(product_id)

    def add(self, product: Product) -> None:
        if product.id in self._t.products:
            raise Conflict(f"product {product.id!r} already exists")
        self._j.put(self._t.products, product.id, product)

    def all(self) -> Sequence[Product]:
        return sorted(self._t.products.values(), key=lambda p: p.id)


class MemorySeatPools(Repo):
    def get(self, pool_id: PoolId, *, for_update: bool = False) -> SeatPool | None:
        return self._t.pools.get(pool_id)

    def add(self, pool: SeatPool) -> None:
        if pool.id in self._t.pools:
            raise Conflict(f"seat pool {pool.id!r} already exists")
        require(pool.product_id in self._t.products, "product", pool.product_id)
        self._check(pool)
        self._j.put(self._t.pools, pool.id, pool)

    def update(self, pool: SeatPool) -> None:
        require(pool.id in self._t.pools, "seat pool", pool.id)
        self._check(pool)
        self._j.put(self._t.pools, pool.id, pool)

    def all(self) -> Sequence[SeatPool]:
        return sorted(self._t.pools.values(), key=lambda p: p.id)

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        require(target in self._t.companies, "company", target)
        for pool in self.all():
            if pool.company_id == source:
                self._j.put(self._t.pools, pool.id, attrs.evolve(pool, company_id=target))

    def led_by(self, company_id: CompanyId, user_id: UserId) -> Sequence[SeatPool]:
        return [p for p in self.all() if p.company_id == company_id and p.leader_id == user_id]

    def of_leader(self, user_id: UserId) -> Sequence[SeatPool]:
        return [p for p in self.all() if p.leader_id == user_id]

    def of_company(self, company_id: CompanyId) -> Sequence[SeatPool]:
        return [p for p in self.all() if p.company_id == company_id]

    def owners(self, pool_ids: Sequence[PoolId]) -> dict[PoolId, Company]:
        found: dict[PoolId, Company] = {}
        for pool_id in pool_ids:
            pool = self._t.pools.get(pool_id)
            owner = None if pool is None else pool.company_id
            company = None if owner is None else self._t.companies.get(owner)
            if company is not None:
                found[pool_id] = company
        return found

    @staticmethod
    def _check(pool: SeatPool) -> None:
        """The CHECK constraint of the SQL table: 0 <= consumed <= used <= seats."""
        if not 0 <= pool.consumed <= pool.used <= pool.seats:
            raise SeatsExhausted(f"seat pool {pool.id!r} would have {pool.usage}")


class MemoryEnrollments(Repo):
    def get(self, pool_id: PoolId, user_id: UserId) -> Enrollment | None:
        return self._t.enrollments.get(pool_id, {}).get(user_id)

    def of_pool(self, pool_id: PoolId) -> Sequence[Enrollment]:
        participants = self._t.enrollments.get(pool_id, {})
        return [participants[u] for u in sorted(participants)]

    def add(self, enrollment: Enrollment) -> None:
        self.add_many([enrollment])

    def add_many(self, enrollments: Sequence[Enrollment]) -> None:
        new: dict[PoolId, dict[UserId, Enrollment]] = {}
        for e in enrollments:  # check all, then write all: a refusal writes nothing
            require(e.pool_id in self._t.pools, "seat pool", e.pool_id)
            require(e.user_id in self._t.users, "user", e.user_id)
            batch = new.setdefault(e.pool_id, {})
            if e.user_id in self._t.enrollments.get(e.pool_id, {}) or e.user_id in batch:
                raise AlreadyEnrolled(f"{e.user_id!r} is already enrolled")
            batch[e.user_id] = e
        for pool_id, batch in new.items():
            self._j.put_new(self._t.enrollments.setdefault(pool_id, {}), batch)

    def of_user(self, user_id: UserId) -> Sequence[Enrollment]:
        enrollments = self._t.enrollments
        return [enrollments[p][user_id] for p in sorted(enrollments) if user_id in enrollments[p]]

    def remove(self, pool_id: PoolId, user_id: UserId) -> None:
        require(self.get(pool_id, user_id) is not None, "enrollment", user_id)
        self._j.pop(self._t.enrollments[pool_id], user_id)

    def all(self) -> Sequence[Enrollment]:
        return [e for p in sorted(self._t.enrollments) for e in self.of_pool(p)]


class MemoryTagGrants(Repo):
    def add(self, grant: TagGrant) -> None:
        self.add_many([grant])

    def add_many(self, grants: Sequence[TagGrant]) -> None:
        added: list[tuple[dict[str, TagGrant], str]] = []
        self._j.call(lambda: [sources.pop(source, None) for sources, source in added])
        for grant in grants:
            require(grant.user_id in self._t.users, "user", grant.user_id)
            sources = self._t.tags.setdefault(grant.user_id, {}).setdefault(grant.tag, {})
            if grant.source in sources:
                raise Conflict(f"{grant.source} already grants {grant.tag!r} to {grant.user_id!r}")
            sources[grant.source] = grant
            added.append((sources, grant.source))

    def holders(self, tag: str, user_ids: Sequence[UserId]) -> frozenset[UserId]:
        tags = self._t.tags
        return frozenset(u for u in user_ids if tags.get(u, {}).get(tag))

    def remove(self, user_id: UserId, tag: str, source: str) -> None:
        sources = self._t.tags.get(user_id, {}).get(tag, {})
        require(source in sources, "tag grant", (user_id, tag, source))
        self._j.pop(sources, source)

    def sources(self, user_id: UserId, tag: str) -> Sequence[str]:
        return sorted(self._t.tags.get(user_id, {}).get(tag, {}))

    def tags_of(self, user_id: UserId) -> frozenset[str]:
        return frozenset(tag for tag, srcs in self._t.tags.get(user_id, {}).items() if srcs)

    def of_users(self, user_ids: Sequence[UserId]) -> Sequence[TagGrant]:
        return [
            grant
            for user_id in sorted(set(user_ids))
            for tag, sources in sorted(self._t.tags.get(user_id, {}).items())
            for _, grant in sorted(sources.items())
        ]

    def lock_holders(self, user_ids: Sequence[UserId]) -> None:
        """Nothing to do: the store's one writer lock already serializes transactions."""

    def set_expiry(
        self, user_id: UserId, tag: str, source: str, expires_at: datetime | None
    ) -> None:
        sources = self._t.tags.get(user_id, {}).get(tag, {})
        require(source in sources, "tag grant", (user_id, tag, source))
        self._j.put(sources, source, attrs.evolve(sources[source], expires_at=expires_at))

    def due(self, now: datetime, limit: int) -> Sequence[TagGrant]:
        found = [g for g in self.all() if g.expires_at is not None and g.expires_at <= now]
        return found[:limit]

    def next_due(self, after: datetime) -> datetime | None:
        ends = (g.expires_at for g in self.all() if g.expires_at is not None)
        return min((end for end in ends if end > after), default=None)

    def all(self) -> Sequence[TagGrant]:
        return [
            sources[source]
            for user in sorted(self._t.tags)
            for tag, sources in sorted(self._t.tags[user].items())
            for source in sorted(sources)
        ]
