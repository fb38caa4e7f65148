"""Granting and revoking a tag through one source; taking a seat with the tag it gave.

Each locks the user's tag facts first (R-TAG-6) and emits its event in the same
transaction (R-TAG-5).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.events import ParticipantRemoved, TagGranted, TagRevoked, stamp
from teamaccess.domain.grant_events import EnrollmentExpired, TagGrantExpired
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.seats import Product, ReplacementPolicy, SeatPool, TagGrant, pool_source
from teamaccess.ports import Transaction

__all__ = ["grant", "revoke", "take_seat"]


def grant(
    tx: Transaction,
    now: datetime,
    actor_id: UserId,
    company_id: CompanyId | None,
    user_id: UserId,
    tag: str,
    source: str,
    expires_at: datetime | None = None,
) -> TagGrant:
    """Grant ``tag`` to the user through ``source``, with its event (R-TAG-5, R-TAG-6)."""
    tx.tags.lock_holders([user_id])  # newly_held stays true until commit (R-TAG-6)
    newly = tag not in tx.tags.tags_of(user_id)
    grant = TagGrant(user_id, tag, source, now, expires_at=expires_at)
    tx.tags.add(grant)
    tx.outbox.append(
        TagGranted(
            **stamp(now, actor_id, company_id),
            user_id=user_id,
            tag=tag,
            source=source,
            newly_held=newly,
        )
    )
    return grant


def revoke(
    tx: Transaction,
    now: datetime,
    actor_id: UserId | None,
    company_id: CompanyId | None,
    user_id: UserId,
    tag: str,
    source: str,
    *,
    expired_at: datetime | None = None,
) -> None:
    """End ``source``'s grant of ``tag``; the event says if another source still gives it.

    With ``expired_at`` (the sweep, R-TIME-2) the event is `TagGrantExpired`.
    """
    tx.tags.lock_holders([user_id])  # still_held stays true until commit (R-TAG-6)
    tx.tags.remove(user_id, tag, source)
    still = tag in tx.tags.tags_of(user_id)
    common = stamp(now, actor_id, company_id)
    if expired_at is not None:
        tx.outbox.append(
            TagGrantExpired(
                **common, user_id=user_id, tag=tag, source=source, still_held=still,
                expired_at=expired_at,
            )
        )  # fmt: skip
        return
    tx.outbox.append(
        TagRevoked(**common, user_id=user_id, tag=tag, source=source, still_held=still)
    )


def take_seat(
    tx: Transaction,
    now: datetime,
    actor_id: UserId | None,
    pool: SeatPool,
    product: Product,
    user: UserId,
    *,
    expired_at: datetime | None = None,
) -> SeatPool:
    """End ``user``'s seat in the locked ``pool`` and the tag it gave (R-SEAT-9, R-TAG-3).

    The product's replacement policy decides whether the seat is freed (R-SEAT-10).
    With ``expired_at`` (the sweep, R-TIME-2) the events are `EnrollmentExpired` and
    `TagGrantExpired` instead of `ParticipantRemoved` and `TagRevoked`.
    """
    tx.enrollments.remove(pool.id, user)
    refill = product.replacement is ReplacementPolicy.REFILL
    updated = (
        attrs.evolve(pool, used=pool.used - 1)
        if refill
        else attrs.evolve(pool, consumed=pool.consumed + 1)
    )
    tx.pools.update(updated)
    common = stamp(now, actor_id, pool.company_id)
    if expired_at is not None:
        tx.outbox.append(
            EnrollmentExpired(
                **common, pool_id=pool.id, user_id=user, seat_freed=refill, expired_at=expired_at
            )
        )
    else:
        tx.outbox.append(
            ParticipantRemoved(**common, pool_id=pool.id, user_id=user, seat_freed=refill)
        )
    revoke(
        tx, now, actor_id, pool.company_id, user, product.tag, pool_source(pool.id),
        expired_at=expired_at,
    )  # fmt: skip
    return updated
