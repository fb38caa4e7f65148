"""The outbox a consumer reads and acknowledges: ``ta.outbox`` (R-ALL-4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from teamaccess.domain.events import (
    OutboxMessage,
)
from teamaccess.domain.inputs import (
    check_count,
    check_positions,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore

__all__ = ["Outbox"]


class Outbox:
    """The outbox a consumer reads: ``ta.outbox``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The oldest undelivered outbox messages, for a consumer (R-ALL-4)."""
        check_count(limit, "limit", 1, 1_000_000)
        with self._core.store.reader() as tx:
            return tx.outbox.pending(limit)

    def count_pending(self) -> int:
        """How many outbox messages wait for a consumer."""
        with self._core.store.reader() as tx:
            return tx.outbox.count_pending()

    def mark_delivered(self, positions: Sequence[int]) -> None:
        """Mark outbox messages delivered once the consumer has handled them."""
        positions = check_positions(positions)

        def work(tx: Transaction, now: datetime) -> None:
            tx.outbox.mark_delivered(list(positions), now)

        self._core.command(work)

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The messages the relay parked after their last attempt, oldest first.

        Each carries its ``attempts`` and ``last_error``; `redrive` makes them pending
        again once the receiver can take them (R-ALL-8).
        """
        check_count(limit, "limit", 1, 1_000_000)
        with self._core.store.reader() as tx:
            return tx.outbox.dead(limit)

    def redrive(self, positions: Sequence[int] | None = None) -> int:
        """Make dead messages pending again (all of them for ``None``); how many.

        Their attempts start again from zero. A redriven message goes out after the
        later messages of its company that were delivered while it was parked.
        """
        chosen = None if positions is None else list(check_positions(positions))

        def work(tx: Transaction, _now: datetime) -> int:
            return tx.outbox.redrive(chosen)

        return self._core.command(work)
