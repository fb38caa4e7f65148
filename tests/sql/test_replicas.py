"""Reads on a PostgreSQL streaming replica: tokens make them read-your-writes (R-ALL-12).

A private primary and a hot-standby replica made by ``pg_basebackup -R`` (see
``tests/clusters/postgres.py``), on spare ports, once per module. Each round adds a
member and removes them on the primary, then checks them at once: ``at_least`` the
removal's token must deny in every round; a plain read on the replica shows the
window the token closes (counted, not asserted); ``minimize_latency`` is measured.
``TEAMACCESS_REPLICA_ROUNDS`` sets the rounds (300 by default, for CI time; the figures in docs/scale-out.md are at 1,000). The figures are
printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from teamaccess import Action, AsyncTeamAccess, TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.consistency import Consistency, ConsistencyToken, last_token
from teamaccess.errors import ReadOnlyStorage

from ..clusters.postgres import PostgresCluster, cluster_or_skip, replica_or_skip, spare_port

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("pg_replica")]

ROUNDS = int(os.environ.get("TEAMACCESS_REPLICA_ROUNDS", "300"))
REPLAY = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')"


@pytest.fixture(scope="module")
def nodes() -> Iterator[tuple[PostgresCluster, PostgresCluster]]:
    """A primary with the schema and a team, and its streaming replica (caught up)."""
    # fsync off: a test cluster's commits need not survive a power cut, and the rounds
    # then measure replication, not the shared disk (commits still flush the WAL).
    primary = cluster_or_skip("taprim", settings={"fsync": "off"})
    try:
        replica = replica_or_skip(primary)
    except BaseException:
        primary.drop()
        raise
    store = SqlStore.from_url(primary.url())
    store.create_schema()
    ta = TeamAccess(store)
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    wait_for(replica, ta.current_token())
    store.engine.dispose()
    try:
        yield primary, replica
    finally:
        replica.drop()
        primary.drop()


def wait_for(replica: PostgresCluster, token: ConsistencyToken) -> None:
    """Wait until the replica has replayed ``token`` (setup only, never asserted on)."""
    engine = sa.create_engine(replica.url())
    try:
        with engine.connect() as conn:
            while int(conn.exec_driver_sql(REPLAY).scalar() or 0) < token.position:
                time.sleep(0.005)
    finally:
        engine.dispose()


def routed(primary: PostgresCluster, replica: PostgresCluster, **options: object) -> SqlStore:
    return SqlStore(
        create_engine(primary.url()), replicas=[create_engine(replica.url())], **options
    )  # type: ignore[arg-type]


@pytest.fixture
def stores() -> Iterator[list[SqlStore]]:
    """Stores a test makes; their engines (and their replicas') are disposed after it."""
    made: list[SqlStore] = []
    yield made
    for store in made:
        for node in (store, *store.replicas):
            node.engine.dispose()


def remove_then_check(
    ta: TeamAccess, reader: TeamAccess, consistency: Consistency | None, rounds: int
) -> tuple[int, list[float]]:
    """Rounds of add-remove-check; the stale answers and how long each stayed stale (s)."""
    stale = 0
    windows: list[float] = []
    for _ in range(rounds):
        ta.members.add("anna", "acme", "ben")
        ta.members.remove("anna", "acme", "ben")
        token = last_token()
        assert token is not None
        mode = Consistency.at_least(token) if consistency is None else consistency
        removed = time.perf_counter()
        if reader.check("ben", "acme", Action.OPEN_BACKOFFICE, consistency=mode):
            stale += 1
            while reader.check("ben", "acme", Action.OPEN_BACKOFFICE, consistency=mode):
                pass
            windows.append(time.perf_counter() - removed)
    return stale, windows


def report(label: str, stale: int, rounds: int, windows: list[float], counts: object) -> None:
    shown = (
        f", stale for median {statistics.median(windows) * 1000:.2f} ms, "
        f"max {max(windows) * 1000:.2f} ms"
        if windows
        else ""
    )
    print(f"\n[replica] {label}: {stale}/{rounds} stale{shown}; reads served {counts}")


def test_r_all_12_at_least_token_is_never_stale_on_the_replica(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: 1,000 remove-then-check rounds at_least the removal's token: 0 allowed."""
    primary, replica = nodes
    store = routed(primary, replica, replica_wait=timedelta(milliseconds=50))
    stores.append(store)
    ta = TeamAccess(store)
    stale, windows = remove_then_check(ta, ta, None, ROUNDS)
    counts = store.read_counts()
    report("at_least(token), wait 50 ms", stale, ROUNDS, windows, counts)
    assert stale == 0
    assert counts[next(k for k in counts if k.startswith("replica"))] > 0


def test_r_all_12_at_least_without_wait_reads_the_primary_until_replayed(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: without a wait, a token the replica lacks is read on the primary: 0 stale."""
    primary, replica = nodes
    store = routed(primary, replica)
    stores.append(store)
    ta = TeamAccess(store)
    rounds = max(ROUNDS // 5, 20)
    stale, windows = remove_then_check(ta, ta, None, rounds)
    counts = store.read_counts()
    report("at_least(token), no wait", stale, rounds, windows, counts)
    assert stale == 0
    # Whether a round's read found the replica behind depends on timing; with replay
    # paused it is behind for sure, and the read with the new token is the primary's.
    pause = sa.create_engine(replica.url(), poolclass=sa.pool.NullPool)
    with pause.connect() as conn:
        conn.exec_driver_sql("SELECT pg_wal_replay_pause()")
        try:
            ta.members.add("anna", "acme", "ben")
            token = last_token()
            assert token is not None
            primary_reads = store.read_counts().get("primary", 0)
            mode = Consistency.at_least(token)
            assert ta.check("ben", "acme", Action.OPEN_BACKOFFICE, consistency=mode)
            assert store.read_counts()["primary"] == primary_reads + 1
            ta.members.remove("anna", "acme", "ben")
        finally:
            conn.exec_driver_sql("SELECT pg_wal_replay_resume()")
    pause.dispose()
    # An old token is on the replica already: that read is the replica's (and may
    # not see the last removal, which it did not ask for).
    before = sum(v for k, v in store.read_counts().items() if k != "primary")
    old = Consistency.at_least(ConsistencyToken("p", 1))
    assert ta.check("anna", "acme", Action.OPEN_BACKOFFICE, consistency=old)
    assert sum(v for k, v in store.read_counts().items() if k != "primary") == before + 1


def test_plain_replica_reads_show_the_window_tokens_close(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: the same rounds read plainly on the replica, stale answers counted (no bound)."""
    primary, replica = nodes
    stores.extend([SqlStore.from_url(primary.url()), SqlStore.from_url(replica.url())])
    ta, on_replica = TeamAccess(stores[0]), TeamAccess(stores[1])
    rounds = max(ROUNDS // 4, 20)  # a measurement, not a proof: a quarter of the rounds
    stale, windows = remove_then_check(ta, on_replica, Consistency.fully_consistent(), rounds)
    report("plain replica read", stale, rounds, windows, "all on the replica")
    assert 0 <= stale <= rounds


@pytest.mark.parametrize("staleness_ms", [0, 50])
def test_r_all_12_minimize_latency_window_is_measured(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore], staleness_ms: int
) -> None:
    """R-ALL-12: minimize_latency reads mostly on the replica; with 0 staleness never stale."""
    primary, replica = nodes
    store = routed(primary, replica)
    stores.append(store)
    ta = TeamAccess(store)
    rounds = max(ROUNDS // 5, 20)
    mode = Consistency.minimize_latency(timedelta(milliseconds=staleness_ms))
    stale, windows = remove_then_check(ta, ta, mode, rounds)
    counts = store.read_counts()
    report(f"minimize_latency({staleness_ms} ms)", stale, rounds, windows, counts)
    if staleness_ms == 0:  # a sample taken after the commit: the replica must have it
        assert stale == 0
    assert sum(v for k, v in counts.items() if k != "primary") > 0


def test_r_all_12_a_token_lies_past_its_commands_commit_record(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: the WAL (pg_walinspect) has the command's COMMIT record ending at or before its token.

    A position read before COMMIT would lie before that record: a replica could reach
    it and still miss the commit.
    """
    primary, _ = nodes
    store = SqlStore.from_url(primary.url())
    stores.append(store)
    ta = TeamAccess(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    for _ in range(20):
        start = ta.current_token()
        ta.members.add("anna", "acme", "ben")
        ta.members.remove("anna", "acme", "ben")
        token = last_token()
        assert token is not None
        with store.engine.connect() as conn:
            # the removal's own transaction: the one that wrote the newest outbox row
            # (other COMMITs, autovacuum's for one, may land in the WAL after it)
            xid = conn.exec_driver_sql(
                "SELECT xmin::text FROM teamaccess_outbox ORDER BY position DESC LIMIT 1"
            ).scalar_one()
            commits = conn.exec_driver_sql(
                "SELECT end_lsn::text FROM pg_get_wal_records_info_till_end_of_wal("
                "%(start)s::pg_lsn) WHERE resource_manager = 'Transaction' "
                "AND record_type = 'COMMIT' AND xid::text = %(xid)s",
                {"start": start.lsn, "xid": xid},
            ).all()
        assert len(commits) == 1, commits  # the removal's COMMIT, once
        assert ConsistencyToken.of_lsn(commits[0][0]) <= token


def test_r_all_12_fully_consistent_reads_the_primary(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: fully_consistent reads and commands never touch the replica."""
    primary, replica = nodes
    store = routed(primary, replica)
    stores.append(store)
    ta = TeamAccess(store)
    ta.members.add("anna", "acme", "ben")
    assert ta.check(
        "ben", "acme", Action.OPEN_BACKOFFICE, consistency=Consistency.fully_consistent()
    )
    ta.members.remove("anna", "acme", "ben")
    assert store.read_counts() == {
        "primary": 1,
        **{k: 0 for k in store.read_counts() if k != "primary"},
    }


def test_r_all_12_a_command_on_the_replica_raises_read_only_storage(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: a command sent to the standby raises ReadOnlyStorage (SQLSTATE 25006)."""
    _, replica = nodes
    stores.append(SqlStore.from_url(replica.url()))
    ta = TeamAccess(stores[0])
    with pytest.raises(ReadOnlyStorage, match=r"read-only.*primary"):
        ta.users.register("zoe", "zoe@example.com")


def test_r_all_12_a_replica_that_is_down_leaves_reads_on_the_primary(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: a replica that does not answer is skipped; the read runs on the primary."""
    primary, _ = nodes
    dead = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{spare_port()}/postgres")
    store = SqlStore(create_engine(primary.url()), replicas=[dead])
    stores.append(store)
    ta = TeamAccess(store)
    ta.members.add("anna", "acme", "ben")
    mine = Consistency.at_least(last_token())  # type: ignore[arg-type]
    assert ta.check("ben", "acme", Action.OPEN_BACKOFFICE, consistency=mine)
    ta.members.remove("anna", "acme", "ben")
    assert store.read_counts()["primary"] == 1


def test_r_all_12_async_store_routes_at_least_to_the_replica(
    nodes: tuple[PostgresCluster, PostgresCluster], stores: list[SqlStore]
) -> None:
    """R-ALL-12: AsyncTeamAccess on asyncpg: at_least reads never stale, some on the replica."""
    primary, replica = nodes

    async def rounds() -> tuple[int, dict[str, int]]:
        engines = [
            create_async_engine(primary.url("asyncpg")),
            create_async_engine(replica.url("asyncpg")),
        ]
        store = SqlStore(
            engines[0],
            replicas=[engines[1]],
            replica_wait=timedelta(milliseconds=50),
        )
        ata = AsyncTeamAccess(store)
        stale = 0
        for _ in range(50):
            await ata.members.add("anna", "acme", "ben")
            await ata.members.remove("anna", "acme", "ben")
            mine = Consistency.at_least(last_token())  # type: ignore[arg-type]
            if await ata.check("ben", "acme", Action.OPEN_BACKOFFICE, consistency=mine):
                stale += 1
        counts = store.read_counts()
        for engine in engines:
            await engine.dispose()
        return stale, counts

    stale, counts = asyncio.run(rounds())
    report("async at_least(token), wait 50 ms", stale, 50, [], counts)
    assert stale == 0
    assert sum(v for k, v in counts.items() if k != "primary") > 0
