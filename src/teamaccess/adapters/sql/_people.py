"""SQL repositories of users, companies, memberships and invitations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from teamaccess.adapters.sql._changes import Changed
from teamaccess.adapters.sql._locks import write_locked
from teamaccess.adapters.sql._partners import Hierarchy
from teamaccess.adapters.sql._repo import Repo, constraint_error
from teamaccess.adapters.sql._schema import Tables
from teamaccess.domain.codec import converter
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.leads import MarketRole
from teamaccess.domain.models import (
    Company,
    CompanySettings,
    Invitation,
    InvitationStatus,
    Membership,
    User,
)
from teamaccess.domain.partners import properties_from_json, properties_to_json
from teamaccess.domain.roles import join_roles, roles_from_json, roles_to_json, split_roles
from teamaccess.domain.windows import Window
from teamaccess.errors import (
    AlreadyAMember,
    CompanyAlreadyExists,
    Conflict,
    EmailTaken,
    StorageError,
    UserAlreadyExists,
)

__all__ = ["Companies", "Invitations", "Memberships", "Users", "company_from_row"]


# -- users ----------------------------------------------------------------------------


def _user(row: sa.Row[Any]) -> User:
    return User(UserId(row.id), row.email, row.attributes or {})


class Users(Repo):
    def get(self, user_id: UserId) -> User | None:
        t = self._t.users
        row = self._row(sa.select(t).where(t.c.id == user_id))
        return None if row is None else _user(row)

    def get_by_email(self, email: str) -> User | None:
        t = self._t.users
        row = self._row(sa.select(t).where(t.c.email == email))
        return None if row is None else _user(row)

    def add(self, user: User) -> None:
        if self.get(user.id) is not None:
            raise UserAlreadyExists(f"user {user.id!r} is already registered")
        if self.get_by_email(user.email) is not None:
            raise EmailTaken(f"e-mail {user.email!r} is already registered")
        try:
            self._c.execute(
                self._t.users.insert(),
                {"id": user.id, "email": user.email, "attributes": dict(user.attributes)},
            )
        except sa.exc.IntegrityError as error:  # lost a race with another process
            if "email" in constraint_error(error):
                raise EmailTaken(f"e-mail {user.email!r} is already registered") from error
            raise UserAlreadyExists(f"user {user.id!r} is already registered") from error

    def update(self, user: User) -> None:
        t = self._t.users
        values = {"email": user.email, "attributes": dict(user.attributes)}
        try:
            result = self._c.execute(t.update().where(t.c.id == user.id), values)
        except sa.exc.IntegrityError as error:
            raise EmailTaken(f"e-mail {user.email!r} is already registered") from error
        if result.rowcount != 1:
            raise StorageError(f"no user {user.id!r} to update")

    def get_many_by_email(self, emails: Sequence[str]) -> dict[str, User]:
        t = self._t.users
        return {row.email: _user(row) for row in self._rows_in(t.c.email, emails, sa.select(t))}

    def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, User]:
        t = self._t.users
        found = self._rows_in(t.c.id, sorted(set(user_ids)), sa.select(t))
        return {UserId(row.id): _user(row) for row in found}

    def add_many(self, users: Sequence[User]) -> None:
        values = [{"id": u.id, "email": u.email, "attributes": dict(u.attributes)} for u in users]
        try:
            self._insert(self._t.users, values)
        except sa.exc.IntegrityError as error:
            if "email" in constraint_error(error):
                raise EmailTaken("an e-mail of the batch is already registered") from error
            raise UserAlreadyExists("a user id of the batch is already registered") from error

    def all(self) -> Sequence[User]:
        t = self._t.users
        return [_user(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


# -- companies ------------------------------------------------------------------------


def company_from_row(row: Any, loads: Callable[[Any], Any] = lambda value: value) -> Company:
    """A company from its row; ``loads`` decodes JSON columns read as text."""
    return Company(
        CompanyId(row.id),
        row.name,
        row.created_at,
        converter.structure(loads(row.settings), CompanySettings),
        parent_id=row.parent_id,
        pricing_model=row.pricing_model,
        properties=properties_from_json(loads(row.properties) or {}),
        market_roles=frozenset(MarketRole(r) for r in loads(row.market_roles) or ()),
        closed_at=row.closed_at,
        merged_into=row.merged_into,
        suspended_at=row.suspended_at,
        suspension_reason=row.suspension_reason,
        sight_starts_at=row.sight_starts_at,
        sight_expires_at=row.sight_expires_at,
        sight_expired=bool(row.sight_expired),
        roles=roles_from_json(loads(row.roles)),
    )


def _company_values(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "created_at": company.created_at,
        "settings": converter.unstructure(company.settings),
        "parent_id": company.parent_id,
        "pricing_model": company.pricing_model,
        "properties": properties_to_json(company.properties) if company.properties else None,
        "market_roles": sorted(r.value for r in company.market_roles) or None,
        "closed_at": company.closed_at,
        "merged_into": company.merged_into,
        "suspended_at": company.suspended_at,
        "suspension_reason": company.suspension_reason,
        "sight_starts_at": company.sight_starts_at,
        "sight_expires_at": company.sight_expires_at,
        "sight_expired": company.sight_expired,
        "roles": roles_to_json(company.roles),
    }


class Companies(Repo):
    def __init__(self, conn: Connection, tables: Tables, changed: Changed) -> None:
        super().__init__(conn, tables)
        self._changed = changed  # the companies written: the checks' cache forgets them

    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Company | None:
        t = self._t.companies
        statement = sa.select(t).where(t.c.id == company_id)
        if not for_update:
            row = self._row(statement)
            return None if row is None else company_from_row(row)
        row = self._row(statement.with_for_update())
        if row is None:
            return None
        write_locked(self._c, t, t.c.id == company_id)  # visible to certification (R-ALL-12)
        return company_from_row(row)

    def add(self, company: Company) -> None:
        if self.get(company.id) is not None:
            raise CompanyAlreadyExists(f"company {company.id!r} already exists")
        try:
            self._c.execute(self._t.companies.insert(), _company_values(company))
        except sa.exc.IntegrityError as error:
            raise CompanyAlreadyExists(f"company {company.id!r} already exists") from error
        self._changed.companies.add(company.id)
        self._tree.link(company.id, company.parent_id)

    def update(self, company: Company) -> None:
        t = self._t.companies
        old = self.get(company.id)
        if old is None:
            raise StorageError(f"no company {company.id!r} to update")
        values = _company_values(company)
        del values["id"]
        self._c.execute(t.update().where(t.c.id == company.id), values)
        self._changed.companies.add(company.id)
        if old.parent_id != company.parent_id:
            self._tree.move(company.id, company.parent_id)

    @property
    def _tree(self) -> Hierarchy:
        return Hierarchy(self._c, self._t)

    def ancestors(self, company_id: CompanyId) -> Sequence[CompanyId]:
        return self._tree.ancestors(company_id)

    def height(self, company_id: CompanyId) -> int:
        return self._tree.height(company_id)

    def descendants(
        self, ancestor_id: CompanyId, *, after: CompanyId | None, limit: int
    ) -> Sequence[tuple[Company, int]]:
        return [
            (company_from_row(row), row.depth) for row in self._tree.page(ancestor_id, after, limit)
        ]

    def children(self, company_id: CompanyId) -> Sequence[Company]:
        t = self._t.companies
        statement = sa.select(t).where(t.c.parent_id == company_id).order_by(t.c.id)
        return [company_from_row(row) for row in self._rows(statement)]

    def all(self) -> Sequence[Company]:
        t = self._t.companies
        return [company_from_row(row) for row in self._rows(sa.select(t).order_by(t.c.id))]

    def sight_paths(
        self, ancestor_id: CompanyId, company_ids: Sequence[CompanyId]
    ) -> Mapping[CompanyId, Window]:
        if not company_ids:
            return {}
        up, below, link = self._t.paths.alias("up"), self._t.paths.alias("below"), self._t.companies
        statement = (
            sa.select(
                up.c.descendant_id,
                sa.func.max(link.c.sight_starts_at).label("starts_at"),
                sa.func.min(link.c.sight_expires_at).label("expires_at"),
            )
            .select_from(
                up.join(link, link.c.id == up.c.ancestor_id).join(
                    below,
                    sa.and_(
                        below.c.descendant_id == up.c.ancestor_id,
                        below.c.ancestor_id == ancestor_id,
                        below.c.depth > 0,
                    ),
                )
            )
            .where(
                up.c.descendant_id.in_(list(company_ids)),
                sa.or_(link.c.sight_starts_at.is_not(None), link.c.sight_expires_at.is_not(None)),
            )
            .group_by(up.c.descendant_id)
        )
        return {
            CompanyId(row.descendant_id): Window(row.starts_at, row.expires_at)
            for row in self._rows(statement)
        }

    def sight_due(self, now: datetime, limit: int) -> Sequence[Company]:
        t = self._t.companies
        statement = (
            sa.select(t)
            .where(t.c.sight_expires_at <= now, t.c.sight_expired.is_(False))
            .order_by(t.c.id)
            .limit(limit)
        )
        return [company_from_row(row) for row in self._rows(statement)]

    def sight_next_due(self, after: datetime) -> datetime | None:
        t = self._t.companies
        found: datetime | None = self._c.execute(
            sa.select(sa.func.min(t.c.sight_expires_at)).where(t.c.sight_expires_at > after)
        ).scalar()
        return found


# -- memberships ----------------------------------------------------------------------


def _membership(row: sa.Row[Any]) -> Membership:
    return Membership(
        CompanyId(row.company_id),
        UserId(row.user_id),
        row.role,
        row.joined_at,
        is_main_contact=bool(row.main_contact),
        show_as_contact=bool(row.show_as_contact),
        is_handler=bool(row.handler),
        origin=None if row.origin is None else CompanyId(row.origin),
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        role_until=row.role_until,
        role_after=row.role_after,
        extra_roles=split_roles(row.extra_roles),
    )


def _membership_values(m: Membership) -> dict[str, Any]:
    return {
        "company_id": m.company_id,
        "user_id": m.user_id,
        "role": m.role,
        "joined_at": m.joined_at,
        "main_contact": True if m.is_main_contact else None,
        "show_as_contact": m.show_as_contact,
        "handler": m.is_handler,
        "origin": m.origin,
        "starts_at": m.starts_at,
        "expires_at": m.expires_at,
        "role_until": m.role_until,
        "role_after": m.role_after,
        "extra_roles": join_roles(m.extra_roles),
    }


@functools.lru_cache(maxsize=64)
def _admitted_statement(t: Tables, ancestors: bool, by_role: bool = False) -> sa.Select[Any]:
    """One page of the memberships an action admits, built once per shape.

    The company's qualifying members; with ``ancestors`` also, through the closure
    table, each non-member's membership in the nearest ancestor (R-PART-2), with
    ``by_role`` only if that nearest membership's role is one of ``:ancestor_roles``
    (R-PART-5). Each
    branch is an index range scan in user-id order that stops after ``:limit`` rows;
    wrapped as derived tables so SQLite and MySQL accept ORDER BY/LIMIT in a UNION.
    """
    m, p = t.memberships, t.paths
    company: sa.BindParameter[str] = sa.bindparam("company_id")
    limit: sa.BindParameter[int] = sa.bindparam("limit")
    roles: sa.BindParameter[list[str]] = sa.bindparam("roles", expanding=True)
    main_roles: sa.BindParameter[list[str]] = sa.bindparam("main_roles", expanding=True)
    qualifies = sa.or_(
        m.c.extra_roles.is_not(None),  # several roles: the caller decides (R-ROLE-3)
        m.c.role.in_(roles),
        sa.and_(m.c.main_contact.is_(True), m.c.role.in_(main_roles)),
        # a temporary role's successor may qualify: the caller decides at its instant
        sa.and_(m.c.role_until.is_not(None), m.c.role_after.in_(roles)),
        sa.and_(
            m.c.role_until.is_not(None), m.c.main_contact.is_(True), m.c.role_after.in_(main_roles)
        ),
    )
    own = (
        sa.select(m)
        .where(m.c.company_id == company, qualifies, m.c.user_id > sa.bindparam("after"))
        .order_by(m.c.user_id)
        .limit(limit)
    )
    if not ancestors:
        return own
    a, x, q, r = m.alias("a"), m.alias("x"), m.alias("q"), p.alias("r")
    member = sa.select(x.c.user_id).where(x.c.company_id == company, x.c.user_id == a.c.user_id)
    nearer = (  # the same user in an ancestor closer to the company
        sa.select(q.c.user_id)
        .join(r, r.c.ancestor_id == q.c.company_id)
        .where(
            q.c.user_id == a.c.user_id,
            r.c.descendant_id == company,
            r.c.depth > 0,
            r.c.depth < p.c.depth,
        )
    )
    above = (
        sa.select(a)
        .join(p, p.c.ancestor_id == a.c.company_id)
        .where(
            p.c.descendant_id == company,
            p.c.depth > 0,
            a.c.user_id > sa.bindparam("after"),
            ~member.exists(),
            ~nearer.exists(),
            *([_by_ancestor_role(a)] if by_role else []),
        )
        .order_by(a.c.user_id)
        .limit(limit)
    )
    both = sa.union_all(own.subquery("o").select(), above.subquery("b").select()).subquery("u")
    return sa.select(both).order_by(both.c.user_id).limit(limit)


def _by_ancestor_role(a: sa.FromClause) -> sa.ColumnElement[bool]:
    """An ancestor's membership whose role may qualify; the caller decides each (R-PART-5).

    A role of ``:ancestor_roles``, or one the caller cannot judge here: a role that is
    not built in (the ancestor's own, R-ROLE-1) or a membership with several roles.
    """
    return sa.or_(
        a.c.role.in_(sa.bindparam("ancestor_roles", expanding=True)),
        a.c.role.not_in(sa.bindparam("built_in", expanding=True)),
        a.c.extra_roles.is_not(None),
    )


class Memberships(Repo):
    def __init__(self, conn: Connection, tables: Tables, changed: Changed) -> None:
        super().__init__(conn, tables)
        self._changed = changed  # the users whose memberships were written: forgotten

    def get(self, company_id: CompanyId, user_id: UserId) -> Membership | None:
        t = self._t.memberships
        row = self._row(sa.select(t).where(t.c.company_id == company_id, t.c.user_id == user_id))
        return None if row is None else _membership(row)

    def of_company(self, company_id: CompanyId) -> Sequence[Membership]:
        t = self._t.memberships
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.user_id)
        return [_membership(row) for row in self._rows(statement)]

    def of_user(self, user_id: UserId) -> Sequence[Membership]:
        t = self._t.memberships
        statement = sa.select(t).where(t.c.user_id == user_id).order_by(t.c.company_id)
        return [_membership(row) for row in self._rows(statement)]

    def count(self, company_id: CompanyId) -> int:
        t = self._t.memberships
        statement = sa.select(sa.func.count()).select_from(t).where(t.c.company_id == company_id)
        return int(self._c.execute(statement).scalar_one())

    def of_companies(self, company_ids: Sequence[CompanyId]) -> Sequence[Membership]:
        return self._among(sorted(set(company_ids)))

    def of_user_among(
        self, user_id: UserId, company_ids: Sequence[CompanyId]
    ) -> Sequence[Membership]:
        return self._among(sorted(set(company_ids)), self._t.memberships.c.user_id == user_id)

    def _among(self, company_ids: list[CompanyId], *where: Any) -> list[Membership]:
        t = self._t.memberships
        statement = sa.select(t).where(*where).order_by(t.c.company_id, t.c.user_id)
        return [_membership(row) for row in self._rows_in(t.c.company_id, company_ids, statement)]

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
        by_role = ancestors and ancestor_roles is not None
        statement = _admitted_statement(self._t, ancestors, by_role)
        params: dict[str, Any] = {
            "company_id": company_id,
            "roles": sorted(roles),
            "main_roles": sorted(main_contact_roles),
            "after": after or "",  # no id is empty (R-ALL-7): "" is before every id
            "limit": limit,
        }
        if by_role:
            params["ancestor_roles"] = sorted(ancestor_roles or ())
            params["built_in"] = sorted(built_in)
        return [_membership(row) for row in self._c.execute(statement, params)]

    def due(self, now: datetime, limit: int) -> Sequence[Membership]:
        t = self._t.memberships
        statement = (
            sa.select(t)
            .where(sa.or_(t.c.expires_at <= now, t.c.role_until <= now))
            .order_by(t.c.company_id, t.c.user_id)
            .limit(limit)
        )
        return [_membership(row) for row in self._rows(statement)]

    def next_due(self, after: datetime) -> datetime | None:
        t = self._t.memberships
        ends = [
            sa.select(sa.func.min(column)).where(column > after).scalar_subquery()
            for column in (t.c.expires_at, t.c.role_until)
        ]
        row = self._c.execute(sa.select(*ends)).first()
        found: list[datetime] = [] if row is None else [v for v in row if v is not None]
        return min(found, default=None)

    def add(self, membership: Membership) -> None:
        self._changed.users.add(membership.user_id)
        try:
            self._c.execute(self._t.memberships.insert(), _membership_values(membership))
        except sa.exc.IntegrityError as error:
            message = constraint_error(error)
            if "main_contact" in message:
                raise Conflict(
                    f"company {membership.company_id!r} already has a main contact"
                ) from error
            if "foreign key" in message:
                raise StorageError(f"membership refers to a missing row: {message}") from error
            raise AlreadyAMember(membership.company_id, membership.user_id) from error

    def update(self, membership: Membership) -> None:
        self._changed.users.add(membership.user_id)
        t = self._t.memberships
        values = _membership_values(membership)
        try:
            result = self._c.execute(
                t.update().where(
                    t.c.company_id == membership.company_id,
                    t.c.user_id == membership.user_id,
                ),
                values,
            )
        except sa.exc.IntegrityError as error:
            raise Conflict(
                f"company {membership.company_id!r} already has a main contact"
            ) from error
        if result.rowcount != 1:
            raise StorageError(f"no membership of {membership.user_id!r} to update")

    def remove(self, company_id: CompanyId, user_id: UserId) -> None:
        self._changed.users.add(user_id)
        t = self._t.memberships
        result = self._c.execute(
            t.delete().where(t.c.company_id == company_id, t.c.user_id == user_id)
        )
        if result.rowcount != 1:
            raise StorageError(f"no membership of {user_id!r} to remove")

    def all(self) -> Sequence[Membership]:
        t = self._t.memberships
        statement = sa.select(t).order_by(t.c.company_id, t.c.user_id)
        return [_membership(row) for row in self._rows(statement)]


# -- invitations ----------------------------------------------------------------------


def _invitation(row: sa.Row[Any]) -> Invitation:
    return Invitation(
        id=InvitationId(row.id),
        company_id=CompanyId(row.company_id),
        email=row.email,
        role=row.role,
        token_hash=row.token_hash,
        invited_by=UserId(row.invited_by),
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=InvitationStatus(row.status),
        accepted_by=None if row.accepted_by is None else UserId(row.accepted_by),
        closed_at=row.closed_at,
        member_until=row.member_until,
    )


def _invitation_values(i: Invitation) -> dict[str, Any]:
    return {
        "id": i.id,
        "company_id": i.company_id,
        "email": i.email,
        "role": i.role,
        "token_hash": i.token_hash,
        "invited_by": i.invited_by,
        "created_at": i.created_at,
        "expires_at": i.expires_at,
        "status": i.status.value,
        "accepted_by": i.accepted_by,
        "closed_at": i.closed_at,
        "member_until": i.member_until,
    }


class Invitations(Repo):
    def get(self, invitation_id: InvitationId) -> Invitation | None:
        t = self._t.invitations
        row = self._row(sa.select(t).where(t.c.id == invitation_id))
        return None if row is None else _invitation(row)

    def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        t = self._t.invitations
        row = self._row(sa.select(t).where(t.c.token_hash == token_hash))
        return None if row is None else _invitation(row)

    def pending_for(self, company_id: CompanyId, email: str) -> Invitation | None:
        t = self._t.invitations
        row = self._row(
            sa.select(t)
            .where(
                t.c.company_id == company_id,
                t.c.email == email,
                t.c.status == InvitationStatus.PENDING.value,
            )
            .order_by(t.c.id)
            .limit(1)
        )
        return None if row is None else _invitation(row)

    def of_company(self, company_id: CompanyId) -> Sequence[Invitation]:
        t = self._t.invitations
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.id)
        return [_invitation(row) for row in self._rows(statement)]

    def of_email(self, email: str) -> Sequence[Invitation]:
        t = self._t.invitations
        statement = sa.select(t).where(t.c.email == email).order_by(t.c.id)
        return [_invitation(row) for row in self._rows(statement)]

    def add(self, invitation: Invitation) -> None:
        try:
            self._c.execute(self._t.invitations.insert(), _invitation_values(invitation))
        except sa.exc.IntegrityError as error:
            raise Conflict(f"invitation {invitation.id!r} or its token exists") from error

    def update(self, invitation: Invitation) -> None:
        t = self._t.invitations
        values = _invitation_values(invitation)
        del values["id"]
        result = self._c.execute(t.update().where(t.c.id == invitation.id), values)
        if result.rowcount != 1:
            raise StorageError(f"no invitation {invitation.id!r} to update")

    def all(self) -> Sequence[Invitation]:
        t = self._t.invitations
        return [_invitation(row) for row in self._rows(sa.select(t).order_by(t.c.id))]
