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

import logging
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect


class RawSelect:
    """A select compiled once; run with `first` on a checked-out connection."""

    def __init__(self, statement: sa.Select[Any], dialect: Dialect) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        required = {b.key: None for b in compiled.binds.values() if b.required}
        self._defaults = compiled.construct_params(required)  # with the statement's literals
        order = compiled.positiontup
        self._positions = list(order) if compiled.positional and order is not None else None
        self._processors: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        self._row = namedtuple("_Row", list(statement.selected_columns.keys()))  # type: ignore[misc]
        self._dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        self._dialect = dialect

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row as the driver returns it, or ``None``.

        Driver errors are raised as SQLAlchemy's ``DBAPIError``, as ``execute`` would,
        with ``connection_invalidated`` set when the dialect calls it a disconnect.
        """
        if _watched(conn):
            found = conn.execute(self.statement, params).first()
            return None if found is None else _Processed(found)
        values = {**self._defaults, **params}
        bound = values if self._positions is None else [values[k] for k in self._positions]
        # The DB-API connection: the driver's own, or SQLAlchemy's adapter of an async
        # driver (asyncpg, aiosqlite, asyncmy), whose cursor awaits in the greenlet bridge.
        driver = conn.connection.dbapi_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, bound)
            row: tuple[Any, ...] | None = cursor.fetchone()
        except self._dbapi_error as error:
            lost = self._dialect.is_disconnect(error, driver, cursor)  # type: ignore[arg-type]
            raise sa.exc.DBAPIError.instance(
                self.sql, bound, error, self._dbapi_error, connection_invalidated=lost
            ) from error
        finally:
            cursor.close()
        return None if row is None else tuple(row)

    def processed(self, raw: tuple[Any, ...]) -> Any:
        """The row with Python values and attribute access by label."""
        if isinstance(raw, _Processed):
            return self._row(*raw)
        pairs = zip(self._processors, raw, strict=True)
        return self._row(*(value if p is None else p(value) for p, value in pairs))


class _Processed(tuple):  # type: ignore[type-arg]
    """A row SQLAlchemy has already processed (it went through ``execute``)."""

    __slots__ = ()


def _watched(conn: Connection) -> bool:
    """Whether the host listens to cursor executions or logs statements."""
    engine = conn.engine
    events = engine.dispatch
    return bool(
        events.before_cursor_execute
        or events.after_cursor_execute
        or engine.logger.isEnabledFor(logging.INFO)
    )
