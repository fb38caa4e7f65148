"""What every SQL repository shares: the connection, the tables, bulk helpers."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from teamaccess.adapters.sql._raw import RawInsert
from teamaccess.adapters.sql._schema import Tables
from teamaccess.errors import Conflict, StorageError

__all__ = ["Repo", "chunks", "constraint_error", "is_transient"]

# PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers worth retrying the whole command.
_PG_RETRY = {"40001", "40P01", "55P03"}
_MYSQL_RETRY = {1205, 1213}


def constraint_error(error: sa.exc.IntegrityError) -> str:
    """The driver's message of an integrity error, lower-cased, to find the constraint."""
    return str(error.orig).lower()


_CHUNK = 500  # bound parameters per IN (...) list; SQLite allows 32,766 per statement


def chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    """``values`` in lists of at most 500, for IN (...) lists of any length."""
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


class Repo:
    """Base of the repositories: one connection (one transaction) and the tables."""

    def __init__(self, conn: Connection, tables: Tables) -> None:
        self._c = conn
        self._t = tables

    def _rows(self, statement: sa.Executable, **params: Any) -> Sequence[sa.Row[Any]]:
        return self._c.execute(statement, params).all()

    def _row(self, statement: sa.Executable, **params: Any) -> sa.Row[Any] | None:
        return self._c.execute(statement, params).first()

    def _rows_in(
        self, column: sa.ColumnElement[Any], keys: Sequence[Any], statement: sa.Select[Any]
    ) -> list[sa.Row[Any]]:
        """Rows of ``statement`` whose ``column`` is one of ``keys``, 500 keys a query."""
        found: list[sa.Row[Any]] = []
        for chunk in chunks(sorted(set(keys))):
            found.extend(self._rows(statement.where(column.in_(chunk))))
        return found

    def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows with one ``executemany`` (nothing for no rows).

        On SQLite a batch goes straight to the driver's ``executemany``, on PostgreSQL
        through psycopg to one ``COPY`` (``RawInsert``): half of a CSV import's time was
        SQLAlchemy's handling of each row's parameters, or one statement per row.
        """
        if not rows:
            return
        dialect = self._c.dialect
        if len(rows) > 1 and (
            dialect.name == "sqlite" or (dialect.driver == "psycopg" and not dialect.is_async)
        ):
            _raw_insert(table, tuple(rows[0]), dialect).many(self._c, rows)
            return
        self._c.execute(table.insert(), rows)

    def _insert_one(self, table: sa.Table, values: dict[str, Any], what: str) -> None:
        """Insert one row; a broken key or foreign key raises `Conflict`."""
        try:
            self._c.execute(table.insert(), values)
        except sa.exc.IntegrityError as error:
            raise Conflict(f"{what} exists already or names a missing row") from error

    def _update_one(self, table: sa.Table, key: str, values: dict[str, Any]) -> None:
        """Update the row whose ``key`` column equals ``values[key]``, or raise."""
        changes = {k: v for k, v in values.items() if k != key}
        result = self._c.execute(table.update().where(table.c[key] == values[key]), changes)
        if result.rowcount != 1:
            raise StorageError(f"no row {values[key]!r} in {table.name} to update")

    def _repoint(self, table: sa.Table, column: str, source: str, target: str) -> None:
        """``UPDATE table SET column = target WHERE column = source`` (merges)."""
        self._c.execute(table.update().where(table.c[column] == source).values({column: target}))


@functools.lru_cache(maxsize=128)
def _raw_insert(table: sa.Table, columns: tuple[str, ...], dialect: Dialect) -> RawInsert:
    return RawInsert(table, columns, dialect)


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Whether the whole command is worth retrying: a serialization failure or deadlock."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_RETRY:
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _MYSQL_RETRY:
        return True
    return isinstance(error, sa.exc.OperationalError) and "database is locked" in str(orig)


_MYSQL_READ_ONLY = frozenset({1290, 1792, 1836})  # --read-only, READ ONLY transaction, replica
_SQLITE_READONLY = 8


def is_read_only(error: sa.exc.DBAPIError) -> bool:
    """Whether a write reached a read-only node or session (R-ALL-12).

    PostgreSQL's SQLSTATE 25006 (``read_only_sql_transaction``: a hot standby, or
    ``default_transaction_read_only``); MariaDB's 1290 (``--read-only``), 1792 (a READ
    ONLY transaction) and 1836 (a replica in read-only mode); SQLite's
    ``SQLITE_READONLY`` (a read-only file, ``PRAGMA query_only``).
    """
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "25006":
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _MYSQL_READ_ONLY:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == _SQLITE_READONLY
