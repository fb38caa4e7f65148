"""The SQL store: every port implemented with SQLAlchemy Core statements.

One command = one database transaction: its writes and its outbox events commit
together or not at all (R-ALL-3, R-ALL-4). ``Companies.get(for_update=True)`` takes a
row lock (``SELECT ... FOR UPDATE``) on PostgreSQL and MariaDB, so commands on one
company run one after another; SQLite write transactions start with
``BEGIN IMMEDIATE``, which serializes writers for the whole file. Driver errors are
translated at this edge into [teamaccess.errors][] (``raise ... from``).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from teamaccess.adapters.sql._partners import Articles, Hierarchy, Licenses, PropertyDefinitions
from teamaccess.adapters.sql._raw import RawSelect
from teamaccess.adapters.sql._repo import Repo, chunks, constraint_error
from teamaccess.adapters.sql._schema import (
    DEFAULT_PREFIX,
    SCHEMA_VERSION,
    Tables,
    build_tables,
    version_table,
)
from teamaccess.adapters.sql._work import InboxRequests, Leads, Records, ServiceLinks
from teamaccess.domain.codec import converter
from teamaccess.domain.events import Event, OutboxMessage, event_from_dict, event_to_dict
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
from teamaccess.domain.seats import (
    Enrollment,
    PoolId,
    Product,
    ProductId,
    ReplacementPolicy,
    SeatPool,
    TagGrant,
)
from teamaccess.errors import (
    AlreadyAMember,
    AlreadyEnrolled,
    CompanyAlreadyExists,
    Conflict,
    EmailTaken,
    SeatsExhausted,
    StorageError,
    TeamAccessError,
    TransientStorageError,
    UserAlreadyExists,
)

__all__ = ["SqlStore", "create_engine"]

_WRITE_OPTION = "teamaccess_write"
_KNOWN_ROWS = 10_000  # parsed rows check_facts keeps
_UNCHECKED_IDLE = 0.5  # seconds a kept read connection may idle and be used without a ping
# PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers worth retrying the whole command.
_PG_RETRY = {"40001", "40P01", "55P03"}
_MYSQL_RETRY = {1205, 1213}


def create_engine(url: str | sa.URL, **options: Any) -> Engine:
    """Create an engine configured the way [SqlStore][teamaccess.adapters.sql.SqlStore] wants it.

    SQLite files get a 30 s busy timeout; everything else is SQLAlchemy's
    ``create_engine`` with ``pool_pre_ping``. ``options`` override these defaults.
    """
    url = sa.make_url(url)
    defaults: dict[str, Any] = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        defaults = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return sa.create_engine(url, **{**defaults, **options})


def _configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, begin transactions; writers use BEGIN IMMEDIATE."""
    if event.contains(engine, "connect", _sqlite_connect):
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN from the driver
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL: readers never wait for the writer, and a commit is one append to the log.
    # (An in-memory database answers "memory" and stays as it is.)
    cursor.execute("PRAGMA journal_mode = WAL")
    # A page cache of 32 MiB per connection instead of 2 MiB keeps the upper levels
    # of the lead and record indexes in memory at a million rows.
    cursor.execute("PRAGMA cache_size = -32768")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # one-statement reads (check_facts): the statement is its own snapshot
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE_OPTION, False) else "BEGIN")


class SqlStore:
    """A [Store][teamaccess.ports.Store] on a SQL database through SQLAlchemy Core.

    Args:
        engine: A SQLAlchemy engine for SQLite, PostgreSQL (psycopg 3) or
            MariaDB/MySQL (PyMySQL). [create_engine][teamaccess.adapters.sql.create_engine] makes a
            suitable one.
        prefix: Prefix of every table, constraint and index name.
        metadata: A host ``MetaData`` to declare the tables on (e.g. for the host's
            own Alembic autogenerate); a new one if omitted.

    The store does not create tables; call `create_schema` once for a new
    database, or run the shipped Alembic migrations
    ([upgrade_schema][teamaccess.adapters.sql.upgrade_schema]).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        prefix: str = DEFAULT_PREFIX,
        metadata: sa.MetaData | None = None,
    ) -> None:
        self.tables = build_tables(prefix, metadata)
        self.dialect = engine.dialect.name
        self._facts = RawSelect(_check_statement(self.tables), engine.dialect)
        # Parsed answers by their row: equal rows give equal (immutable) values.
        self._known: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # Kept read connections with the time each was last returned.
        self._readers: queue.SimpleQueue[tuple[Connection, float]] = queue.SimpleQueue()
        self._plain_readers: queue.SimpleQueue[tuple[Connection, float]] = queue.SimpleQueue()
        self._reader_slots = threading.BoundedSemaphore(_fast_reader_cap(engine))
        event.listen(engine, "engine_disposed", self._close_readers)
        if self.dialect == "sqlite":
            _configure_sqlite(engine)
            self.engine = engine
        else:
            self.engine = engine.execution_options(isolation_level="READ COMMITTED")

    @classmethod
    def from_url(cls, url: str | sa.URL, *, prefix: str = DEFAULT_PREFIX) -> SqlStore:
        """Create a store for a database URL such as ``sqlite:///teamaccess.db``."""
        return cls(create_engine(url), prefix=prefix)

    def create_schema(self) -> None:
        """Create the tables that do not exist yet, and record the schema version.

        The version goes into ``<prefix>alembic_version``, the table the shipped Alembic
        migrations keep (:func:`~teamaccess.adapters.sql.upgrade_schema`, ``teamaccess
        init``), so a database made here is upgraded by them later like any other.
        """
        version = version_table(self.tables)
        with self.engine.begin() as conn:
            self.tables.metadata.create_all(conn)
            version.create(conn, checkfirst=True)
            if conn.execute(sa.select(version.c.version_num)).first() is None:
                conn.execute(version.insert().values(version_num=SCHEMA_VERSION))

    def drop_schema(self) -> None:
        """Drop this store's tables, its version record and everything in them."""
        with self.engine.begin() as conn:
            self.tables.metadata.drop_all(conn)
            version_table(self.tables).drop(conn, checkfirst=True)

    def clear(self) -> None:
        """Delete every row of this store's tables, keeping the schema (for tests)."""
        with self.engine.begin() as conn:
            for table in self.tables.in_delete_order():
                conn.execute(table.delete())

    @contextmanager
    def transaction(self) -> Iterator[_SqlTransaction]:
        """Begin a unit of work; it rolls back unless ``commit()`` was called."""
        with self._translate(), self.engine.connect() as raw:
            conn = raw.execution_options(**{_WRITE_OPTION: True})
            conn.begin()
            tx = _SqlTransaction(conn, self.tables)
            try:
                yield tx
            finally:
                if not tx.committed:
                    conn.rollback()

    @contextmanager
    def reader(self) -> Iterator[_SqlTransaction]:
        """Begin a read-only transaction; it sees only committed state."""
        with self._translate(), self._kept(autocommit=False) as conn:
            conn.begin()
            try:
                yield _SqlTransaction(conn, self.tables)
            finally:
                conn.rollback()

    def check_facts(
        self, company_id: str, user_id: str
    ) -> tuple[Company | None, Membership | None, Membership | None]:
        """The company and the membership in one prebuilt statement (the check's hot path).

        It runs on one of a few connections kept open for it in autocommit mode (a
        single statement sees one snapshot); when they are all busy, on a pooled one.
        """
        params = {"company_id": company_id, "user_id": user_id}
        with self._translate():
            try:
                with self._kept(autocommit=True) as conn:
                    row = self._facts.first(conn, params)
            except sa.exc.DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                # The kept connection died (a restart, an idle timeout, a kill): the
                # others are likely dead too; answer once more on a fresh one.
                self._close_readers()
                with self._kept(autocommit=True) as conn:
                    row = self._facts.first(conn, params)
        if row is None:
            return None, None, None
        key = (user_id, *row)  # the driver's values, JSON read as text: hashable
        facts = self._known.get(key)
        if facts is None:
            if len(self._known) >= _KNOWN_ROWS:
                self._known.clear()
            facts = self._facts_of(self._facts.processed(row), UserId(user_id))
            self._known[key] = facts
        return facts

    @staticmethod
    def _facts_of(
        row: Any, user_id: UserId
    ) -> tuple[Company, Membership | None, Membership | None]:
        company = _company(row, _loads)
        if row.m_role is not None:
            return company, _joined_membership(row, "m_", company.id, user_id), None
        if row.a_role is not None:
            return company, None, _joined_membership(row, "a_", row.a_company_id, user_id)
        return company, None, None

    @contextmanager
    def _kept(self, *, autocommit: bool) -> Iterator[Connection]:
        """A connection for reads, kept open between uses; pooled when all are busy.

        Checking a connection out of the pool costs more than a primary-key select.
        A kept connection idle for longer than half a second is pinged before use
        (the way HikariCP skips validation of recently used connections), so the
        first read after a database restart gets a live connection.
        """
        kept = self._readers if autocommit else self._plain_readers
        if not self._reader_slots.acquire(blocking=False):
            with self.engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT") if autocommit else conn
            return
        try:
            conn = self._take(kept, autocommit=autocommit)
            try:
                yield conn
            except sa.exc.DBAPIError:
                conn.invalidate()
                conn.close()
                raise
            kept.put((conn, time.monotonic()))
        finally:
            self._reader_slots.release()

    def _take(
        self, kept: queue.SimpleQueue[tuple[Connection, float]], *, autocommit: bool
    ) -> Connection:
        """A live kept connection, or a new one when none is left."""
        while True:
            try:
                conn, used = kept.get_nowait()
            except queue.Empty:
                conn = self.engine.connect()
                if autocommit:
                    conn.execution_options(isolation_level="AUTOCOMMIT")
                return conn
            if time.monotonic() - used < _UNCHECKED_IDLE or self._alive(conn):
                return conn
            conn.invalidate()
            conn.close()

    def _alive(self, conn: Connection) -> bool:
        """Ping the connection's driver connection, as the pool's pre-ping does."""
        try:
            return bool(self.engine.dialect.do_ping(conn.connection.dbapi_connection))  # type: ignore[arg-type]
        except self.engine.dialect.loaded_dbapi.Error:
            return False

    def _close_readers(self, _engine: Engine | None = None) -> None:
        """Close the kept read connections (when the engine is disposed).

        The pool they came from is gone by then, so they are closed for good
        (invalidated), not returned to it.
        """
        for kept in (self._readers, self._plain_readers):
            while True:
                try:
                    conn, _ = kept.get_nowait()
                except queue.Empty:
                    break
                conn.invalidate()
                conn.close()

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn driver errors into library errors at the edge."""
        try:
            yield
        except TeamAccessError:
            raise
        except sa.exc.DBAPIError as error:
            if _is_transient(error):
                raise TransientStorageError(f"{self.dialect}: {error.orig}") from error
            if isinstance(error, sa.exc.IntegrityError):
                raise Conflict(f"{self.dialect} refused the change: {error.orig}") from error
            raise StorageError(f"{self.dialect}: {error.orig}") from error

    def __repr__(self) -> str:
        return f"<SqlStore {self.engine.url!r} prefix={self.tables.prefix!r}>"


def _fast_reader_cap(engine: Engine) -> int:
    """How many connections check_facts may keep open: a quarter of the pool, at least 1.

    A pool without a size (SQLite in memory: one connection per thread) gets 1.
    """
    size = getattr(engine.pool, "size", None)
    return max(1, size() // 4) if callable(size) else 1


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _check_statement(t: Tables) -> sa.Select[Any]:
    """Everything a check needs in one row, prebuilt once.

    The company; the user's membership in it (``m_*``); and, only when there is none
    and the company has a parent, their membership in the nearest ancestor (``a_*``),
    found through the closure table (R-PART-2): a ``CASE`` guards that subquery, so a
    member's check costs no more than a join of two primary keys. The JSON columns
    are read as text, so that a row can key the cache of parsed answers.
    """
    c, p = t.companies, t.paths
    m, a, x = (t.memberships.alias(name) for name in ("m", "a", "x"))
    user: sa.BindParameter[str] = sa.bindparam("user_id")
    nearest = (
        sa.select(p.c.ancestor_id)
        .join(x, sa.and_(x.c.company_id == p.c.ancestor_id, x.c.user_id == user))
        .where(p.c.descendant_id == c.c.id, p.c.depth > 0)
        .order_by(p.c.depth)
        .limit(1)
        .scalar_subquery()
    )
    above = sa.case((sa.and_(m.c.role.is_(None), c.c.parent_id.is_not(None)), nearest))
    columns = [
        sa.cast(col, sa.Text).label(col.name) if isinstance(col.type, sa.JSON) else col
        for col in c.columns
    ]
    member = [m.c[name].label(f"m_{name}") for name in _MEMBER_COLUMNS]
    ancestor = [a.c[name].label(f"a_{name}") for name in ("company_id", *_MEMBER_COLUMNS)]
    return (
        sa.select(*columns, *member, *ancestor)
        .select_from(
            c.outerjoin(m, sa.and_(m.c.company_id == c.c.id, m.c.user_id == user)).outerjoin(
                a, sa.and_(a.c.user_id == user, a.c.company_id == above)
            )
        )
        .where(c.c.id == sa.bindparam("company_id"))
    )


_MEMBER_COLUMNS = ("role", "joined_at", "main_contact", "show_as_contact", "handler")


def _joined_membership(row: Any, prefix: str, company_id: str, user_id: str) -> Membership:
    def get(name: str) -> Any:
        return getattr(row, prefix + name)

    return Membership(
        CompanyId(company_id),
        UserId(user_id),
        get("role"),
        get("joined_at"),
        is_main_contact=bool(get("main_contact")),
        show_as_contact=bool(get("show_as_contact")),
        is_handler=bool(get("handler")),
    )


def _is_transient(error: sa.exc.DBAPIError) -> bool:
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_RETRY:
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _MYSQL_RETRY:
        return True
    return isinstance(error, sa.exc.OperationalError) and "database is locked" in str(orig)


# -- users ----------------------------------------------------------------------------


def _user(row: sa.Row[Any]) -> User:
    return User(UserId(row.id), row.email, row.attributes or {})


class _Users(Repo):
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

    def get_many_by_email(self, emails: Sequence[str]) -> dict[str, User]:
        t = self._t.users
        return {row.email: _user(row) for row in self._rows_in(t.c.email, emails, sa.select(t))}

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


def _company(row: Any, loads: Callable[[Any], Any] = lambda value: value) -> Company:
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
    }


class _Companies(Repo):
    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Company | None:
        t = self._t.companies
        statement = sa.select(t).where(t.c.id == company_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._row(statement)
        return None if row is None else _company(row)

    def add(self, company: Company) -> None:
        if self.get(company.id) is not None:
            raise CompanyAlreadyExists(f"company {company.id!r} already exists")
        try:
            self._c.execute(self._t.companies.insert(), _company_values(company))
        except sa.exc.IntegrityError as error:
            raise CompanyAlreadyExists(f"company {company.id!r} already exists") from error
        self._tree.link(company.id, company.parent_id)

    def update(self, company: Company) -> None:
        t = self._t.companies
        old = self.get(company.id)
        if old is None:
            raise StorageError(f"no company {company.id!r} to update")
        values = _company_values(company)
        del values["id"]
        self._c.execute(t.update().where(t.c.id == company.id), values)
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
        return [(_company(row), row.depth) for row in self._tree.page(ancestor_id, after, limit)]

    def children(self, company_id: CompanyId) -> Sequence[Company]:
        t = self._t.companies
        statement = sa.select(t).where(t.c.parent_id == company_id).order_by(t.c.id)
        return [_company(row) for row in self._rows(statement)]

    def all(self) -> Sequence[Company]:
        t = self._t.companies
        return [_company(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


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
    }


class _Memberships(Repo):
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

    def add(self, membership: Membership) -> None:
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
    }


class _Invitations(Repo):
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


# -- products, seat pools, enrollments, tags ------------------------------------------


class _Products(Repo):
    def get(self, product_id: ProductId) -> Product | None:
        t = self._t.products
        row = self._row(sa.select(t).where(t.c.id == product_id))
        return None if row is None else _product(row)

    def add(self, product: Product) -> None:
        try:
            self._c.execute(
                self._t.products.insert(),
                {
                    "id": product.id,
                    "name": product.name,
                    "tag": product.tag,
                    "replacement": product.replacement.value,
                    "notify_on_enroll": product.notify_on_enroll,
                },
            )
        except sa.exc.IntegrityError as error:
            raise Conflict(f"product {product.id!r} already exists") from error

    def all(self) -> Sequence[Product]:
        t = self._t.products
        return [_product(row) for row in self._rows(sa.select(t).order_by(t.c.id))]


def _product(row: sa.Row[Any]) -> Product:
    return Product(
        ProductId(row.id),
        row.name,
        row.tag,
        ReplacementPolicy(row.replacement),
        bool(row.notify_on_enroll),
    )


def _pool(row: sa.Row[Any]) -> SeatPool:
    return SeatPool(
        id=PoolId(row.id),
        product_id=ProductId(row.product_id),
        title=row.title,
        leader_id=UserId(row.leader_id),
        seats=int(row.seats),
        used=int(row.used),
        consumed=int(row.consumed),
        created_at=row.created_at,
        company_id=None if row.company_id is None else CompanyId(row.company_id),
    )


def _pool_values(pool: SeatPool) -> dict[str, Any]:
    return {
        "id": pool.id,
        "product_id": pool.product_id,
        "title": pool.title,
        "leader_id": pool.leader_id,
        "seats": pool.seats,
        "used": pool.used,
        "consumed": pool.consumed,
        "created_at": pool.created_at,
        "company_id": pool.company_id,
    }


class _SeatPools(Repo):
    def get(self, pool_id: PoolId, *, for_update: bool = False) -> SeatPool | None:
        t = self._t.pools
        statement = sa.select(t).where(t.c.id == pool_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._row(statement)
        return None if row is None else _pool(row)

    def add(self, pool: SeatPool) -> None:
        try:
            self._c.execute(self._t.pools.insert(), _pool_values(pool))
        except sa.exc.IntegrityError as error:
            raise Conflict(f"seat pool {pool.id!r} exists or breaks a constraint") from error

    def update(self, pool: SeatPool) -> None:
        t = self._t.pools
        values = _pool_values(pool)
        del values["id"]
        try:
            result = self._c.execute(t.update().where(t.c.id == pool.id), values)
        except sa.exc.DBAPIError as error:
            if _is_transient(error):
                raise
            raise SeatsExhausted(f"seat pool {pool.id!r} would have {pool.usage}") from error
        if result.rowcount != 1:
            raise StorageError(f"no seat pool {pool.id!r} to update")

    def all(self) -> Sequence[SeatPool]:
        t = self._t.pools
        return [_pool(row) for row in self._rows(sa.select(t).order_by(t.c.id))]

    def reassign(self, source: CompanyId, target: CompanyId) -> None:
        t = self._t.pools
        self._c.execute(t.update().where(t.c.company_id == source).values(company_id=target))

    def led_by(self, company_id: CompanyId, user_id: UserId) -> Sequence[SeatPool]:
        t = self._t.pools
        mine = sa.and_(t.c.company_id == company_id, t.c.leader_id == user_id)
        return [_pool(row) for row in self._rows(sa.select(t).where(mine).order_by(t.c.id))]


def _enrollment(row: sa.Row[Any]) -> Enrollment:
    return Enrollment(PoolId(row.pool_id), UserId(row.user_id), row.enrolled_at)


class _Enrollments(Repo):
    def get(self, pool_id: PoolId, user_id: UserId) -> Enrollment | None:
        t = self._t.enrollments
        row = self._row(sa.select(t).where(t.c.pool_id == pool_id, t.c.user_id == user_id))
        return None if row is None else _enrollment(row)

    def of_pool(self, pool_id: PoolId) -> Sequence[Enrollment]:
        t = self._t.enrollments
        statement = sa.select(t).where(t.c.pool_id == pool_id).order_by(t.c.user_id)
        return [_enrollment(row) for row in self._rows(statement)]

    def add(self, enrollment: Enrollment) -> None:
        values = {
            "pool_id": enrollment.pool_id,
            "user_id": enrollment.user_id,
            "enrolled_at": enrollment.enrolled_at,
        }
        try:
            self._c.execute(self._t.enrollments.insert(), values)
        except sa.exc.IntegrityError as error:
            raise AlreadyEnrolled(f"{enrollment.user_id!r} is already enrolled") from error

    def add_many(self, enrollments: Sequence[Enrollment]) -> None:
        values = [
            {"pool_id": e.pool_id, "user_id": e.user_id, "enrolled_at": e.enrolled_at}
            for e in enrollments
        ]
        try:
            self._insert(self._t.enrollments, values)
        except sa.exc.IntegrityError as error:
            raise AlreadyEnrolled("a user of the batch is already enrolled") from error

    def remove(self, pool_id: PoolId, user_id: UserId) -> None:
        t = self._t.enrollments
        result = self._c.execute(t.delete().where(t.c.pool_id == pool_id, t.c.user_id == user_id))
        if result.rowcount != 1:
            raise StorageError(f"no enrollment of {user_id!r} to remove")

    def all(self) -> Sequence[Enrollment]:
        t = self._t.enrollments
        statement = sa.select(t).order_by(t.c.pool_id, t.c.user_id)
        return [_enrollment(row) for row in self._rows(statement)]


def _grant(row: sa.Row[Any]) -> TagGrant:
    return TagGrant(UserId(row.user_id), row.tag, row.source, row.granted_at)


class _TagGrants(Repo):
    def add(self, grant: TagGrant) -> None:
        values = {
            "user_id": grant.user_id,
            "tag": grant.tag,
            "source": grant.source,
            "granted_at": grant.granted_at,
        }
        try:
            self._c.execute(self._t.tags.insert(), values)
        except sa.exc.IntegrityError as error:
            raise Conflict(
                f"{grant.source} already grants {grant.tag!r} to {grant.user_id!r}"
            ) from error

    def add_many(self, grants: Sequence[TagGrant]) -> None:
        values = [
            {"user_id": g.user_id, "tag": g.tag, "source": g.source, "granted_at": g.granted_at}
            for g in grants
        ]
        try:
            self._insert(self._t.tags, values)
        except sa.exc.IntegrityError as error:
            raise Conflict("a grant of the batch already exists") from error

    def holders(self, tag: str, user_ids: Sequence[UserId]) -> frozenset[UserId]:
        t = self._t.tags
        statement = sa.select(t.c.user_id).where(t.c.tag == tag).distinct()
        return frozenset(
            UserId(row.user_id) for row in self._rows_in(t.c.user_id, user_ids, statement)
        )

    def remove(self, user_id: UserId, tag: str, source: str) -> None:
        t = self._t.tags
        result = self._c.execute(
            t.delete().where(t.c.user_id == user_id, t.c.tag == tag, t.c.source == source)
        )
        if result.rowcount != 1:
            raise StorageError(f"no grant of {tag!r} by {source} to remove")

    def sources(self, user_id: UserId, tag: str) -> Sequence[str]:
        t = self._t.tags
        statement = (
            sa.select(t.c.source).where(t.c.user_id == user_id, t.c.tag == tag).order_by(t.c.source)
        )
        return [row.source for row in self._rows(statement)]

    def lock_holders(self, user_ids: Sequence[UserId]) -> None:
        """Lock the users' rows in id order (SQLite's one writer needs no lock)."""
        users = self._t.users
        if self._c.dialect.name == "sqlite":
            return
        for chunk in chunks(sorted(user_ids)):
            locked = sa.select(users.c.id).where(users.c.id.in_(chunk)).order_by(users.c.id)
            self._c.execute(locked.with_for_update()).all()

    def tags_of(self, user_id: UserId) -> frozenset[str]:
        t = self._t.tags
        statement = sa.select(t.c.tag).where(t.c.user_id == user_id).distinct()
        return frozenset(row.tag for row in self._rows(statement))

    def all(self) -> Sequence[TagGrant]:
        t = self._t.tags
        statement = sa.select(t).order_by(t.c.user_id, t.c.tag, t.c.source)
        return [_grant(row) for row in self._rows(statement)]


# -- outbox ---------------------------------------------------------------------------


def _message(row: sa.Row[Any]) -> OutboxMessage:
    return OutboxMessage(int(row.position), event_from_dict(row.payload), row.delivered_at)


def _outbox_row(event: Event) -> dict[str, Any]:
    return {
        "event_type": event.type,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "company_id": event.company_id,
        "payload": event_to_dict(event),
    }


class _Outbox(Repo):
    def append(self, event: Event) -> None:
        self._c.execute(self._t.outbox.insert(), _outbox_row(event))

    def extend(self, events: Sequence[Event]) -> None:
        self._insert(self._t.outbox, [_outbox_row(event) for event in events])

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        statement = (
            sa.select(t).where(t.c.delivered_at.is_(None)).order_by(t.c.position).limit(limit)
        )
        return [_message(row) for row in self._rows(statement)]

    def mark_delivered(self, positions: Sequence[int], at: datetime) -> None:
        if not positions:
            return
        t = self._t.outbox
        self._c.execute(
            t.update()
            .where(t.c.position.in_(list(positions)), t.c.delivered_at.is_(None))
            .values(delivered_at=at)
        )

    def all(self) -> Sequence[OutboxMessage]:
        t = self._t.outbox
        return [_message(row) for row in self._rows(sa.select(t).order_by(t.c.position))]


class _SqlTransaction:
    def __init__(self, conn: Connection, tables: Tables) -> None:
        self._conn = conn
        self.users = _Users(conn, tables)
        self.companies = _Companies(conn, tables)
        self.memberships = _Memberships(conn, tables)
        self.invitations = _Invitations(conn, tables)
        self.products = _Products(conn, tables)
        self.pools = _SeatPools(conn, tables)
        self.enrollments = _Enrollments(conn, tables)
        self.tags = _TagGrants(conn, tables)
        self.properties = PropertyDefinitions(conn, tables)
        self.articles = Articles(conn, tables)
        self.licenses = Licenses(conn, tables)
        self.leads = Leads(conn, tables)
        self.inbox = InboxRequests(conn, tables)
        self.records = Records(conn, tables)
        self.links = ServiceLinks(conn, tables)
        self.outbox = _Outbox(conn, tables)
        self.committed = False

    def commit(self) -> None:
        self._conn.commit()
        self.committed = True
