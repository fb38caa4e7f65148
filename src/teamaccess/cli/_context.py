"""What every command works with: its context (arguments, streams, store) and its errors."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import attrs

from teamaccess.domain.ids import CompanyId
from teamaccess.domain.seats import PoolId

if TYPE_CHECKING:
    from teamaccess.adapters.sql import SqlStore
    from teamaccess.ports import IdFactory
    from teamaccess.service.facade import TeamAccess

DEFAULT_DB = "sqlite:///teamaccess.sqlite"
DB_VARIABLE = "TEAMACCESS_DATABASE_URL"
ADMINS_VARIABLE = "TEAMACCESS_PLATFORM_ADMINS"
ACTOR_VARIABLE = "TEAMACCESS_USER"

#: exit codes
OK, DENIED, ERROR = 0, 1, 2


class UsageError(Exception):
    """A command cannot run as asked; its message is the one line the user sees."""


@attrs.define
class Context:
    """What a command works with: its arguments, the streams and the opened store."""

    args: argparse.Namespace
    out: TextIO
    err: TextIO
    _store: SqlStore | None = None
    _has_tables: bool = False

    def store(self, *, initialized: bool = True) -> SqlStore:
        """The store of ``--db``; with ``initialized``, refuse a database without tables.

        Only ``init`` and ``demo`` (``initialized=False``) may create a SQLite file;
        every other command refuses a file that is not there instead of creating it.
        """
        if self._store is None:
            self._store = open_store(self.db_url(), self.args.prefix, create=not initialized)
        if initialized and not self._has_tables:
            from sqlalchemy import inspect

            inspector = inspect(self._store.engine)
            self._has_tables = inspector.has_table(self._store.tables.companies.name)
            if not self._has_tables:
                found = prefixes_in(inspector.get_table_names())
                if found:
                    raise UsageError(
                        f"{self.db_name()} has no teamaccess tables with prefix "
                        f"{self.args.prefix!r}; it has them with "
                        + ", ".join(repr(p) for p in found)
                        + " (pass --prefix)"
                    )
                raise UsageError(
                    f"{self.db_name()} has no teamaccess tables: run 'teamaccess init'"
                )
        return self._store

    def json(self) -> bool:
        """Whether ``--json`` asks for machine-readable output."""
        return bool(getattr(self.args, "json", False))

    def user_ref(self, value: str) -> str:
        """A user id, from an id or an e-mail address (the user's natural key)."""
        if "@" not in value:
            return value
        user = self.service().users.find_by_email(value)
        if user is None:
            raise UsageError(f"no user with e-mail {value!r}")
        return user.id

    def company_ref(self, value: str) -> str:
        """A company id, from an id or the company's name when no other company has it."""
        service = self.service()
        if service.companies.find(value) is not None:
            return value
        with self.store().reader() as tx:
            named = [c.id for c in tx.companies.all() if c.name == value]
        if len(named) == 1:
            return named[0]
        if named:
            raise UsageError(f"{len(named)} companies are named {value!r}: {', '.join(named)}")
        raise UsageError(f"no company with id or name {value!r}")

    def service(self, *, ids: IdFactory | None = None) -> TeamAccess:
        """The facade on the store, with the platform admins of the options.

        ``ids``, if given, makes the ids of new things (``seats buy --id``).
        """
        from teamaccess.service.facade import TeamAccess

        admins = {*self.args.platform_admin, *_split(os.environ.get(ADMINS_VARIABLE, ""))}
        if ids is None:
            return TeamAccess(self.store(), platform_admins=admins)
        return TeamAccess(self.store(), platform_admins=admins, ids=ids)

    def known_user(self, value: str) -> str:
        """A user id, as `user_ref`, of a user the store knows; else `UnknownUser`."""
        user = self.user_ref(value)
        self.service().users.get(user)
        return user

    def pool_ref(self, value: str, company: str | None = None) -> str:
        """A pool (group) id, from its id or its title; ``company`` narrows the titles.

        Pool ids are made by the library (``pool_`` and 32 hex digits), so people name
        a group by its title. A title several groups share is refused with their ids.
        """
        owner = None if company is None else CompanyId(self.company_ref(company))
        with self.store().reader() as tx:
            if owner is None:
                if tx.pools.get(PoolId(value)) is not None:
                    return value
                pools = tx.pools.all()
            else:
                pools = tx.pools.of_company(owner)
                if any(pool.id == value for pool in pools):
                    return value
        titled = sorted((pool for pool in pools if pool.title == value), key=lambda p: p.id)
        where = "" if owner is None else f" in company {owner}"
        if len(titled) == 1:
            return titled[0].id
        if not titled:
            raise UsageError(f"no group with id or title {value!r}{where}")
        ids = ", ".join(f"{pool.id} (company {pool.company_id or '-'})" for pool in titled)
        hint = "pass the id" + (", or --company" if owner is None else "")
        raise UsageError(f"{len(titled)} groups are titled {value!r}{where}: {ids}; {hint}")

    def actor(self) -> str:
        """The acting user of ``--as`` (or ``$TEAMACCESS_USER``)."""
        actor: str | None = self.args.as_user or os.environ.get(ACTOR_VARIABLE)
        if not actor:
            raise UsageError(f"this command acts as a user: pass --as USER or set {ACTOR_VARIABLE}")
        return actor

    def db_url(self) -> str:
        """``--db``, else ``$TEAMACCESS_DATABASE_URL``, else the SQLite file."""
        url: str = self.args.db or os.environ.get(DB_VARIABLE) or DEFAULT_DB
        return url

    def db_name(self) -> str:
        """The database URL without its password."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(self.db_url()).render_as_string(hide_password=True)
        except ArgumentError:
            return "the database (its URL cannot be read)"

    def close(self) -> None:
        """Close the store's connections."""
        if self._store is not None:
            self._store.engine.dispose()


Handler = Callable[[Context], int]


_DRIVER_EXTRAS = {"psycopg": "postgres", "pymysql": "mysql"}
_EXTRA_DRIVERS = {"postgresql": ("postgres", "psycopg"), "mysql": ("mysql", "pymysql"),
                  "mariadb": ("mysql", "pymysql")}  # fmt: skip
"""Per database kind: the extra that installs a driver, and that driver's URL name."""


def open_store(url: str, prefix: str, *, create: bool) -> SqlStore:
    """A store for ``url``, with one-line errors for what an operator gets wrong."""
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        from teamaccess.adapters.sql import SqlStore
    except ImportError as error:
        raise UsageError(
            f'the command line needs the SQL extra: pip install "teamaccess[cli]" ({error})'
        ) from error
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UsageError(f"cannot read the database URL: {error}") from error
    if parsed.drivername.split("+")[0] == "postgres":  # Heroku-style, not a SQLAlchemy name
        hint = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
        raise UsageError(f"unsupported URL scheme {parsed.drivername!r}; use {hint}")
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not create and not Path(str(file)).exists():
        raise UsageError(f"no database file {file}: run 'teamaccess init' first")
    try:
        return SqlStore.from_url(url, prefix=prefix)
    except NoSuchModuleError as error:
        raise UsageError(f"unknown database kind in {parsed.drivername!r}: {error}") from error
    except ImportError as error:
        driver = (error.name or "").split(".")[0]
        extra = _DRIVER_EXTRAS.get(driver)
        if extra is not None:
            install = f'pip install "teamaccess[{extra}]"'
        elif (kind := _EXTRA_DRIVERS.get(parsed.get_backend_name())) is not None:
            # SQLAlchemy's default driver (MySQLdb for mysql://, psycopg2 for
            # postgresql://) is not the one the extras install: name the URL that uses it
            extra, name = kind
            usable = parsed.set(drivername=f"{parsed.get_backend_name()}+{name}")
            install = (
                f'pip install "teamaccess[{extra}]" and use '
                f"{usable.render_as_string(hide_password=True)}"
            )
        else:
            install = f"install {driver!r}"
        raise UsageError(f"the driver {driver!r} is not installed: {install}") from error


def prefixes_in(tables: list[str]) -> list[str]:
    """The prefixes that hold a teamaccess schema among these table names."""
    return sorted(
        name.removesuffix("companies")
        for name in tables
        if name.endswith("companies") and f"{name.removesuffix('companies')}memberships" in tables
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
