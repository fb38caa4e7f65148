"""Hypothesis properties of seat pools and tags over random histories, on every adapter.

A small reference model, written here independently of the library, replays each
history: which pools exist, who is enrolled, which seats were consumed, which direct
and single-purchase grants live. After every step the store must agree with it:
R-SEAT-6 (used never exceeds N; "free" is N - used), R-SEAT-10 (used = enrolled +
consumed), R-TAG-3 (the tag holders are exactly the users with a live source), and
every command succeeds exactly when the model says it should.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess.errors import TeamAccessError
from teamaccess.testing import dump
from teamaccess.testing.contract._seat_helpers import ADMIN, seat_service

PEOPLE = [f"p{i}@example.com" for i in range(4)]
USER_OF = {email: email.split("@")[0] for email in PEOPLE}
PRODUCTS = {"course": "course-access", "consumed": "course-access", "extra": "extra-access"}
TAGS = ["course-access", "extra-access"]

operations = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(sorted(PRODUCTS)), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("single"), st.sampled_from(sorted(PRODUCTS))),
    st.tuples(st.just("enroll"), st.integers(1, 3), st.sampled_from(PEOPLE)),
    st.tuples(st.just("remove"), st.integers(1, 3), st.sampled_from(PEOPLE)),
    st.tuples(st.just("resize"), st.integers(1, 3), st.integers(1, 4)),
    st.tuples(st.just("grant"), st.sampled_from(PEOPLE), st.sampled_from(TAGS)),
    st.tuples(st.just("revoke"), st.sampled_from(PEOPLE), st.sampled_from(TAGS)),
)

# Property tests take their store from function-scoped fixtures (one store per test).
_FIXTURES = [HealthCheck.function_scoped_fixture]


class Model:
    """What the rules say the state is: pools, enrollments, consumed seats, grants."""

    def __init__(self) -> None:
        self.pools: dict[str, dict] = {}
        self.singles: set[tuple[str, str]] = set()
        self.direct: set[tuple[str, str]] = set()

    def apply(self, op: tuple) -> bool:
        """Apply ``op``; return whether the rules allow it."""
        kind, *args = op
        if kind == "buy":
            product, seats, occupy = args
            enrolled = {"buyer"} if occupy else set()
            pool = {"product": product, "seats": seats, "enrolled": enrolled, "consumed": 0}
            self.pools[f"pool-{len(self.pools) + 1}"] = pool
            return True
        if kind == "single":
            self.singles.add(("buyer", PRODUCTS[args[0]]))
            return True
        if kind in ("grant", "revoke"):
            key = (USER_OF[args[0]], args[1])
            if (key in self.direct) != (kind == "revoke"):
                return False  # a second grant by the same source, or a revoke of none
            (self.direct.add if kind == "grant" else self.direct.discard)(key)
            return True
        pool = self.pools.get(f"pool-{args[0]}")
        if pool is None:
            return False
        used = len(pool["enrolled"]) + pool["consumed"]
        if kind == "resize":
            if args[1] < used:
                return False
            pool["seats"] = args[1]
            return True
        user = USER_OF[args[1]]
        if kind == "enroll":
            if user in pool["enrolled"] or used >= pool["seats"]:
                return False
            pool["enrolled"].add(user)
            return True
        if user not in pool["enrolled"]:
            return False
        pool["enrolled"].discard(user)
        pool["consumed"] += pool["product"] == "consumed"
        return True

    def holders(self) -> set[tuple[str, str]]:
        """(user, tag) pairs with at least one live source (R-TAG-3)."""
        live = self.singles | self.direct
        for pool in self.pools.values():
            live |= {(user, PRODUCTS[pool["product"]]) for user in pool["enrolled"]}
        return live


def run(ta, op: tuple) -> bool:
    """Apply ``op`` to the service; return whether it succeeded."""
    kind, *args = op
    try:
        if kind == "buy":
            ta.seats.purchase("buyer", args[0], args[1], "Group", occupy_seat=args[2])
        elif kind == "single":
            ta.seats.purchase_single_access("buyer", args[0])
        elif kind == "enroll":
            ta.seats.enroll("buyer", f"pool-{args[0]}", args[1])
        elif kind == "remove":
            ta.seats.remove("buyer", f"pool-{args[0]}", USER_OF[args[1]])
        elif kind == "resize":
            ta.seats.resize("buyer", f"pool-{args[0]}", args[1])
        elif kind == "grant":
            ta.tags.grant(ADMIN, USER_OF[args[0]], args[1])
        else:
            ta.tags.revoke(ADMIN, USER_OF[args[0]], args[1])
    except TeamAccessError:
        return False
    return True


@settings(suppress_health_check=_FIXTURES, deadline=None)
@given(history=st.lists(operations, max_size=20))
def test_r_tag_3_holders_equal_live_sources_and_seats_add_up(store_factory, history) -> None:
    """R-TAG-3, R-SEAT-6, R-SEAT-10: after every step the store agrees with a reference model."""
    ta = seat_service(store_factory())
    ta.seats.create_product(ADMIN, "extra", "Extra", tag="extra-access")
    for email, user in USER_OF.items():
        ta.users.register(user, email)
    model = Model()
    for op in history:
        assert run(ta, op) == model.apply(op), op
        state = dump(ta.store)
        for pool in state.pools:
            expected = model.pools[pool.id]
            enrolled = {e.user_id for e in state.enrollments if e.pool_id == pool.id}
            assert enrolled == expected["enrolled"]
            assert (pool.seats, pool.consumed) == (expected["seats"], expected["consumed"])
            assert pool.used == len(enrolled) + pool.consumed, "R-SEAT-10"
            assert 0 <= pool.used <= pool.seats, "R-SEAT-6"
            assert ta.seats.get(pool.id).free == pool.seats - pool.used
        assert len(state.pools) == len(model.pools)
        live = model.holders()
        assert {(g.user_id, g.tag) for g in state.tags} == live, "R-TAG-3"
        for user in {*USER_OF.values(), "buyer"}:
            assert ta.tags.of_user(user) == {tag for u, tag in live if u == user}
