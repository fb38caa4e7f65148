"""A prebuilt SELECT run on the driver's own cursor, for the permission check's hot path.

SQLAlchemy's execution machinery (execution context, result object, row processing)
costs several times what SQLite takes to answer a primary-key select. The check's one
statement is compiled once for the engine's dialect; each call binds two strings,
runs it on the DB-API cursor of a kept connection (for an async driver, SQLAlchemy's
adapter of it) and returns the raw tuple, which is
hashable, so it can key a cache of answers. Only on a cache miss are the values turned
into Python values with the same result processors SQLAlchemy would have applied.

A host that watches its SQL (``before_cursor_execute``/``after_cursor_execute``
listeners on the engine, as tracing and statement counters use, or SQLAlchemy's
statement logging) sees the statement as usual: then it goes through ``execute``.
"""

from __future__ import annotations

import contextlib
import logging
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from teamaccess.domain.audit_chain import EncodedPayload

_R = TypeVar("_R")


class RawSelect:
    """A select compiled once; run with `first` or `all` on a checked-out connection."""

    def __init__(self, statement: sa.Select[Any], dialect: Dialect) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        required = {b.key: None for b in compiled.binds.values() if b.required}
        self._defaults = compiled.construct_params(required)  # with the statement's literals
        order = compiled.positiontup
        self._positions = list(order) if compiled.positional and order is not None else None
        processors = [_processor(column.type, dialect) for column in statement.selected_columns]
        # Only the columns that have a processor (times on SQLite, ...) are touched.
        self._processors: list[tuple[int, Callable[[Any], Any]]] = [
            (index, process) for index, process in enumerate(processors) if process is not None
        ]
        self._row = namedtuple("_Row", list(statement.selected_columns.keys()))  # type: ignore[misc]
        self._dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        self._dialect = dialect

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row as the driver returns it, or ``None``.

        Driver errors are raised as SQLAlchemy's ``DBAPIError``, as ``execute`` would,
        with ``connection_invalidated`` set when the dialect calls it a disconnect.
        """
        if watched(conn):
            found = conn.execute(self.statement, params).first()
            return None if found is None else _Processed(found)
        row = self._run(conn, params, lambda cursor: cursor.fetchone())
        return None if row is None else tuple(row)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[list[Any]]:
        """Every row, its values processed as SQLAlchemy would, by position."""
        if watched(conn):
            return [list(row) for row in conn.execute(self.statement, params)]
        rows = [list(row) for row in self._run(conn, params, lambda cursor: cursor.fetchall())]
        for index, process in self._processors:
            for values in rows:
                values[index] = process(values[index])
        return rows

    def bound(self, params: Mapping[str, Any]) -> Any:
        """The parameters as the driver takes them: a dict, or a list in placeholder order."""
        values = {**self._defaults, **params}
        return values if self._positions is None else [values[k] for k in self._positions]

    def _run(self, conn: Connection, params: Mapping[str, Any], fetch: Callable[[Any], Any]) -> Any:
        bound = self.bound(params)
        # The DB-API connection: the driver's own, or SQLAlchemy's adapter of an async
        # driver (asyncpg, aiosqlite, asyncmy), whose cursor awaits in the greenlet bridge.
        driver = conn.connection.dbapi_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, bound)
            return fetch(cursor)
        except self._dbapi_error as error:
            raise _as_sqlalchemy(error, self._dialect, driver, cursor, self.sql, bound) from error
        finally:
            _close(cursor, self._dbapi_error)

    def processed(self, raw: tuple[Any, ...]) -> Any:
        """The row with Python values and attribute access by label."""
        if isinstance(raw, _Processed):
            return self._row(*raw)
        values = list(raw)
        for index, process in self._processors:
            values[index] = process(values[index])
        return self._row(*values)


def _processor(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy applies to a value of ``type_``; the type's own leaner one if it has one."""
    raw = getattr(type_, "raw_processor", None)
    if raw is not None:
        return raw(dialect)  # type: ignore[no-any-return]
    return type_.dialect_impl(dialect).result_processor(dialect, None)


class RawInsert:
    """A bulk INSERT of some columns on the driver: ``sqlite3``'s ``executemany`` or ``COPY``.

    For bulk writes (a CSV import writes seven rows per person). On SQLite SQLAlchemy's
    per-row parameter handling costs more than SQLite's own ``executemany``; on
    PostgreSQL through psycopg an ``executemany`` sends every row as a statement of
    its own, and ``COPY ... FROM STDIN`` sends them as one stream. Values go through the
    bind processors SQLAlchemy would apply (JSON, aware datetimes); driver errors are
    raised as SQLAlchemy's, as ``execute`` would (a broken key: ``IntegrityError``). A
    host watching its SQL sees the rows inserted through ``execute`` instead.
    """

    def __init__(self, table: sa.Table, columns: tuple[str, ...], dialect: Dialect) -> None:
        self.statement = table.insert()
        self._copy = dialect.driver == "psycopg"
        if self._copy:
            quote = dialect.identifier_preparer
            listed = ", ".join(quote.quote(name) for name in columns)
            self.sql = f"COPY {quote.format_table(table)} ({listed}) FROM STDIN"
        else:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(columns))
            order = compiled.positiontup
            if not compiled.positional or order is None or set(order) != set(columns):
                raise ValueError(f"{table.name}: not a plain positional insert of {columns}")
            self.sql = compiled.string
            columns = tuple(order)
        self._values = _Values(table, columns, dialect)
        self._dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        self._dialect = dialect

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts of exactly these columns) in one ``executemany`` or COPY."""
        if watched(conn):
            conn.execute(self.statement, rows)
            return
        bound = self._values.of(rows)
        driver = conn.connection.dbapi_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            if self._copy:
                with cursor.copy(self.sql) as copy:
                    for values in bound:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, bound)
        except self._dbapi_error as error:
            raise _as_sqlalchemy(error, self._dialect, driver, cursor, self.sql, bound) from error
        finally:
            _close(cursor, self._dbapi_error)


class _Values:
    """Rows as tuples of the driver's values, through SQLAlchemy's bind processors."""

    def __init__(self, table: sa.Table, columns: tuple[str, ...], dialect: Dialect) -> None:
        self._columns = columns
        types = [table.c[name].type for name in columns]
        self._processors = [_bulk_processor(t, dialect) for t in types]
        # Values of these columns repeat within a batch (every row of an import is
        # stamped with the same time): each distinct one is processed once.
        self._repeating = [not isinstance(t, sa.JSON) for t in types]

    def of(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows' values in column order, processed."""
        pairs = [
            (key, _once(process) if process is not None and repeating else process)
            for key, process, repeating in zip(
                self._columns, self._processors, self._repeating, strict=True
            )
        ]
        columns = []  # column by column: map() over a list costs less than a cell at a time
        for key, process in pairs:
            values = [row[key] for row in rows]
            columns.append(values if process is None else list(map(process, values)))
        return list(zip(*columns, strict=True))


def _bulk_processor(
    type_: sa.types.TypeEngine[Any], dialect: Dialect
) -> Callable[[Any], Any] | None:
    """SQLAlchemy's bind processor; for JSON, an `EncodedPayload` goes in as its text."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(type_, sa.JSON):
        return process
    encode = process
    return lambda value: value.text if isinstance(value, EncodedPayload) else encode(value)


def padded(row: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    """``row`` followed by ``width`` NULLs, as `RawSelect.first` gave it (processed or not)."""
    both = (*row, *(None,) * width)
    return _Processed(both) if isinstance(row, _Processed) else both


def sqlite_version(conn: Connection) -> tuple[int, int] | None:
    """What a pysqlite connection has seen change, or None when the driver is another.

    ``PRAGMA data_version`` changes when another connection (of this process or any
    other) commits; ``total_changes`` counts the rows this connection changed itself.
    While both stay the same, a read on this connection answers as it did before.
    """
    own = getattr(conn.connection.dbapi_connection, "total_changes", None)
    if not isinstance(own, int):  # an async driver's adapter
        return None

    def version(cursor: Any) -> int:
        cursor.execute("PRAGMA data_version")
        return int(cursor.fetchone()[0])

    return on_cursor(conn, version), own


def on_cursor(conn: Connection, use: Callable[[Any], _R]) -> _R:
    """``use(cursor)`` on a cursor of the driver's own connection, its errors as SQLAlchemy's."""
    driver = conn.connection.dbapi_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    dialect = conn.dialect
    try:
        return use(cursor)
    except dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy(error, dialect, driver, cursor, "(a read)", ()) from error
    finally:
        _close(cursor, dialect.loaded_dbapi.Error)


def _as_sqlalchemy(
    error: Exception, dialect: Dialect, driver: Any, cursor: Any, sql: str, bound: Any
) -> sa.exc.StatementError:
    """The driver's error as ``execute`` would raise it (``IntegrityError``, ...).

    ``connection_invalidated`` is set when the dialect calls it a disconnect.
    """
    lost = dialect.is_disconnect(error, driver, cursor)  # type: ignore[arg-type]
    return sa.exc.DBAPIError.instance(
        sql, bound, error, dialect.loaded_dbapi.Error, connection_invalidated=lost
    )


def _close(cursor: Any, dbapi_error: type[Exception]) -> None:
    """Close a cursor; on a lost connection that may fail, and the first error counts.

    PyMySQL's ``close`` reads what is left of the result from the socket: after a
    disconnect it would raise the driver's own error in place of the translated one.
    """
    with contextlib.suppress(dbapi_error):
        cursor.close()


def _once(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, remembering its answer for each (hashable) value it was given."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result

    return remembered


class _Processed(tuple):  # type: ignore[type-arg]
    """A row SQLAlchemy has already processed (it went through ``execute``)."""

    __slots__ = ()


def watched(conn: Connection) -> bool:
    """Whether the host listens to cursor executions or logs statements."""
    engine = conn.engine
    events = engine.dispatch
    return bool(
        events.before_cursor_execute
        or events.after_cursor_execute
        or engine.logger.isEnabledFor(logging.INFO)
    )
