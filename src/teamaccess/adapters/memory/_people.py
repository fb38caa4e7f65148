"""In-memory users, companies, memberships and invitations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from teamaccess.adapters.memory._repo import Repo, Tables, require
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.models import Company, Invitation, InvitationStatus, Membership, User
from teamaccess.domain.windows import Window, sight_path
from teamaccess.errors import (
    AlreadyAMember,
    CompanyAlreadyExists,
    Conflict,
    EmailTaken,
    UserAlreadyExists,
)

NOBODY: dict[str, Membership] = {}
"""No members: what a company without any has."""


def _ancestors(tables: Tables, company_id: CompanyId) -> list[CompanyId]:
    """The company's ancestors, parent first."""
    found: list[CompanyId] = []
    company = tables.companies.get(company_id)
    while company is not None and company.parent_id is not None:
        found.append(company.parent_id)
        company = tables.companies.get(company.parent_id)
    return found


class MemoryUsers(Repo):
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


class MemoryCompanies(Repo):
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

    def sight_paths(
        self, ancestor_id: CompanyId, company_ids: Sequence[CompanyId]
    ) -> Mapping[CompanyId, Window]:
        found: dict[CompanyId, Window] = {}
        for company_id in company_ids:
            ancestors = _ancestors(self._t, company_id)
            if ancestor_id not in ancestors:
                continue
            below = ancestors[: ancestors.index(ancestor_id)]
            links = [self._t.companies[company_id], *(self._t.companies[a] for a in below)]
            window = sight_path(links)
            if not window.unbounded:
                found[company_id] = window
        return found

    def sight_due(self, now: datetime, limit: int) -> Sequence[Company]:
        found = [
            c
            for c in self.all()
            if c.sight_expires_at is not None and c.sight_expires_at <= now and not c.sight_expired
        ]
        return found[:limit]

    def sight_next_due(self, after: datetime) -> datetime | None:
        ends = (
            c.sight_expires_at
            for c in self._t.companies.values()
            if c.sight_expires_at is not None and c.sight_expires_at > after
        )
        return min(ends, default=None)

    def _below(self, company_id: CompanyId) -> Iterator[tuple[CompanyId, int]]:
        level, depth = [company_id], 0
        while level:
            depth += 1
            level = [c for parent in level for c in self._t.children.get(parent, ())]
            for child in level:
                yield child, depth


def _qualifies(
    role: str | None, m: Membership, roles: frozenset[str], main_roles: frozenset[str]
) -> bool:
    """Whether ``role`` (``m``'s, or the one after its temporary role) admits ``m``."""
    return role in roles or (m.is_main_contact and role in main_roles)


class MemoryMemberships(Repo):
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
        built_in: frozenset[str] = frozenset(),
    ) -> Sequence[Membership]:
        members = self._t.members.get(company_id, {})
        found = {
            u: m
            for u, m in members.items()
            if m.extra_roles  # several roles: the caller decides (R-ROLE-3)
            or _qualifies(m.role, m, roles, main_contact_roles)
            or (m.role_until is not None and _qualifies(m.role_after, m, roles, main_contact_roles))
        }
        if ancestors:
            nearest: dict[UserId, Membership] = {}
            for above in reversed(_ancestors(self._t, company_id)):
                for user_id, m in self._t.members.get(above, {}).items():
                    if user_id not in members:  # the nearest ancestor, visited last, wins
                        nearest[user_id] = m
            for user_id, m in nearest.items():
                if (
                    ancestor_roles is None
                    or m.role in ancestor_roles
                    or m.role not in built_in  # an ancestor's own role (R-ROLE-1)
                    or m.extra_roles
                ):
                    found[user_id] = m
        keys = sorted(u for u in found if after is None or u > after)
        return [found[u] for u in keys[:limit]]

    def due(self, now: datetime, limit: int) -> Sequence[Membership]:
        found = [
            m
            for c in sorted(self._t.members)
            for m in self.of_company(c)
            if (m.expires_at is not None and m.expires_at <= now)
            or (m.role_until is not None and m.role_until <= now)
        ]
        return found[:limit]

    def next_due(self, after: datetime) -> datetime | None:
        ends = (
            end
            for members in self._t.members.values()
            for m in members.values()
            for end in (m.expires_at, m.role_until)
            if end is not None and end > after
        )
        return min(ends, default=None)

    def add(self, membership: Membership) -> None:
        company_id, user_id = membership.company_id, membership.user_id
        require(company_id in self._t.companies, "company", company_id)
        require(user_id in self._t.users, "user", user_id)
        if user_id in self._t.members.get(company_id, NOBODY):
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


class MemoryInvitations(Repo):
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
