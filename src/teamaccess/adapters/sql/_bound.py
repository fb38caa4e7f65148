"""A store on the host's own connection: commands become SAVEPOINTs in its transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.engine import Connection
from typing_extensions import ParamSpec

from teamaccess.adapters.sql._bridge import run_sync
from teamaccess.adapters.sql._raw import RawSelect
from teamaccess.adapters.sql._schema import Tables
from teamaccess.adapters.sql._transaction import SqlTransaction
from teamaccess.domain.ids import UserId
from teamaccess.errors import StorageError
from teamaccess.ports import CheckFacts

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

_P = ParamSpec("_P")
_T = TypeVar("_T")

__all__ = ["BoundSqlStore"]


class _Engine(Protocol):
    """What a bound store takes from the `SqlStore` that made it.

    Named here, so that this module needs nothing of ``_store`` (which imports it):
    the two modules do not import each other.
    """

    tables: Tables
    _facts: RawSelect

    def _translate(self) -> AbstractContextManager[None]: ...

    def _facts_of(self, row: Any, user_id: UserId) -> CheckFacts: ...

    def check_facts_many_on(
        self, conn: Connection, company_ids: Sequence[str], user_id: str
    ) -> dict[str, CheckFacts]: ...


class BoundSqlStore:
    """A [Store][teamaccess.Store] on a connection whose transaction the host owns.

    Made by [SqlStore.bind][teamaccess.adapters.sql.SqlStore.bind]. Commands run in a
    SAVEPOINT (``connection.begin_nested()``): the savepoint is released when the command
    succeeds and rolled back when it fails, so the host's transaction stays usable;
    reads and checks run on the same connection and see the host's uncommitted writes.
    Nothing is committed here: the host commits or rolls back the whole unit, which it
    must have begun (``connection.begin()``) before the first command.

    On an ``AsyncConnection`` the store works on its ``sync_connection`` and is used
    through [AsyncTeamAccess][teamaccess.AsyncTeamAccess]: every call runs in
    SQLAlchemy's greenlet bridge (`run_sync`), on the host's event loop.
    """

    def __init__(self, store: _Engine, connection: Connection | AsyncConnection) -> None:
        self.store = store
        sync: Connection | None = getattr(connection, "sync_connection", None)
        self.is_async = sync is not None
        """Whether the host's connection is an ``AsyncConnection``."""
        self.connection: Connection = sync or connection  # type: ignore[assignment]
        self.tables = store.tables

    async def run_sync(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Await ``fn(*args, **kwargs)`` in the greenlet bridge, as `SqlStore.run_sync` does."""
        return await run_sync(self.is_async, fn, *args, **kwargs)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """A savepoint of the host's transaction; rolled back unless committed.

        Raises:
            StorageError: The host's connection has no transaction begun. SQLAlchemy
                would begin one for the savepoint, and nobody would ever commit it:
                the command would be lost when the connection is closed.
        """
        if not self.connection.in_transaction():
            raise StorageError(
                "the connection given to bind() has no transaction: call "
                "connection.begin() (or session.begin()) first, and commit it when the "
                "unit of work is done; a command here would never be committed"
            )
        with self.store._translate():
            savepoint = self.connection.begin_nested()
            tx = SqlTransaction(self.connection, self.tables, commit=savepoint.commit)
            try:
                yield tx
            finally:
                if not tx.committed and savepoint.is_active:
                    savepoint.rollback()

    @contextmanager
    def reader(self, *, one_statement: bool = False) -> Iterator[SqlTransaction]:
        """Reads on the host's connection, in its transaction (however many statements)."""
        with self.store._translate():
            yield SqlTransaction(self.connection, self.tables)

    def check_facts(self, company_id: str, user_id: str) -> CheckFacts:
        """The check's facts, read with SQLAlchemy on the host's connection."""
        with self.store._translate():
            row: Any = self.connection.execute(
                self.store._facts.statement, {"company_id": company_id, "user_id": user_id}
            ).first()
        if row is None:
            return None, None, None, None, None
        return self.store._facts_of(row, UserId(user_id))

    def check_facts_many(self, company_ids: Sequence[str], user_id: str) -> dict[str, CheckFacts]:
        """`check_facts` for several companies: one statement on the host's connection."""
        return self.store.check_facts_many_on(self.connection, company_ids, user_id)

    def __repr__(self) -> str:
        return f"<BoundSqlStore {self.store!r}>"
