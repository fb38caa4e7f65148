"""The in-memory store: one lock, committed snapshots for checks, transactions that undo.

One lock serializes transactions; readers take it too, so they never see an
uncommitted change. A check reads the committed snapshot of companies and members
without the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from teamaccess.adapters.memory._people import NOBODY
from teamaccess.adapters.memory._repo import Tables
from teamaccess.adapters.memory._transaction import MemoryTransaction
from teamaccess.domain.consistency import ConsistencyToken
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.windows import Window, sight_path

__all__ = ["MemoryStore"]


class _Reader:
    """A reusable context manager: holds the lock while a read view is in use.

    Cheaper than a ``@contextmanager`` generator on the hot path of ``check``; the
    view's journal is rolled back on exit in case a caller wrote through it.
    """

    __slots__ = ("_lock", "_view")

    def __init__(self, lock: threading.RLock, view: MemoryTransaction) -> None:
        self._lock = lock
        self._view = view

    def __enter__(self) -> MemoryTransaction:
        self._lock.acquire()
        return self._view

    def __exit__(self, *_: object) -> None:
        try:
            if self._view.dirty:
                self._view.rollback()
        finally:
            self._lock.release()


class MemoryStore:
    """A [Store][teamaccess.ports.Store] kept in this process's memory.

    Thread-safe; transactions are serialized by one re-entrant lock. Use it in host
    tests (see `teamaccess.testing`) and wherever persistence is not needed.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables = Tables()
        self._reader = _Reader(self._lock, MemoryTransaction(self._tables))
        self.generation = 0
        """How many transactions have committed a change; it grows before the lock is freed.

        While it holds its value, the committed state holds too: a service may keep
        answers it derived from that state and give them without taking the lock.
        """
        # What checks read, as committed: companies and their members. A commit that
        # changed some publishes new dicts in one assignment; none is changed after it
        # is published, so a check reads it without the lock and never waits for a writer.
        self._committed: tuple[dict[Any, Company], dict[Any, dict[Any, Membership]]] = ({}, {})

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """Begin a unit of work; it rolls back unless ``commit()`` was called."""
        with self._lock:
            tx = MemoryTransaction(self._tables)
            try:
                yield tx
            finally:
                if not tx.committed:
                    tx.rollback()
                else:
                    if tx.changed:
                        self._publish()
                        self.generation += 1
                    tx.token = ConsistencyToken("m", self.generation)

    token_kind = "m"  # noqa: S105 - a kind of position, not a secret
    """The kind of the consistency tokens this store issues (R-ALL-12)."""

    def current_token(self) -> ConsistencyToken:
        """The generation as a token: every committed change is at or below it."""
        return ConsistencyToken("m", self.generation)

    def reader(self, *, one_statement: bool = False) -> _Reader:
        """Begin a read-only view of committed state (``one_statement`` changes nothing)."""
        return self._reader

    def _publish(self) -> None:
        """Give checks the committed state of the companies this transaction changed."""
        changed = self._tables.changed_companies
        if not changed:
            return
        companies, members = dict(self._committed[0]), dict(self._committed[1])
        for company_id in changed:
            company = self._tables.companies.get(company_id)
            if company is None:
                companies.pop(company_id, None)
            else:
                companies[company_id] = company
            now = self._tables.members.get(company_id)
            if now:
                members[company_id] = now  # copied on write: never changed from now on
            else:
                members.pop(company_id, None)
        changed.clear()
        self._tables.copied_members.clear()
        self._committed = (companies, members)

    def check_facts(
        self, company_id: str, user_id: str
    ) -> tuple[Company | None, Membership | None, Membership | None, Company | None, Window | None]:
        """The company, the membership, else the nearest ancestor's, its company and sight.

        Read from the committed snapshot without the lock: a check never waits for a
        writer and never sees a transaction half done.
        """
        companies, members = self._committed
        company = companies.get(company_id)
        if company is None:
            return None, None, None, None, None
        member = members.get(company_id, NOBODY).get(user_id)
        if company.parent_id is None or (
            member is not None and member.starts_at is None and member.expires_at is None
        ):  # a member with a window brings the ancestor's too: it may have ended (R-TIME-1)
            return company, member, None, None, None
        above, links = company, [company]
        while above.parent_id is not None:
            found = members.get(above.parent_id, NOBODY).get(user_id)
            above = companies[above.parent_id]
            if found is not None:
                sight = sight_path(links)  # every link below it (R-TIME-1)
                return company, member, found, above, None if sight.unbounded else sight
            links.append(above)
        return company, member, None, None, None

    def __repr__(self) -> str:
        return (
            f"<MemoryStore users={len(self._tables.users)} companies={len(self._tables.companies)}>"
        )
