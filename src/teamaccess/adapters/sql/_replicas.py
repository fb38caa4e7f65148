"""Read routing to PostgreSQL streaming replicas (R-ALL-12).

The primary's positions are WAL positions (LSNs as integers); a replica's is its
replay position, ``pg_last_wal_replay_lsn()``. Both only grow, so what is known of
them is remembered and a replica is asked again only when what is remembered does
not suffice:

- ``at_least(token)``: a replica whose replay position is at or past the token;
  asked once if the remembered one is behind; with a wait bound, asked again every
  millisecond until the bound; then the primary.
- ``minimize_latency(s)``: a replica at most ``s`` behind. The router keeps samples
  of the primary's position, each taken *before* its query started (so every commit
  finished before the sample's time lies at or below its position): the commands'
  own tokens, and a query of its own when no sample is younger than ``s``. A replica
  whose replay position reached the oldest sample younger than ``s`` has applied
  every commit finished more than ``s`` ago. A replica asked within the last quarter
  of ``s`` is not asked again before the read goes to the primary.
- ``fully_consistent``: the primary.

A replica that fails to answer is left alone for a second.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from teamaccess.domain.consistency import Consistency, Mode
from teamaccess.errors import StorageError


class Node(Protocol):
    """A store the router can ask for a position (the SQL store)."""

    def position_number(self, sql: str) -> int:
        """The integer ``sql`` answers on this node (NULL: -1)."""
        ...


_N = TypeVar("_N", bound=Node)

__all__ = ["PRIMARY_LSN", "REPLAY_LSN", "Node", "Router", "pause_for"]

PRIMARY_LSN = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')"
"""The primary's WAL insert position as a number (called after COMMIT: past the commit)."""
REPLAY_LSN = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')"
"""A standby's replay position as a number (NULL on a server that is not a standby)."""

_SAMPLE_EVERY = 0.0005  # seconds between remembered primary samples
_SAMPLES_KEPT = 120.0  # seconds of primary samples remembered
_POLL = 0.001  # seconds between asking a replica again while waiting for a token
_DOWN_FOR = 1.0  # seconds a replica that failed to answer is left alone


class _Replica(Generic[_N]):
    __slots__ = ("asked_at", "down_until", "name", "position", "store")

    def __init__(self, store: _N, name: str) -> None:
        self.store = store
        self.name = name
        self.position = -1  # the replay position last seen (-1: never asked)
        self.asked_at = float("-inf")
        self.down_until = float("-inf")


class Router(Generic[_N]):
    """Picks the node each read runs on; counts the reads each node served."""

    def __init__(
        self,
        primary: _N,
        replicas: Sequence[tuple[_N, str]],
        *,
        wait: float,
        pause: Callable[[float], None],
    ) -> None:
        self.primary = primary
        self.replicas = [_Replica(store, name) for store, name in replicas]
        self.wait = wait
        self._pause = pause
        self._lock = threading.Lock()
        self._times: list[float] = []
        self._positions: list[int] = []
        self._next = 0
        self.counts: dict[str, int] = {"primary": 0, **{r.name: 0 for r in self.replicas}}

    def route(self, consistency: Consistency) -> _N:
        """The store (primary or a replica's) a read with ``consistency`` runs on."""
        mode = consistency.mode
        chosen: _Replica[_N] | None = None
        if mode is Mode.AT_LEAST and consistency.token is not None:
            chosen = self._at_least(consistency.token.position)
        elif mode is Mode.MINIMIZE_LATENCY and consistency.max_staleness is not None:
            chosen = self._fresh(consistency.max_staleness.total_seconds())
        name = "primary" if chosen is None else chosen.name
        with self._lock:
            self.counts[name] += 1
        return self.primary if chosen is None else chosen.store

    def note_primary(self, taken: float, position: int) -> None:
        """Remember the primary's ``position``, read by a query begun at ``taken``."""
        with self._lock:
            times = self._times
            if times and taken - times[-1] < _SAMPLE_EVERY:
                return
            if times and taken - times[0] > 2 * _SAMPLES_KEPT:
                cut = bisect.bisect_left(times, taken - _SAMPLES_KEPT)
                del times[:cut], self._positions[:cut]
            times.append(taken)
            self._positions.append(position)

    def _order(self) -> list[_Replica[_N]]:
        """The replicas, starting with the next in turn (spreads the reads)."""
        replicas = self.replicas
        with self._lock:
            start = self._next
            self._next = (start + 1) % len(replicas)
        return replicas[start:] + replicas[:start]

    def _at_least(self, wanted: int) -> _Replica[_N] | None:
        order = self._order()
        for replica in order:
            if replica.position >= wanted:
                return replica
        deadline = time.monotonic() + self.wait
        while True:
            for replica in order:
                if self._ask(replica) >= wanted:
                    return replica
            if time.monotonic() + _POLL > deadline:
                return None
            self._pause(_POLL)

    def _fresh(self, staleness: float) -> _Replica[_N] | None:
        now = time.monotonic()
        wanted = self._oldest_since(now - staleness)
        if wanted is None:  # no sample young enough: take one now
            taken = time.monotonic()
            try:
                wanted = self.primary.position_number(PRIMARY_LSN)
            except StorageError:
                return None
            self.note_primary(taken, wanted)
        for replica in self._order():
            if replica.position >= wanted:
                return replica
            if now - replica.asked_at >= staleness / 4 and self._ask(replica) >= wanted:
                return replica
        return None

    def _oldest_since(self, since: float) -> int | None:
        with self._lock:
            at = bisect.bisect_left(self._times, since)
            return self._positions[at] if at < len(self._times) else None

    def _ask(self, replica: _Replica[_N]) -> int:
        """Ask a replica its replay position (remembered); -1 if it is down."""
        now = time.monotonic()
        if now < replica.down_until:
            return -1
        try:
            position = replica.store.position_number(REPLAY_LSN)
        except StorageError:
            replica.down_until = now + _DOWN_FOR
            return -1
        replica.asked_at = now
        replica.position = max(replica.position, position)
        return replica.position


def pause_for(is_async: bool) -> Callable[[float], None]:
    """How the router waits: ``time.sleep``, or, inside the greenlet bridge, the loop's sleep."""
    if not is_async:
        return time.sleep

    def pause(seconds: float) -> None:
        import asyncio

        from sqlalchemy.util import await_only

        await_only(asyncio.sleep(seconds))

    return pause
