"""The outbox relay's rules, pure: which claimed events may go out, and when to retry.

R-ALL-8: every event is delivered at least once and, per company, in commit order.
Commands on one company lock its row before they append events, so within a company
positions are taken in commit order; the relay therefore delivers a company's events
in position order, and an event only after every earlier pending event of its company
(a failing one holds back only its own company). It claims events by their state
(pending, not leased, due), never by a "last position seen" cursor, so an event whose
position is lower than one already delivered but which committed later is claimed by
the next poll and never skipped.

Several relays share the work by company: each company belongs to one of `SHARDS`
shards (`shard_of`), and each live relay takes its share of the shards (`share`) and
claims their events first. The share is only where a relay looks first; the order
above is kept by the per-event leases and ``in_company_order`` whatever the shares
are, so while relays come and go (and two of them briefly look at one shard) nothing
is delivered out of order.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from datetime import timedelta

__all__ = ["SHARDS", "backoff", "in_company_order", "shard_of", "share"]

SHARDS = 64
"""How many shards the companies are spread over: at most this many relays share work.

Stored with each outbox row (revision teamaccess_0009): changing it needs a migration.
"""


def shard_of(company_id: str | None) -> int:
    """The shard of a company's events, from 0 to ``SHARDS - 1``; 0 for no company.

    CRC-32 of the id's UTF-8 bytes, the same in every process and version.
    """
    if company_id is None:
        return 0
    return zlib.crc32(company_id.encode("utf-8")) % SHARDS


def share(relays: Iterable[str], me: str) -> frozenset[int] | None:
    """The shards relay ``me`` claims first, when ``relays`` (and ``me``) are alive.

    The live relays in name order take the shards round robin: the i-th of n takes
    every shard ``s`` with ``s % n == i``. ``None`` when ``me`` is alone: every shard.
    Once there are more relays than shards, the later ones get none of their own
    (they still take work no one else can, see ``Outbox.claim``).
    """
    names = sorted(set(relays) | {me})
    if len(names) == 1:
        return None
    index = names.index(me)
    return frozenset(s for s in range(SHARDS) if s % len(names) == index)


def in_company_order(
    claimed: Sequence[tuple[int, str | None]], pending: Iterable[tuple[int, str | None]]
) -> list[int]:
    """The claimed positions that may be delivered now, in position order.

    ``claimed`` are (position, company) pairs a relay could lease; ``pending`` every
    undelivered, not-dead event of those companies up to the last claimed position,
    including those another relay holds or that wait for a retry. Per company, the
    claimed events are kept up to the first pending event that is not claimed here:
    that one must go out first. Events without a company have no order to keep.
    """
    mine = {position for position, _ in claimed}
    blocked_from: dict[str, int] = {}
    for position, company in sorted(pending, key=lambda pair: pair[0]):
        if company is not None and position not in mine and company not in blocked_from:
            blocked_from[company] = position
    return sorted(
        position
        for position, company in claimed
        if company is None or position < blocked_from.get(company, position + 1)
    )


def backoff(
    attempt: int,
    *,
    base: timedelta,
    cap: timedelta,
    rng: random.Random | None = None,
) -> timedelta:
    """How long to wait before retry ``attempt`` (1 = the first retry): full jitter.

    A random time between zero and ``min(cap, base * 2 ** (attempt - 1))``, the
    "full jitter" of exponential backoff, so relays that failed together do not
    retry together.
    """
    ceiling = min(cap, base * (1 << min(max(attempt - 1, 0), 32)))
    fraction = rng.random() if rng is not None else random.random()  # noqa: S311 - jitter
    return ceiling * fraction
