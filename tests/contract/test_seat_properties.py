"""Hypothesis properties of seat pools and tags over random histories, on every adapter.

R-SEAT-6, R-SEAT-10: used seats equal enrolled participants plus consumed seats, and
never exceed the pool. R-TAG-3: the tags a user holds are exactly the tags with at
least one live source, computed here from the history independently of the store.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from teamaccess.errors import TeamAccessError
from teamaccess.testing import dump

from .seat_helpers import ADMIN, seat_service

PEOPLE = [f"p{i}@example.com" for i in range(4)]
PRODUCTS = {"course": "course-access", "consumed": "course-access", "extra": "extra-access"}

operations = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(sorted(PRODUCTS)), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("single"), st.sampled_from(sorted(PRODUCTS))),
    st.tuples(st.just("enroll"), st.integers(1, 3), st.sampled_from(PEOPLE)),
    st.tuples(st.just("remove"), st.integers(1, 3), st.sampled_from(PEOPLE)),
    st.tuples(st.just("resize"), st.integers(1, 3), st.integers(1, 4)),
    st.tuples(
        st.just("grant"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["course-access", "extra-access"]),
    ),
    st.tuples(
        st.just("revoke"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["course-access", "extra-access"]),
    ),
)


@given(history=st.lists(operations, max_size=20))
def test_r_tag_3_holders_equal_live_sources_and_seats_add_up(store_factory, history) -> None:
    """R-TAG-3, R-SEAT-6, R-SEAT-10: after every step holders match live sources and used = enrolled + consumed."""
    ta = seat_service(store_factory())
    ta.create_product(ADMIN, "extra", "Extra", tag="extra-access")
    ids = {}
    for email in PEOPLE:
        ids[email] = ta.register_user(email.split("@")[0], email).id
    singles: set[tuple[str, str]] = set()  # (user, tag) from single purchases by the buyer
    direct: set[tuple[str, str]] = set()
    for op in history:
        kind, *args = op
        try:
            if kind == "buy":
                ta.purchase_seats("buyer", args[0], args[1], "Group", occupy_seat=args[2])
            elif kind == "single":
                ta.purchase_single_access("buyer", args[0])
                singles.add(("buyer", PRODUCTS[args[0]]))
            elif kind == "enroll":
                ta.enroll("buyer", f"pool-{args[0]}", args[1])
            elif kind == "remove":
                ta.remove_participant("buyer", f"pool-{args[0]}", ids[args[1]])
            elif kind == "resize":
                ta.resize_pool("buyer", f"pool-{args[0]}", args[1])
            elif kind == "grant":
                ta.grant_tag(ADMIN, ids[args[0]], args[1])
                direct.add((ids[args[0]], args[1]))
            else:
                ta.revoke_tag(ADMIN, ids[args[0]], args[1])
                direct.discard((ids[args[0]], args[1]))
        except TeamAccessError:
            pass
        state = dump(ta.store)
        product_of = {p.id: p for p in state.pools}
        enrolled = defaultdict(int)
        live: set[tuple[str, str]] = set(singles) | direct
        for e in state.enrollments:
            enrolled[e.pool_id] += 1
            live.add((e.user_id, PRODUCTS[product_of[e.pool_id].product_id]))
        for pool in state.pools:
            assert pool.used == enrolled[pool.id] + pool.consumed, "R-SEAT-10"
            assert 0 <= pool.used <= pool.seats, "R-SEAT-6"
        held = {(g.user_id, g.tag) for g in state.tags}
        assert held == live, "R-TAG-3"
        for user in {*ids.values(), "buyer"}:
            assert ta.tags_of(user) == {tag for u, tag in live if u == user}
