"""SQL repositories of products, seat pools, enrollments and tag grants (seed 002)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._locks import write_locked
from teamaccess.adapters.sql._people import company_from_row
from teamaccess.adapters.sql._repo import Repo, chunks, is_transient
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import Company
from teamaccess.domain.seats import (
    Enrollment,
    PoolId,
    Product,
    ProductId,
    ReplacementPolicy,
    SeatPool,
    TagGrant,
)
from teamaccess.errors import (
    AlreadyEnrolled,
    Conflict,
    SeatsExhausted,
    StorageError,
)

__all__ = ["Enrollments", "Products", "SeatPools", "TagGrants"]


# -- products, seat pools, enrollments, tags ------------------------------------------


class Products(Repo):
    def get(self, product_id: ProductId) -> Product | None:
        t = self._t.products
        row = self._row(sa.select(t).where(t.c.id == product_id))
        return None if row is None else _product(row)

    def add(self, product: Product) -> None:
        try:
            self._c.execute(
                self._t.products.insert(),
                {
                    "id": product.id,
                    "name": product.name,
                    "tag": product.tag,
                    "replacement": product.replacement.value,
                    "notify_on_enroll": product.notify_on_enroll,
                },
            )
        except sa.exc.IntegrityError as error:
            raise Conflict(f"product {product.id!r} already exists") from error

    def all(self) -> Sequence[Product]:
        t = self._t.products
        return [_product(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


def _product(row: sa.Row[Any]) -> Product:
    return Product(
        ProductId(row.id),
        row.name,
        row.tag,
        ReplacementPolicy(row.replacement),
        bool(row.notify_on_enroll),
    )


def _pool(row: sa.Row[Any]) -> SeatPool:
    return SeatPool(
        id=PoolId(row.id),
        product_id=ProductId(row.product_id),
        title=row.title,
        leader_id=UserId(row.leader_id),
        seats=int(row.seats),
        used=int(row.used),
        consumed=int(row.consumed),
        created_at=row.created_at,
        company_id=None if row.company_id is None else CompanyId(row.company_id),
    )


def _pool_values(pool: SeatPool) -> dict[str, Any]:
    return {
        "id": pool.id,
        "product_id": pool.product_id,
        "title": pool.title,
        "leader_id": pool.leader_id,
        "seats": pool.seats,
        "used": pool.used,
        "consumed": pool.consumed,
        "created_at": pool.created_at,
        "company_id": pool.company_id,
    }


class SeatPools(Repo):
    def get(self, pool_id: PoolId, *, for_update: bool = False) -> SeatPool | None:
        t = self._t.pools
        statement = sa.select(t).where(t.c.id == pool_id)
        if not for_update:
            row = self._row(statement)
            return None if row is None else _pool(row)
        row = self._row(statement.with_for_update())
        if row is None:
            return None
        write_locked(self._c, t, t.c.id == pool_id)  # visible to certification (R-ALL-12)
        return _pool(row)

    def add(self, pool: SeatPool) -> None:
        try:
            self._c.execute(self._t.pools.insert(), _pool_values(pool))
        except sa.exc.IntegrityError as error:
            raise Conflict(f"seat pool {pool.id!r} exists or breaks a constraint") from error

    def update(self, pool: SeatPool) -> None:
        t = self._t.pools
        values = _pool_values(pool)
        del values["id"]
        try:
            result = self._c.execute(t.update().where(t.c.id == pool.id), values)
        except sa.exc.DBAPIError as error:
            if is_transient(error):
                raise
            raise SeatsExhausted(f"seat pool {pool.id!r} would have {pool.usage}") from error
        if result.rowcount != 1:
            raise StorageError(f"no seat pool {pool.id!r} to update")

    def all(self) -> Sequence[SeatPool]:
        t = self._t.pools
        return [_pool(row) for row in self._rows(sa.select(t).order_by(t.c.id))]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        t = self._t.pools
        self._c.execute(t.update().where(t.c.company_id == source).values(company_id=target))

    def led_by(self, company_id: CompanyId, user_id: UserId) -> Sequence[SeatPool]:
        t = self._t.pools
        mine = sa.and_(t.c.company_id == company_id, t.c.leader_id == user_id)
        return [_pool(row) for row in self._rows(sa.select(t).where(mine).order_by(t.c.id))]

    def of_leader(self, user_id: UserId) -> Sequence[SeatPool]:
        t = self._t.pools
        statement = sa.select(t).where(t.c.leader_id == user_id).order_by(t.c.id)
        return [_pool(row) for row in self._rows(statement)]

    def of_company(self, company_id: CompanyId) -> Sequence[SeatPool]:
        t = self._t.pools
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.id)
        return [_pool(row) for row in self._rows(statement)]

    def owners(self, pool_ids: Sequence[PoolId]) -> dict[PoolId, Company]:
        pools, companies = self._t.pools, self._t.companies
        statement = sa.select(companies, pools.c.id.label("owned_pool_id")).join(
            companies, companies.c.id == pools.c.company_id
        )
        rows = self._rows_in(pools.c.id, pool_ids, statement)
        return {PoolId(row.owned_pool_id): company_from_row(row) for row in rows}


def _enrollment(row: sa.Row[Any]) -> Enrollment:
    return Enrollment(PoolId(row.pool_id), UserId(row.user_id), row.enrolled_at)


class Enrollments(Repo):
    def get(self, pool_id: PoolId, user_id: UserId) -> Enrollment | None:
        t = self._t.enrollments
        row = self._row(sa.select(t).where(t.c.pool_id == pool_id, t.c.user_id == user_id))
        return None if row is None else _enrollment(row)

    def of_pool(self, pool_id: PoolId) -> Sequence[Enrollment]:
        t = self._t.enrollments
        statement = sa.select(t).where(t.c.pool_id == pool_id).order_by(t.c.user_id)
        return [_enrollment(row) for row in self._rows(statement)]

    def of_user(self, user_id: UserId) -> Sequence[Enrollment]:
        t = self._t.enrollments
        statement = sa.select(t).where(t.c.user_id == user_id).order_by(t.c.pool_id)
        return [_enrollment(row) for row in self._rows(statement)]

    def add(self, enrollment: Enrollment) -> None:
        values = {
            "pool_id": enrollment.pool_id,
            "user_id": enrollment.user_id,
            "enrolled_at": enrollment.enrolled_at,
        }
        try:
            self._c.execute(self._t.enrollments.insert(), values)
        except sa.exc.IntegrityError as error:
            raise AlreadyEnrolled(f"{enrollment.user_id!r} is already enrolled") from error

    def add_many(self, enrollments: Sequence[Enrollment]) -> None:
        values = [
            {"pool_id": e.pool_id, "user_id": e.user_id, "enrolled_at": e.enrolled_at}
            for e in enrollments
        ]
        try:
            self._insert(self._t.enrollments, values)
        except sa.exc.IntegrityError as error:
            raise AlreadyEnrolled("a user of the batch is already enrolled") from error

    def remove(self, pool_id: PoolId, user_id: UserId) -> None:
        t = self._t.enrollments
        result = self._c.execute(t.delete().where(t.c.pool_id == pool_id, t.c.user_id == user_id))
        if result.rowcount != 1:
            raise StorageError(f"no enrollment of {user_id!r} to remove")

    def all(self) -> Sequence[Enrollment]:
        t = self._t.enrollments
        statement = sa.select(t).order_by(t.c.pool_id, t.c.user_id)
        return [_enrollment(row) for row in self._rows(statement)]


def _grant(row: sa.Row[Any]) -> TagGrant:
    return TagGrant(
        UserId(row.user_id), row.tag, row.source, row.granted_at, expires_at=row.expires_at
    )


class TagGrants(Repo):
    def add(self, grant: TagGrant) -> None:
        values = {
            "user_id": grant.user_id,
            "tag": grant.tag,
            "source": grant.source,
            "granted_at": grant.granted_at,
            "expires_at": grant.expires_at,
        }
        try:
            self._c.execute(self._t.tags.insert(), values)
        except sa.exc.IntegrityError as error:
            raise Conflict(
                f"{grant.source} already grants {grant.tag!r} to {grant.user_id!r}"
            ) from error

    def add_many(self, grants: Sequence[TagGrant]) -> None:
        values = [
            {
                "user_id": g.user_id,
                "tag": g.tag,
                "source": g.source,
                "granted_at": g.granted_at,
                "expires_at": g.expires_at,
            }
            for g in grants
        ]
        try:
            self._insert(self._t.tags, values)
        except sa.exc.IntegrityError as error:
            raise Conflict("a grant of the batch already exists") from error

    def holders(self, tag: str, user_ids: Sequence[UserId]) -> frozenset[UserId]:
        t = self._t.tags
        statement = sa.select(t.c.user_id).where(t.c.tag == tag).distinct()
        return frozenset(
            UserId(row.user_id) for row in self._rows_in(t.c.user_id, user_ids, statement)
        )

    def remove(self, user_id: UserId, tag: str, source: str) -> None:
        t = self._t.tags
        result = self._c.execute(
            t.delete().where(t.c.user_id == user_id, t.c.tag == tag, t.c.source == source)
        )
        if result.rowcount != 1:
            raise StorageError(f"no grant of {tag!r} by {source} to remove")

    def sources(self, user_id: UserId, tag: str) -> Sequence[str]:
        t = self._t.tags
        statement = (
            sa.select(t.c.source).where(t.c.user_id == user_id, t.c.tag == tag).order_by(t.c.source)
        )
        return [row.source for row in self._rows(statement)]

    def lock_holders(self, user_ids: Sequence[UserId]) -> None:
        """Lock the users' rows in id order and write them (SQLite's one writer needs neither)."""
        users = self._t.users
        if self._c.dialect.name == "sqlite":
            return
        for chunk in chunks(sorted(user_ids)):
            locked = sa.select(users.c.id).where(users.c.id.in_(chunk)).order_by(users.c.id)
            if self._c.execute(locked.with_for_update()).all():  # locked in id order, then
                write_locked(self._c, users, users.c.id.in_(chunk))  # written (R-ALL-12)

    def of_users(self, user_ids: Sequence[UserId]) -> Sequence[TagGrant]:
        t = self._t.tags
        statement = sa.select(t).order_by(t.c.user_id, t.c.tag, t.c.source)
        rows = self._rows_in(t.c.user_id, sorted(set(user_ids)), statement)
        found = [_grant(row) for row in rows]
        return sorted(found, key=lambda g: (g.user_id, g.tag, g.source))

    def tags_of(self, user_id: UserId) -> frozenset[str]:
        t = self._t.tags
        statement = sa.select(t.c.tag).where(t.c.user_id == user_id).distinct()
        return frozenset(row.tag for row in self._rows(statement))

    def all(self) -> Sequence[TagGrant]:
        t = self._t.tags
        statement = sa.select(t).order_by(t.c.user_id, t.c.tag, t.c.source)
        return [_grant(row) for row in self._rows(statement)]

    def set_expiry(
        self, user_id: UserId, tag: str, source: str, expires_at: datetime | None
    ) -> None:
        t = self._t.tags
        result = self._c.execute(
            t.update()
            .where(t.c.user_id == user_id, t.c.tag == tag, t.c.source == source)
            .values(expires_at=expires_at)
        )
        if result.rowcount != 1:
            raise StorageError(f"no grant of {tag!r} by {source} to change")

    def due(self, now: datetime, limit: int) -> Sequence[TagGrant]:
        t = self._t.tags
        statement = (
            sa.select(t)
            .where(t.c.expires_at <= now)
            .order_by(t.c.user_id, t.c.tag, t.c.source)
            .limit(limit)
        )
        return [_grant(row) for row in self._rows(statement)]

    def next_due(self, after: datetime) -> datetime | None:
        t = self._t.tags
        found: datetime | None = self._c.execute(
            sa.select(sa.func.min(t.c.expires_at)).where(t.c.expires_at > after)
        ).scalar()
        return found
