"""The in-memory store's kept answers: never stale, and they do not wait for a writer.

A service on a ``MemoryStore`` keeps each check's answer with the store's generation
(how many transactions have committed a change). Any committed change, by this
service or another on the same store, makes every kept answer stale; a rolled-back
command does not. While a writer holds the store, a check already answered since the
last commit is given without waiting for it.
"""

from __future__ import annotations

import threading
import time

import pytest

from teamaccess import MemoryStore, TeamAccess
from teamaccess.errors import AlreadyAMember
from teamaccess.testing import make_service


@pytest.fixture
def two() -> tuple[TeamAccess, TeamAccess]:
    store = MemoryStore()
    first, second = make_service(store), make_service(store)
    for user in ("anna", "ben"):
        first.users.register(user, f"{user}@example.com")
    first.companies.create("anna", "ACME", company_id="acme")
    first.members.add("anna", "acme", "ben")
    return first, second


def test_r_all_2_a_change_by_any_service_ends_every_kept_answer(two) -> None:
    """R-ALL-2, R-MEM-7: an answer kept before a removal is not given after it, whoever removed."""
    first, second = two
    assert first.check("ben", "acme", "view_members").allowed
    assert second.check("ben", "acme", "view_members").allowed
    second.members.remove("anna", "acme", "ben")
    assert first.check("ben", "acme", "view_members").reason == "not_a_member"
    first.members.add("anna", "acme", "ben")
    assert second.check("ben", "acme", "view_members").allowed


def test_r_all_3_a_refused_command_keeps_the_generation(two) -> None:
    """R-ALL-3: a refused command commits nothing, so the store's generation stays."""
    first, _ = two
    generation = first.store.generation
    with pytest.raises(AlreadyAMember):
        first.members.add("anna", "acme", "ben")
    assert first.store.generation == generation
    first.members.remove("anna", "acme", "ben")
    assert first.store.generation == generation + 1


def test_r_all_2_a_known_answer_does_not_wait_for_a_writer(two) -> None:
    """R-ALL-2: while a writer holds the store, a check answered before is given at once."""
    first, _ = two
    assert first.check("ben", "acme", "view_members").allowed
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with first.store.transaction() as tx:
            tx.memberships.remove("acme", "ben")
            holding.set()
            release.wait(5)
            tx.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(5)
    start = time.perf_counter()
    during = first.check("ben", "acme", "view_members")  # the committed state: still a member
    waited = time.perf_counter() - start
    release.set()
    thread.join()
    assert during.allowed
    assert waited < 0.5  # the writer holds the store for up to 5 s
    assert first.check("ben", "acme", "view_members").reason == "not_a_member"
