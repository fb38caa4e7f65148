"""The in-memory store's undo journal puts back exactly what a transaction changed.

Random histories of the journal's operations on a few dicts and sorted lists (new keys
and sorted inserts share one entry per container while nothing else touched it), then
a rollback: every container equals its copy from before. Grouping that ignored a
container's own order (a pop after an insert of the same key) fails here.
"""

from __future__ import annotations

import bisect
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from teamaccess.adapters.memory._repo import Journal

KEYS = st.integers(0, 3)
OPS = st.tuples(
    st.sampled_from(["put", "pop", "put_new", "insort", "discard", "call"]),
    st.integers(0, 1),  # which dict or list
    KEYS,
    KEYS,
)


def _start(data: Any) -> tuple[list[dict[int, int]], list[list[int]]]:
    dicts = [data.draw(st.dictionaries(KEYS, KEYS, min_size=1, max_size=3)) for _ in range(2)]
    lists = [sorted(data.draw(st.lists(KEYS, min_size=1, max_size=3))) for _ in range(2)]
    return dicts, lists


def _apply(journal: Journal, dicts: list[dict[int, int]], lists: list[list[int]], op) -> None:
    what, which, key, value = op
    table, values = dicts[which], lists[which]
    if what == "put":
        journal.put(table, key, value)
    elif what == "pop" and key in table:
        journal.pop(table, key)
    elif what == "put_new" and key not in table:
        journal.put_new(table, {key: value})
    elif what == "insort":
        journal.insort(values, key)
    elif what == "discard":
        journal.discard(values, key)
    elif what == "call":  # a change made directly, undone by a callable
        had = key in table
        old = table.get(key)
        table[key] = value
        journal.call(lambda: table.__setitem__(key, old) if had else table.pop(key, None))


@settings(max_examples=500)
@given(st.data(), st.lists(OPS, min_size=3, max_size=30))
def test_r_all_3_a_rollback_puts_every_container_back(data, ops) -> None:
    """R-ALL-3: after any history of changes, a rollback leaves every dict and list as before."""
    dicts, lists = _start(data)
    before = copy.deepcopy((dicts, lists))
    journal = Journal()
    for op in ops:
        _apply(journal, dicts, lists, op)
    assert all(values == sorted(values) for values in lists)
    journal.rollback()
    assert (dicts, lists) == before
    assert journal.undo == []


def test_new_keys_of_one_dict_share_one_entry_until_it_is_touched_otherwise() -> None:
    """A million new leads keep a pointer each, not an entry each."""
    journal, table, values = Journal(), {}, []
    for key in range(1000):
        journal.put(table, key, key)
        journal.insort(values, key)
    assert len(journal.undo) == 2
    journal.pop(table, 5)
    journal.put(table, 2000, 0)
    assert len(journal.undo) == 4  # the pop closed the group: the next key starts another
    journal.rollback()
    assert table == {}
    assert values == []
    assert bisect.bisect(values, 0) == 0
