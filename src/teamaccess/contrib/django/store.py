"""teamaccess's store on Django's own database connection and inside its transactions.

SQLAlchemy runs teamaccess's statements on the very DB-API connection Django holds for
the alias (borrowed: SQLAlchemy never commits, rolls back or closes it). A command runs
in ``transaction.atomic()``, so inside the host's ``atomic()`` it is a SAVEPOINT of the
host's transaction (a refused command rolls back to it and the host carries on), and
outside one it commits on its own. PostgreSQL (psycopg 3 or psycopg2), SQLite and
MariaDB (mysqlclient, or PyMySQL installed as ``MySQLdb``) are tested.

MySQL and MariaDB commit DDL implicitly, which also ends every SAVEPOINT: there the
schema is created and dropped outside ``atomic()`` (each statement commits), and
refused inside one, where it would commit the host's transaction half-way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import django.db
import sqlalchemy as sa
from django.db import connections, transaction
from sqlalchemy.dialects import sqlite
from sqlalchemy.pool import NullPool

from teamaccess.adapters.sql import DEFAULT_PREFIX, SqlStore, upgrade_schema
from teamaccess.adapters.sql._schema import SCHEMA_VERSION, version_table
from teamaccess.adapters.sql._transaction import SqlTransaction
from teamaccess.domain.consistency import ConsistencyToken
from teamaccess.domain.models import Company, Membership
from teamaccess.domain.windows import Window
from teamaccess.errors import StorageError
from teamaccess.ports import CheckFacts

__all__ = ["DjangoStore"]


class _Borrowed:
    """Django's DB-API connection, lent to SQLAlchemy: commit, rollback and close are Django's."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Any) -> None:
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    def commit(self) -> None:
        """Django commits."""

    def rollback(self) -> None:
        """Django rolls back."""

    def close(self) -> None:
        """Django closes."""


class _ParsedDateTime(sqlite.DATETIME):
    """SQLite's DATETIME for a connection that parses declared types itself.

    Django opens SQLite with ``detect_types`` and registers converters: DATETIME
    columns arrive as ``datetime`` objects already, which SQLAlchemy would parse again.
    """

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        parse = super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            if value is None or isinstance(value, datetime):
                return value
            return parse(value) if parse is not None else value

        return process


def _url(alias: str) -> tuple[str, dict[str, Any]]:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        driver = "psycopg" if connection.Database.__name__ == "psycopg" else "psycopg2"
        return f"postgresql+{driver}://", {"use_native_hstore": False}
    if connection.vendor == "mysql":
        driver = "pymysql" if connection.Database.__name__ == "pymysql" else "mysqldb"
        return f"mysql+{driver}://", {}
    return "sqlite://", {}


class DjangoStore:
    """A [Store][teamaccess.Store] in the Django database ``alias``, on Django's connection.

    Args:
        alias: The Django database alias (``DATABASES`` key).
        prefix: The prefix of teamaccess's table names.
    """

    is_async = False

    def __init__(self, alias: str = "default", *, prefix: str = DEFAULT_PREFIX) -> None:
        self.alias = alias
        url, options = _url(alias)
        engine = sa.create_engine(
            url, creator=self._borrow, poolclass=NullPool, pool_reset_on_return=None, **options
        )
        if engine.dialect.name == "sqlite":  # Django's converters parse DATETIME already
            engine.dialect.colspecs = {**engine.dialect.colspecs, sa.DateTime: _ParsedDateTime}
        self.sql = SqlStore(
            engine, prefix=prefix, fast_path_connections=0, configure_connections=False
        )
        self.tables = self.sql.tables

    def _borrow(self) -> _Borrowed:
        connection = connections[self.alias]
        connection.ensure_connection()
        return _Borrowed(connection.connection)

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Django's database errors (connecting, ``atomic()``'s commit) as `StorageError`.

        SQLAlchemy's statements on the borrowed connection raise the driver's errors,
        which the SQL store translates; Django's own calls raise ``django.db.Error``.
        """
        try:
            with self.sql._translate():
                yield
        except django.db.Error as error:
            raise StorageError(f"{self.alias}: {error}") from error

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """A command: ``atomic()`` (a savepoint inside the host's), SQLAlchemy on its connection."""
        outermost = not connections[self.alias].in_atomic_block
        with (
            self._translate(),
            transaction.atomic(using=self.alias),
            self.sql.engine.connect() as conn,
            conn.begin(),  # SQLAlchemy's view of Django's transaction (Django commits)
            self.sql.bind(conn).transaction() as tx,
        ):
            yield tx
        if outermost and tx.committed:  # Django has committed it: its token (R-ALL-12)
            try:
                tx.token = self.current_token()
            except StorageError:
                tx.token = None

    @property
    def token_kind(self) -> str:
        """The kind of the consistency tokens this store issues (R-ALL-12)."""
        return self.sql.token_kind

    def current_token(self) -> ConsistencyToken:
        """The database's position now, read on Django's connection (R-ALL-12).

        Inside the host's ``atomic()`` the host's own writes are not covered yet: ask
        after the outermost block has committed (``TokenMiddleware`` does).
        """
        with self._translate(), self.sql.engine.connect() as conn:
            value = conn.exec_driver_sql(self.sql.position_query()).scalar()
        return ConsistencyToken(self.sql.token_kind, 0 if value is None else int(value))

    @contextmanager
    def reader(self, *, one_statement: bool = False) -> Iterator[SqlTransaction]:
        """Reads on Django's connection: they see the host's uncommitted writes."""
        with (
            self._translate(),
            self.sql.engine.connect() as conn,
            self.sql.bind(conn).reader() as tx,
        ):
            yield tx

    def check_facts(
        self, company_id: str, user_id: str
    ) -> tuple[Company | None, Membership | None, Membership | None, Company | None, Window | None]:
        """The check's facts, read on Django's connection."""
        with self._translate(), self.sql.engine.connect() as conn:
            return self.sql.bind(conn).check_facts(company_id, user_id)

    def check_facts_many(self, company_ids: Sequence[str], user_id: str) -> dict[str, CheckFacts]:
        """The check's facts of several companies, in one statement on Django's connection."""
        with self._translate(), self.sql.engine.connect() as conn:
            return self.sql.bind(conn).check_facts_many(company_ids, user_id)

    @contextmanager
    def _ddl(self) -> Iterator[None]:
        """Where DDL runs: one ``atomic()`` where DDL is transactional, none elsewhere.

        On MySQL and MariaDB (``can_rollback_ddl`` false) each DDL statement commits,
        and no SAVEPOINT survives it: no ``atomic()`` there, and none allowed around.

        Raises:
            StorageError: MySQL or MariaDB, inside the host's ``atomic()``.
        """
        connection = connections[self.alias]
        if connection.features.can_rollback_ddl:
            with transaction.atomic(using=self.alias):
                yield
            return
        if connection.in_atomic_block:
            raise StorageError(
                f"{self.alias}: {connection.vendor} commits DDL implicitly; create, upgrade "
                "or drop teamaccess's tables outside transaction.atomic()"
            )
        yield

    def create_schema(self) -> None:
        """Create the tables that do not exist yet and record the schema version."""
        with self._ddl(), self.sql.engine.connect() as conn:
            self.tables.metadata.create_all(conn)
            version = version_table(self.tables)
            version.create(conn, checkfirst=True)
            if conn.execute(sa.select(version.c.version_num)).first() is None:
                conn.execute(version.insert().values(version_num=SCHEMA_VERSION))

    def upgrade_schema(self) -> bool:
        """Bring tables of an older library to its schema version; whether anything ran.

        Runs the library's shipped Alembic migrations (the ``alembic`` extra) only when
        the recorded version is behind; tables already current need neither.
        """
        with self._ddl():
            with self.sql.engine.connect() as conn:
                current = conn.execute(sa.select(version_table(self.tables).c.version_num))
                if current.scalar() == SCHEMA_VERSION:
                    return False
            upgrade_schema(self.sql.engine, prefix=self.tables.prefix)
        return True

    def drop_schema(self) -> None:
        """Drop the tables and the version record."""
        with self._ddl(), self.sql.engine.connect() as conn:
            self.tables.metadata.drop_all(conn)
            version_table(self.tables).drop(conn, checkfirst=True)

    def __repr__(self) -> str:
        return f"<DjangoStore {self.alias!r} prefix={self.tables.prefix!r}>"
