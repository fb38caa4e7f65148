"""The facts of recent checks, remembered per process and forgotten per key (issue 29).

`FactCache` holds what ``check_facts`` read, by (company, user), and forgets exactly
the keys other commands changed (``_changes``): a user key forgets the user's
answers, a company key the company's and those of every account with a parent. It
knows how current it is:

- ``fresh_at``: every command whose COMMIT returned before this moment (monotonic
  clock) has been forgotten;
- ``seen``: every command at or below this consistency-token position has been
  forgotten (PostgreSQL only).

A read records the ``generation`` before it asks the database and keeps its answer
only if nothing was forgotten in between, so an answer read before a change and
delivered after its notice is never kept.

Who keeps it current:

- SQLite: the check itself, on its kept connection: ``PRAGMA data_version`` changes
  when any other connection commits, and then the change log is read (`sync_sqlite`).
  Exact: such a store answers every consistency mode from memory.
- PostgreSQL: `Listener`, a thread that ``LISTEN``s on its own connection and sends a
  heartbeat notification every ``refresh``; notifications arrive in commit order, so
  its own heartbeat, sent at ``t`` with the WAL insert position, confirms that every
  change committed before ``t`` (and at or below that position) has been heard.
- MariaDB/MySQL: `Poller`, a thread that reads the change log every ``refresh`` on a
  connection of its own (``wsrep_sync_wait`` on Galera).

When the thread loses its connection, nothing confirms the cache any more: reads that
ask for at most ``s`` of staleness go to the database once ``s`` has passed, and the
thread, back, forgets everything before it confirms again.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from teamaccess.adapters.sql._changes import EVERYTHING, channel_of
from teamaccess.adapters.sql._schema import Tables
from teamaccess.domain.consistency import Consistency, ConsistencyToken, Mode

__all__ = ["FactCache", "Listener", "Poller", "sync_sqlite"]

_LOG = logging.getLogger("teamaccess.storage")
_LIMIT = 100_000  # answers remembered; at the bound all are forgotten at once
_GAP_WAIT = 2.0  # seconds the MariaDB poller waits for a change row numbered below one it saw
_MAX_GAPS = 10_000  # more missing numbers than this: forget everything instead
_START_WINDOW = 1_000  # numbers below the top a starting poller still waits for
_RETRY = 0.5  # seconds between attempts to get a lost connection back

Key = tuple[str, str]


class FactCache:
    """Check facts by (company, user), forgotten by the keys of the changes heard."""

    def __init__(self, *, exact: bool = False, limit: int = _LIMIT) -> None:
        self._entries: dict[Key, Any] = {}
        self._of_user: dict[str, list[Key]] = {}
        self._of_company: dict[str, list[Key]] = {}
        self._below: list[Key] = []  # answers about accounts with a parent
        self._lock = threading.Lock()
        self._limit = limit
        self.exact = exact
        """Whether every answer is current (SQLite, kept current by each check)."""
        self.generation = 0
        """Bumped by every forgetting: a read keeps its answer only if it did not move."""
        self.fresh_at = -math.inf
        """Every command committed before this moment (``time.monotonic``) is heard."""
        self.seen = -1
        """Every change at or below this position has been heard (-1: none yet)."""

    def get(self, key: Key) -> Any:
        """The remembered facts of ``key``, or None."""
        return self._entries.get(key)

    def put(self, key: Key, facts: Any, generation: int) -> None:
        """Remember ``facts``, read after ``generation`` was taken, unless it has moved."""
        with self._lock:
            if generation != self.generation:
                return
            if len(self._entries) >= self._limit:
                self._clear()
            self._entries[key] = facts
            self._of_company.setdefault(key[0], []).append(key)
            self._of_user.setdefault(key[1], []).append(key)
            company = facts[0]
            if company is not None and company.parent_id is not None:
                self._below.append(key)

    def forget(self, companies: Iterable[str], users: Iterable[str]) -> None:
        """Forget the answers that the changes of ``companies`` and ``users`` touch."""
        with self._lock:
            self.generation += 1
            entries = self._entries
            for user in users:
                for key in self._of_user.pop(user, ()):
                    entries.pop(key, None)
            for company in companies:
                for key in self._of_company.pop(company, ()):
                    entries.pop(key, None)
                for key in self._below:  # the company may be their ancestor
                    entries.pop(key, None)
                self._below.clear()

    def forget_lines(self, payload: str) -> None:
        """Forget by a notification's lines (``c <company>``, ``u <user>``, or ``*``)."""
        if payload == EVERYTHING:
            self.forget_all()
            return
        companies: list[str] = []
        users: list[str] = []
        for line in payload.split("\n"):
            (companies if line[:2] == "c " else users).append(line[2:])
        self.forget(companies, users)

    def forget_all(self) -> None:
        """Forget every answer."""
        with self._lock:
            self.generation += 1
            self._clear()

    def confirm(self, fresh_at: float, seen: int | None = None) -> None:
        """Everything committed before ``fresh_at`` (and at or below ``seen``) is heard."""
        with self._lock:
            self.fresh_at = max(self.fresh_at, fresh_at)
            if seen is not None:
                self.seen = max(self.seen, seen)

    def lost(self) -> None:
        """The notices stopped: confirm nothing until they are back and all is forgotten."""
        with self._lock:
            self.generation += 1
            self._clear()
            self.fresh_at = -math.inf
            self.seen = -1

    def serves(self, consistency: Consistency) -> bool:
        """Whether a read with ``consistency`` may be answered from this cache now."""
        if self.exact:
            return True
        mode = consistency.mode
        if mode is Mode.MINIMIZE_LATENCY and consistency.max_staleness is not None:
            return time.monotonic() - self.fresh_at <= consistency.max_staleness.total_seconds()
        token = consistency.token
        return mode is Mode.AT_LEAST and token is not None and token.position <= self.seen

    def _clear(self) -> None:
        self._entries.clear()
        self._of_user.clear()
        self._of_company.clear()
        self._below.clear()

    def __len__(self) -> int:
        return len(self._entries)


def sync_sqlite(cache: FactCache, cursor: Any, tables: Tables) -> None:
    """Forget what the change log holds after ``cache.seen``, read on ``cursor`` (SQLite).

    The first time, everything: the cache starts from the log's top. A log whose
    oldest row lies past ``seen`` + 1 was pruned past this cache: everything too.
    """
    name = tables.changes.name
    seen = cache.seen
    if seen < 0:
        cursor.execute(f"SELECT coalesce(max(position), 0) FROM {name}")  # noqa: S608 - ours
        top = int(cursor.fetchone()[0])
        cache.forget_all()
        cache.confirm(-math.inf, top)
        return
    cursor.execute(
        f"SELECT position, company_id, user_id FROM {name} WHERE position > ? ORDER BY position",  # noqa: S608
        (seen,),
    )
    rows = cursor.fetchall()
    if not rows:
        return
    if rows[0][0] > seen + 1 or any(r[1] is None and r[2] is None for r in rows):
        cache.forget_all()
    else:
        cache.forget([r[1] for r in rows if r[1] is not None], [r[2] for r in rows if r[2]])
    cache.confirm(-math.inf, rows[-1][0])


class _Feed(threading.Thread):
    """A daemon thread keeping a `FactCache` current over a connection of its own."""

    def __init__(self, cache: FactCache, connect: Callable[[], Any], refresh: float) -> None:
        super().__init__(name=f"teamaccess-{type(self).__name__.lower()}", daemon=True)
        self.cache = cache
        self._connect = connect
        self.refresh = refresh
        self._halt = threading.Event()
        self.connected = threading.Event()
        self.session: int | None = None
        """The server's id of the thread's connection (a backend pid, a connection id)."""

    def stop(self) -> None:
        """Stop at the next turn (within ``refresh``)."""
        self._halt.set()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self._follow()
            except Exception as error:
                if self._halt.is_set():
                    return
                _LOG.warning("%s lost its connection: %s", self.name, error)
            self.connected.clear()
            self.cache.lost()
            self._halt.wait(_RETRY)

    def _follow(self) -> None:
        raise NotImplementedError


class Listener(_Feed):
    """PostgreSQL: ``LISTEN`` for the changes' keys, and confirm with heartbeats."""

    def __init__(
        self,
        cache: FactCache,
        connect: Callable[[], Any],
        refresh: float,
        tables: Tables,
        beat: Callable[[str, str], None],
    ) -> None:
        super().__init__(cache, connect, refresh)
        self._channel = channel_of(tables)
        self._beat = beat  # runs pg_notify(channel, payload || the WAL insert position)

    def _follow(self) -> None:
        from psycopg import sql

        driver = self._connect()
        try:
            driver.autocommit = True
            self.session = driver.info.backend_pid
            driver.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self.cache.forget_all()  # whatever was changed while nobody listened
            self.connected.set()
            nonce, number, sent = secrets.token_hex(6), 0, {}
            while not self._halt.is_set():
                number += 1
                sent[number] = time.monotonic()
                self._beat(self._channel, f"h {nonce} {number} ")
                deadline = sent[number] + self.refresh
                # Never leave the generator early: it drops the rest of a received batch.
                for notice in driver.notifies(timeout=max(0.0, deadline - time.monotonic())):
                    self._heard(notice.payload, nonce, sent)
        finally:
            driver.close()

    def _heard(self, payload: str, nonce: str, sent: dict[int, float]) -> None:
        if not payload.startswith("h "):
            self.cache.forget_lines(payload)
            return
        _, whose, number, lsn = payload.split(" ")
        if whose != nonce:  # another process's heartbeat
            return
        at = sent.pop(int(number), None)
        for older in [n for n in sent if n < int(number)]:
            del sent[older]
        if at is not None:
            self.cache.confirm(at, ConsistencyToken.of_lsn(lsn).position)


class Poller(_Feed):
    """MariaDB/MySQL: read the change log every ``refresh``.

    Change rows are numbered when inserted, just before their COMMIT, so a number
    below the highest one seen may still commit: the poller reads from the lowest such
    gap for up to two seconds (a command whose COMMIT takes longer publishes its keys
    again, ``_changes.republish_if_slow``). On Galera the connection sets
    ``wsrep_sync_wait = 1``: a poll sees every write the cluster committed before it.
    """

    def __init__(
        self, cache: FactCache, connect: Callable[[], Any], refresh: float, tables: Tables
    ) -> None:
        super().__init__(cache, connect, refresh)
        self._table = tables.changes.name

    def _follow(self) -> None:
        driver = self._connect()
        try:
            driver.autocommit(True)
            cursor = driver.cursor()
            cursor.execute("SELECT connection_id()")
            self.session = int(cursor.fetchone()[0])
            cursor.execute("SHOW VARIABLES LIKE 'wsrep_on'")
            row = cursor.fetchone()
            if row is not None and str(row[1]).upper() == "ON":
                cursor.execute("SET SESSION wsrep_sync_wait = 1")
            cursor.execute(f"SELECT coalesce(max(position), 0) FROM {self._table}")  # noqa: S608
            # Numbers below the top may still commit: the first poll reads the last
            # thousand and waits for the missing ones as for any gap.
            top = max(0, int(cursor.fetchone()[0]) - _START_WINDOW)
            self.cache.forget_all()
            self.connected.set()
            gaps: dict[int, float] = {}
            while not self._halt.is_set():
                began = time.monotonic()
                low = min(gaps) - 1 if gaps else top
                cursor.execute(
                    f"SELECT position, company_id, user_id FROM {self._table} "  # noqa: S608
                    "WHERE position > %s ORDER BY position",
                    (low,),
                )
                top = self._heard(cursor.fetchall(), top, gaps, began)
                self.cache.confirm(began)
                self._halt.wait(max(0.0, began + self.refresh - time.monotonic()))
        finally:
            driver.close()

    def _heard(
        self, rows: list[tuple[int, str | None, str | None]], top: int, gaps: dict[int, float],
        now: float,
    ) -> int:  # fmt: skip
        """Forget the rows not heard before; return the new top, updating ``gaps``."""
        fresh = [r for r in rows if r[0] > top or r[0] in gaps]
        numbers = {r[0] for r in fresh}
        for number in numbers & gaps.keys():
            del gaps[number]
        new_top = max(numbers, default=top)
        if new_top - top > _MAX_GAPS:
            gaps.clear()
            self.cache.forget_all()
            return new_top
        gaps.update((n, now) for n in range(top + 1, new_top) if n not in numbers)
        for number in [n for n, since in gaps.items() if now - since > _GAP_WAIT]:
            del gaps[number]
        if any(r[1] is None and r[2] is None for r in fresh):  # `publish_everything`
            self.cache.forget_all()
        elif fresh:
            self.cache.forget([r[1] for r in fresh if r[1]], [r[2] for r in fresh if r[2]])
        return new_top
