"""R-ALL-4, R-ALL-3: concurrent writers of one company's events link one audit chain.

Eight threads append events of one company at once, straight through the outbox port
(no command lock around them: the chain's head row is the only thing that orders
them), some with an event of the platform's chain in the same transaction, and
PostgreSQL and MariaDB (READ COMMITTED) let them commit in any order. Two writers that
read the same head would both link to it: a fork, which ``verify`` reports as
``unlinked``. Afterwards both chains verify and hold every event. A command that loses a
deadlock is retried, as the service retries commands.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.domain.events import CompanyProfileUpdated, UserRegistered
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.errors import TransientStorageError
from teamaccess.testing import in_transaction, make_service

from ..backends import SQL_BACKENDS
from .test_races import _race

THREADS = 8
ROUNDS = int(os.environ.get("TEAMACCESS_CHAIN_RACE_ROUNDS", "12"))
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS[1:])  # the servers: SQLite has one writer at a time
def chain_service(request: pytest.FixtureRequest) -> Iterator[TeamAccess]:
    """A service on the server's emptied tables, with a connection for every thread."""
    session_store = request.param.store()
    session_store.clear()
    engine = create_engine(session_store.engine.url, pool_size=THREADS + 2)
    yield make_service(
        SqlStore(engine, prefix=session_store.tables.prefix), platform_admins={"admin"}
    )
    engine.dispose()


def _write(store: SqlStore, writer: int, also_platform: bool) -> int:
    """Append one event of acme (and one of the platform's chain); retried when transient."""
    event = CompanyProfileUpdated(
        occurred_at=NOW,
        actor_id=UserId(f"w{writer}"),
        company_id=CompanyId("acme"),
        name=f"by w{writer}",
    )
    events: list[object] = [event]
    if also_platform:
        events.append(
            UserRegistered(
                occurred_at=NOW,
                actor_id=None,
                company_id=None,
                user_id=UserId(f"u{writer}"),
                email=f"u{writer}@example.com",
            )
        )
    for retry in range(10):
        try:
            in_transaction(store, lambda tx: tx.outbox.extend(events))  # type: ignore[arg-type]
        except TransientStorageError:
            if retry == 9:
                raise
        else:
            return retry
    return -1  # pragma: no cover - the loop returns or raises


def test_r_all_4_concurrent_writers_of_one_company_link_one_chain(
    chain_service: TeamAccess,
) -> None:
    """R-ALL-4: 8 threads appending acme's events at once, 12 rounds: acme's and the platform's chains verify and count every event."""
    ta = chain_service
    ta.users.register("admin", "admin@example.com")
    ta.companies.create("admin", "ACME GmbH", company_id="acme")
    store = ta.store
    assert isinstance(store, SqlStore)
    for round_ in range(ROUNDS):
        outcomes = _race([partial(_write, store, w, (w + round_) % 2 == 0) for w in range(THREADS)])
        assert all(isinstance(o, int) for o in outcomes), outcomes
    written = [m.event.company_id for m in ta.outbox.pending(limit=1_000_000)]
    acme = ta.audit.verify("admin", "acme")
    platform = ta.audit.verify("admin", None)
    assert (acme.ok, acme.events) == (True, written.count("acme")), acme
    assert (platform.ok, platform.events) == (True, written.count(None)), platform
    assert written.count("acme") > THREADS * ROUNDS
