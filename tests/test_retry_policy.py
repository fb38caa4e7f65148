"""R-ALL-12: transient failures are retried with exponential backoff, full jitter and a budget.

On a multi-primary cluster every certification conflict arrives as a deadlock (1213) at
COMMIT; immediate retries make the same racers collide again. These tests drive a store
that fails a given number of times and record the waits instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import AsyncTeamAccess, MemoryStore, TeamAccess
from teamaccess.errors import InvalidInput, TransientStorageError, UnknownUser
from teamaccess.testing import make_service
from teamaccess.values import RetryPolicy


class FlakyStore(MemoryStore):
    """A memory store whose next ``failures`` transactions fail as a deadlock would."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.tries = 0

    @contextmanager
    def transaction(self) -> Iterator[object]:  # type: ignore[override]
        self.tries += 1
        if self.failures:
            self.failures -= 1
            raise TransientStorageError("mysql: (1213, 'Deadlock found when trying to get lock')")
        with super().transaction() as tx:
            yield tx


policies = st.builds(
    lambda attempts, base, factor, deadline: RetryPolicy(
        attempts=attempts, base_delay=base, max_delay=base * factor, deadline=deadline
    ),
    st.integers(1, 12),
    st.floats(0, 10, allow_nan=False),
    st.floats(1, 1000, allow_nan=False),
    st.none() | st.floats(0, 100, allow_nan=False),
)


@given(policies, st.integers(1, 200), st.floats(0, 1, exclude_max=True))
def test_r_all_12_each_delay_lies_between_zero_and_a_doubling_cap(
    policy: RetryPolicy, retry: int, uniform: float
) -> None:
    """R-ALL-12: retry n waits uniform * min(max_delay, base_delay * 2 ** (n - 1)) (full jitter)."""
    cap = policy.cap(retry)
    assert cap == min(policy.max_delay, policy.base_delay * 2.0 ** min(retry - 1, 64))
    assert 0 <= cap <= policy.max_delay
    assert policy.cap(retry + 1) >= cap  # never shrinks
    assert math.isclose(policy.delay(retry, lambda: uniform), uniform * cap)


@pytest.mark.parametrize("failures", [0, 1, 3])
def test_r_all_12_a_command_is_retried_with_backoff_until_it_succeeds(failures: int) -> None:
    """R-ALL-12: a command that fails n < attempts times succeeds, after n recorded waits under the caps."""
    slept: list[float] = []
    store = FlakyStore(failures)
    policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02, deadline=None)
    ta = make_service(store, retry_policy=policy, sleep=slept.append)
    assert ta.users.register("anna", "anna@example.com").id == "anna"
    assert store.tries == failures + 1
    assert len(slept) == failures
    assert all(0 <= d <= policy.cap(n) for n, d in enumerate(slept, start=1)), slept


def test_r_all_12_the_attempts_bound_the_retries() -> None:
    """R-ALL-12: after `attempts` failures the last TransientStorageError is raised; nothing is written."""
    slept: list[float] = []
    store = FlakyStore(10)
    ta = make_service(store, retry_policy=RetryPolicy(attempts=3), sleep=slept.append)
    with pytest.raises(TransientStorageError, match="1213"):
        ta.users.register("anna", "anna@example.com")
    assert (store.tries, len(slept)) == (3, 2)
    with pytest.raises(UnknownUser):
        ta.users.get("anna")


def test_r_all_12_the_deadline_bounds_the_time_spent_retrying() -> None:
    """R-ALL-12: no retry starts whose delay would end past the deadline."""
    slept: list[float] = []
    store = FlakyStore(10)
    policy = RetryPolicy(attempts=10, base_delay=5.0, max_delay=5.0, deadline=0.0)
    ta = make_service(store, retry_policy=policy, sleep=slept.append)
    with pytest.raises(TransientStorageError):
        ta.users.register("anna", "anna@example.com")
    assert (store.tries, slept) == (1, [])


def test_r_all_12_each_retry_is_logged_with_its_attempt_and_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R-ALL-12: every retry leaves a WARNING on teamaccess.storage naming the attempt and the delay."""
    slept: list[float] = []
    ta = make_service(FlakyStore(2), sleep=slept.append)
    with caplog.at_level(logging.WARNING, logger="teamaccess.storage"):
        ta.users.register("anna", "anna@example.com")
    records = [r for r in caplog.records if r.name == "teamaccess.storage"]
    assert [r.attempt for r in records] == [2, 3]  # type: ignore[attr-defined]
    assert [r.delay for r in records] == slept  # type: ignore[attr-defined]
    assert records[0].getMessage().startswith("retrying the command (attempt 2 of 6, after ")


def test_retries_is_a_shorthand_for_the_number_of_attempts() -> None:
    """``retries=n`` keeps working: n + 1 attempts with the default delays; not with retry_policy too."""
    store = FlakyStore(10)
    ta = make_service(store, retries=2, sleep=lambda _delay: None)
    with pytest.raises(TransientStorageError):
        ta.users.register("anna", "anna@example.com")
    assert store.tries == 3
    with pytest.raises(InvalidInput, match="not both"):
        TeamAccess(MemoryStore(), retries=1, retry_policy=RetryPolicy())


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0},
        {"attempts": True},
        {"base_delay": -1.0},
        {"max_delay": math.inf},
        {"deadline": math.nan},
        {"base_delay": 1.0, "max_delay": 0.5},
    ],
)
def test_r_all_6_a_bad_retry_policy_is_refused(options: dict[str, object]) -> None:
    """R-ALL-6: attempts below 1, negative or endless seconds, max below base: InvalidInput."""
    with pytest.raises(InvalidInput, match="RetryPolicy"):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_r_all_12_async_facade_retries_with_the_same_policy() -> None:
    """R-ALL-12: AsyncTeamAccess retries a transient failure by its retry_policy too."""
    slept: list[float] = []
    store = FlakyStore(2)
    ata = AsyncTeamAccess(store, retry_policy=RetryPolicy(attempts=3), sleep=slept.append)
    user = asyncio.run(ata.users.register("anna", "anna@example.com"))
    assert (user.id, store.tries, len(slept)) == ("anna", 3, 2)


def test_r_all_12_an_async_store_pauses_without_blocking_the_loop() -> None:
    """R-ALL-12: the wait of a retry on an AsyncEngine store is an await: other tasks run meanwhile."""
    pytest.importorskip("aiosqlite")
    from sqlalchemy.ext.asyncio import create_async_engine

    from teamaccess.adapters.sql import SqlStore

    store = SqlStore(create_async_engine("sqlite+aiosqlite://"))
    order: list[str] = []

    def paused() -> None:
        store.pause(0.05)
        order.append("pause ended")

    async def other() -> None:
        order.append("other task ran")

    async def main() -> None:
        await asyncio.gather(store.run_sync(paused), other())

    asyncio.run(main())
    assert order == ["other task ran", "pause ended"]
