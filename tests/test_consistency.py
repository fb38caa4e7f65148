"""Consistency tokens, modes, scopes and the replica router without a database (R-ALL-12)."""

from __future__ import annotations

import contextvars
import threading
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import Action, MemoryStore, TeamAccess
from teamaccess.adapters.sql._replicas import PRIMARY_LSN, REPLAY_LSN, Router
from teamaccess.consistency import Consistency, ConsistencyToken, consistency_scope, last_token
from teamaccess.domain.consistency import KINDS, Mode
from teamaccess.errors import InvalidInput, InvalidToken, StorageError

kinds = st.sampled_from(sorted(KINDS))
positions = st.integers(min_value=0, max_value=2**64 - 1)


@given(kinds, positions)
def test_r_all_12_token_text_round_trips_and_is_short(kind: str, position: int) -> None:
    """R-ALL-12: parse(str(token)) is the token; the text fits a cookie (at most 22 chars)."""
    token = ConsistencyToken(kind, position)
    text = str(token)
    assert ConsistencyToken.parse(text) == token
    assert len(text) <= 22
    assert text.isascii()
    assert not set(text) & set(' ;,="')


@given(kinds, positions, positions)
def test_r_all_12_tokens_of_one_kind_order_by_position(kind: str, a: int, b: int) -> None:
    """R-ALL-12: within one kind, token order is position order."""
    left, right = ConsistencyToken(kind, a), ConsistencyToken(kind, b)
    assert (left >= right) == (a >= b)
    assert (left < right) == (a < b)
    assert (left <= right) == (a <= b)
    assert (left > right) == (a > b)


@given(st.text(max_size=30))
def test_r_all_12_random_text_is_a_token_only_in_its_exact_form(text: str) -> None:
    """R-ALL-12: any text either parses to a token that prints as it, or raises InvalidToken."""
    try:
        token = ConsistencyToken.parse(text)
    except InvalidToken:
        return
    assert ConsistencyToken.parse(str(token)) == token


def test_r_all_12_tokens_of_two_kinds_do_not_compare() -> None:
    """R-ALL-12: comparing tokens of two store kinds raises InvalidToken, not a guess."""
    with pytest.raises(InvalidToken, match="do not compare"):
        assert ConsistencyToken("p", 1) >= ConsistencyToken("s", 1)
    with pytest.raises(TypeError):
        assert ConsistencyToken("p", 1) < 3  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kind", "position"), [("x", 1), ("p", -1), ("p", 2**64), ("p", True), ("p", "1")]
)
def test_r_all_12_a_token_is_refused_out_of_range(kind: Any, position: Any) -> None:
    """R-ALL-12: an unknown kind or a position outside 0..2**64-1 raises InvalidToken."""
    with pytest.raises(InvalidToken):
        ConsistencyToken(kind, position)


def test_r_all_12_lsn_text_round_trips() -> None:
    """R-ALL-12: a PostgreSQL token shows and reads its LSN as PostgreSQL writes it."""
    token = ConsistencyToken.of_lsn("16/B374D848")
    assert token.lsn == "16/B374D848"
    assert token.position == 0x16B374D848


def test_r_all_12_modes_are_built_by_their_class_methods() -> None:
    """R-ALL-12: the three modes carry what they need, and refuse a bad staleness."""
    assert Consistency.fully_consistent().mode is Mode.FULLY_CONSISTENT
    token = ConsistencyToken("m", 3)
    assert Consistency.at_least(token).token == token
    assert Consistency.at_least(str(token)) == Consistency.at_least(token)
    assert Consistency.minimize_latency().max_staleness == timedelta(seconds=1)
    with pytest.raises(InvalidInput, match="max_staleness"):
        Consistency.minimize_latency(timedelta(seconds=-1))
    with pytest.raises(InvalidInput, match="max_staleness"):
        Consistency.minimize_latency(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidToken):
        Consistency.at_least(3)  # type: ignore[arg-type]


def test_r_all_12_last_token_belongs_to_its_thread() -> None:
    """R-ALL-12: a command's token is this thread's; another thread's commands do not show."""
    ta = TeamAccess(MemoryStore())
    ta.users.register("anna", "anna@example.com")
    mine = last_token()
    seen: list[object] = []

    def other() -> None:
        seen.append(last_token())
        ta.users.register("ben", "ben@example.com")
        seen.append(last_token())

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen[0] is None
    assert isinstance(seen[1], ConsistencyToken)
    assert mine is not None
    assert seen[1] > mine
    assert last_token() == mine


def test_r_all_12_a_scope_collects_tokens_from_copied_contexts() -> None:
    """R-ALL-12: a command run in a copy of the scope's context (a thread pool) reaches it."""
    ta = TeamAccess(MemoryStore())
    with consistency_scope() as scope:
        context = contextvars.copy_context()
        thread = threading.Thread(
            target=context.run, args=(ta.users.register, "anna", "anna@example.com")
        )
        thread.start()
        thread.join()
        assert scope.issued == ConsistencyToken("m", 1)
        assert scope.token == scope.issued


def test_r_all_12_a_bound_command_issues_no_token_and_current_token_needs_the_store() -> None:
    """R-ALL-12: a service without tokens of its own says so (TypeError), never a wrong one."""

    class Tokenless:
        def __init__(self) -> None:
            self.inner = MemoryStore()

        def __getattr__(self, name: str) -> Any:
            if name in ("current_token", "token_kind", "route"):
                raise AttributeError(name)
            return getattr(self.inner, name)

    ta = TeamAccess(Tokenless())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="after your COMMIT"):
        ta.current_token()
    any_kind = Consistency.at_least("ta1.p.1")  # a store of no kind takes every token
    assert ta.check("x", "y", Action.OPEN_BACKOFFICE, consistency=any_kind).reason == "not_a_member"


class FakeNode:
    """A store that answers position queries from a list, or fails."""

    def __init__(self, name: str, answers: list[int] | None = None) -> None:
        self.name = name
        self.answers = answers or []
        self.asked: list[str] = []
        self.down = False

    def position_number(self, sql: str) -> int:
        self.asked.append(sql)
        if self.down:
            raise StorageError("down")
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def router(
    replicas: list[FakeNode], wait: float = 0.0, primary: FakeNode | None = None
) -> tuple[Router, list[float]]:
    paused: list[float] = []
    made = Router(
        primary or FakeNode("primary", [0]),  # type: ignore[arg-type]
        [(r, r.name) for r in replicas],  # type: ignore[misc]
        wait=wait,
        pause=paused.append,
    )
    return made, paused


def at_least(position: int) -> Consistency:
    return Consistency.at_least(ConsistencyToken("p", position))


def test_r_all_12_router_sends_a_token_to_a_replica_that_replayed_it() -> None:
    """R-ALL-12: at_least reads a replica at or past the token, else the primary."""
    behind, ahead = FakeNode("r1", [5]), FakeNode("r2", [20])
    made, _ = router([behind, ahead])
    assert made.route(at_least(10)) is ahead
    assert made.route(at_least(30)) is made.primary
    assert made.counts == {"primary": 1, "r1": 0, "r2": 1}
    assert behind.asked[0] == REPLAY_LSN


def test_r_all_12_router_remembers_replay_positions() -> None:
    """R-ALL-12: a replica known to be past a token is not asked again for it."""
    replica = FakeNode("r1", [50])
    made, _ = router([replica])
    for wanted in (10, 20, 50, 1):
        assert made.route(at_least(wanted)) is replica
    assert len(replica.asked) == 1


def test_r_all_12_router_waits_up_to_its_bound_then_reads_the_primary() -> None:
    """R-ALL-12: with a wait bound, the replica is asked again until it has the token."""
    catching_up = FakeNode("r1", [1, 2, 3, 10])
    made, paused = router([catching_up], wait=1.0)
    assert made.route(at_least(10)) is catching_up
    assert paused == [0.001, 0.001, 0.001]
    stuck = FakeNode("r1", [1])
    made, paused = router([stuck], wait=0.0)
    assert made.route(at_least(10)) is made.primary
    assert paused == []


def test_r_all_12_router_leaves_a_replica_that_failed_alone() -> None:
    """R-ALL-12: a replica that raised is skipped (the primary reads) without asking again."""
    replica = FakeNode("r1", [100])
    replica.down = True
    made, _ = router([replica])
    assert made.route(at_least(1)) is made.primary
    replica.down = False
    assert made.route(at_least(1)) is made.primary
    assert len(replica.asked) == 1


def test_r_all_12_router_minimize_latency_compares_with_a_primary_sample() -> None:
    """R-ALL-12: minimize_latency reads a replica that reached the primary's recent sample."""
    primary = FakeNode("primary", [40])
    replica = FakeNode("r1", [30, 45])
    made, _ = router([replica], primary=primary)
    fresh = Consistency.minimize_latency(timedelta(0))
    assert made.route(fresh) is made.primary  # the replica (30) lacks the sample (40)
    assert made.route(fresh) is replica  # now at 45
    assert primary.asked == [PRIMARY_LSN, PRIMARY_LSN]
    made.note_primary(float("inf"), 10**9)  # a sample from the future is never "old enough"
    assert made.route(Consistency.minimize_latency(timedelta(hours=1))) in (replica, made.primary)


def test_r_all_12_router_fully_consistent_is_the_primary() -> None:
    """R-ALL-12: fully_consistent never asks or uses a replica."""
    replica = FakeNode("r1", [10**6])
    made, _ = router([replica])
    assert made.route(Consistency.fully_consistent()) is made.primary
    assert replica.asked == []


def test_r_all_12_router_spreads_reads_over_replicas() -> None:
    """R-ALL-12: replicas that both qualify take turns."""
    one, two = FakeNode("r1", [99]), FakeNode("r2", [99])
    made, _ = router([one, two])
    for known in made.replicas:
        known.position = 99
    chosen = [made.route(at_least(1)) for _ in range(4)]
    assert chosen == [one, two, one, two]


def test_r_all_12_async_commands_set_last_token_in_their_task(tmp_path: Any) -> None:
    """R-ALL-12: awaited commands (aiosqlite, greenlet bridge) set last_token in the awaiting task."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    from teamaccess import AsyncTeamAccess
    from teamaccess.adapters.sql import SqlStore

    async def run() -> tuple[object, object, object]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite'}")
        store = SqlStore(engine)
        await store.run_sync(store.create_schema)
        ata = AsyncTeamAccess(store)
        await ata.users.register("anna", "anna@example.com")
        first = last_token()
        await ata.companies.create("anna", "ACME", company_id="acme")
        second = last_token()
        current = await ata.current_token()
        mine = Consistency.at_least(second)  # type: ignore[arg-type]
        assert await ata.check("anna", "acme", Action.OPEN_BACKOFFICE, consistency=mine)
        await engine.dispose()
        return first, second, current

    first, second, current = asyncio.run(run())
    assert isinstance(first, ConsistencyToken)
    assert isinstance(second, ConsistencyToken)
    assert first.kind == "s"
    assert first < second <= current  # type: ignore[operator]


@pytest.mark.parametrize("junk", ["ta1.m.1", 3, object()])
def test_r_all_7_a_consistency_that_is_not_one_is_invalid_input(junk: object) -> None:
    """R-ALL-7: ``consistency=`` junk (a token's text, a number) is InvalidInput, not a crash."""
    ta = TeamAccess(MemoryStore())
    ta.users.register("u", "u@example.com")
    with pytest.raises(InvalidInput, match="consistency must be"):
        ta.check("u", "c", Action.OPEN_BACKOFFICE, consistency=junk)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="consistency must be"):
        ta.members.list("u", "c", consistency=junk)  # type: ignore[arg-type]
