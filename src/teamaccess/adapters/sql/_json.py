"""Three questions about JSON columns, asked the same way on SQLite, PostgreSQL and MariaDB.

The host filters (issue 32) match a company's own roles (``companies.roles``, an object
``{name: {"label": ..., "permissions": [...]}}``, R-ROLE-1) and a support grant's
actions (``support_grants.permissions``, an array) inside one statement. Each question
is a clause element compiled per dialect; none decides anything: they find facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["has_item", "has_key", "roles_grant"]

_BIN = " COLLATE utf8mb4_bin"  # MariaDB/MySQL: compare names by code point, as Python does


class _Question(ColumnElement[bool]):
    """A boolean about a JSON column, rendered by the compiler of each dialect.

    Its parts are in the statement's cache key: equal questions compile once.
    """

    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache key reads it
        ("document", InternalTraversal.dp_clauseelement),
        ("subject", InternalTraversal.dp_clauseelement),
        ("extra", InternalTraversal.dp_clauseelement),
        ("names", InternalTraversal.dp_string_list),
        ("skip", InternalTraversal.dp_string_list),
    ]

    def __init__(
        self,
        document: ColumnElement[Any],
        key: ColumnElement[Any] | None = None,
        extra: ColumnElement[Any] | None = None,
        names: Sequence[str] = (),
        skip: Sequence[str] = (),
    ) -> None:
        self.document = document
        self.subject = sa.null() if key is None else key
        self.extra = sa.null() if extra is None else extra
        self.names = list(names)
        self.skip = list(skip)


class _HasItem(_Question):
    """The JSON array ``document`` holds the string ``names[0]``."""

    inherit_cache = True


class _HasKey(_Question):
    """The JSON object ``document`` has the key ``key``."""

    inherit_cache = True


class _RolesGrant(_Question):
    """One of the member's roles, defined in ``document``, lists one of ``names``.

    The member's roles: ``key`` and the lines of ``extra``; a key in ``skip`` never counts.
    """

    inherit_cache = True


def has_item(array: ColumnElement[Any], item: str) -> ColumnElement[bool]:
    """Whether the JSON array ``array`` holds the string ``item``."""
    return _HasItem(array, names=[item])


def has_key(document: ColumnElement[Any], key: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether the JSON object ``document`` has the key ``key`` (false for a JSON null)."""
    return _HasKey(document, key)


def roles_grant(
    document: ColumnElement[Any],
    role: ColumnElement[Any],
    extra: ColumnElement[Any],
    permissions: frozenset[str],
    skip: frozenset[str],
) -> ColumnElement[bool]:
    """Whether one of a member's roles, defined in ``document``, lists one of ``permissions``.

    ``role``: the member's role; ``extra``: their further roles, one per line
    (R-ROLE-3); ``skip``: names that never count from ``document`` (the built-in roles).
    """
    return _RolesGrant(document, role, extra, sorted(permissions), sorted(skip))


def _p(compiler: SQLCompiler, element: Any, **kw: Any) -> str:
    return str(compiler.process(element, **kw))


def _names(compiler: SQLCompiler, names: Sequence[str], **kw: Any) -> str:
    """A list of bound names for ``IN (...)``; never empty (no name is ``""``, R-ALL-7)."""
    values = names or [""]
    return ", ".join(_p(compiler, sa.literal(n, sa.String()), **kw) for n in values)


@compiles(_HasItem)
def _has_item_sqlite(element: _HasItem, compiler: SQLCompiler, **kw: Any) -> str:
    array, item = _p(compiler, element.document, **kw), element.names[0]
    return (
        f"EXISTS (SELECT 1 FROM json_each({array}) AS ji "  # noqa: S608 - compiled parts and bound names only
        f"WHERE ji.type = 'text' AND ji.value = {_names(compiler, [item], **kw)})"
    )


@compiles(_HasItem, "postgresql")
def _has_item_postgresql(element: _HasItem, compiler: SQLCompiler, **kw: Any) -> str:
    array, item = _p(compiler, element.document, **kw), element.names[0]
    return (
        "EXISTS (SELECT 1 FROM json_array_elements_text("  # noqa: S608 - compiled parts and bound names only
        f"CASE WHEN json_typeof({array}) = 'array' THEN {array} END) AS ji(v) "
        f"WHERE ji.v = {_names(compiler, [item], **kw)})"
    )


@compiles(_HasItem, "mysql")
def _has_item_mysql(element: _HasItem, compiler: SQLCompiler, **kw: Any) -> str:
    array, item = _p(compiler, element.document, **kw), element.names[0]
    return f"COALESCE(JSON_CONTAINS({array}, JSON_QUOTE({_names(compiler, [item], **kw)})), 0) = 1"


@compiles(_HasKey)
def _has_key_sqlite(element: _HasKey, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _p(compiler, element.document, **kw), _p(compiler, element.subject, **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_each({document}) AS jk "  # noqa: S608 - compiled parts and bound names only
        f"WHERE json_type({document}) = 'object' AND jk.key = {key})"
    )


@compiles(_HasKey, "postgresql")
def _has_key_postgresql(element: _HasKey, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _p(compiler, element.document, **kw), _p(compiler, element.subject, **kw)
    return (
        "EXISTS (SELECT 1 FROM json_object_keys("  # noqa: S608 - compiled parts and bound names only
        f"CASE WHEN json_typeof({document}) = 'object' THEN {document} END) AS jk(k) "
        f"WHERE jk.k = {key})"
    )


@compiles(_HasKey, "mysql")
def _has_key_mysql(element: _HasKey, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _p(compiler, element.document, **kw), _p(compiler, element.subject, **kw)
    return f"COALESCE(JSON_CONTAINS(JSON_KEYS({document}), JSON_QUOTE({key})), 0) = 1"


@compiles(_RolesGrant)
def _roles_grant_sqlite(element: _RolesGrant, compiler: SQLCompiler, **kw: Any) -> str:
    document, role, extra = (
        _p(compiler, e, **kw) for e in (element.document, element.subject, element.extra)
    )
    skip = _names(compiler, element.skip, **kw)
    permissions = _names(compiler, element.names, **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_each({document}) AS jr "  # noqa: S608 - compiled parts and bound names only
        f"WHERE json_type({document}) = 'object' AND jr.key NOT IN ({skip}) "
        f"AND (jr.key = {role} OR instr(char(10) || coalesce({extra}, '') || char(10), "
        "char(10) || jr.key || char(10)) > 0) "
        "AND EXISTS (SELECT 1 FROM json_each(jr.value, '$.permissions') AS jp "
        f"WHERE jp.type = 'text' AND jp.value IN ({permissions})))"
    )


@compiles(_RolesGrant, "postgresql")
def _roles_grant_postgresql(element: _RolesGrant, compiler: SQLCompiler, **kw: Any) -> str:
    document, role, extra = (
        _p(compiler, e, **kw) for e in (element.document, element.subject, element.extra)
    )
    skip = _names(compiler, element.skip, **kw)
    permissions = _names(compiler, element.names, **kw)
    return (
        "EXISTS (SELECT 1 FROM json_each("  # noqa: S608 - compiled parts and bound names only
        f"CASE WHEN json_typeof({document}) = 'object' THEN {document} END) AS jr(k, v) "
        f"WHERE jr.k NOT IN ({skip}) "
        f"AND (jr.k = {role} OR strpos(chr(10) || coalesce({extra}, '') || chr(10), "
        "chr(10) || jr.k || chr(10)) > 0) "
        "AND EXISTS (SELECT 1 FROM json_array_elements_text(CASE WHEN "
        "json_typeof(jr.v -> 'permissions') = 'array' THEN jr.v -> 'permissions' END) AS jp(p) "
        f"WHERE jp.p IN ({permissions})))"
    )


@compiles(_RolesGrant, "mysql")
def _roles_grant_mysql(element: _RolesGrant, compiler: SQLCompiler, **kw: Any) -> str:
    document, role, extra = (
        _p(compiler, e, **kw) for e in (element.document, element.subject, element.extra)
    )
    skip = _names(compiler, element.skip, **kw)
    listed = " OR ".join(
        f"COALESCE(JSON_CONTAINS(JSON_EXTRACT({document}, "
        f"CONCAT('$.\"', jr.k, '\".permissions')), "
        f"JSON_QUOTE({_names(compiler, [name], **kw)})), 0) = 1"
        for name in element.names
    )
    return (
        f"EXISTS (SELECT 1 FROM JSON_TABLE(JSON_KEYS({document}), '$[*]' COLUMNS ("  # noqa: S608 - compiled parts and bound names only
        "k VARCHAR(64) CHARACTER SET utf8mb4 PATH '$')) AS jr "
        f"WHERE jr.k{_BIN} NOT IN ({skip}) "
        f"AND (jr.k{_BIN} = {role} OR INSTR(CONCAT(CHAR(10 USING utf8mb4), "
        f"COALESCE({extra}, ''), CHAR(10 USING utf8mb4)){_BIN}, "
        "CONCAT(CHAR(10 USING utf8mb4), jr.k, CHAR(10 USING utf8mb4))) > 0) "
        f"AND ({listed or '1 = 0'}))"
    )
