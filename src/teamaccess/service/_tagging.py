"""Granting and revoking a tag through one source, shared by seats and direct grants.

Each locks the user's tag facts first (R-TAG-6) and emits its event in the same
transaction (R-TAG-5).
"""

from __future__ import annotations

from datetime import datetime

from teamaccess.domain.events import TagGranted, TagRevoked, stamp
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.seats import TagGrant
from teamaccess.ports import Transaction

__all__ = ["grant", "revoke"]


def grant(
    tx: Transaction,
    now: datetime,
    actor_id: UserId,
    company_id: CompanyId | None,
    user_id: UserId,
    tag: str,
    source: str,
) -> TagGrant:
    """Grant ``tag`` to the user through ``source``, with its event (R-TAG-5, R-TAG-6)."""
    tx.tags.lock_holders([user_id])  # newly_held stays true until commit (R-TAG-6)
    newly = tag not in tx.tags.tags_of(user_id)
    grant = TagGrant(user_id, tag, source, now)
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
    actor_id: UserId,
    company_id: CompanyId | None,
    user_id: UserId,
    tag: str,
    source: str,
) -> None:
    """End ``source``'s grant of ``tag``; the event says if another source still gives it."""
    tx.tags.lock_holders([user_id])  # still_held stays true until commit (R-TAG-6)
    tx.tags.remove(user_id, tag, source)
    tx.outbox.append(
        TagRevoked(
            **stamp(now, actor_id, company_id),
            user_id=user_id,
            tag=tag,
            source=source,
            still_held=tag in tx.tags.tags_of(user_id),
        )
    )
