"""Column types that behave the same on SQLite, PostgreSQL and MariaDB/MySQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect

__all__ = ["ID_LENGTH", "Id", "UtcDateTime"]

ID_LENGTH = 64


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC ``datetime`` stored as naive UTC with microseconds on every database."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        """Use ``DATETIME(6)`` on MySQL/MariaDB, which otherwise drop microseconds."""
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store as naive UTC; refuse naive input, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; teamaccess stores aware UTC times")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Load as aware UTC."""
        return None if value is None else value.replace(tzinfo=timezone.utc)

    def raw_processor(self, dialect: Dialect) -> Callable[[Any], datetime | None]:
        """`process_result_value` after the dialect's own processor, as one function.

        What ``result_processor`` gives, without its two calls per value: for the
        prebuilt reads (`RawSelect`) that turn a page of rows at a time.
        """
        impl = self.load_dialect_impl(dialect).dialect_impl(dialect)
        parse: Callable[[Any], Any] | None = impl.result_processor(dialect, None)
        utc = timezone.utc
        if parse is None:
            return lambda value: None if value is None else value.replace(tzinfo=utc)
        return lambda value: None if value is None else parse(value).replace(tzinfo=utc)


def Id(length: int = ID_LENGTH) -> sa.types.TypeEngine[str]:  # noqa: N802 - reads like a type
    """A string compared and sorted by code point on every database.

    PostgreSQL's and MariaDB's default collations sort case-insensitively or by locale;
    ids and e-mails must order exactly as Python sorts them, so that every adapter
    answers in the same order (R-ALL-5).
    """
    return (
        sa.String(length)
        .with_variant(sa.String(length, collation="C"), "postgresql")
        .with_variant(sa.String(length, collation="utf8mb4_bin"), "mysql", "mariadb")
    )
