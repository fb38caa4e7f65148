"""The check cache across processes (issue 29, R-ALL-12): it forgets exactly what changed.

Each process remembers the facts of its recent checks (`FactCache`) and forgets by the
keys that commands publish in their own transaction: a membership's user, a company
(with every account below it). SQLite brings its cache up to date on every check (its
answers are exact); PostgreSQL hears the keys by ``LISTEN`` and MariaDB by polling the
change log, and they answer ``minimize_latency(s)`` from memory only while their last
confirmation is at most ``s`` old, ``at_least(token)`` (PostgreSQL) only once they have
heard the token.
"""

from __future__ import annotations

import bisect
import multiprocessing
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.adapters.sql._cache import FactCache
from teamaccess.consistency import Consistency, last_token
from teamaccess.testing import make_service

from ..backends import MARIADB, POSTGRES, TEMP
from .cache_child import ACTION, ask, write

SERVERS = [pytest.param(POSTGRES, id="postgres"), pytest.param(MARIADB, id="mariadb")]
ROUNDS = int(os.environ.get("TEAMACCESS_CACHE_ROUNDS", "40"))
REFRESH = 0.005
BOUND = 0.05
SPACING = 0.06  # between writes: longer than the bound, so a stale answer cannot hide
LATENCY = Consistency.minimize_latency(timedelta(seconds=BOUND))


# -- the cache itself --------------------------------------------------------------------


class _Company:
    def __init__(self, parent_id: str | None = None) -> None:
        self.parent_id = parent_id


def _facts(parent: str | None = None) -> tuple[Any, ...]:
    return (_Company(parent), None, None, None, None)


def test_r_all_12_a_user_key_forgets_that_users_answers_in_every_company() -> None:
    cache = FactCache()
    for key in [("acme", "ben"), ("kid", "ben"), ("acme", "anna")]:
        cache.put(key, _facts(), cache.generation)
    cache.forget([], ["ben"])
    assert cache.get(("acme", "ben")) is None
    assert cache.get(("kid", "ben")) is None
    assert cache.get(("acme", "anna")) is not None


def test_r_all_12_a_company_key_forgets_its_answers_and_those_below_any_parent() -> None:
    """A company may be the ancestor of any account with a parent: those go too."""
    cache = FactCache()
    cache.put(("acme", "ben"), _facts(), 0)
    cache.put(("kid", "ben"), _facts(parent="other"), 0)  # below another account
    cache.put(("solo", "ben"), _facts(), 0)
    cache.forget(["acme"], [])
    assert cache.get(("acme", "ben")) is None
    assert cache.get(("kid", "ben")) is None
    assert cache.get(("solo", "ben")) is not None


def test_r_all_12_an_answer_read_before_a_forgetting_is_not_kept() -> None:
    cache = FactCache()
    generation = cache.generation
    cache.forget([], ["ben"])  # a change's notice arrives while the read runs
    cache.put(("acme", "ben"), _facts(), generation)
    assert cache.get(("acme", "ben")) is None


def test_r_all_12_the_cache_serves_a_mode_only_while_it_can() -> None:
    from teamaccess.consistency import ConsistencyToken

    cache = FactCache()
    assert not cache.serves(LATENCY)
    cache.confirm(time.monotonic(), 100)
    assert cache.serves(LATENCY)
    assert cache.serves(Consistency.at_least(ConsistencyToken("p", 100)))
    assert not cache.serves(Consistency.at_least(ConsistencyToken("p", 101)))
    assert not cache.serves(Consistency.fully_consistent())
    cache.lost()
    assert not cache.serves(LATENCY)
    assert not cache.serves(Consistency.at_least(ConsistencyToken("p", 1)))


# -- SQLite: exact, and forgetting only what changed -----------------------------------


def _sqlite(path: Path) -> tuple[TeamAccess, list[str]]:
    store = SqlStore(create_engine(f"sqlite:///{path}"))
    ran: list[str] = []
    first = store._facts.first

    def counted(conn: Any, params: Any) -> Any:
        ran.append(f"{params['company_id']}/{params['user_id']}")
        return first(conn, params)

    store._facts.first = counted  # type: ignore[method-assign]
    return make_service(store), ran


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[TeamAccess, TeamAccess, list[str]]]:
    """A writer and a reader service on one SQLite file, each with its own engine."""
    path = tmp_path / "cache.sqlite"
    writer, _ = _sqlite(path)
    writer.store.create_schema()  # type: ignore[attr-defined]
    for user in ("anna", "ben", "carl"):
        writer.users.register(user, f"{user}@example.com")
    writer.companies.create("anna", "ACME", company_id="acme")
    writer.members.add("anna", "acme", "ben")
    reader, ran = _sqlite(path)
    yield writer, reader, ran
    writer.store.engine.dispose()  # type: ignore[attr-defined]
    reader.store.engine.dispose()  # type: ignore[attr-defined]


def test_r_all_12_sqlite_a_change_elsewhere_forgets_only_its_own_keys(two_processes) -> None:
    """Another user's membership and a company's renaming each forget what they touch."""
    writer, reader, ran = two_processes
    assert reader.check("ben", "acme", ACTION).allowed
    assert reader.check("anna", "acme", ACTION).allowed
    writer.companies.create("carl", "Other", company_id="other")  # new company: key 'other'
    assert reader.check("ben", "acme", ACTION).allowed
    assert reader.check("anna", "acme", ACTION).allowed
    assert ran == ["acme/ben", "acme/anna"]  # nothing of theirs changed: both remembered
    writer.members.remove("anna", "acme", "ben")
    assert not reader.check("ben", "acme", ACTION).allowed  # ben's key: read again
    assert reader.check("anna", "acme", ACTION).allowed  # anna's answer stays
    assert ran == ["acme/ben", "acme/anna", "acme/ben"]


def test_r_all_12_sqlite_a_company_change_elsewhere_is_heard(two_processes) -> None:
    writer, reader, _ = two_processes
    admin = make_service(writer.store, platform_admins={"carl"})
    assert reader.check("ben", "acme", ACTION).allowed
    admin.companies.suspend("carl", "acme", reason="unpaid")
    decision = reader.check("ben", "acme", ACTION)
    assert not decision.allowed
    assert decision.reason == "company_suspended"


def test_r_all_12_sqlite_a_commit_while_the_facts_are_read_is_not_kept(two_processes) -> None:
    """The version is read before the facts: a commit right after the read is heard next."""
    writer, reader, _ = two_processes
    store = reader.store
    first = store._facts.first  # type: ignore[attr-defined]

    def then_commit(conn: Any, params: Any) -> Any:
        row = first(conn, params)
        writer.members.remove("anna", "acme", "ben")
        return row

    store._facts.first = then_commit  # type: ignore[attr-defined]
    assert reader.check("ben", "acme", ACTION).allowed  # read before the removal
    store._facts.first = first  # type: ignore[attr-defined]
    assert not reader.check("ben", "acme", ACTION).allowed


def test_r_all_12_sqlite_a_pruned_log_forgets_everything(two_processes, monkeypatch) -> None:
    """A reader that missed rows the writers deleted forgets all it remembers."""
    writer, reader, ran = two_processes
    assert reader.check("anna", "acme", ACTION).allowed
    writer.members.remove("anna", "acme", "ben")
    with writer.store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(writer.store.tables.changes.delete())  # type: ignore[attr-defined]
    writer.members.add("anna", "acme", "ben")
    assert reader.check("anna", "acme", ACTION).allowed
    assert ran == ["acme/anna", "acme/anna"]


@pytest.mark.parametrize("backend", [pytest.param(MARIADB, id="mariadb")])
def test_r_all_12_the_change_log_is_pruned_by_its_writers(backend, tmp_path, monkeypatch) -> None:
    """Writers delete change rows more than ``_KEEP`` below the top (here: always, keep 2)."""
    from teamaccess.adapters.sql import _changes

    monkeypatch.setattr(_changes, "_PRUNE_EVERY", 1)
    monkeypatch.setattr(_changes, "_KEEP", 2)
    stores = [backend.store(), SqlStore(create_engine(f"sqlite:///{tmp_path / 'log.sqlite'}"))]
    stores[1].create_schema()
    for store in stores:
        store.clear()
        _setup(store)  # four commands, six keys
        with store.engine.connect() as conn:
            positions = conn.execute(sa.select(store.tables.changes.c.position)).scalars().all()
        assert 1 <= len(positions) <= 3, positions  # the last command's rows and two below
        assert max(positions) - min(positions) <= 2


# -- PostgreSQL and MariaDB: hearing other processes -----------------------------------


def _cached(backend: Any, refresh: float = REFRESH) -> TeamAccess:
    base = backend.store()
    url = base.engine.url.render_as_string(hide_password=False)
    store = SqlStore(
        create_engine(url),
        prefix=base.tables.prefix,
        cache_refresh=timedelta(seconds=refresh),
    )
    assert store._feed is not None  # type: ignore[attr-defined]
    assert store._feed.connected.wait(10)  # type: ignore[attr-defined]
    _until(lambda: store.cache.serves(LATENCY), 10)  # type: ignore[union-attr]
    return make_service(store, platform_admins={"admin"})


@pytest.fixture
def acme(request: pytest.FixtureRequest) -> Iterator[tuple[TeamAccess, TeamAccess]]:
    """The session's store with ben in acme, and a cached service in its own engine."""
    backend = request.param
    base = backend.store()
    base.clear()
    writer = make_service(base, platform_admins={"admin"})
    for user in ("admin", "anna", "ben"):
        writer.users.register(user, f"{user}@example.com")
    writer.companies.create("anna", "ACME", company_id="acme")
    writer.members.add("anna", "acme", "ben")
    reader = _cached(backend)
    yield writer, reader
    reader.store.engine.dispose()  # type: ignore[attr-defined]


def _until(predicate: Any, seconds: float) -> float:
    began = time.monotonic()
    while not predicate():
        assert time.monotonic() - began < seconds, "not within the bound"
        time.sleep(0.002)
    return time.monotonic() - began


@pytest.mark.parametrize("acme", SERVERS, indirect=True)
def test_r_all_12_minimize_latency_answers_from_memory_and_hears_changes(acme) -> None:
    writer, reader = acme
    ran: list[str] = []
    store = reader.store
    check_facts = store.check_facts  # type: ignore[attr-defined]
    store.check_facts = lambda c, u: ran.append(c) or check_facts(c, u)  # type: ignore[attr-defined]
    for _ in range(5):
        assert reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed
    assert ran == ["acme"]  # read once, then remembered
    writer.members.remove("anna", "acme", "ben")
    removed = time.monotonic()
    _until(lambda: not reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed, 1)
    assert time.monotonic() - removed <= BOUND + 0.05
    writer.members.add("anna", "acme", "ben")
    _until(lambda: reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed, BOUND)
    assert not reader.check("ben", "acme", "delete_company").allowed  # fully consistent: read


@pytest.mark.parametrize("acme", SERVERS, indirect=True)
def test_r_all_12_kept_answers_serve_only_the_reads_the_cache_serves(acme) -> None:
    """The service keeps answers under the cache's generation, for cached reads alone.

    The cache is made deaf (a notice not yet arrived): a ``minimize_latency`` check may
    still answer from memory, but neither a ``fully_consistent`` check nor one without a
    mode may, and any forgetting ends every kept answer.
    """
    writer, reader = acme
    cache = reader.store.cache  # type: ignore[attr-defined]
    forget = cache.forget
    cache.forget = lambda companies, users: None
    assert reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed  # kept
    writer.members.remove("anna", "acme", "ben")
    assert reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed  # deaf: still kept
    full = Consistency.fully_consistent()
    assert not reader.check("ben", "acme", ACTION, consistency=full).allowed
    assert not reader.check("ben", "acme", ACTION).allowed
    cache.forget = forget
    cache.forget(["acme"], [])
    assert not reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed


@pytest.mark.parametrize("acme", SERVERS, indirect=True)
def test_r_all_12_at_least_a_token_never_answers_older(acme) -> None:
    """Right after another process's command, a read at least its token sees it."""
    writer, reader = acme
    for n in range(20):
        assert reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed is (n % 2 == 0)
        if n % 2 == 0:
            writer.members.remove("anna", "acme", "ben")
        else:
            writer.members.add("anna", "acme", "ben")
        mine = Consistency.at_least(last_token())
        assert reader.check("ben", "acme", ACTION, consistency=mine).allowed is (n % 2 == 1)
        _until(lambda n=n: reader.check(
            "ben", "acme", ACTION, consistency=LATENCY).allowed is (n % 2 == 1), BOUND)  # fmt: skip


@pytest.mark.parametrize("acme", SERVERS, indirect=True)
def test_r_all_12_a_lost_notice_connection_reads_the_database_until_it_is_back(acme) -> None:
    """Its backend killed, the cache confirms nothing: reads ask the database, then it heals."""
    writer, reader = acme
    store = reader.store
    assert reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed
    feed = store._feed  # type: ignore[attr-defined]
    feed.connected.clear()
    _kill_feed(writer.store, store)
    _until(lambda: not store.cache.serves(LATENCY), 5)  # type: ignore[attr-defined]
    writer.members.remove("anna", "acme", "ben")  # unheard: the feed is down or forgot
    assert not reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed
    assert feed.connected.wait(10)
    _until(lambda: store.cache.serves(LATENCY), 5)  # type: ignore[attr-defined]
    assert not reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed
    writer.members.add("anna", "acme", "ben")
    _until(lambda: reader.check("ben", "acme", ACTION, consistency=LATENCY).allowed, BOUND)


def _kill_feed(admin_store: Any, store: Any) -> None:
    """End the feed thread's server connection as a restart or a network cut would."""
    session = int(store._feed.session)
    with admin_store.engine.connect() as conn:
        if admin_store.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({session})")
        else:
            conn.exec_driver_sql(f"KILL {session}")


def test_r_all_12_cache_refresh_is_refused_where_it_cannot_work(tmp_path: Path) -> None:
    from teamaccess.errors import InvalidInput

    with pytest.raises(InvalidInput, match="cache_refresh must be a timedelta > 0"):
        SqlStore(create_engine(POSTGRES.url or "postgresql+psycopg://x@127.0.0.1/x"),
                 cache_refresh=timedelta(0))  # fmt: skip
    with pytest.raises(InvalidInput, match="PgBouncer's transaction pooling"):
        SqlStore(create_engine("postgresql+psycopg://x@127.0.0.1/x", pgbouncer=True),
                 cache_refresh=timedelta(seconds=1))  # fmt: skip


# -- the differential test: a writer, two checkers, every answer judged ----------------


def _setup(store: Any) -> None:
    ta = make_service(store, platform_admins={"admin"})
    for user in ("admin", "anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")


def _judge(writes: list[tuple[float, float, str, bool]], answers: list[Any]) -> dict[str, int]:
    """Count the answers older than the bound (latency) or than their token (token).

    State i (after write i) may be seen from the moment write i began until write i+1
    returned; the state before the first write until write 0 returned. A
    ``minimize_latency`` answer over [started, ended] must match a state seen at some
    moment in [started - BOUND, ended]; an ``at_least(token i)`` one a state j >= i
    begun before it ended.
    """
    states = [(-float("inf"), writes[0][1] if writes else float("inf"), True)]
    for i, (began, _ended, _token, allowed) in enumerate(writes):
        until = writes[i + 1][1] if i + 1 < len(writes) else float("inf")
        states.append((began, until, allowed))
    begins = [s[0] for s in states]  # both grow with i: a window is a slice
    untils = [s[1] for s in states]
    index = {token: i + 1 for i, (_, _, token, _) in enumerate(writes)}
    stale = {"latency": 0, "token": 0, "asked": 0}
    for mode, started, ended, token, allowed in answers:
        stale["asked"] += 1
        last = bisect.bisect_right(begins, ended)  # states begun by the end
        if mode == "latency":
            window = states[bisect.bisect_left(untils, started - BOUND) : last]
        else:
            window = states[index[token] : last]
        if allowed not in {s[2] for s in window}:
            stale[mode] += 1
    return stale


def _differential(url: str, prefix: str, rounds: int) -> dict[str, int]:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(3)
    latest = context.Array("c", 64)
    writes_out, answers_out, stop = context.Queue(), context.Queue(), context.Event()
    writer = context.Process(
        target=write, args=(url, prefix, rounds, SPACING, ready, latest, writes_out)
    )
    askers = [
        context.Process(
            target=ask, args=(url, prefix, REFRESH, BOUND, ready, latest, answers_out, stop)
        )
        for _ in range(2)
    ]
    for process in [writer, *askers]:
        process.start()
    writes = list(iter(lambda: writes_out.get(timeout=600), None))
    stop.set()
    answers: list[Any] = []
    for _ in askers:
        for chunk in iter(lambda: answers_out.get(timeout=120), None):
            answers.extend(chunk)
    for process in [writer, *askers]:
        process.join(timeout=60)
    assert [p.exitcode for p in [writer, *askers]] == [0, 0, 0]
    assert len(writes) == rounds
    stale = _judge(writes, answers)
    print(f"{prefix}: {rounds} writes, {stale}")
    return stale


@pytest.mark.parametrize("backend", SERVERS)
def test_r_all_12_two_checker_processes_never_answer_older_than_allowed(backend) -> None:
    """A writer process changes ben's standing while 2 checker processes ask: 0 stale answers."""
    store = backend.store()
    store.clear()
    _setup(store)
    url = store.engine.url.render_as_string(hide_password=False)
    stale = _differential(url, store.tables.prefix, ROUNDS)
    assert stale["asked"] > ROUNDS
    assert (stale["latency"], stale["token"]) == (0, 0)


def test_r_all_12_two_checker_processes_on_sqlite_never_answer_older() -> None:
    path = TEMP / f"differential-{os.getpid()}.sqlite"
    store = SqlStore(create_engine(f"sqlite:///{path}"))
    store.create_schema()
    _setup(store)
    store.engine.dispose()
    stale = _differential(f"sqlite:///{path}", "teamaccess_", ROUNDS)
    assert stale["asked"] > ROUNDS
    assert (stale["latency"], stale["token"]) == (0, 0)


def test_the_judge_counts_a_stale_answer() -> None:
    """The differential test can fail: an answer from before the bound is counted."""
    writes = [(1.0, 1.1, "t1", False), (2.0, 2.1, "t2", True)]
    fresh = [("latency", 1.5, 1.6, "", False), ("token", 2.2, 2.3, "t2", True)]
    old = [("latency", 1.9, 1.95, "", True), ("token", 1.5, 1.6, "t1", True)]
    assert _judge(writes, fresh) == {"latency": 0, "token": 0, "asked": 2}
    assert _judge(writes, old) == {"latency": 1, "token": 1, "asked": 2}
