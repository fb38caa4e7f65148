"""R-ALL-7: malformed input gets the same InvalidInput on every store, and changes nothing.

One world is built on each of the four stores (``fuzz_calls.world``). For every public
method and every argument, each junk value of the argument's kind replaces the valid
value in an otherwise valid call, on every store: the outcome must be an
``InvalidInput`` subclass, the same class everywhere, and no store may change. A
hypothesis test then draws arbitrary junk (surrogates, NUL, controls, blanks, 1 MB
text, bytes, numbers, containers) for random arguments and compares the stores.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import TeamAccess
from teamaccess.errors import InvalidInput, TeamAccessError
from teamaccess.testing import dump, make_service

from ..backends import BACKENDS
from .fuzz_calls import JUNK, calls, method_of, optional, public_methods, world

TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def worlds() -> Iterator[list[tuple[str, object, TeamAccess, dict[str, str]]]]:
    """The same world on every store: (name, store, service, ids)."""
    built = []
    stack = []
    for param in BACKENDS:
        backend = param.values[0]
        context = backend.open()
        factory = context.__enter__()
        stack.append(context)
        store = factory()
        ta, ids = world(store)
        built.append((backend.name, store, ta, ids))
    yield built
    for context in reversed(stack):
        context.__exit__(None, None, None)


def _outcome(ta: TeamAccess, method: str, kwargs: dict) -> str:
    try:
        method_of(ta, method)(**kwargs)
    except TeamAccessError as error:
        return type(error).__name__
    return "ok"


def test_r_all_7_every_public_method_is_fuzzed() -> None:
    """R-ALL-7: the call table names every public method and every one of its arguments."""
    public = public_methods(make_service())
    table = calls({"pool": "p", "invitation": "i", "token": "t"})
    assert set(table) == set(public)
    for method, (valid, kinds) in table.items():
        params = set(inspect.signature(public[method]).parameters)
        skipped = {
            "settings",
            "limits",
            "progress",
            "replacement",
            "occurred_at",
            "visible_from",
            "until",
            "consistency",
            "starts_at",
            "expires_at",
            "within",
            "older_than",
            "now",
            "member_until",
            "duration",
        }  # fmt: skip - typed values, not text or numbers
        assert set(kinds) == set(valid) == params - skipped, method


@pytest.mark.parametrize("method", sorted(calls({"pool": "", "invitation": "", "token": ""})))
def test_r_all_7_junk_is_refused_alike_on_every_store(worlds, method: str) -> None:
    """R-ALL-7: each junk value of each argument raises the same InvalidInput subclass on memory, SQLite, PostgreSQL and MariaDB, and leaves every store as it was."""
    before = {name: dump(store) for name, store, _, _ in worlds}
    valid, kinds = calls(worlds[0][3])[method]
    for param, kind in kinds.items():
        for junk in JUNK[kind]:
            if junk is None and optional(worlds[0][2], method, param):
                continue
            outcomes = {}
            for name, _store, ta, ids in worlds:
                kwargs = {**calls(ids)[method][0], param: junk}
                outcomes[name] = _outcome(ta, method, kwargs)
            TALLY["inputs"] += 1
            classes = set(outcomes.values())
            assert len(classes) == 1, (method, param, repr(junk)[:40], outcomes)
            (outcome,) = classes
            assert outcome != "ok", (method, param, repr(junk)[:40])
            error = getattr(__import__("teamaccess.errors", fromlist=[outcome]), outcome)
            assert issubclass(error, InvalidInput), (method, param, repr(junk)[:40], outcome)
    for name, store, _, _ in worlds:
        assert dump(store) == before[name], (method, name)
    del valid


_anything = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec=None, categories=["Cc", "Cs", "Zs", "Cf"]), max_size=5),
    st.binary(max_size=10),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.just("x" * 1_000_000),
)


@given(data=st.data())
def test_r_all_7_random_junk_gets_one_answer_on_every_store(worlds, data) -> None:
    """R-ALL-7: arbitrary values for a random argument of a random method give the same outcome class on every store, and only teamaccess.errors exceptions."""
    table = calls(worlds[0][3])
    method = data.draw(st.sampled_from(sorted(m for m in table if table[m][1])))
    param = data.draw(st.sampled_from(sorted(table[method][1])))
    junk = data.draw(_anything)
    outcomes = {}
    for name, _store, ta, ids in worlds:
        kwargs = {**calls(ids)[method][0], param: junk}
        try:
            method_of(ta, method)(**kwargs)
            outcomes[name] = "ok"
        except TeamAccessError as error:
            outcomes[name] = type(error).__name__
    assert len(set(outcomes.values())) == 1, (method, param, repr(junk)[:60], outcomes)
