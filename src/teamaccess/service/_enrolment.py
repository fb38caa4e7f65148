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
from teamaccess.domain.models import Company, User
from teamaccess.domain.seats import (
    Enrollment,
    PoolId,
    Product,
    ProductId,
    SeatPool,
    TagGrant,
    pool_source,
)
from teamaccess.errors import (
    CsvImportError,
    TransientStorageError,
    UnknownGroup,
    UnknownProduct,
)
from teamaccess.ports import Transaction, UserDirectory
from teamaccess.service._erasure import live_users

__all__ = [
    "Progress",
    "checked_rows",
    "enroll_people",
    "find_pool",
    "find_product",
    "lock_pool",
    "pool_company",
]

_RELOCKS = 3
"""How often a command follows a pool that moves to another company before retrying."""

Progress = Callable[[int, int, str], object]
"""``progress(done, total, phase)``: how far an import is; phase ``checking`` or ``writing``."""


def find_pool(tx: Transaction, pool_id: str, *, lock: bool = False) -> SeatPool:
    """The pool, or raise `UnknownGroup`; with ``lock``, locked as `lock_pool` locks it."""
    if lock:
        return lock_pool(tx, pool_id)[0]
    pool = tx.pools.get(PoolId(check_id(pool_id, "group")))
    if pool is None:
        raise UnknownGroup(f"unknown group {pool_id!r}")
    return pool


def lock_pool(tx: Transaction, pool_id: str) -> tuple[SeatPool, Company | None]:
    """Lock the pool's company, then the pool; return both (R-ALL-8, R-SEAT-6).

    A seat command of a company's pool emits events of that company, so it takes the
    company's lock first, as every other command of the company does: the company's
    events then commit in the order of their positions (R-ALL-8). A pool that moved to
    another company meanwhile (a merge, R-CO-2) is locked again under its new company.

    Raises:
        UnknownGroup: No such pool.
    """
    key = PoolId(check_id(pool_id, "group"))
    for _ in range(_RELOCKS):
        seen = tx.pools.get(key)
        if seen is None:
            break
        company = None
        if seen.company_id is not None:
            company = tx.companies.get(seen.company_id, for_update=True)
        pool = tx.pools.get(key, for_update=True)
        if pool is None:
            break
        if pool.company_id == seen.company_id:
            return pool, company
    else:
        raise TransientStorageError(f"group {pool_id!r} kept moving between companies")
    raise UnknownGroup(f"unknown group {pool_id!r}")


def pool_company(tx: Transaction, pool: SeatPool) -> Company | None:
    """The company the pool belongs to, or ``None`` for a pool bought without one."""
    return None if pool.company_id is None else tx.companies.get(pool.company_id)


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
    # newly_held stays true until commit (R-TAG-6); nobody erased meanwhile (R-CO-9)
    live_users(tx, [u for _, u in people if u is not None])
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
