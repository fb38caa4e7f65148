"""Helpers for testing hosts and adapters: public API, like ``structlog.testing``.

- [make_service][teamaccess.testing.make_service]: a [TeamAccess][teamaccess.TeamAccess] with a
deterministic clock,
  ids and tokens, on a fresh [MemoryStore][teamaccess.MemoryStore] unless you pass a store.
- [FrozenClock][teamaccess.testing.FrozenClock], [SequentialIds][teamaccess.testing.SequentialIds],
[SequentialTokens][teamaccess.testing.SequentialTokens].
- [FailingStore][teamaccess.testing.FailingStore]: wraps any store and crashes a command after its
n-th write,
  to prove atomicity (R-ALL-3).
- [dump][teamaccess.testing.dump]: everything a store holds, as comparable plain values, to compare
a
  store before and after a command or two adapters after the same history (R-ALL-5).
- [teamaccess.testing.strategies][]: hypothesis strategies (needs ``hypothesis``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar, cast

import attrs

from teamaccess.adapters.memory import MemoryStore
from teamaccess.domain.domains import DomainClaim, JoinRequest
from teamaccess.domain.events import event_to_dict
from teamaccess.domain.ids import CompanyId, LeadId
from teamaccess.domain.leads import InboxRequest, Lead
from teamaccess.domain.models import Company, Invitation, Membership, User
from teamaccess.domain.partners import Article, License, PropertyDefinition
from teamaccess.domain.records import ServiceLink, SharedRecord
from teamaccess.domain.seats import Enrollment, Product, SeatPool, TagGrant
from teamaccess.ports import Store, Transaction
from teamaccess.service.facade import TeamAccess

__all__ = [
    "FailingStore",
    "FrozenClock",
    "InjectedFailure",
    "SequentialIds",
    "SequentialTokens",
    "StoreDump",
    "dump",
    "in_transaction",
    "make_service",
]

_T = TypeVar("_T")

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class FrozenClock:
    """A clock that stands still until you move it.

    >>> clock = FrozenClock()
    >>> clock.advance(days=7) - clock.start
    datetime.timedelta(days=7)
    """

    def __init__(self, start: datetime = EPOCH) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.start = start
        self.now = start

    def __call__(self) -> datetime:
        """Return the frozen time."""
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self.now += timedelta(**delta)
        return self.now


class SequentialIds:
    """Ids ``company-1``, ``company-2``, ``invitation-1``, ... per kind."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def __call__(self, kind: str) -> str:
        """Return the next id of ``kind``."""
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return f"{kind}-{self._counters[kind]}"


class SequentialTokens:
    """Tokens ``token-1``, ``token-2``, ...: predictable, so tests can accept them."""

    def __init__(self) -> None:
        self._count = 0

    def __call__(self) -> str:
        """Return the next token."""
        self._count += 1
        return f"token-{self._count}"


def make_service(store: Store | None = None, **options: Any) -> TeamAccess:
    """Return a deterministic [TeamAccess][teamaccess.TeamAccess] for tests.

    ``options`` are passed to ``TeamAccess`` and override the test defaults
    (``clock=FrozenClock()``, ``ids=SequentialIds()``, ``tokens=SequentialTokens()``).
    A store over an ``AsyncEngine`` gets an [AsyncTeamAccess][teamaccess.AsyncTeamAccess]
    called through [BlockingTeamAccess][teamaccess.testing.blocking.BlockingTeamAccess],
    so the same synchronous test runs through the asynchronous facade.
    """
    defaults: dict[str, Any] = {
        "clock": FrozenClock(),
        "ids": SequentialIds(),
        "tokens": SequentialTokens(),
    }
    store = store if store is not None else MemoryStore()
    if getattr(store, "is_async", False):
        from teamaccess.service.async_facade import AsyncTeamAccess
        from teamaccess.testing.blocking import BlockingTeamAccess

        blocking = BlockingTeamAccess(AsyncTeamAccess(store, **{**defaults, **options}))
        return cast(TeamAccess, blocking)
    return TeamAccess(store, **{**defaults, **options})


class InjectedFailure(RuntimeError):
    """The crash `FailingStore` simulates; not a library error on purpose."""


_WRITES = frozenset(
    {
        "add",
        "add_many",
        "update",
        "remove",
        "remove_all",
        "remove_of_user",
        "reassign",
        "end_offers",
        "append",
        "extend",
        "mark_delivered",
        "claim",
        "release",
        "failed",
        "redrive",
        "purge",
        "forget_context",
        "redact",
        "reseal",
        "put",
        "put_user",
        "remove_user",
        "put_group",
        "remove_group",
        "set_member",
    }
)


class _CountingRepo:
    def __init__(self, inner: object, on_write: Callable[[], None]) -> None:
        self._inner = inner
        self._on_write = on_write

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in _WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self._on_write()
            return result

        return write


class _FailingTransaction:
    def __init__(self, inner: Transaction, on_write: Callable[[], None]) -> None:
        self._inner = inner
        self.users = _CountingRepo(inner.users, on_write)
        self.companies = _CountingRepo(inner.companies, on_write)
        self.memberships = _CountingRepo(inner.memberships, on_write)
        self.invitations = _CountingRepo(inner.invitations, on_write)
        self.products = _CountingRepo(inner.products, on_write)
        self.pools = _CountingRepo(inner.pools, on_write)
        self.enrollments = _CountingRepo(inner.enrollments, on_write)
        self.tags = _CountingRepo(inner.tags, on_write)
        self.properties = _CountingRepo(inner.properties, on_write)
        self.articles = _CountingRepo(inner.articles, on_write)
        self.licenses = _CountingRepo(inner.licenses, on_write)
        self.leads = _CountingRepo(inner.leads, on_write)
        self.inbox = _CountingRepo(inner.inbox, on_write)
        self.records = _CountingRepo(inner.records, on_write)
        self.links = _CountingRepo(inner.links, on_write)
        self.domains = _CountingRepo(inner.domains, on_write)
        self.join_requests = _CountingRepo(inner.join_requests, on_write)
        self.directories = _CountingRepo(inner.directories, on_write)
        self.outbox = _CountingRepo(inner.outbox, on_write)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self) -> None:
        self._inner.commit()


class FailingStore:
    """Wraps a store; the next transactions crash right after their ``fail_after``-th write.

    Args:
        inner: The store to wrap.
        fail_after: How many writes succeed before
            [InjectedFailure][teamaccess.testing.InjectedFailure] is raised.
            ``None`` disarms the wrapper.
    """

    def __init__(self, inner: Store, fail_after: int | None = 1) -> None:
        self.inner = inner
        self.fail_after = fail_after
        self.writes = 0

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Begin a transaction that crashes after ``fail_after`` writes."""
        with self.inner.transaction() as tx:
            self.writes = 0
            yield _FailingTransaction(tx, self._count)

    def reader(self, *, one_statement: bool = False) -> Any:
        """Delegate to the wrapped store."""
        return self.inner.reader(one_statement=one_statement)

    def check_facts(self, company_id: Any, user_id: Any) -> Any:
        """Delegate to the wrapped store (a read: it never fails)."""
        return self.inner.check_facts(company_id, user_id)

    def _count(self) -> None:
        self.writes += 1
        if self.fail_after is not None and self.writes >= self.fail_after:
            raise InjectedFailure(f"injected failure after write {self.writes}")


@attrs.frozen
class StoreDump:
    """Everything a store holds, in a canonical order, for equality checks.

    Outbox positions are left out (like database sequences they may have gaps); the
    order of events and their delivery state are kept.
    """

    users: tuple[User, ...]
    companies: tuple[Company, ...]
    memberships: tuple[Membership, ...]
    invitations: tuple[Invitation, ...]
    products: tuple[Product, ...]
    pools: tuple[SeatPool, ...]
    enrollments: tuple[Enrollment, ...]
    tags: tuple[TagGrant, ...]
    properties: tuple[PropertyDefinition, ...]
    articles: tuple[Article, ...]
    licenses: tuple[License, ...]
    leads: tuple[Lead, ...]
    offers: tuple[tuple[LeadId, CompanyId], ...]
    inbox: tuple[InboxRequest, ...]
    records: tuple[SharedRecord, ...]
    links: tuple[ServiceLink, ...]
    events: tuple[tuple[tuple[str, Any], ...], ...]
    delivered: tuple[bool, ...]
    domains: tuple[DomainClaim, ...] = ()
    join_requests: tuple[JoinRequest, ...] = ()
    directories: tuple[tuple[Any, ...], ...] = ()


def dump(store: Store) -> StoreDump:
    """Return a [StoreDump][teamaccess.testing.StoreDump] of ``store``'s committed state.

    A store over an ``AsyncEngine`` is read on the test loop of
    [run_blocking][teamaccess.testing.blocking.run_blocking]; in a coroutine, use
    ``await store.run_sync(dump, store)``.
    """
    if getattr(store, "is_async", False) and not _loop_running():
        from teamaccess.testing.blocking import run_blocking

        dumped: StoreDump = run_blocking(store.run_sync(_dump, store))  # type: ignore[attr-defined]
        return dumped
    return _dump(store)


def in_transaction(store: Store, work: Callable[[Transaction], _T]) -> _T:
    """Run ``work(tx)`` in one committed transaction of ``store``, and return its result.

    For tests that reach below the service (a port's method, a relay's claim); a store
    over an ``AsyncEngine`` runs it on the test loop of
    [run_blocking][teamaccess.testing.blocking.run_blocking].
    """

    def run() -> _T:
        with store.transaction() as tx:
            result = work(tx)
            tx.commit()
            return result

    if getattr(store, "is_async", False) and not _loop_running():
        from teamaccess.testing.blocking import run_blocking

        done: _T = run_blocking(store.run_sync(run))  # type: ignore[attr-defined]
        return done
    return run()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _dump(store: Store) -> StoreDump:
    with store.reader() as tx:
        messages = tx.outbox.all()
        return StoreDump(
            users=tuple(tx.users.all()),
            companies=tuple(tx.companies.all()),
            memberships=tuple(tx.memberships.all()),
            invitations=tuple(tx.invitations.all()),
            products=tuple(tx.products.all()),
            pools=tuple(tx.pools.all()),
            enrollments=tuple(tx.enrollments.all()),
            tags=tuple(tx.tags.all()),
            properties=tuple(tx.properties.all()),
            articles=tuple(tx.articles.all()),
            licenses=tuple(tx.licenses.all()),
            leads=tuple(tx.leads.all()),
            offers=tuple(tx.leads.all_offers()),
            inbox=tuple(tx.inbox.all()),
            records=tuple(tx.records.all()),
            links=tuple(tx.links.all()),
            events=tuple(tuple(sorted(event_to_dict(m.event).items())) for m in messages),
            delivered=tuple(m.delivered_at is not None for m in messages),
            domains=tuple(tx.domains.all()),
            join_requests=tuple(tx.join_requests.all()),
            directories=tuple(_directory_dump(tx, c.id) for c in tx.companies.all()),
        )


def _directory_dump(tx: Transaction, company_id: CompanyId) -> tuple[Any, ...]:
    """A company's directory, its users, and its groups with their members."""
    groups = tx.directories.groups(company_id)
    return (
        tx.directories.get(company_id),
        tuple(tx.directories.users(company_id)),
        tuple((g, tuple(tx.directories.members(company_id, g.group_id))) for g in groups),
    )
