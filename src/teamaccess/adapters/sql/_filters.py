"""Filters for the host's own tables: the rows of companies where the check allows (issue 32).

``company_filter(ta, user_id, action, Invoice.__table__.c.company_id)`` is a SQLAlchemy
Core clause for a ``WHERE``: the host's column must hold a company id that is in one
subquery of teamaccess's tables, so the database plans one statement (for a few
companies of the user, an index lookup of the host's column per company) and no list
of ids is built in Python. The subquery matches the facts of a
[CompanyFilter][teamaccess.domain.company_filter.CompanyFilter], which the domain
learnt from the check's own function; windows are judged at the service's clock,
passed as a bound parameter (R-TIME-1).
"""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from teamaccess.adapters.sql._json import has_item, has_key, roles_grant
from teamaccess.adapters.sql._schema import Tables
from teamaccess.adapters.sql._types import UtcDateTime
from teamaccess.domain.company_filter import CompanyFilter

__all__ = ["allowed_companies", "company_clause", "company_filter"]

_APPROVED = "approved"  # SupportStatus.APPROVED as stored
_ANY_MEMBER = "any_member"  # AddMembersBy.ANY_MEMBER as stored


class _Access(Protocol):
    def company_filter(self, user_id: str, action: str) -> CompanyFilter: ...


class _Service(Protocol):
    """What ``company_filter`` needs of a [TeamAccess][teamaccess.TeamAccess]."""

    @property
    def store(self) -> object: ...

    @property
    def access(self) -> _Access: ...


def company_filter(
    ta: _Service, user_id: str, action: str, column: ColumnElement[Any]
) -> ColumnElement[bool]:
    """A ``WHERE`` clause: ``column`` holds a company where ``ta.check`` allows the user ``action``.

    The same answer as ``ta.check(user_id, company, action).allowed`` for each row
    (membership and its roles, R-ROLE-3; the main contact; a partner's sight and team
    management from an ancestor, R-PART-2, R-PART-5; closed and suspended companies and
    ancestors, R-CO-3, R-CO-8; every window at the service's clock, R-TIME-1; a support
    grant of platform staff, R-SUP-1), as one subquery of teamaccess's tables: the
    host's table and teamaccess's must live in the same database. A row whose column
    is ``NULL`` or names no company is never kept (R-ALL-1). An action aimed at a
    member (``remove_member``, ``set_show_as_contact``) keeps no row, as ``check``
    without ``target_user_id`` denies it.

    Args:
        ta: The [TeamAccess][teamaccess.TeamAccess] whose check it mirrors, on a
            [SqlStore][teamaccess.adapters.sql.SqlStore] (or one bound to a host
            connection, or Django's store). For [AsyncTeamAccess][teamaccess.AsyncTeamAccess],
            ``await ata.access.company_filter(...)`` and pass it to `company_clause`.
        user_id: The user.
        action: The action.
        column: The host's column holding a company id.

    Raises:
        TypeError: The service's store keeps its rows in memory: a filter over a SQL
            table could only be a list of ids there; use ``ta.access.where_may`` or
            ``ta.access.check_many`` instead.
        InvalidName: A malformed user id or action (R-ALL-7).
    """
    tables = sql_tables(ta.store)
    return company_clause(ta.access.company_filter(user_id, action), tables, column)


def company_clause(
    spec: CompanyFilter, tables: Tables, column: ColumnElement[Any]
) -> ColumnElement[bool]:
    """`company_filter` from a filter taken already (``ta.access.company_filter``) and the tables.

    On PostgreSQL the ids are compared in the collation of the host's column (its
    type's, else the database default): teamaccess's ids are ``COLLATE "C"``, and a
    comparison in another collation than its index's would keep the planner from
    the index on the host's column. Equality is exact in either (deterministic).
    """
    allowed = allowed_companies(spec, tables).subquery("allowed")
    collation = getattr(column.type, "collation", None) or "default"
    return column.in_(sa.select(_InCollation(allowed.c[0], collation)))


def allowed_companies(spec: CompanyFilter, tables: Tables) -> sa.Select[tuple[str]]:
    """One ``SELECT`` of the ids of the companies ``spec`` allows (maybe one id twice).

    Each branch starts from the user's rows (their memberships, the accounts below
    them, their support grants), through the indexes on ``user_id`` and the closure
    table; a branch nothing can allow is left out.
    """
    t = tables
    now: sa.BindParameter[Any] = sa.bindparam(
        "filter_now", spec.now, type_=UtcDateTime(), unique=True
    )
    user: sa.BindParameter[str] = sa.bindparam(
        "filter_user", spec.user_id, type_=sa.String(), unique=True
    )
    branches: list[sa.Select[tuple[str]]] = []
    if spec.members_may:
        m, c = _alias(t.memberships, "fm"), _alias(t.companies, "fc")
        branches.append(
            sa.select(m.c.company_id)
            .join(c, c.c.id == m.c.company_id)
            .where(
                m.c.user_id == user,
                _is_open(c),
                _counts(m, now),
                _member_may(spec, m, c, now),
            )
        )
    if spec.ancestors_may:
        branches.append(_from_above(spec, t, user, now))
    if spec.support:
        branches.append(_by_support(spec, t, user, now))
    if not branches:
        return sa.select(t.companies.c.id).where(sa.false())
    if len(branches) == 1:
        return branches[0]
    union = sa.union_all(*branches).subquery("allowed_union")
    return sa.select(union.c[0])


def sql_tables(store: object) -> Tables:
    """The tables of a SQL store, a store bound to a host connection, or Django's store.

    Raises:
        TypeError: ``store`` keeps its rows elsewhere (the in-memory store).
    """
    for candidate in (store, getattr(store, "sql", None), getattr(store, "store", None)):
        tables = getattr(candidate, "tables", None)
        if isinstance(tables, Tables):
            return tables
    raise TypeError(
        f"{store!r} keeps its rows outside SQL: a filter over a host's table could only "
        "be a list of company ids there; use ta.access.where_may or ta.access.check_many"
    )


def _alias(table: sa.Table, name: str) -> sa.FromClause:
    """The table's alias ``name``, made once per table (its columns are costly to set up)."""
    made: dict[str, sa.FromClause] = table.info.setdefault("teamaccess_filter_aliases", {})
    if name not in made:
        made[name] = table.alias(name)
    return made[name]


def _is_open(c: sa.FromClause) -> ColumnElement[bool]:
    """Neither closed nor suspended (R-CO-3, R-CO-8)."""
    return sa.and_(c.c.closed_at.is_(None), c.c.suspended_at.is_(None))


def _counts(m: sa.FromClause, now: sa.BindParameter[Any]) -> ColumnElement[bool]:
    """The membership's window holds ``now`` (R-TIME-1)."""
    return sa.and_(
        sa.or_(m.c.starts_at.is_(None), m.c.starts_at <= now),
        sa.or_(m.c.expires_at.is_(None), m.c.expires_at > now),
    )


def _role_now(m: sa.FromClause, now: sa.BindParameter[Any]) -> ColumnElement[Any]:
    """The membership's role at ``now``: a temporary role that ended gives way (R-TIME-1)."""
    ended = sa.and_(m.c.role_until.is_not(None), m.c.role_until <= now)
    return sa.case((ended, sa.func.coalesce(m.c.role_after, m.c.role)), else_=m.c.role)


def _exact(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """Compared by code point on MariaDB/MySQL too (their default collation folds case)."""
    return _Exact(expression)


class _Exact(ColumnElement[Any]):
    """``inner``, compared by code point on MariaDB/MySQL."""

    inherit_cache = True
    type = sa.String()
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache key reads it
        ("inner", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, inner: ColumnElement[Any]) -> None:
        self.inner = inner


class _InCollation(ColumnElement[Any]):
    """``inner`` in the collation ``collation`` on PostgreSQL; as it is elsewhere."""

    inherit_cache = True
    type = sa.String()
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache key reads it
        ("inner", InternalTraversal.dp_clauseelement),
        ("collation", InternalTraversal.dp_string),
    ]

    def __init__(self, inner: ColumnElement[Any], collation: str) -> None:
        self.inner = inner
        self.collation = collation

    @property
    def _from_objects(self) -> list[Any]:
        return self.inner._from_objects


@compiles(_InCollation)
def _in_collation_default(element: _InCollation, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.inner, **kw))


@compiles(_InCollation, "postgresql")
def _in_collation_postgresql(element: _InCollation, compiler: Any, **kw: Any) -> str:
    collation = compiler.preparer.quote_identifier(element.collation)
    return f"{compiler.process(element.inner, **kw)} COLLATE {collation}"


@compiles(_Exact)
def _exact_default(element: _Exact, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.inner, **kw))


@compiles(_Exact, "mysql")
def _exact_mysql(element: _Exact, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.inner, **kw)}) COLLATE utf8mb4_bin"


def _one_of(expression: ColumnElement[Any], names: frozenset[str]) -> ColumnElement[bool]:
    """``expression`` is one of ``names``, by code point.

    No expanding ``IN``: a host may compile the statement once, as Django's ``RawSQL`` does.
    """
    exact = _exact(expression)
    return sa.or_(sa.false(), *(exact == name for name in sorted(names)))


def _holds(
    m: sa.FromClause,
    c: sa.FromClause,
    now: sa.BindParameter[Any],
    spec: CompanyFilter,
    roles: frozenset[str],
    permissions: frozenset[str],
) -> ColumnElement[bool]:
    """One of the member's roles grants one of ``permissions`` in ``c`` (R-ROLE-1, R-ROLE-3).

    ``roles``: the built-in roles that do. The member's role at ``now`` and each of
    their further roles (one per line in ``extra_roles``) count.
    """
    role = _role_now(m, now)
    extra = sa.literal("\n") + sa.func.coalesce(m.c.extra_roles, "") + sa.literal("\n")
    found: list[ColumnElement[bool]] = []
    if roles:
        found.append(_one_of(role, roles))
        found += [_exact(extra).contains(f"\n{name}\n", autoescape=True) for name in sorted(roles)]
    found.append(roles_grant(c.c.roles, role, m.c.extra_roles, permissions, spec.built_in))
    return sa.or_(*found)


def _known(
    m: sa.FromClause, c: sa.FromClause, now: sa.BindParameter[Any], spec: CompanyFilter
) -> ColumnElement[bool]:
    """The member's role at ``now`` counts in ``c``: built in, or its own (R-ROLE-1, R-ALL-1)."""
    role = _role_now(m, now)
    return sa.or_(_one_of(role, spec.built_in), has_key(c.c.roles, role))


def _member_may(
    spec: CompanyFilter, m: sa.FromClause, c: sa.FromClause, now: sa.BindParameter[Any]
) -> ColumnElement[bool]:
    """What lets a member of ``c`` itself, whose membership counts, do it."""
    ways: list[ColumnElement[bool]] = []
    if spec.member_any:
        ways.append(sa.true())
    if spec.member_main_contact:
        ways.append(m.c.main_contact.is_(True))
    if spec.member_by_setting:
        setting = c.c.settings["add_members_by"].as_string()
        ways.append(sa.func.coalesce(setting, _ANY_MEMBER) == _ANY_MEMBER)
    if spec.member_permissions:
        ways.append(_holds(m, c, now, spec, spec.member_roles, spec.member_permissions))
    return sa.and_(_known(m, c, now, spec), sa.or_(*ways))


def _nearer(t: Tables, user: sa.BindParameter[str], account: Any, depth: Any) -> sa.Select[Any]:
    """The user belongs to an ancestor of ``account`` nearer than ``depth`` (the nearest wins)."""
    q, r = _alias(t.memberships, "fq"), _alias(t.paths, "fr")
    return (
        sa.select(sa.literal(1))
        .select_from(q.join(r, r.c.ancestor_id == q.c.company_id))
        .where(
            q.c.user_id == user,
            r.c.descendant_id == account,
            r.c.depth > 0,
            r.c.depth < depth,
        )
    )


def _from_above(
    spec: CompanyFilter, t: Tables, user: sa.BindParameter[str], now: sa.BindParameter[Any]
) -> sa.Select[tuple[str]]:
    """The accounts below the user's memberships whose nearest one gives sight (R-PART-2).

    The membership in the nearest ancestor the user belongs to (whatever its window, as
    the check reads it) counts at ``now``; the user has no membership of the account
    that counts at ``now``; the ancestor and the account are open (R-CO-8); every link
    between them lets sight through at ``now`` (R-TIME-1); and the role qualifies
    (R-PART-5) unless any role does (the overview).
    """
    a, p, ac, c = (
        _alias(t.memberships, "fa"),
        _alias(t.paths, "fp"),
        _alias(t.companies, "fac"),
        _alias(t.companies, "fc"),
    )
    nearer = _nearer(t, user, p.c.descendant_id, p.c.depth)
    o = _alias(t.memberships, "fo")
    own = sa.select(sa.literal(1)).where(
        o.c.company_id == p.c.descendant_id, o.c.user_id == user, _counts(o, now)
    )
    up, below, link = _alias(t.paths, "fsu"), _alias(t.paths, "fsb"), _alias(t.companies, "fsl")
    shut = (  # a link between them whose sight window does not hold now
        sa.select(sa.literal(1))
        .select_from(
            up.join(link, link.c.id == up.c.ancestor_id).join(
                below,
                sa.and_(
                    below.c.descendant_id == up.c.ancestor_id,
                    below.c.ancestor_id == a.c.company_id,
                    below.c.depth > 0,
                ),
            )
        )
        .where(
            up.c.descendant_id == p.c.descendant_id,
            sa.or_(link.c.sight_starts_at > now, link.c.sight_expires_at <= now),
        )
    )
    conditions: list[ColumnElement[bool]] = [
        a.c.user_id == user,
        _counts(a, now),
        _is_open(ac),
        _is_open(c),
        ~nearer.exists(),
        ~own.exists(),
        ~shut.exists(),
    ]
    if not spec.ancestor_any:
        conditions.append(_known(a, ac, now, spec))
        conditions.append(_holds(a, ac, now, spec, spec.ancestor_roles, spec.ancestor_permissions))
    return (
        sa.select(p.c.descendant_id)
        .select_from(
            a.join(p, sa.and_(p.c.ancestor_id == a.c.company_id, p.c.depth > 0))
            .join(ac, ac.c.id == a.c.company_id)
            .join(c, c.c.id == p.c.descendant_id)
        )
        .where(*conditions)
    )


def _by_support(
    spec: CompanyFilter, t: Tables, user: sa.BindParameter[str], now: sa.BindParameter[Any]
) -> sa.Select[tuple[str]]:
    """The open companies where the staff member holds a grant in force naming the action (R-SUP-1).

    Only where the check asks the grants at all: the user has no membership of the
    company, and none that counts at ``now`` in the nearest ancestor they belong to.
    """
    g, c = _alias(t.support_grants, "fg"), _alias(t.companies, "fc")
    o = _alias(t.memberships, "fo")
    member = sa.select(sa.literal(1)).where(o.c.company_id == g.c.company_id, o.c.user_id == user)
    a, p = _alias(t.memberships, "fa"), _alias(t.paths, "fp")
    nearer = _nearer(t, user, g.c.company_id, p.c.depth)
    sighted = (  # the nearest ancestor membership, counting now: sight decides, not grants
        sa.select(sa.literal(1))
        .select_from(a.join(p, p.c.ancestor_id == a.c.company_id))
        .where(
            a.c.user_id == user,
            p.c.descendant_id == g.c.company_id,
            p.c.depth > 0,
            _counts(a, now),
            ~nearer.exists(),
        )
    )
    return (
        sa.select(g.c.company_id)
        .join(c, c.c.id == g.c.company_id)
        .where(
            g.c.staff_id == user,
            g.c.status == _APPROVED,
            g.c.starts_at <= now,
            g.c.expires_at > now,
            has_item(g.c.permissions, spec.action),
            _is_open(c),
            ~member.exists(),
            ~sighted.exists(),
        )
    )
