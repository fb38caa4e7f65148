"""A kept SQLite connection remembers check answers only while nothing was committed (issue 18).

``PRAGMA data_version`` changes on a connection when any other connection, of this
process or another, commits. The store's kept read connections remember the facts of
their checks under that version, so a repeated check costs the pragma, not the join;
every commit anywhere ends what they remember.
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


def test_a_commit_of_another_connection_ends_the_remembered_answers(sqlite_file: Path) -> None:
    """A raw sqlite3 connection (as another process would) deletes the membership."""
    ta, _ = _service(sqlite_file)
    assert ta.check("ben", "acme", "view_members").allowed
    other = sqlite3.connect(sqlite_file)
    other.execute("DELETE FROM teamaccess_memberships WHERE user_id = 'ben'")
    other.commit()
    other.close()
    decision = ta.check("ben", "acme", "view_members")
    assert not decision.allowed
    assert decision.reason == "not_a_member"


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
        other = sqlite3.connect(sqlite_file)
        other.execute("DELETE FROM teamaccess_memberships WHERE user_id = 'ben'")
        other.commit()
        other.close()
        return row

    store._facts.first = then_commit  # type: ignore[attr-defined]
    assert ta.check("ben", "acme", "view_members").allowed  # read before the delete
    store._facts.first = first  # type: ignore[attr-defined]
    assert not ta.check("ben", "acme", "view_members").allowed


def test_a_kept_connection_remembers_a_bounded_number_of_answers(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the bound the oldest quarter is forgotten; the newest answers stay."""
    from teamaccess.adapters.sql import _store

    monkeypatch.setattr(_store, "_REMEMBERED", 8)
    ta, ran = _service(sqlite_file)
    for n in range(20):
        ta.check("ben", f"company-{n}", "view_members")
    conn, _ = ta.store._readers.get_nowait()  # type: ignore[attr-defined]
    remembered = list(conn.info["teamaccess_answers"][1])
    ta.store._readers.put((conn, 0.0))  # type: ignore[attr-defined]
    assert len(remembered) <= 8
    assert remembered[-1] == ("company-19", "ben")
    ran.clear()
    ta.check("ben", "company-19", "view_members")
    assert ran == []
