"""Hypothesis properties over random histories of membership commands, on every adapter.

Invariants (R-MC-1, R-MEM-2, R-ALL-3, R-ALL-6): after any sequence of commands every
company with members has exactly one main contact, who is a member; no user has two
memberships in one company; and a refused command leaves store and outbox unchanged.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import TeamAccess
from teamaccess.errors import TeamAccessError
from teamaccess.testing import StoreDump, dump, make_service

USERS = ["u0", "u1", "u2", "u3", "u4"]
COMPANIES = ["c0", "c1"]

users = st.sampled_from(USERS)
companies = st.sampled_from(COMPANIES)
roles = st.sampled_from(["admin", "member", "nope"])

operations = st.one_of(
    st.tuples(st.just("create"), users, companies),
    st.tuples(st.just("add"), users, companies, users, roles),
    st.tuples(st.just("remove"), users, companies, users),
    st.tuples(st.just("role"), users, companies, users, roles),
    st.tuples(st.just("transfer"), users, companies, users),
    st.tuples(st.just("show"), users, companies, users, st.booleans()),
    st.tuples(st.just("invite"), users, companies, users, roles),
    st.tuples(st.just("accept"), users, st.integers(1, 4)),
)

# Property tests take their store from function-scoped fixtures (one store per test).
_FIXTURES = [HealthCheck.function_scoped_fixture]


def apply(ta: TeamAccess, op: tuple) -> None:
    """Run one generated operation."""
    kind, *args = op
    if kind == "create":
        ta.companies.create(args[0], f"Company {args[1]}", company_id=args[1])
    elif kind == "add":
        ta.members.add(args[0], args[1], args[2], role=args[3])
    elif kind == "remove":
        ta.members.remove(*args)
    elif kind == "role":
        ta.members.change_role(*args)
    elif kind == "transfer":
        ta.members.transfer_main_contact(*args)
    elif kind == "show":
        ta.members.set_show_as_contact(*args)
    elif kind == "invite":
        ta.invitations.send(args[0], args[1], f"{args[2]}@example.com", role=args[3])
    else:
        ta.invitations.accept(args[0], f"token-{args[1]}")


def check_invariants(state: StoreDump) -> None:
    """The structural invariants that must hold after every command."""
    pairs = Counter((m.company_id, m.user_id) for m in state.memberships)
    assert all(n == 1 for n in pairs.values()), "R-MEM-2: duplicate membership"
    for company in state.companies:
        members = [m for m in state.memberships if m.company_id == company.id]
        mains = [m for m in members if m.is_main_contact]
        assert len(mains) == (1 if members else 0), (
            f"R-MC-1: {company.id} has {len(mains)} main contacts"
        )


@settings(suppress_health_check=_FIXTURES, deadline=None)
@given(history=st.lists(operations, max_size=25))
def test_r_mc_1_invariants_hold_after_any_history(store_factory, history) -> None:
    """R-MC-1, R-MEM-2: exactly one main contact per non-empty company, never a duplicate membership."""
    store = store_factory()
    ta = make_service(store)
    for user in USERS:
        ta.users.register(user, f"{user}@example.com")
    for op in history:
        before = dump(store)
        try:
            apply(ta, op)
        except TeamAccessError:
            assert dump(store) == before, f"R-ALL-6: refused {op} changed the store"
        check_invariants(dump(store))
