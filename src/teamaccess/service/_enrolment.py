"""Seat pools looked up for a command, and people seated in bulk (R-SEAT-5, R-TAG-2).

Shared by the seat commands of ``ta.seats``; one statement per table on SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.csvimport import CsvLimits, RowError, read_enrollment_csv
from teamaccess.domain.events import (
    EnrollmentNotificationRequested,
    Event,
    ParticipantEnrolled,
    TagGranted,
    UserRegistered,
    stamp,
)
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.models import User
from teamaccess.domain.seats import (
    Enrollment,
    PoolId,
    Product,
    ProductId,
    SeatPool,
    TagGrant,
    pool_source,
)
from teamaccess.errors import CsvImportError, UnknownGroup, UnknownProduct
from teamaccess.ports import Transaction, UserDirectory

__all__ = ["Progress", "checked_rows", "enroll_people", "find_pool", "find_product"]

Progress = Callable[[int, int, str], object]
"""``progress(done, total, phase)``: how far an import is; phase ``checking`` or ``writing``."""


def find_pool(tx: Transaction, pool_id: str, *, lock: bool = False) -> SeatPool:
    pool = tx.pools.get(PoolId(check_id(pool_id, "group")), for_update=lock)
    if pool is None:
        raise UnknownGroup(f"unknown group {pool_id!r}")
    return pool


def find_product(tx: Transaction, product_id: str) -> Product:
    product = tx.products.get(ProductId(check_id(product_id, "product")))
    if product is None:
        raise UnknownProduct(f"unknown product {product_id!r}")
    return product


def enroll_people(
    tx: Transaction,
    now: datetime,
    actor_id: UserId,
    pool: SeatPool,
    product: Product,
    people: Sequence[tuple[str, User | None]],
    directory: UserDirectory,
) -> list[Enrollment]:
    """Seat validated people, registering those without a user (R-SEAT-5).

    Writes in bulk (one statement per table on SQL), grants the product's tag and
    emits, per person and in this order, ``UserRegistered`` (if new),
    ``ParticipantEnrolled``, ``EnrollmentNotificationRequested`` (unless switched
    off, R-SEAT-8) and ``TagGranted``; then counts the seats.
    """
    common = stamp(now, actor_id, pool.company_id)
    new = [
        User(UserId(check_id(directory(email), "user")), email)
        for email, user in people
        if user is None
    ]
    fresh = iter(new)
    users = [user or next(fresh) for _, user in people]
    source = pool_source(pool.id)
    known = [u.id for _, u in people if u is not None]
    tx.tags.lock_holders(known)  # newly_held stays true until commit (R-TAG-6)
    holders = tx.tags.holders(product.tag, known)
    enrollments = [Enrollment(pool.id, user.id, now) for user in users]
    tx.users.add_many(new)
    tx.enrollments.add_many(enrollments)
    tx.tags.add_many([TagGrant(user.id, product.tag, source, now) for user in users])
    events: list[Event] = []
    for (_, found), user in zip(people, users, strict=True):
        if found is None:
            events.append(
                UserRegistered(
                    **stamp(now, actor_id, None),
                    user_id=user.id,
                    email=user.email,
                )
            )
        events.append(
            ParticipantEnrolled(**common, pool_id=pool.id, user_id=user.id, email=user.email)
        )
        if product.notify_on_enroll:
            events.append(
                EnrollmentNotificationRequested(
                    **common,
                    pool_id=pool.id,
                    user_id=user.id,
                    email=user.email,
                    title=pool.title,
                )
            )
        events.append(
            TagGranted(
                **common,
                user_id=user.id,
                tag=product.tag,
                source=source,
                newly_held=user.id not in holders,
            )
        )
    tx.outbox.extend(events)
    tx.pools.update(attrs.evolve(pool, used=pool.used + len(enrollments)))
    return enrollments


def checked_rows(
    tx: Transaction,
    pool: SeatPool,
    data: bytes | str,
    limits: CsvLimits | None,
    progress: Progress | None,
) -> list[tuple[str, User | None]]:
    """The people of a CSV file to seat, with their users if known; or raise (R-SEAT-7)."""
    rows, errors = read_enrollment_csv(data, limits or CsvLimits())
    known = tx.users.get_many_by_email([row.email for row in rows])
    seated = {e.user_id for e in tx.enrollments.of_pool(pool.id)} if known else set()
    people: list[tuple[str, User | None]] = []
    total, step = len(rows), max(1, len(rows) // 100)
    for done, row in enumerate(rows):
        if progress is not None and done % step == 0:
            progress(done, total, "checking")
        user = known.get(row.email)
        if user is not None and user.id in seated:
            errors.append(RowError(row.row, "email", "already enrolled"))
        elif len(people) >= pool.free:
            errors.append(RowError(row.row, "email", f"no free seat: the group has {pool.usage}"))
        else:
            people.append((row.email, user))
    if errors:
        raise CsvImportError(sorted(errors, key=lambda error: error.row))
    if progress is not None:
        progress(total, total, "checking")
    return people
