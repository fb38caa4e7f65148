"""The SQL store: every port implemented with SQLAlchemy Core statements.

One command = one database transaction: its writes and its outbox events commit
together or not at all (R-ALL-3, R-ALL-4). ``Companies.get(for_update=True)`` takes a
row lock (``SELECT ... FOR UPDATE``) on PostgreSQL and MariaDB, so commands on one
company run one after another; SQLite write transactions start with
``BEGIN IMMEDIATE``, which serializes writers for the whole file. Driver errors are
translated at this edge into [teamaccess.errors][] (``raise ... from``).

Outages (R-ALL-10): a connection the store takes, kept or pooled, is looked at before
use (a closed socket, or data waiting on an idle one, costs no round trip to see) and
pinged when it has been idle for half a second, so the first call after a restart
runs on a live connection even on an engine built without ``pool_pre_ping``; a
connection that dies under a check is replaced and the check asked once more; a
disconnect in a command before its COMMIT raises `TransientStorageError` (the service
retries the command on a fresh connection). While the server is unreachable every
call raises `StorageError`, never a driver's own exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import select
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection
from typing_extensions import ParamSpec

from teamaccess.adapters.sql._bridge import pause, run_sync
from teamaccess.adapters.sql._cache import FactCache, Listener, Poller, sync_sqlite
from teamaccess.adapters.sql._changes import publish, publish_everything, republish_if_slow
from teamaccess.adapters.sql._locks import LOCK_WRITES, data_columns
from teamaccess.adapters.sql._missing import schema_missing
from teamaccess.adapters.sql._people import company_from_row
from teamaccess.adapters.sql._raw import RawSelect, on_cursor, padded, sqlite_version, watched
from teamaccess.adapters.sql._replicas import PRIMARY_LSN, Router, pause_for
from teamaccess.adapters.sql._repo import is_read_only, is_transient
from teamaccess.adapters.sql._schema import (
    DEFAULT_PREFIX,
    SCHEMA_VERSION,
    Tables,
    build_tables,
    version_table,
)
from teamaccess.adapters.sql._transaction import SqlTransaction
from teamaccess.domain.consistency import Consistency, ConsistencyToken
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.models import (
    Company,
    Membership,
)
from teamaccess.domain.roles import split_roles
from teamaccess.domain.windows import Window
from teamaccess.errors import (
    Conflict,
    InvalidInput,
    ReadOnlyStorage,
    StorageError,
    TeamAccessError,
    TransientStorageError,
)
from teamaccess.ports import CheckFacts

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from teamaccess.adapters.sql._bound import BoundSqlStore

_P = ParamSpec("_P")
_T = TypeVar("_T")

__all__ = ["SqlStore", "create_async_engine", "create_engine"]

_WRITE_OPTION = "teamaccess_write"
_PGBOUNCER = "teamaccess_pgbouncer"  # an engine made by create_engine(..., pgbouncer=True)
_KNOWN_ROWS = 10_000  # parsed rows (and companies) check_facts keeps
_UNCHECKED_IDLE = 0.5  # seconds a kept read connection may idle and be used without a ping
_DISCARDING: set[asyncio.Task[None]] = set()  # connections being discarded, kept from the GC
_FAST_PATH_CONNECTIONS = 8  # the default bound of the check's own connections
_KEPT = "teamaccess_kept"  # in a kept SQLite connection's info: it only ever reads
_USED = "teamaccess_used"  # in a pooled connection's info: when the store last gave it back
_DEAD_TRIES = 20  # dead pooled connections replaced before a call gives up on the pool
_SEEN = "teamaccess_seen"  # in a kept SQLite connection's info: the version it last synced at
_NO_FACTS: CheckFacts = (None, None, None, None, None)
_TOKEN_KINDS = {"sqlite": "s", "mysql": "y", "postgresql": "p"}
_LOG = logging.getLogger("teamaccess.storage")


def create_engine(url: str | sa.URL, *, pgbouncer: bool = False, **options: Any) -> Engine:
    """Create an engine configured the way [SqlStore][teamaccess.adapters.sql.SqlStore] wants it.

    SQLite files get a 30 s busy timeout; everything else is SQLAlchemy's
    ``create_engine`` with ``pool_pre_ping``. ``options`` override these defaults
    (``connect_args`` are merged).

    Args:
        url: The database URL.
        pgbouncer: PostgreSQL is reached through PgBouncer in transaction pooling mode
            (or another pooler that gives each transaction whichever server connection
            is free): psycopg then never prepares a statement on the server
            (``prepare_threshold=None``; by default it prepares one after 5 uses, and
            the next transaction of the same connection, on another server connection,
            fails with ``prepared statement "_pg3_0" does not exist`` or ``already
            exists``). It reaches every connection the store makes or keeps, the kept
            ones of the permission check included.
        **options: Passed on to SQLAlchemy's ``create_engine``.

    Raises:
        InvalidInput: ``pgbouncer`` for a database other than PostgreSQL.
    """
    url = sa.make_url(url)
    defaults: dict[str, Any] = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        defaults = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if pgbouncer:
        defaults["connect_args"] = _pgbouncer_args(url)
    connect_args = {**defaults.get("connect_args", {}), **options.pop("connect_args", {})}
    if connect_args:
        options["connect_args"] = connect_args
    engine = sa.create_engine(url, **{**defaults, **options})
    return engine.execution_options(**{_PGBOUNCER: True}) if pgbouncer else engine


def create_async_engine(
    url: str | sa.URL, *, pgbouncer: bool = False, **options: Any
) -> AsyncEngine:
    """SQLAlchemy's ``create_async_engine``, ready for PgBouncer if asked.

    Args:
        url: The database URL of an async driver (asyncpg, aiosqlite, asyncmy).
        pgbouncer: PostgreSQL is reached through PgBouncer in transaction pooling mode:
            asyncpg keeps no statement cache (``statement_cache_size=0``), SQLAlchemy's
            dialect none either (``prepared_statement_cache_size=0``), and the statements
            it still prepares to learn the columns are unnamed, parsed again with each
            execution: nothing is left on a server connection for another client to
            meet (``prepared statement "__asyncpg_stmt_1__" already exists``) or for
            this one to miss on the next (``... does not exist``).
        **options: Passed on to SQLAlchemy's ``create_async_engine``
            (``connect_args`` are merged).

    Raises:
        InvalidInput: ``pgbouncer`` for a database other than PostgreSQL.
    """
    from sqlalchemy.ext.asyncio import create_async_engine as create

    url = sa.make_url(url)
    if pgbouncer:
        options["connect_args"] = {**_pgbouncer_args(url), **options.get("connect_args", {})}
    return create(url, **options)


def _pgbouncer_args(url: sa.URL) -> dict[str, Any]:
    """The connect arguments that keep a PostgreSQL driver from server-side statements."""
    if url.get_backend_name() != "postgresql":
        raise InvalidInput(f"pgbouncer=True is for PostgreSQL, not {url.get_backend_name()}")
    if url.get_driver_name() == "asyncpg":
        return {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _statement_name,
        }
    return {"prepare_threshold": None}


def _statement_name() -> str:
    """No name: asyncpg's unnamed statement, parsed again with each execution.

    SQLAlchemy's asyncpg dialect prepares every statement to learn its columns. A named
    statement lives on the server connection it was prepared on, and any later use of
    it that PgBouncer sends to another one fails (seen under churn in the tests, with
    unique names: ``prepared statement "__teamaccess_<uuid>__" does not exist``). With
    no statement cache, asyncpg (0.29 and later) sends an unnamed statement's parse
    again together with its execution: nothing is left to miss.
    """
    return ""


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
    # Deleted and replaced content is overwritten with zeros, so that an erased
    # person's data leaves no trace in the file's free space (GDPR art. 17).
    cursor.execute("PRAGMA secure_delete = ON")
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
            suitable one. An ``AsyncEngine`` (aiosqlite, asyncpg, asyncmy) makes a store
            for [AsyncTeamAccess][teamaccess.AsyncTeamAccess]; its methods then run in
            SQLAlchemy's greenlet bridge ([run_sync][teamaccess.adapters.sql.SqlStore.run_sync]).
        prefix: Prefix of every table, constraint and index name.
        metadata: A host ``MetaData`` to declare the tables on (e.g. for the host's
            own Alembic autogenerate); a new one if omitted.
        fast_path_connections: How many connections the permission check and the
            queries may keep open between uses, one per concurrent thread. They come
            from a pool of the store's own, made like the engine's (same URL, connect
            arguments and ``connect`` listeners), so they never hold a connection of
            the engine's pool idle: count them on top of ``pool_size`` against the
            server's connection limit. The default is 8; ``0`` turns keeping off, and
            every read checks a connection out of the engine's pool (the default of an
            ``AsyncEngine``, of ``NullPool``, and of in-memory SQLite pools, which keep
            one connection per thread anyway). When all are in use, a read checks one
            out of the engine's pool.
        replicas: PostgreSQL streaming replicas (engines, sync or async like
            ``engine``) for reads that name a consistency (R-ALL-12):
            ``at_least(token)`` runs on a replica that has replayed the token,
            ``minimize_latency(s)`` on one at most ``s`` behind, anything else on the
            primary; commands always run on the primary. Each replica gets a store of
            its own (its own kept connections, ``fast_path_connections`` of them).
        replica_wait: How long an ``at_least`` read waits for a replica to replay its
            token before it runs on the primary; by default it does not wait.
        lock_writes: Whether a command writes every row it locks (a
            ``lock_version`` counter bumped right after the ``SELECT ... FOR
            UPDATE``), so that a multi-primary cluster such as MariaDB Galera sees
            the conflict at certification (R-ALL-12). The default; one more
            statement per lock. ``False`` saves it where every write goes to one
            server (a single PostgreSQL or MariaDB, or Galera with one writer
            node); never on multi-primary. SQLite writes nothing either way.
        cache_refresh: PostgreSQL and MariaDB/MySQL (sync engines): remember the facts
            of recent checks in this process, and hear every change any process commits
            (PostgreSQL ``LISTEN``, MariaDB a poll of the change log), confirming every
            ``cache_refresh`` that nothing was missed. Reads with
            ``Consistency.minimize_latency(s)`` answer from memory while the last
            confirmation is at most ``s`` old, and (PostgreSQL) ``at_least(token)``
            once the token has been heard; any other read asks the database. A thread
            and a connection of their own; stopped by ``engine.dispose()``. SQLite needs
            none of it: its checks remember exactly, whatever the mode (issue 29).

    The store does not create tables; call `create_schema` once for a new
    database, or run the shipped Alembic migrations
    ([upgrade_schema][teamaccess.adapters.sql.upgrade_schema]).
    """

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        *,
        prefix: str = DEFAULT_PREFIX,
        metadata: sa.MetaData | None = None,
        fast_path_connections: int | None = None,
        configure_connections: bool = True,
        replicas: Sequence[Engine | AsyncEngine] = (),
        replica_wait: timedelta = timedelta(0),
        lock_writes: bool = True,
        cache_refresh: timedelta | None = None,
    ) -> None:
        sync_engine: Engine = getattr(engine, "sync_engine", None) or engine  # type: ignore[assignment]
        self.is_async = sync_engine is not engine
        """Whether the engine is an ``AsyncEngine``: methods must run in `run_sync`."""
        self.tables = build_tables(prefix, metadata)
        self.dialect = sync_engine.dialect.name
        self._facts = RawSelect(_check_statement(self.tables), sync_engine.dialect)
        self._many: sa.Select[Any] | None = None  # check_facts_many's, built on first use
        # On a server a check first reads the company and the membership alone: that
        # answers for a member, and for anyone in a company without a parent (the
        # ancestor's part of the statement costs PostgreSQL about as much again, and
        # MariaDB plans its subquery on every check). Only a non-member, or a member
        # whose window may have ended, of an account with a parent then reads the whole
        # statement, whose row replaces the first: one snapshot decides (R-ALL-12).
        self._member = (
            RawSelect(_member_statement(self.tables), sync_engine.dialect)
            if self.dialect in ("postgresql", "mysql")
            else None
        )
        self._tail = (  # the whole statement's columns after the member's: NULL then
            0
            if self._member is None
            else len(self._facts.statement.selected_columns)
            - len(self._member.statement.selected_columns)
        )
        # Parsed answers by their row: equal rows give equal (immutable) values.
        self._known: dict[tuple[Any, ...], CheckFacts] = {}
        # Parsed companies by their part of the row: a company's members share it.
        self._companies: dict[tuple[Any, ...], Company] = {}
        company_columns = [col.name for col in data_columns(self.tables.companies)]
        self._company_columns = len(company_columns)
        self._parent_column = company_columns.index("parent_id")
        # Kept read connections with the time each was last returned.
        self._readers: queue.SimpleQueue[tuple[Connection, float]] = queue.SimpleQueue()
        self._plain_readers: queue.SimpleQueue[tuple[Connection, float]] = queue.SimpleQueue()
        self._own_pool, cap = _fast_path_pool(sync_engine, fast_path_connections, self.is_async)
        self._driver_errors = _driver_errors(sync_engine.dialect)
        self._storage_errors: tuple[type[Exception], ...] = (
            *self._driver_errors,
            sa.exc.SQLAlchemyError,
        )
        self._suspect = _suspicion(sync_engine.dialect)
        self._pinged = bool(getattr(sync_engine.pool, "_pre_ping", False))
        self.fast_path_connections = cap
        """The bound on connections kept open for reads (0: none are kept)."""
        # `check_facts_awaited` on asyncpg itself.
        self._awaitable = self.is_async and sync_engine.dialect.driver == "asyncpg"
        event.listen(sync_engine, "engine_disposed", self._close_readers)
        if not configure_connections:
            self.engine = sync_engine
        elif self.dialect == "sqlite":
            _configure_sqlite(sync_engine)
            self.engine = sync_engine
        else:
            self.engine = sync_engine.execution_options(isolation_level="READ COMMITTED")
        self.token_kind = _TOKEN_KINDS.get(self.dialect, "s")
        """The kind of the consistency tokens this store issues (R-ALL-12)."""
        self._router = self._replicas(
            replicas, replica_wait, prefix=prefix, fast_path_connections=fast_path_connections
        )
        self.lock_writes = lock_writes
        """Whether every row a command locks is also written (see ``lock_writes``)."""
        if not lock_writes:
            self.engine = self.engine.execution_options(**{LOCK_WRITES: False})
        self._cache: FactCache | None = None
        self._feed: Listener | Poller | None = None
        if self.dialect == "sqlite" and not self.is_async:
            self._cache = FactCache(exact=True)
        elif cache_refresh is not None:
            self._follow(cache_refresh)
        self._remembering = _Remembering(self)

    def _follow(self, refresh: timedelta) -> None:
        """Start the thread that keeps this process's check cache current."""
        if not isinstance(refresh, timedelta) or refresh <= timedelta(0):
            raise InvalidInput(f"cache_refresh must be a timedelta > 0: {refresh!r}")
        driver = self.engine.dialect.driver
        if self.engine.get_execution_options().get(_PGBOUNCER):
            raise InvalidInput(
                "cache_refresh needs LISTEN on a session of its own, which PgBouncer's "
                "transaction pooling does not keep: give it an engine that reaches "
                "PostgreSQL directly"
            )
        if self.is_async or driver not in {"psycopg", "pymysql", "mysqldb"}:
            raise InvalidInput(
                f"cache_refresh needs a sync PostgreSQL (psycopg) or MariaDB/MySQL engine, "
                f"not {self.dialect}+{driver}{' (async)' if self.is_async else ''}"
            )
        cache = self._cache = FactCache()
        seconds = refresh.total_seconds()
        if self.dialect == "postgresql":
            self._feed = Listener(cache, self._own_connection, seconds, self.tables, self._beat)
        else:
            self._feed = Poller(cache, self._own_connection, seconds, self.tables)
        self._feed.start()
        event.listen(self.engine, "engine_disposed", self._stop_feed)

    def _own_connection(self) -> Any:
        """A driver connection out of the engine's pool for good (the cache's thread's)."""
        proxied = self.engine.raw_connection()
        driver = proxied.driver_connection
        proxied.detach()
        return driver

    def _beat(self, channel: str, payload: str) -> None:
        """Notify ``channel`` of ``payload`` followed by the WAL insert position now."""
        with self._translate(), self._kept(autocommit=True) as conn:
            conn.exec_driver_sql(
                "SELECT pg_notify(%(channel)s, %(payload)s || pg_current_wal_insert_lsn()::text)",
                {"channel": channel, "payload": payload},
            )

    def _stop_feed(self, _engine: Engine | None = None) -> None:
        feed = self._feed
        if feed is not None:
            feed.stop()
            feed.join(timeout=5)

    @property
    def cache(self) -> FactCache | None:
        """This process's remembered check facts (None: every check asks the database)."""
        return self._cache

    @classmethod
    def from_url(
        cls,
        url: str | sa.URL,
        *,
        prefix: str = DEFAULT_PREFIX,
        replicas: Sequence[str | sa.URL] = (),
        replica_wait: timedelta = timedelta(0),
    ) -> SqlStore:
        """Create a store for a database URL such as ``sqlite:///teamaccess.db``.

        ``replicas``: URLs of PostgreSQL streaming replicas for reads (see the class).
        """
        return cls(
            create_engine(url),
            prefix=prefix,
            replicas=[create_engine(replica) for replica in replicas],
            replica_wait=replica_wait,
        )

    def _replicas(
        self,
        replicas: Sequence[Engine | AsyncEngine],
        wait: timedelta,
        *,
        prefix: str,
        fast_path_connections: int | None,
    ) -> Router[SqlStore] | None:
        """The router over stores of the replicas, or None without replicas."""
        if isinstance(replicas, str | bytes) or not isinstance(replicas, Sequence):  # type: ignore[unreachable]
            raise InvalidInput(f"replicas must be a sequence of engines: {replicas!r}")
        if not isinstance(wait, timedelta) or wait < timedelta(0):
            raise InvalidInput(f"replica_wait must be a timedelta >= 0: {wait!r}")
        if not replicas:
            return None
        if self.dialect != "postgresql":
            raise InvalidInput(
                f"read replicas are routed on PostgreSQL only, not {self.dialect}: "
                "send reads to a MariaDB replica with a store of its own"
            )
        stores = []
        for number, engine in enumerate(replicas, 1):
            replica = SqlStore(engine, prefix=prefix, fast_path_connections=fast_path_connections)
            if replica.is_async != self.is_async or replica.dialect != self.dialect:
                raise InvalidInput(
                    f"replica {number} must be a {self.dialect} engine, async like the "
                    f"primary's: {engine!r}"
                )
            url = replica.engine.url
            stores.append((replica, f"replica {number} ({url.host}:{url.port})"))
        return Router(self, stores, wait=wait.total_seconds(), pause=pause_for(self.is_async))

    def route(self, consistency: Consistency) -> SqlStore:
        """The store a read with ``consistency`` runs on: this one, or a replica's (R-ALL-12)."""
        cache = self._cache
        if cache is not None and not cache.exact and cache.serves(consistency):
            return self._remembering  # type: ignore[return-value]
        router = self._router
        return self if router is None else router.route(consistency)

    @property
    def replicas(self) -> tuple[SqlStore, ...]:
        """The stores of the replicas, in the order given (dispose their engines at exit)."""
        router = self._router
        return () if router is None else tuple(r.store for r in router.replicas)

    def read_counts(self) -> dict[str, int]:
        """How many reads that named a consistency each node served: ``primary``, replicas.

        Empty for a store without replicas (every read runs on its one database).
        """
        router = self._router
        return {} if router is None else dict(router.counts)

    def current_token(self) -> ConsistencyToken:
        """The primary's position now: at or past every command committed before the call.

        For a host that runs commands in its own transaction (``store.bind``): ask
        after its COMMIT, and that transaction's writes are at or below the token.
        """
        taken = time.monotonic()
        position = self.position_number(self.position_query())
        if self._router is not None:
            self._router.note_primary(taken, position)
        return ConsistencyToken(self.token_kind, position)

    def position_query(self) -> str:
        """The query of this store's current position (what `current_token` runs)."""
        return PRIMARY_LSN if self.dialect == "postgresql" else self._outbox_top()

    def position_number(self, sql: str) -> int:
        """The integer one position query answers, on a kept connection (NULL: -1)."""
        with self._translate(), self._kept(autocommit=True) as conn:
            value = conn.exec_driver_sql(sql).scalar()
        return -1 if value is None else int(value)

    def _outbox_top(self) -> str:
        """The query of the outbox's highest position (0 for an empty outbox)."""
        outbox = self.tables.outbox
        return f"SELECT coalesce(max(position), 0) FROM {outbox.name}"  # noqa: S608 - our name

    def _issue(self, conn: Connection, *, committed: bool) -> ConsistencyToken | None:
        """The token of the command on ``conn``: before COMMIT (outbox), after (PostgreSQL).

        On SQLite the write lock is held until COMMIT, and on MariaDB the outbox's top
        is read inside the transaction: either is at or past the command's own events.
        On PostgreSQL only a WAL position read after COMMIT is past the commit record
        (read before, a replica could reach it and still miss the commit). A failure
        to read it after COMMIT must not fail the committed command: no token then.
        """
        if (self.dialect == "postgresql") is not committed:
            return None
        sql = PRIMARY_LSN if committed else self._outbox_top()
        taken = time.monotonic()
        try:
            value = conn.exec_driver_sql(sql).scalar()
        except self._storage_errors as error:
            if not committed:
                raise
            _LOG.warning("no consistency token after the commit: %s", _orig(error))
            return None
        position = 0 if value is None else int(value)
        if committed and self._router is not None:
            self._router.note_primary(taken, position)
        return ConsistencyToken(self.token_kind, position)

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

    def scrub(self) -> None:
        """Leave no older copy of replaced or deleted rows in SQLite's files.

        Called after an erasure (``ta.privacy.erase``). SQLite connections run with
        ``secure_delete``, which zeroes deleted content in the database's pages; this
        moves the write-ahead log into the database and truncates it, so that the log's
        older page images go too. On PostgreSQL and MariaDB old row versions are the
        server's to reclaim (``VACUUM``, the purge thread): nothing happens here.
        """
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def clear(self) -> None:
        """Delete every row of this store's tables, keeping the schema (for tests).

        Every process's check cache forgets all it remembers, this one's at once.
        """
        with self.engine.begin() as conn:
            for table in self.tables.in_delete_order():
                conn.execute(table.delete())
            publish_everything(conn, self.tables)
        if self._cache is not None:
            self._cache.forget_all()

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """Begin a unit of work; it rolls back unless ``commit()`` was called."""
        with self._translate(), self._pooled() as raw:
            conn = raw.execution_options(**{_WRITE_OPTION: True})
            conn.begin()

            def commit() -> None:
                publish(conn, self.tables, tx.changed)
                tx.token = self._issue(conn, committed=False)
                began = time.monotonic()
                try:
                    conn.commit()
                except sa.exc.DBAPIError as error:
                    if error.connection_invalidated:  # the outcome is unknown: not retried
                        raise StorageError(
                            f"{self.dialect}: the connection was lost during COMMIT; "
                            f"the command may or may not have been applied: {error.orig}"
                        ) from error
                    raise
                cache = self._cache
                if cache is not None and tx.changed:  # read-your-writes in this process
                    cache.forget(tx.changed.companies, tx.changed.users)
                republish_if_slow(conn, self.tables, tx.changed, began)
                tx.token = tx.token or self._issue(conn, committed=True)

            tx = SqlTransaction(conn, self.tables, commit=commit)
            try:
                yield tx
            finally:
                if not tx.committed:
                    conn.rollback()

    def bind(self, connection: Connection | AsyncConnection) -> BoundSqlStore:
        """This store on a connection the host owns, inside the host's transaction.

        Every command of a service on the bound store runs in a SAVEPOINT of the host's
        transaction: a refused or failed command rolls back its savepoint only, and
        nothing (outbox rows included) commits until the host commits. See
        [TeamAccess.bind][teamaccess.TeamAccess.bind].
        """
        from teamaccess.adapters.sql._bound import BoundSqlStore

        return BoundSqlStore(self, connection)

    def pause(self, seconds: float) -> None:
        """Wait between a command's retries; on an async engine, an await on the loop."""
        pause(seconds)

    async def run_sync(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Await ``fn(*args, **kwargs)``, which uses this store, on the running event loop.

        On a store over an ``AsyncEngine`` every method (``create_schema``, ``clear``,
        a transaction) does its I/O through SQLAlchemy's greenlet bridge, so it must
        run inside this call: ``await store.run_sync(store.create_schema)``. No thread
        is involved. On a store over a plain ``Engine`` the call simply runs ``fn``.
        """
        return await run_sync(self.is_async, fn, *args, **kwargs)

    @contextmanager
    def reader(self, *, one_statement: bool = False) -> Iterator[SqlTransaction]:
        """Begin a read-only transaction; it sees only committed state.

        With ``one_statement`` there is no BEGIN and no ROLLBACK: the caller's single
        statement runs in autocommit on a kept connection and sees one snapshot.
        """
        if one_statement:
            with self._translate(), self._kept(autocommit=True) as conn:
                yield SqlTransaction(conn, self.tables)
            return
        with self._translate(), self._kept(autocommit=False) as conn:
            conn.begin()
            try:
                yield SqlTransaction(conn, self.tables)
            finally:
                conn.rollback()

    def check_facts(self, company_id: str, user_id: str) -> CheckFacts:
        """The company and the membership in one prebuilt statement (the check's hot path).

        (On PostgreSQL and MariaDB the company and membership come first, and the whole
        statement only when they leave an ancestor to read; its row alone decides.) It
        runs on one of a few connections kept open for it in autocommit mode (a single
        statement sees one snapshot); when they are all busy, on a pooled one.
        On SQLite a kept connection remembers its answers while nothing has been
        committed since (``PRAGMA data_version``): then a check costs that pragma.
        """
        # The common case without the context managers of `_kept` and `_translate`
        # (they cost half as much as a remembered answer): an idle kept connection,
        # used within the last half second, answers. Anything else takes the long way.
        try:
            conn, used = self._readers.get_nowait()
        except queue.Empty:
            return self._read_facts(company_id, user_id)
        if time.monotonic() - used >= _UNCHECKED_IDLE:
            self._readers.put((conn, used))  # the long way pings it
            return self._read_facts(company_id, user_id)
        try:
            facts = self._facts_on(conn, company_id, user_id)
        except sa.exc.DBAPIError as error:
            conn.invalidate()
            conn.close()
            if error.connection_invalidated:  # the others are likely dead too
                self._close_readers()
            return self._read_facts(company_id, user_id)  # translated, or once more
        self._readers.put((conn, time.monotonic()))
        return facts

    async def check_facts_awaited(self, company_id: str, user_id: str) -> CheckFacts | None:
        """`check_facts` awaited on asyncpg's own connection, or ``None``: take the bridge.

        Through SQLAlchemy's greenlet bridge an awaited check pays a switch each way and
        the adapter's cursor on top of the driver (``benchmarks/async_checks.py``). On
        ``postgresql+asyncpg`` this takes an idle kept connection (autocommit, used
        within the last half second), runs the check's prebuilt statement with asyncpg's
        ``fetchrow`` (prepared once per connection) and parses the row as `check_facts`
        does. Anything else answers ``None`` and the caller takes the bridge, which
        pings, retries and translates errors as every read does: another driver, no
        kept connection idle, a host listening to cursor executions (it would not see
        the statement), a driver error (the connection is discarded first).
        """
        if not self._awaitable:
            return None
        try:
            conn, used = self._readers.get_nowait()
        except queue.Empty:
            return None
        if time.monotonic() - used >= _UNCHECKED_IDLE or watched(conn):
            self._readers.put((conn, used))
            return None
        driver: Any = conn.connection.driver_connection
        try:
            record = await self._fetched(driver, company_id, user_id)
        except Exception:
            await self.run_sync(_discard, conn)
            return None
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            task = asyncio.get_running_loop().create_task(self.run_sync(_discard, conn))
            _DISCARDING.add(task)
            task.add_done_callback(_DISCARDING.discard)
            raise
        self._readers.put((conn, time.monotonic()))
        return _NO_FACTS if record is None else self._parsed(record, user_id)

    async def _fetched(self, driver: Any, company_id: str, user_id: str) -> tuple[Any, ...] | None:
        """`_first` with asyncpg's ``fetchrow``: the member's row, or the whole one if needed."""
        params = {"company_id": company_id, "user_id": user_id}
        member = self._member
        assert member is not None  # noqa: S101 - PostgreSQL reads the member's row first
        row = await driver.fetchrow(member.sql, *member.bound(params))
        if row is None:
            return None
        if self._needs_whole(row):
            whole = await driver.fetchrow(self._facts.sql, *self._facts.bound(params))
            return None if whole is None else tuple(whole)
        return padded(tuple(row), self._tail)

    def check_facts_many(self, company_ids: Sequence[str], user_id: str) -> dict[str, CheckFacts]:
        """The facts of `check_facts` for each of ``company_ids`` that exists, in one statement.

        For ``ta.access.check_many``: the check's statement over all the companies at
        once (where a single check on PostgreSQL or MariaDB may take two).
        """
        if not company_ids:
            return {}
        with self._translate(), self._kept(autocommit=True) as conn:
            return self.check_facts_many_on(conn, company_ids, user_id)

    def check_facts_many_on(
        self, conn: Connection, company_ids: Sequence[str], user_id: str
    ) -> dict[str, CheckFacts]:
        """`check_facts_many` on ``conn`` (a bound store's: the host's connection)."""
        if not company_ids:
            return {}
        if self._many is None:
            self._many = _check_statement(self.tables, many=True)
        with self._translate():
            rows = conn.execute(self._many, {"company_ids": list(company_ids), "user_id": user_id})
            return {row.id: self._facts_of(row, UserId(user_id)) for row in rows}

    def _read_facts(self, company_id: str, user_id: str) -> CheckFacts:
        with self._translate():
            try:
                with self._kept(autocommit=True) as conn:
                    return self._facts_on(conn, company_id, user_id)
            except sa.exc.DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                # The kept connection died (a restart, an idle timeout, a kill): the
                # others are likely dead too; answer once more on a fresh one.
                self._close_readers()
                with self._kept(autocommit=True) as conn:
                    return self._facts_on(conn, company_id, user_id)

    def _facts_on(self, conn: Connection, company_id: str, user_id: str) -> CheckFacts:
        cache = self._exact(conn)
        key = (company_id, user_id)
        generation = 0
        if cache is not None:
            found: CheckFacts | None = cache.get(key)
            if found is not None:
                return found
            generation = cache.generation
        row = self._first(conn, {"company_id": company_id, "user_id": user_id})
        facts = _NO_FACTS if row is None else self._parsed(row, user_id)
        if cache is not None:
            cache.put(key, facts, generation)
        return facts

    def remembered_facts(self, company_id: str, user_id: str) -> CheckFacts:
        """`check_facts` from this process's cache; a miss reads the primary and is kept."""
        cache = self._cache
        assert cache is not None  # noqa: S101 - only routed here with a cache
        key = (company_id, user_id)
        found: CheckFacts | None = cache.get(key)
        if found is not None:
            return found
        generation = cache.generation
        facts = self.check_facts(company_id, user_id)
        cache.put(key, facts, generation)
        return facts

    def _first(self, conn: Connection, params: dict[str, str]) -> tuple[Any, ...] | None:
        """The check's row: the company and membership, or (see ``_member``) the whole row."""
        member = self._member
        if member is None:
            return self._facts.first(conn, params)
        row = member.first(conn, params)
        if row is None:
            return None
        if self._needs_whole(row):
            return self._facts.first(conn, params)
        return padded(row, self._tail)

    def _needs_whole(self, member_row: Sequence[Any]) -> bool:
        """Whether the member's row leaves the ancestor to read: the whole statement, then.

        A non-member, or a member whose window may have ended (R-TIME-1), of an account
        with a parent may see it from an ancestor (R-PART-2).
        """
        width = self._company_columns
        unsure = (
            member_row[width] is None
            or member_row[width + _STARTS] is not None
            or member_row[width + _EXPIRES] is not None
        )
        return unsure and member_row[self._parent_column] is not None

    def _parsed(self, row: tuple[Any, ...], user_id: str) -> CheckFacts:
        key = (user_id, *row)  # the driver's values, JSON read as text: hashable
        facts = self._known.get(key)
        if facts is None:
            if len(self._known) >= _KNOWN_ROWS:
                self._known.clear()
            company = self._companies.get(row[: self._company_columns])
            facts = self._facts_of(self._facts.processed(row), UserId(user_id), company)
            if company is None:
                if len(self._companies) >= _KNOWN_ROWS:
                    self._companies.clear()
                self._companies[row[: self._company_columns]] = facts[0]
            self._known[key] = facts
        return facts

    def _exact(self, conn: Connection) -> FactCache | None:
        """The exact cache, brought up to date on a kept SQLite connection; or None.

        Only the store's own kept connections use it (they never write; a host's pooled
        connection could have changed the schema itself), and not while the host
        watches its SQL (it sees every check's statement). ``PRAGMA data_version`` is
        read before the change log and the facts: a commit in between changes it
        again, so the next check reads the log once more.
        """
        cache = self._cache
        info = conn.info
        if cache is None or not cache.exact or not info.get(_KEPT) or watched(conn):
            return None
        version = sqlite_version(conn)
        if version is None:
            return None
        if info.get(_SEEN) != version:
            on_cursor(conn, lambda cursor: sync_sqlite(cache, cursor, self.tables))
            info[_SEEN] = version
        return cache

    @staticmethod
    def _facts_of(
        row: Any, user_id: UserId, company: Company | None = None
    ) -> tuple[Company, Membership | None, Membership | None, Company | None, Window | None]:
        """The facts of a processed row (``company``: its company, parsed already)."""
        if company is None:
            company = company_from_row(row, _loads)
        member = None
        if row.m_role is not None:
            member = _joined_membership(row, "m_", company.id, user_id)
        if row.a_role is None:
            return company, member, None, None, None
        above = _joined_membership(row, "a_", row.a_company_id, user_id)  # or a windowed member's
        sight = Window(row.s_starts_at, row.s_expires_at)  # every link below it (R-TIME-1)
        return (
            company, member, above, company_from_row(_Prefixed(row, "ac_"), _loads),
            None if sight.unbounded else sight,
        )  # fmt: skip

    @contextmanager
    def _kept(self, *, autocommit: bool) -> Iterator[Connection]:
        """A connection for reads, kept open between uses; pooled when all are busy.

        Checking a connection out of the pool costs more than a primary-key select.
        Kept connections come from the store's own pool of ``fast_path_connections``;
        when it has none left, the read checks one out of the engine's pool and gives
        it back. A kept connection idle for longer than half a second is pinged before
        use (the way HikariCP skips validation of recently used connections), so the
        first read after a database restart gets a live connection.
        """
        kept, other = (
            (self._readers, self._plain_readers)
            if autocommit
            else (self._plain_readers, self._readers)
        )
        own = self._own_pool
        conn = None if own is None else self._take(kept, other, own, autocommit=autocommit)
        if conn is None:
            with self._pooled() as pooled:
                if autocommit:
                    pooled.execution_options(isolation_level="AUTOCOMMIT")
                yield pooled
            return
        try:
            yield conn
        except sa.exc.DBAPIError:
            conn.invalidate()
            conn.close()
            raise
        except Exception:  # the caller's own error (a denial inside a read): it is fine
            kept.put((conn, time.monotonic()))
            raise
        except BaseException:  # interrupted mid-use: back to the own pool, which resets it
            conn.close()
            raise
        kept.put((conn, time.monotonic()))

    def _take(
        self,
        kept: queue.SimpleQueue[tuple[Connection, float]],
        other: queue.SimpleQueue[tuple[Connection, float]],
        own: sa.pool.Pool,
        *,
        autocommit: bool,
    ) -> Connection | None:
        """A live kept connection, a new one of the own pool, or None when it is used up.

        When the own pool is used up but the other kind (autocommit or not) keeps one
        idle, that one goes back to the pool (which resets its isolation level) and
        comes out for this kind.
        """
        while True:
            try:
                conn, used = kept.get_nowait()
            except queue.Empty:
                new = self._new_kept(other, own)
                if new is not None and autocommit:
                    new.execution_options(isolation_level="AUTOCOMMIT")
                return new
            recent = time.monotonic() - used < _UNCHECKED_IDLE
            if (recent and not self._suspect(conn.connection)) or self._alive(conn.connection):
                return conn
            conn.invalidate()
            conn.close()

    def _new_kept(
        self, other: queue.SimpleQueue[tuple[Connection, float]], own: sa.pool.Pool
    ) -> Connection | None:
        try:
            return self._kept_connection(own)
        except sa.exc.TimeoutError:  # the own pool (timeout 0) is used up
            try:
                idle, _ = other.get_nowait()
            except queue.Empty:
                return None
            idle.close()
        try:
            return self._kept_connection(own)
        except sa.exc.TimeoutError:
            return None

    def _kept_connection(self, own: sa.pool.Pool) -> Connection:
        try:
            proxied = own.connect()
        except sa.exc.TimeoutError:
            raise
        except self._storage_errors as error:
            raise StorageError(f"{self.dialect}: cannot connect: {_orig(error)}") from error
        conn = Connection(self.engine, proxied)
        if self.dialect == "sqlite":
            conn.info[_KEPT] = True
        return conn

    def _alive(self, proxied: PoolProxiedConnection) -> bool:
        """Ping the driver's connection, as the pool's pre-ping does."""
        try:
            return bool(self.engine.dialect.do_ping(proxied.dbapi_connection))  # type: ignore[arg-type]
        except self._storage_errors:
            return False

    @contextmanager
    def _pooled(self) -> Iterator[Connection]:
        """A live connection of the engine's pool (`_checkout`), given back after use.

        A disconnect while it is in use invalidates it, so the next call gets a fresh
        one (SQLAlchemy does that for its own statements, not for `RawSelect`'s).
        """
        conn = self._checkout()
        try:
            yield conn
        except sa.exc.DBAPIError as error:
            if error.connection_invalidated and not conn.invalidated:
                conn.invalidate()
            raise
        finally:
            if not conn.invalidated:
                conn.connection.info[_USED] = time.monotonic()
            conn.close()

    def _checkout(self) -> Connection:
        """A connection of the engine's pool that is alive as far as can be told.

        An engine the host built may have no ``pool_pre_ping``: after a restart its
        pool would hand out dead connections, one failed call each. So a pooled
        connection is looked at before the engine sets it up (its isolation level is a
        statement on MariaDB, which a dead connection fails with the driver's raw error
        and without giving it back): a closed socket, or data waiting on an idle one,
        costs no round trip to see; it is pinged when it has been idle for half a
        second or looks suspect. A dead one is invalidated and the next one taken.
        """
        for _ in range(_DEAD_TRIES):
            proxied = self._pool_connect()
            if self.dialect != "sqlite" and not self._usable(proxied):
                proxied.invalidate()
                proxied.close()
                continue
            try:
                return Connection(self.engine, proxied)
            except self._storage_errors:  # it died between the look and the set-up
                proxied.invalidate()
                proxied.close()
        raise StorageError(f"{self.dialect}: no live connection after {_DEAD_TRIES} tries")

    def _pool_connect(self) -> PoolProxiedConnection:
        """A connection of the engine's pool; an unreachable server raises `StorageError`."""
        try:
            return self.engine.pool.connect()
        except sa.exc.TimeoutError as error:  # the host's pool is used up
            raise TransientStorageError(f"{self.dialect}: no free connection: {error}") from error
        except self._storage_errors as error:
            raise StorageError(f"{self.dialect}: cannot connect: {_orig(error)}") from error

    def _usable(self, proxied: PoolProxiedConnection) -> bool:
        """Whether a pooled connection may be used without a ping, or answers one."""
        suspect = self._suspect(proxied)
        if not suspect and self._pinged:
            return True  # the engine's pool_pre_ping pinged it at checkout
        used = proxied.info.get(_USED)
        if not suspect and used is not None and time.monotonic() - used < _UNCHECKED_IDLE:
            return True
        return self._alive(proxied)

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
        if self._own_pool is not None:
            self._own_pool.dispose()

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn driver errors into library errors at the edge.

        A disconnect (the server restarted or ended the session) is transient: nothing
        was committed (a disconnect during COMMIT is reported by the command itself),
        and the next attempt gets a fresh connection.
        """
        try:
            yield
        except TeamAccessError:
            raise
        except sa.exc.DBAPIError as error:
            if is_read_only(error):
                raise ReadOnlyStorage(
                    f"{self.dialect}: a write reached a read-only node or session; "
                    f"commands go to the primary: {error.orig}"
                ) from error
            if is_transient(error) or error.connection_invalidated:
                raise TransientStorageError(f"{self.dialect}: {error.orig}") from error
            if isinstance(error, sa.exc.IntegrityError):
                raise Conflict(f"{self.dialect} refused the change: {error.orig}") from error
            raise self._storage_error(error) from error
        except sa.exc.TimeoutError as error:  # no free connection in the pool
            raise TransientStorageError(f"{self.dialect}: {error}") from error
        except self._storage_errors as error:
            raise self._storage_error(error) from error

    def _storage_error(self, error: BaseException) -> StorageError:
        """`SchemaMissing` with its hint if a table is not there, else `StorageError`."""
        missing = schema_missing(self.dialect, self.tables.prefix, error)
        return missing or StorageError(f"{self.dialect}: {_orig(error)}")

    def __repr__(self) -> str:
        return f"<SqlStore {self.engine.url!r} prefix={self.tables.prefix!r}>"


def _fast_path_pool(
    engine: Engine, wanted: int | None, is_async: bool
) -> tuple[sa.pool.Pool | None, int]:
    """The pool the kept read connections come from, and how many may be kept.

    A pool of the store's own beside the engine's, made with the engine pool's creator
    and listeners (its URL, connect arguments and ``connect`` events, e.g. SQLite's
    pragmas or a host's ``SET search_path``), so a kept connection is never one the
    host's threads could be waiting for. Pools other than ``QueuePool`` keep none
    unless asked: ``NullPool`` was chosen not to keep connections, and the in-memory
    SQLite pools (``SingletonThreadPool``, ``StaticPool``) hold the only connection to
    their database, which another pool would not reach. An ``AsyncEngine`` keeps none
    unless asked: its connections belong to the event loop that opened them.
    """
    if wanted is not None and (
        isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 0
    ):
        raise InvalidInput(f"fast_path_connections must be an integer >= 0: {wanted!r}")
    pool = engine.pool
    if wanted is None:
        queued = isinstance(pool, sa.pool.QueuePool) and not is_async
        wanted = _FAST_PATH_CONNECTIONS if queued else 0
    elif not isinstance(pool, sa.pool.QueuePool | sa.pool.NullPool):
        wanted = 0
    if not wanted:
        return None, 0
    own = sa.pool.QueuePool(
        pool._creator,  # what Pool.recreate passes on, too
        pool_size=wanted,
        max_overflow=0,
        timeout=0,
        dialect=pool._dialect,
        _dispatch=pool.dispatch,
    )
    return own, wanted


def _driver_errors(dialect: sa.Dialect) -> tuple[type[Exception], ...]:
    """The driver's own exception roots, which SQLAlchemy does not always wrap.

    ``pool.connect()`` raises the driver's error as it is, and an async driver's
    connect may raise ``OSError`` (``ConnectionRefusedError``) or, for asyncpg, its
    own exceptions.
    """
    roots: list[type[Exception]] = [dialect.loaded_dbapi.Error, OSError]
    if dialect.driver == "asyncpg":
        import asyncpg  # type: ignore[import-untyped]

        roots += [asyncpg.PostgresError, asyncpg.InterfaceError]
    return tuple(roots)


def _orig(error: BaseException) -> str:
    """The driver's message of ``error`` (SQLAlchemy's wrapper left out)."""
    return str(getattr(error, "orig", None) or error)


def _suspicion(dialect: sa.Dialect) -> Callable[[PoolProxiedConnection], bool]:
    """How to tell, without a round trip, that a connection may be dead.

    An idle connection has nothing to read: data waiting on its socket is the server's
    goodbye (``FATAL: terminating connection``) or the end of the stream. psycopg and
    PyMySQL expose their socket; asyncpg knows when its transport was closed. SQLite
    has no server, and other drivers are pinged after half a second of idleness only.
    """
    if dialect.name == "sqlite":
        return _never
    if dialect.driver == "asyncpg":
        return _asyncpg_closed
    if dialect.driver == "psycopg" and not dialect.is_async:
        return _psycopg_suspect
    if dialect.driver == "pymysql":
        return _pymysql_suspect
    return _never


def _never(_proxied: PoolProxiedConnection) -> bool:
    return False


def _readable(fileno: int) -> bool:
    try:
        ready, _, _ = select.select([fileno], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


def _psycopg_suspect(proxied: PoolProxiedConnection) -> bool:
    driver: Any = proxied.driver_connection
    if driver.closed or driver.broken:
        return True
    return _readable(driver.fileno())


def _pymysql_suspect(proxied: PoolProxiedConnection) -> bool:
    sock = getattr(proxied.driver_connection, "_sock", None)
    return sock is None or _readable(sock.fileno())


def _asyncpg_closed(proxied: PoolProxiedConnection) -> bool:
    driver: Any = proxied.driver_connection
    return bool(driver.is_closed())


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _check_statement(t: Tables, *, many: bool = False) -> sa.Select[Any]:
    """Everything a check needs in one row, prebuilt once.

    With ``many``, one row per company of the expanding ``company_ids``
    (``check_facts_many``) instead of the one ``company_id``.

    The company; the user's membership in it (``m_*``); and, only when there is none
    and the company has a parent, their membership in the nearest ancestor (``a_*``),
    found through the closure table (R-PART-2), with that ancestor's row (``ac_*``),
    whose state the check gates too (R-CO-8): a ``CASE`` guards that subquery, so a
    member's check costs no more than a join of two primary keys; and the window of
    that sight (``s_*``, R-TIME-1). The JSON columns are read as text, so that a row
    can key the cache of parsed answers.
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
    # no member, or one whose window may have ended (R-TIME-1): the ancestor's too
    unsure = sa.or_(m.c.role.is_(None), m.c.starts_at.is_not(None), m.c.expires_at.is_not(None))
    above = sa.case((sa.and_(unsure, c.c.parent_id.is_not(None)), nearest))
    ancestor = [a.c[name].label(f"a_{name}") for name in ("company_id", *_MEMBER_COLUMNS)]
    ac = c.alias("ac")
    return (
        sa.select(
            *_company_and_member(c, m),
            *ancestor,
            *_company_columns(ac, "ac_"),
            *_sight_columns(t, c.c.id, a.c.company_id),
        )
        .select_from(
            c.outerjoin(m, sa.and_(m.c.company_id == c.c.id, m.c.user_id == user))
            .outerjoin(a, sa.and_(a.c.user_id == user, a.c.company_id == above))
            .outerjoin(ac, ac.c.id == a.c.company_id)
        )
        .where(
            c.c.id.in_(sa.bindparam("company_ids", expanding=True))
            if many
            else c.c.id == sa.bindparam("company_id")
        )
    )


def _sight_columns(t: Tables, company: Any, ancestor: Any) -> list[Any]:
    """``s_starts_at``, ``s_expires_at``: the window of the sight ``ancestor`` has of ``company``.

    The latest start and the earliest end among the sight windows of the links between
    them: the company and each of its ancestors that lies below ``ancestor`` (R-TIME-1),
    found through the closure table; read only when there is an ancestor's membership.
    """
    up, below, link = t.paths.alias("sp"), t.paths.alias("sb"), t.companies.alias("sl")
    links = (
        sa.select()
        .select_from(
            up.join(link, link.c.id == up.c.ancestor_id).join(
                below,
                sa.and_(
                    below.c.descendant_id == up.c.ancestor_id,
                    below.c.ancestor_id == ancestor,
                    below.c.depth > 0,
                ),
            )
        )
        .where(up.c.descendant_id == company)
    )
    starts = links.add_columns(sa.func.max(link.c.sight_starts_at)).scalar_subquery()
    ends = links.add_columns(sa.func.min(link.c.sight_expires_at)).scalar_subquery()
    return [
        sa.case((ancestor.is_not(None), starts)).label("s_starts_at"),
        sa.case((ancestor.is_not(None), ends)).label("s_expires_at"),
    ]


def _company_columns(c: sa.FromClause, prefix: str = "") -> list[Any]:
    """A company's columns labelled ``prefix + name``, JSON read as text (hashable rows)."""
    return [
        (sa.cast(col, sa.Text) if isinstance(col.type, sa.JSON) else col).label(prefix + col.name)
        for col in data_columns(c)
    ]


_STARTS, _EXPIRES = 6, 7  # the places of starts_at and expires_at in _MEMBER_COLUMNS
_MEMBER_COLUMNS = (
    "role", "joined_at", "main_contact", "show_as_contact", "handler", "origin",
    "starts_at", "expires_at", "role_until", "role_after", "extra_roles",
)  # fmt: skip


def _company_and_member(c: sa.Table, m: sa.FromClause) -> list[Any]:
    """The company's columns (JSON as text, so that a row is hashable), then ``m_*``."""
    columns: list[Any] = [
        sa.cast(col, sa.Text).label(col.name) if isinstance(col.type, sa.JSON) else col
        for col in data_columns(c)
    ]
    return columns + [m.c[name].label(f"m_{name}") for name in _MEMBER_COLUMNS]


def _member_statement(t: Tables) -> sa.Select[Any]:
    """The first columns of `_check_statement`: the company and the user's membership."""
    c, m = t.companies, t.memberships.alias("m")
    user: sa.BindParameter[str] = sa.bindparam("user_id")
    return (
        sa.select(*_company_and_member(c, m))
        .select_from(c.outerjoin(m, sa.and_(m.c.company_id == c.c.id, m.c.user_id == user)))
        .where(c.c.id == sa.bindparam("company_id"))
    )


class _Prefixed:
    """The columns of ``row`` named ``prefix + name``, read as ``name``."""

    __slots__ = ("_prefix", "_row")

    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


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
        origin=get("origin"),
        starts_at=get("starts_at"),
        expires_at=get("expires_at"),
        role_until=get("role_until"),
        role_after=get("role_after"),
        extra_roles=split_roles(get("extra_roles")),
    )


def _discard(conn: Connection) -> None:
    """Close a kept connection for good (inside the bridge on an async engine)."""
    conn.invalidate()
    conn.close()


class _Remembering:
    """A store's view that answers checks from the process's cache (`SqlStore.route`)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._cache = store.cache

    def check_facts(self, company_id: str, user_id: str) -> CheckFacts:
        """The check's facts, remembered or read from the primary."""
        return self._store.remembered_facts(company_id, user_id)

    @property
    def generation(self) -> int:
        """The cache's generation: every forgetting moves it (the service's kept answers)."""
        return self._cache.generation  # type: ignore[union-attr]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
