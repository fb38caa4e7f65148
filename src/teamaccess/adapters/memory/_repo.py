"""What the in-memory repositories share: the tables, the undo journal, the base class."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from teamaccess.domain.domains import DomainClaim, JoinRequest
from teamaccess.domain.events import OutboxMessage
from teamaccess.domain.ids import CompanyId, InvitationId, LeadId, RecordId, RequestId, UserId
from teamaccess.domain.leads import InboxRequest, Lead
from teamaccess.domain.models import Company, Invitation, Membership, User
from teamaccess.domain.partners import Article, License, PropertyDefinition
from teamaccess.domain.provisioning import Directory, ProvisionedGroup, ProvisionedUser
from teamaccess.domain.records import ServiceLink, SharedRecord
from teamaccess.domain.seats import Enrollment, PoolId, Product, ProductId, SeatPool, TagGrant
from teamaccess.domain.support import SupportGrant
from teamaccess.errors import StorageError

__all__ = ["Journal", "Repo", "SortedIndex", "Tables", "require"]

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

_K = TypeVar("_K")
_V = TypeVar("_V")
_S = TypeVar("_S", bound="SupportsRichComparison")
_LEAD_INDEXES = ("operator", "giver", "picker", "offer")


def _discard(values: list[_S], value: _S) -> bool:
    index = bisect.bisect_left(values, value)
    if index < len(values) and values[index] == value:
        del values[index]
        return True
    return False


# What an undo entry does: put an old value back under its key, insert a value back
# into a sorted list, pop a group of new keys, discard a group of inserted values, call.
_RESTORE, _INSORT, _POP_KEYS, _DISCARD_VALUES, _CALL = range(5)


class Journal:
    """The undo log of one transaction.

    Entries are plain tuples ``(what, container, key or values, old value)`` replayed
    in reverse order. New keys put into the same dict, and values inserted into the
    same sorted list, share one entry while nothing else touched that container since
    (its open group): changes to different containers commute, so only each
    container's own order matters. A transaction loading a million leads keeps a few
    pointers per lead, not a closure per change. A `call` entry may touch anything:
    after it every later change starts a new group.
    """

    __slots__ = ("_open", "undo")

    def __init__(self) -> None:
        self.undo: list[tuple[int, Any, Any, Any]] = []
        # id(container) -> the list of keys or values of its open group in `undo`
        self._open: dict[int, list[Any]] = {}

    def put(self, table: MutableMapping[_K, _V], key: _K, value: _V) -> None:
        if key in table:
            self._ordered(_RESTORE, table, key, table[key])
        else:
            self._grouped(_POP_KEYS, table).append(key)
        table[key] = value

    def put_new(self, table: MutableMapping[_K, _V], items: Mapping[_K, _V]) -> None:
        """Insert keys the caller knows are not in ``table``."""
        table.update(items)
        self._grouped(_POP_KEYS, table).extend(items)

    def pop(self, table: MutableMapping[_K, _V], key: _K) -> None:
        self._ordered(_RESTORE, table, key, table.pop(key))

    def insort(self, values: list[_S], value: _S) -> None:
        """Insert ``value`` into the sorted list ``values``, undoably."""
        bisect.insort(values, value)
        self._grouped(_DISCARD_VALUES, values).append(value)

    def discard(self, values: list[_S], value: _S) -> None:
        """Remove ``value`` from the sorted list ``values`` if present, undoably."""
        if _discard(values, value):
            self._ordered(_INSORT, values, value, None)

    def call(self, undo: Callable[[], object]) -> None:
        """Undo by calling ``undo``, which may change any container."""
        self.undo.append((_CALL, undo, None, None))
        self._open.clear()

    def clear(self) -> None:
        """Forget every entry (the transaction committed)."""
        self.undo.clear()
        self._open.clear()

    def rollback(self) -> None:
        undo = self.undo
        while undo:
            what, container, key, old = undo.pop()
            if what == _RESTORE:
                container[key] = old
            elif what == _POP_KEYS:
                for each in key:
                    container.pop(each, None)
            elif what == _DISCARD_VALUES:
                for each in key:
                    _discard(container, each)
            elif what == _INSORT:
                bisect.insort(container, key)
            else:
                container()
        self._open.clear()

    def _ordered(self, what: int, container: Any, key: Any, old: Any) -> None:
        self._open.pop(id(container), None)
        self.undo.append((what, container, key, old))

    def _grouped(self, what: int, container: Any) -> list[Any]:
        group = self._open.get(id(container))
        if group is None:
            group = self._open[id(container)] = []
            self.undo.append((what, container, group, None))
        return group


class SortedIndex(Generic[_K, _S]):
    """For each key, its values in sorted order: an index for keyset pagination."""

    def __init__(self) -> None:
        self.lists: dict[_K, list[_S]] = {}

    def add(self, journal: Journal, key: _K, value: _S) -> None:
        """Index ``value`` under ``key``."""
        journal.insort(self.lists.setdefault(key, []), value)

    def remove(self, journal: Journal, key: _K, value: _S) -> None:
        """Drop ``value`` from ``key``'s list."""
        journal.discard(self.lists.get(key, []), value)

    def after(self, key: _K, after: _S | None) -> Iterator[_S]:
        """``key``'s values greater than ``after`` (all of them for ``None``), in order."""
        values = self.lists.get(key, [])
        start = 0 if after is None else bisect.bisect_right(values, after)
        for index in range(start, len(values)):
            yield values[index]

    def before(self, key: _K, bound: _S | None) -> Iterator[_S]:
        """``key``'s values less than ``bound`` (all for ``None``), largest first."""
        values = self.lists.get(key, [])
        end = len(values) if bound is None else bisect.bisect_left(values, bound)
        for index in range(end - 1, -1, -1):
            yield values[index]


@attrs.define
class Tables:
    users: dict[UserId, User] = attrs.Factory(dict)
    user_by_email: dict[str, UserId] = attrs.Factory(dict)
    companies: dict[CompanyId, Company] = attrs.Factory(dict)
    children: dict[CompanyId, dict[CompanyId, None]] = attrs.Factory(dict)
    members: dict[CompanyId, dict[UserId, Membership]] = attrs.Factory(dict)
    companies_of_user: dict[UserId, dict[CompanyId, None]] = attrs.Factory(dict)
    main_contact: dict[CompanyId, UserId] = attrs.Factory(dict)
    invitations: dict[InvitationId, Invitation] = attrs.Factory(dict)
    invitation_by_hash: dict[str, InvitationId] = attrs.Factory(dict)
    products: dict[ProductId, Product] = attrs.Factory(dict)
    pools: dict[PoolId, SeatPool] = attrs.Factory(dict)
    enrollments: dict[PoolId, dict[UserId, Enrollment]] = attrs.Factory(dict)
    tags: dict[UserId, dict[str, dict[str, TagGrant]]] = attrs.Factory(dict)
    properties: dict[CompanyId, dict[str, PropertyDefinition]] = attrs.Factory(dict)
    articles: dict[CompanyId, dict[str, Article]] = attrs.Factory(dict)
    licenses: dict[CompanyId, dict[str, License]] = attrs.Factory(dict)
    leads: dict[LeadId, Lead] = attrs.Factory(dict)
    leads_by: dict[str, SortedIndex[CompanyId, LeadId]] = attrs.Factory(
        lambda: {column: SortedIndex() for column in _LEAD_INDEXES}
    )
    offers: dict[LeadId, tuple[CompanyId, ...]] = attrs.Factory(dict)
    inbox: dict[RequestId, InboxRequest] = attrs.Factory(dict)
    inbox_of: SortedIndex[CompanyId, RequestId] = attrs.Factory(SortedIndex)
    records: dict[RecordId, SharedRecord] = attrs.Factory(dict)
    records_of: SortedIndex[CompanyId, tuple[datetime, RecordId]] = attrs.Factory(SortedIndex)
    links: dict[CompanyId, dict[CompanyId, ServiceLink]] = attrs.Factory(dict)
    domain_claims: dict[tuple[CompanyId, str], DomainClaim] = attrs.Factory(dict)
    verified_domains: dict[str, CompanyId] = attrs.Factory(dict)
    join_requests: dict[str, JoinRequest] = attrs.Factory(dict)
    pending_requests: dict[tuple[CompanyId, UserId], str] = attrs.Factory(dict)
    support_grants: dict[str, SupportGrant] = attrs.Factory(dict)
    directories: dict[CompanyId, Directory] = attrs.Factory(dict)
    directory_by_hash: dict[str, CompanyId] = attrs.Factory(dict)
    directory_users: dict[tuple[CompanyId, UserId], ProvisionedUser] = attrs.Factory(dict)
    directory_groups: dict[tuple[CompanyId, str], ProvisionedGroup] = attrs.Factory(dict)
    directory_members: dict[tuple[CompanyId, str, UserId], None] = attrs.Factory(dict)
    outbox: dict[int, OutboxMessage] = attrs.Factory(dict)
    next_position: list[int] = attrs.Factory(lambda: [1])
    # The audit chains (issue 32): each event's (prev, seal) by position, each chain's head.
    seals: dict[int, tuple[str, str]] = attrs.Factory(dict)
    heads: dict[str, str] = attrs.Factory(dict)
    # The live relays and the end of their latest lease (not journaled: a heartbeat).
    relays: dict[str, datetime] = attrs.Factory(dict)
    # Companies whose row or members the running transaction changed: at commit the
    # store publishes their new state to the readers' snapshot.
    changed_companies: set[CompanyId] = attrs.Factory(set)
    # Companies whose members dict the running transaction copied (copy on write).
    copied_members: set[CompanyId] = attrs.Factory(set)


class Repo:
    def __init__(self, tables: Tables, journal: Journal) -> None:
        self._t = tables
        self._j = journal


def require(condition: bool, what: str, key: object) -> None:
    if not condition:
        raise StorageError(f"no {what} {key!r} (foreign key or missing row)")
