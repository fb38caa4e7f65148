"""The in-memory adapter: indexed dicts that behave like a database.

One lock serializes transactions; readers take it too, so they never see an
uncommitted change. Each write records how to undo itself; leaving a transaction
without ``commit`` (or an exception midway) replays the undo log, so a failed
command leaves nothing behind (R-ALL-3). Uniqueness is enforced here as a database
would enforce it, raising the same library errors as the SQL adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

from teamaccess.adapters._memory_base import Journal, Repo, Tables, require
from teamaccess.adapters._memory_partners import (
    MemoryArticles,
    MemoryLicenses,
    MemoryPropertyDefinitions,
)
from teamaccess.adapters._memory_seats import (
    MemoryEnrollments,
    MemoryProducts,
    MemorySeatPools,
    MemoryTagGrants,
)
from teamaccess.adapters._memory_work import MemoryInbox, MemoryLeads, MemoryLinks, MemoryRecords
from teamaccess.domain.events import Event, OutboxMessage
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.models import Company, Invitation, InvitationStatus, Membership, User
from teamaccess.domain.privacy import redact_event
from teamaccess.domain.relay import in_company_order
from teamaccess.errors import (
    AlreadyAMember,
    CompanyAlreadyExists,
    Conflict,
    EmailTaken,
    UserAlreadyExists,
)

__all__ = ["MemoryStore"]

_NOBODY: dict[str, Membership] = {}


def _ancestors(tables: Tables, company_id: CompanyId) -> list[CompanyId]:
    """The company's ancestors, parent first."""
    found: list[CompanyId] = []
    company = tables.companies.get(company_id)
    while company is not None and company.parent_id is not None:
        found.append(company.parent_id)
        company = tables.companies.get(company.parent_id)
    return found


class _Users(Repo):
    def get(self, user_id: UserId) -> User | None:
        return self._t.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        user_id = self._t.user_by_email.get(email)
        return None if user_id is None else self._t.users[user_id]

    def add(self, user: User) -> None:
        self.add_many([user])

    def get_many_by_email(self, emails: Sequence[str]) -> dict[str, User]:
        by_email, users = self._t.user_by_email, self._t.users
        return {email: users[by_email[email]] for email in emails if email in by_email}

    def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, User]:
        users = self._t.users
        return {u: users[u] for u in user_ids if u in users}

    def add_many(self, users: Sequence[User]) -> None:
        known, by_email = self._t.users, self._t.user_by_email
        new: dict[UserId, User] = {}
        emails: dict[str, UserId] = {}
        for user in users:  # check all, then write all: a refusal writes nothing
            if user.id in known or user.id in new:
                raise UserAlreadyExists(f"user {user.id!r} is already registered")
            if user.email in by_email or user.email in emails:
                raise EmailTaken(f"e-mail {user.email!r} is already registered")
            new[user.id] = user
            emails[user.email] = user.id
        self._j.put_new(known, new)
        self._j.put_new(by_email, emails)

    def update(self, user: User) -> None:
        old = self._t.users.get(user.id)
        require(old is not None, "user", user.id)
        if old is not None and old.email != user.email:
            if user.email in self._t.user_by_email:
                raise EmailTaken(f"e-mail {user.email!r} is already registered")
            self._j.pop(self._t.user_by_email, old.email)
            self._j.put(self._t.user_by_email, user.email, user.id)
        self._j.put(self._t.users, user.id, user)

    def all(self) -> Sequence[User]:
        return sorted(self._t.users.values(), key=lambda u: u.id)


class _Companies(Repo):
    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Company | None:
        return self._t.companies.get(company_id)

    def add(self, company: Company) -> None:
        if company.id in self._t.companies:
            raise CompanyAlreadyExists(f"company {company.id!r} already exists")
        self._link(company)
        self._j.put(self._t.companies, company.id, company)
        self._t.changed_companies.add(company.id)

    def update(self, company: Company) -> None:
        old = self._t.companies.get(company.id)
        require(old is not None, "company", company.id)
        if old is not None and old.parent_id != company.parent_id:
            if old.parent_id is not None:
                self._j.pop(self._t.children[old.parent_id], company.id)
            self._link(company)
        self._j.put(self._t.companies, company.id, company)
        self._t.changed_companies.add(company.id)

    def _link(self, company: Company) -> None:
        """Index the company under its parent (a foreign key: the parent must exist)."""
        if company.parent_id is not None:
            require(company.parent_id in self._t.companies, "company", company.parent_id)
            children = self._t.children.setdefault(company.parent_id, {})
            self._j.put(children, company.id, None)

    def all(self) -> Sequence[Company]:
        return sorted(self._t.companies.values(), key=lambda c: c.id)

    def ancestors(self, company_id: CompanyId) -> Sequence[CompanyId]:
        return _ancestors(self._t, company_id)

    def height(self, company_id: CompanyId) -> int:
        return max((depth for _, depth in self._below(company_id)), default=0)

    def descendants(
        self, ancestor_id: CompanyId, *, after: CompanyId | None, limit: int
    ) -> Sequence[tuple[Company, int]]:
        below = sorted(
            (c, depth) for c, depth in self._below(ancestor_id) if after is None or c > after
        )[:limit]
        return [(self._t.companies[c], depth) for c, depth in below]

    def children(self, company_id: CompanyId) -> Sequence[Company]:
        return [self._t.companies[c] for c in sorted(self._t.children.get(company_id, ()))]

    def _below(self, company_id: CompanyId) -> Iterator[tuple[CompanyId, int]]:
        level, depth = [company_id], 0
        while level:
            depth += 1
            level = [c for parent in level for c in self._t.children.get(parent, ())]
            for child in level:
                yield child, depth


class _Memberships(Repo):
    def get(self, company_id: CompanyId, user_id: UserId) -> Membership | None:
        members = self._t.members.get(company_id)
        return None if members is None else members.get(user_id)

    def of_company(self, company_id: CompanyId) -> Sequence[Membership]:
        members = self._t.members.get(company_id, {})
        return [members[u] for u in sorted(members)]

    def of_user(self, user_id: UserId) -> Sequence[Membership]:
        companies = self._t.companies_of_user.get(user_id, {})
        return [self._t.members[c][user_id] for c in sorted(companies)]

    def count(self, company_id: CompanyId) -> int:
        return len(self._t.members.get(company_id, ()))

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Membership]:
        return [m for c in sorted(set(company_ids)) for m in self.of_company(c)]

    def of_user_among(
        self, user_id: UserId, company_ids: Sequence[CompanyId]
    ) -> Sequence[Membership]:
        members = self._t.members
        found = (members.get(c, {}).get(user_id) for c in sorted(set(company_ids)))
        return [m for m in found if m is not None]

    def admitted(
        self,
        company_id: CompanyId,
        *,
        roles: frozenset[str],
        main_contact_roles: frozenset[str],
        ancestors: bool,
        after: UserId | None,
        limit: int,
        ancestor_roles: frozenset[str] | None = None,
    ) -> Sequence[Membership]:
        members = self._t.members.get(company_id, {})
        found = {
            u: m
            for u, m in members.items()
            if m.role in roles or (m.is_main_contact and m.role in main_contact_roles)
        }
        if ancestors:
            nearest: dict[UserId, Membership] = {}
            for above in reversed(_ancestors(self._t, company_id)):
                for user_id, m in self._t.members.get(above, {}).items():
                    if user_id not in members:  # the nearest ancestor, visited last, wins
                        nearest[user_id] = m
            for user_id, m in nearest.items():
                if ancestor_roles is None or m.role in ancestor_roles:
                    found[user_id] = m
        keys = sorted(u for u in found if after is None or u > after)
        return [found[u] for u in keys[:limit]]

    def add(self, membership: Membership) -> None:
        company_id, user_id = membership.company_id, membership.user_id
        require(company_id in self._t.companies, "company", company_id)
        require(user_id in self._t.users, "user", user_id)
        if user_id in self._t.members.get(company_id, _NOBODY):
            raise AlreadyAMember(company_id, user_id)
        self._set_main_contact(None, membership)
        self._j.put(self._own(company_id), user_id, membership)
        self._j.put(self._t.companies_of_user.setdefault(user_id, {}), company_id, None)

    def update(self, membership: Membership) -> None:
        old = self.get(membership.company_id, membership.user_id)
        require(old is not None, "membership", membership.user_id)
        self._set_main_contact(old, membership)
        self._j.put(self._own(membership.company_id), membership.user_id, membership)

    def remove(self, company_id: CompanyId, user_id: UserId) -> None:
        old = self.get(company_id, user_id)
        require(old is not None, "membership", user_id)
        if self._t.main_contact.get(company_id) == user_id:
            self._j.pop(self._t.main_contact, company_id)
        self._j.pop(self._own(company_id), user_id)
        self._j.pop(self._t.companies_of_user[user_id], company_id)

    def all(self) -> Sequence[Membership]:
        return [m for c in sorted(self._t.members) for m in self.of_company(c)]

    def _own(self, company_id: CompanyId) -> dict[UserId, Membership]:
        """The company's members to change: copied once per transaction (copy on write).

        The dict the last commit published to checks is never changed; this
        transaction changes its own copy, which the next commit publishes in turn.
        """
        t = self._t
        if company_id in t.copied_members:
            return t.members[company_id]
        copy = dict(t.members.get(company_id) or {})
        self._j.put(t.members, company_id, copy)
        t.copied_members.add(company_id)
        t.changed_companies.add(company_id)
        return copy

    def _set_main_contact(self, old: Membership | None, new: Membership) -> None:
        """Keep the "one main contact per company" index, as a unique index would."""
        was = old is not None and old.is_main_contact
        if new.is_main_contact and not was:
            if new.company_id in self._t.main_contact:
                raise Conflict(f"company {new.company_id!r} already has a main contact")
            self._j.put(self._t.main_contact, new.company_id, new.user_id)
        elif was and not new.is_main_contact:
            self._j.pop(self._t.main_contact, new.company_id)


class _Invitations(Repo):
    def get(self, invitation_id: InvitationId) -> Invitation | None:
        return self._t.invitations.get(invitation_id)

    def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        invitation_id = self._t.invitation_by_hash.get(token_hash)
        return None if invitation_id is None else self._t.invitations[invitation_id]

    def pending_for(self, company_id: CompanyId, email: str) -> Invitation | None:
        for invitation in self.of_company(company_id):
            if invitation.email == email and invitation.status is InvitationStatus.PENDING:
                return invitation
        return None

    def of_company(self, company_id: CompanyId) -> Sequence[Invitation]:
        return [i for i in self.all() if i.company_id == company_id]

    def add(self, invitation: Invitation) -> None:
        if invitation.id in self._t.invitations:
            raise Conflict(f"invitation {invitation.id!r} already exists")
        if invitation.token_hash in self._t.invitation_by_hash:
            raise Conflict("an invitation with this token already exists")
        require(invitation.company_id in self._t.companies, "company", invitation.company_id)
        self._j.put(self._t.invitations, invitation.id, invitation)
        self._j.put(self._t.invitation_by_hash, invitation.token_hash, invitation.id)

    def update(self, invitation: Invitation) -> None:
        old = self._t.invitations.get(invitation.id)
        require(old is not None, "invitation", invitation.id)
        self._j.put(self._t.invitations, invitation.id, invitation)

    def of_email(self, email: str) -> Sequence[Invitation]:
        return [i for i in self.all() if i.email == email]

    def all(self) -> Sequence[Invitation]:
        return sorted(self._t.invitations.values(), key=lambda i: i.id)


class _Outbox(Repo):
    def append(self, event: Event) -> None:
        self.extend([event])

    def extend(self, events: Sequence[Event]) -> None:
        first = self._t.next_position[0]
        self._t.next_position[0] += len(events)  # like a database sequence: not rolled back
        messages = {first + i: OutboxMessage(first + i, event) for i, event in enumerate(events)}
        self._j.put_new(self._t.outbox, messages)

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        found: list[OutboxMessage] = []
        for message in self._t.outbox.values():
            if len(found) >= limit:
                break
            if _waiting(message):
                found.append(message)
        return found

    def count_pending(self) -> int:
        return sum(1 for message in self._t.outbox.values() if _waiting(message))

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        self._change(positions, delivered_at=at, leased_by=None, leased_until=None)

    def claim(
        self, owner: str, now: datetime, until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        # The store's lock is held by the whole transaction: claims run one at a time.
        # A company whose earliest pending message is not due holds back its later ones;
        # the walk looks past them, so one company's queue never starves the others.
        due: list[tuple[int, str | None]] = []
        seen: list[tuple[int, str | None]] = []
        held: set[str] = set()
        for m in self._t.outbox.values():
            if not _waiting(m):
                continue
            company = m.event.company_id
            seen.append((m.position, company))
            if company is not None and company in held:
                continue
            if not _due(m, now):
                if company is not None:
                    held.add(company)
                continue
            due.append((m.position, company))
            if len(due) >= limit:
                break
        keep = in_company_order(due, seen)[:limit]
        self._change(keep, leased_by=owner, leased_until=until)
        return [self._t.outbox[position] for position in keep]

    def release(self, owner: str, positions: Sequence[int]) -> None:
        mine = [p for p in positions if self._leased_by(p, owner)]
        self._change(mine, leased_by=None, leased_until=None)

    def failed(
        self,
        owner: str,
        position: int,
        error: str,
        retry_at: datetime | None,
        dead_at: datetime | None,
    ) -> None:
        message = self._t.outbox.get(position)
        if message is not None and self._leased_by(position, owner):
            self._change(
                [position],
                attempts=message.attempts + 1,
                last_error=error,
                retry_at=retry_at,
                dead_at=dead_at,
                leased_by=None,
                leased_until=None,
            )

    def dead(self, limit: int = 100) -> Sequence[OutboxMessage]:
        found = [m for m in self._t.outbox.values() if m.dead_at is not None]
        return found[:limit]

    def redrive(self, positions: Sequence[int] | None) -> int:
        chosen = [
            m.position
            for m in self._t.outbox.values()
            if m.dead_at is not None and (positions is None or m.position in positions)
        ]
        self._change(chosen, dead_at=None, attempts=0, retry_at=None)
        return len(chosen)

    def redact(self, old: str, new: str) -> int:
        changed = 0
        for position, message in list(self._t.outbox.items()):
            changes: dict[str, Any] = {}
            event = redact_event(message.event, old, new)
            if event is not None:
                changes["event"] = event
            if message.last_error is not None and old in message.last_error:
                changes["last_error"] = message.last_error.replace(old, new)  # R-CO-9
            if changes:
                self._j.put(self._t.outbox, position, attrs.evolve(message, **changes))
                changed += 1
        return changed

    def _leased_by(self, position: int, owner: str) -> bool:
        message = self._t.outbox.get(position)
        return message is not None and message.leased_by == owner

    def _change(self, positions: Iterable[int], **changes: Any) -> None:
        for position in positions:
            message = self._t.outbox.get(position)
            if message is not None and message.delivered_at is None:
                self._j.put(self._t.outbox, position, attrs.evolve(message, **changes))

    def all(self) -> Sequence[OutboxMessage]:
        return list(self._t.outbox.values())


def _waiting(message: OutboxMessage) -> bool:
    return message.delivered_at is None and message.dead_at is None


def _due(message: OutboxMessage, now: datetime) -> bool:
    leased = message.leased_until is not None and message.leased_until > now
    return not leased and (message.retry_at is None or message.retry_at <= now)


class _MemoryTransaction:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._journal = Journal()
        self.users = _Users(tables, self._journal)
        self.companies = _Companies(tables, self._journal)
        self.memberships = _Memberships(tables, self._journal)
        self.invitations = _Invitations(tables, self._journal)
        self.products = MemoryProducts(tables, self._journal)
        self.pools = MemorySeatPools(tables, self._journal)
        self.enrollments = MemoryEnrollments(tables, self._journal)
        self.tags = MemoryTagGrants(tables, self._journal)
        self.properties = MemoryPropertyDefinitions(tables, self._journal)
        self.articles = MemoryArticles(tables, self._journal)
        self.licenses = MemoryLicenses(tables, self._journal)
        self.leads = MemoryLeads(tables, self._journal)
        self.inbox = MemoryInbox(tables, self._journal)
        self.records = MemoryRecords(tables, self._journal)
        self.links = MemoryLinks(tables, self._journal)
        self.outbox = _Outbox(tables, self._journal)
        self.committed = False
        self.changed = False

    def commit(self) -> None:
        self.changed = bool(self._journal.undo)
        self._journal.clear()
        self.committed = True

    def rollback(self) -> None:
        self._journal.rollback()
        self._tables.changed_companies.clear()
        self._tables.copied_members.clear()

    @property
    def dirty(self) -> bool:
        """Whether anything was written through this view and not committed."""
        return bool(self._journal.undo)


class _Reader:
    """A reusable context manager: holds the lock while a read view is in use.

    Cheaper than a ``@contextmanager`` generator on the hot path of ``check``; the
    view's journal is rolled back on exit in case a caller wrote through it.
    """

    __slots__ = ("_lock", "_view")

    def __init__(self, lock: threading.RLock, view: _MemoryTransaction) -> None:
        self._lock = lock
        self._view = view

    def __enter__(self) -> _MemoryTransaction:
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
        self._reader = _Reader(self._lock, _MemoryTransaction(self._tables))
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
    def transaction(self) -> Iterator[_MemoryTransaction]:
        """Begin a unit of work; it rolls back unless ``commit()`` was called."""
        with self._lock:
            tx = _MemoryTransaction(self._tables)
            try:
                yield tx
            finally:
                if not tx.committed:
                    tx.rollback()
                elif tx.changed:
                    self._publish()
                    self.generation += 1

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
    ) -> tuple[Company | None, Membership | None, Membership | None, Company | None]:
        """The company, the membership, else the nearest ancestor's and its company.

        Read from the committed snapshot without the lock: a check never waits for a
        writer and never sees a transaction half done.
        """
        companies, members = self._committed
        company = companies.get(company_id)
        if company is None:
            return None, None, None, None
        member = members.get(company_id, _NOBODY).get(user_id)
        if member is not None or company.parent_id is None:
            return company, member, None, None
        above = company
        while above.parent_id is not None:
            found = members.get(above.parent_id, _NOBODY).get(user_id)
            above = companies[above.parent_id]
            if found is not None:
                return company, None, found, above
        return company, None, None, None

    def __repr__(self) -> str:
        return (
            f"<MemoryStore users={len(self._tables.users)} companies={len(self._tables.companies)}>"
        )
