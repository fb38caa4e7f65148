"""A SQLite store remembers check answers, and forgets exactly what a commit changed (issue 29).

``PRAGMA data_version`` changes on a connection when any other connection, of this
process or another, commits. A check on one of the store's kept read connections
then reads the change log (``<prefix>changes``, written by every command in its own
transaction) past the last position it saw, and forgets the answers of the companies
and users listed there; everything else stays remembered. A repeated check costs the
pragma, not the join.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.testing import make_service


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.sqlite"
    store = SqlStore(create_engine(f"sqlite:///{path}"))
    store.create_schema()
    store.engine.dispose()
    return path


def _service(path: Path, **options: Any) -> tuple[TeamAccess, list[str]]:
    """A service on the file, and the list each run of the check's statement appends to."""
    store = SqlStore(create_engine(f"sqlite:///{path}"), **options)
    ran: list[str] = []
    first = store._facts.first

    def counted(conn: Any, params: Any) -> Any:
        ran.append(params["company_id"])
        return first(conn, params)

    store._facts.first = counted  # type: ignore[method-assign]
    ta = make_service(store)
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    return ta, ran


def test_a_repeated_check_answers_without_the_statement(sqlite_file: Path) -> None:
    ta, ran = _service(sqlite_file)
    assert ta.check("ben", "acme", "view_members").allowed
    assert ta.check("ben", "acme", "open_backoffice").allowed
    assert ta.check("ben", "nowhere", "view_members").reason == "not_a_member"
    assert ta.check("ben", "nowhere", "view_members").reason == "not_a_member"
    assert ran == ["acme", "nowhere"]


def test_a_commit_of_the_same_process_ends_the_remembered_answers(sqlite_file: Path) -> None:
    ta, ran = _service(sqlite_file)
    assert ta.check("ben", "acme", "view_members").allowed
    ta.members.remove("anna", "acme", "ben")
    assert not ta.check("ben", "acme", "view_members").allowed
    assert ran == ["acme", "acme"]


def _delete_ben(path: Path, *, logged: bool = True) -> None:
    """Delete ben's membership from a raw sqlite3 connection, as another process's command would."""
    other = sqlite3.connect(path)
    other.execute("DELETE FROM teamaccess_memberships WHERE user_id = 'ben'")
    if logged:
        other.execute("INSERT INTO teamaccess_changes (company_id) VALUES ('acme')")
    other.commit()
    other.close()


def test_a_commit_of_another_process_forgets_the_keys_it_logged(sqlite_file: Path) -> None:
    ta, ran = _service(sqlite_file)
    assert ta.check("ben", "acme", "view_members").allowed
    assert ta.check("anna", "elsewhere", "view_members").reason == "not_a_member"
    _delete_ben(sqlite_file)
    decision = ta.check("ben", "acme", "view_members")
    assert not decision.allowed
    assert decision.reason == "not_a_member"
    ta.check("anna", "elsewhere", "view_members")  # another company: still remembered
    assert ran == ["acme", "elsewhere", "acme"]


def test_another_process_s_command_forgets_the_answer(sqlite_file: Path) -> None:
    """Two services on one file, as two processes: the second's removal reaches the first."""
    ta, _ = _service(sqlite_file)
    other = make_service(SqlStore(create_engine(f"sqlite:///{sqlite_file}")))
    assert ta.check("ben", "acme", "view_members").allowed
    other.members.remove("anna", "acme", "ben")
    assert not ta.check("ben", "acme", "view_members").allowed


def test_a_write_that_bypasses_the_change_log_is_not_seen_until_forget_all(
    sqlite_file: Path,
) -> None:
    """The documented limit: rows changed behind teamaccess's back need `cache.forget_all()`."""
    ta, _ = _service(sqlite_file)
    assert ta.check("ben", "acme", "view_members").allowed
    _delete_ben(sqlite_file, logged=False)
    assert ta.check("ben", "acme", "view_members").allowed  # remembered
    ta.store.cache.forget_all()  # type: ignore[attr-defined]
    assert not ta.check("ben", "acme", "view_members").allowed


def test_connections_of_the_hosts_pool_remember_nothing(sqlite_file: Path) -> None:
    """With no kept connections every check reads: a host's connection may change the schema."""
    ta, ran = _service(sqlite_file, fast_path_connections=0)
    for _ in range(3):
        assert ta.check("ben", "acme", "view_members").allowed
    assert ran == ["acme"] * 3


def test_a_watching_host_sees_every_check(sqlite_file: Path) -> None:
    ta, ran = _service(sqlite_file)
    seen: list[str] = []
    engine = ta.store.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    for _ in range(3):
        assert ta.check("ben", "acme", "view_members").allowed
    assert ran == ["acme"] * 3
    assert sum("teamaccess_memberships" in sql for sql in seen) == 3


def test_a_commit_while_the_facts_are_read_is_not_remembered_as_older(sqlite_file: Path) -> None:
    """The version is read before the facts: a commit right after the read ends them."""
    ta, _ = _service(sqlite_file)
    store = ta.store
    first = store._facts.first  # type: ignore[attr-defined]

    def then_commit(conn: Any, params: Any) -> Any:
        row = first(conn, params)
        _delete_ben(sqlite_file)
        return row

    store._facts.first = then_commit  # type: ignore[attr-defined]
    assert ta.check("ben", "acme", "view_members").allowed  # read before the delete
    store._facts.first = first  # type: ignore[attr-defined]
    assert not ta.check("ben", "acme", "view_members").allowed


def test_the_cache_forgets_everything_at_its_bound(sqlite_file: Path) -> None:
    """At the bound every answer is forgotten at once; the next ones are remembered again."""
    ta, ran = _service(sqlite_file)
    cache = ta.store.cache  # type: ignore[attr-defined]
    cache._limit = 8
    for n in range(20):
        ta.check("ben", f"company-{n}", "view_members")
    assert 1 <= len(cache) <= 8
    ran.clear()
    ta.check("ben", "company-19", "view_members")
    assert ran == []


def test_clear_makes_every_store_forget(sqlite_file: Path) -> None:
    """`SqlStore.clear` changes rows wholesale: this store's and another's answers go too.

    The same ids come back with other facts (as between two examples of a property test).
    """
    ta, _ = _service(sqlite_file)
    other = make_service(SqlStore(create_engine(f"sqlite:///{sqlite_file}")))
    assert ta.check("ben", "acme", "view_members").allowed
    assert other.check("ben", "acme", "view_members").allowed
    ta.store.clear()  # type: ignore[attr-defined]
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    assert not ta.check("ben", "acme", "view_members").allowed
    assert not other.check("ben", "acme", "view_members").allowed
