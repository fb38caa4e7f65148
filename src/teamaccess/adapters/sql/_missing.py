"""A missing table is a schema never created: the error says how to create it.

SQLite says ``no such table``, PostgreSQL raises SQLSTATE ``42P01`` (undefined table),
MariaDB and MySQL error 1146 (table doesn't exist). The store raises
[SchemaMissing][teamaccess.errors.SchemaMissing] for each, with the hint, instead of a
bare [StorageError][teamaccess.errors.StorageError].
"""

from __future__ import annotations

from teamaccess.errors import SchemaMissing

__all__ = ["schema_missing"]

_UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE
_NO_SUCH_TABLE = 1146  # MariaDB's and MySQL's error number (ER_NO_SUCH_TABLE)


def _is_missing_table(driver_error: BaseException) -> bool:
    code = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    if code == _UNDEFINED_TABLE:
        return True
    args = getattr(driver_error, "args", ())
    if args and args[0] == _NO_SUCH_TABLE:
        return True
    return "no such table" in str(driver_error)


def schema_missing(dialect: str, prefix: str, error: BaseException) -> SchemaMissing | None:
    """`SchemaMissing` for ``error`` (a driver's, or SQLAlchemy's around it), or ``None``.

    ``None`` when what failed was not a missing table.
    """
    driver_error = getattr(error, "orig", None) or error
    if not _is_missing_table(driver_error):
        return None
    return SchemaMissing(
        f"{dialect}: {driver_error}; the teamaccess tables (prefix {prefix!r}) are not "
        "there: call store.create_schema(), or run 'teamaccess init' (or your Alembic "
        "upgrade, see docs/storage.md)"
    )
