"""Querysets of the host's models, filtered to the companies where the check allows (issue 32).

``Shipment.objects.filter(company_q(user_id, "view_shipments"))`` keeps the rows whose
company field holds a company in which ``ta.check(user_id, company, action)`` allows:
one statement, the companies being a subquery of teamaccess's tables in the same
database (``field IN (SELECT ...)``), never a list of ids built in Python. The
subquery is the SQL adapter's
[allowed_companies][teamaccess.adapters.sql.allowed_companies], compiled for the
database of the site's store.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa
from django.db.models import Q
from django.db.models.expressions import RawSQL

from teamaccess.adapters.sql import allowed_companies
from teamaccess.adapters.sql._filters import sql_tables
from teamaccess.contrib.django.conf import service
from teamaccess.service.facade import TeamAccess

__all__ = ["company_q"]


def company_q(
    user_id: str, action: str, field: str = "company_id", *, ta: TeamAccess | None = None
) -> Q:
    """A ``Q`` keeping the rows whose ``field`` holds a company where the check allows ``action``.

    The same rows as ``[r for r in rows if ta.check(user_id, getattr(r, field), action)]``
    (memberships and roles, a partner's sight from above, suspension, time windows at
    the service's clock, support grants; see
    [company_filter][teamaccess.adapters.sql.company_filter]), as one subquery that
    runs with the queryset. The model's table and teamaccess's must be in the same
    database (the site's store, ``DjangoStore``).

    Args:
        user_id: The user (teamaccess's id, e.g. ``str(request.user.pk)``).
        action: The action.
        field: The model's field (or lookup path) holding a company id.
        ta: The service; the site's ([service][teamaccess.contrib.django.conf.service])
            if omitted.

    Raises:
        TypeError: The service keeps its rows in memory.
        InvalidName: A malformed user id or action (R-ALL-7).
    """
    ta = ta if ta is not None else service()
    tables = sql_tables(ta.store)
    statement = allowed_companies(ta.access.company_filter(user_id, action), tables)
    sql, params = _compiled(statement, _dialect(ta.store))
    return Q(**{f"{field}__in": RawSQL(sql, params)})  # noqa: S611 - compiled, values bound


def _dialect(store: object) -> sa.Dialect:
    sql = getattr(store, "sql", store)
    engine = getattr(sql, "engine", None)
    if engine is None:  # pragma: no cover - sql_tables refused it already
        raise TypeError(f"{store!r} is not a SQL store")
    dialect: sa.Dialect = engine.dialect
    return dialect


def _compiled(statement: sa.Select[Any], dialect: sa.Dialect) -> tuple[str, list[Any]]:
    """The statement's SQL with positional placeholders Django's cursor takes, and its values.

    Django passes ``%s`` (and SQLite's ``?``) to the driver in order; a named style
    (psycopg's ``%(name)s``) is compiled as ``%s`` instead. Each value goes through the
    column type's bind processing, as SQLAlchemy would send it (UTC times as stored).
    """
    if dialect.paramstyle not in ("qmark", "format"):
        dialect = copy.copy(dialect)
        dialect.paramstyle = "format"
        dialect.positional = True
    compiled = statement.compile(dialect=dialect)
    values = compiled.construct_params()
    params: list[Any] = []
    for name in compiled.positiontup or ():
        value = values[name]
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        params.append(value if process is None else process(value))
    return str(compiled), params
