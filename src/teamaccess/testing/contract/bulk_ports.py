"""The bulk methods of the ports behave alike on every adapter (R-ALL-5), past one IN chunk."""

from __future__ import annotations

import pytest

from teamaccess import User
from teamaccess.errors import Conflict, EmailTaken
from teamaccess.testing import FrozenClock, dump
from teamaccess.values import TagGrant

N = 700  # more than the SQL adapter's 500 parameters per IN list


def test_r_all_5_bulk_users_and_tags_are_found_across_chunks(store) -> None:
    """R-ALL-5: add_many / get_many_by_email / holders agree on every adapter for 700 rows."""
    now = FrozenClock()()
    users = [User(f"u{i:04d}", f"u{i:04d}@example.com") for i in range(N)]
    with store.transaction() as tx:
        tx.users.add_many(users)
        tx.tags.add_many([TagGrant(u.id, "t", "direct:x", now) for u in users[::2]])
        tx.commit()
    with store.reader() as tx:
        emails = [u.email for u in users] + ["nobody@example.com"]
        found = tx.users.get_many_by_email(emails)
        holders = tx.tags.holders("t", [u.id for u in users])
        assert tx.tags.holders("other", [u.id for u in users]) == frozenset()
    assert sorted(found) == [u.email for u in users]
    assert found["u0001@example.com"] == users[1]
    assert holders == {u.id for u in users[::2]}


def test_r_all_6_bulk_duplicates_raise_library_errors_and_write_nothing(store) -> None:
    """R-ALL-6: a duplicate inside a bulk insert raises the library's error; the batch is undone."""
    with store.transaction() as tx:
        tx.users.add(User("a", "a@example.com"))
        tx.commit()
    before = dump(store)
    now = FrozenClock()()

    def write(repo: str, rows: list) -> None:
        with store.transaction() as tx:
            getattr(tx, repo).add_many(rows)
            tx.commit()

    with pytest.raises(EmailTaken):
        write("users", [User("b", "b@example.com"), User("c", "a@example.com")])
    with pytest.raises(Conflict):
        write("tags", [TagGrant("a", "t", "direct:x", now), TagGrant("a", "t", "direct:x", now)])
    assert dump(store) == before
