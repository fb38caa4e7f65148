"""Hypothesis property: a staff member's check follows their grants at every instant (R-SUP-1..3).

A random history of support requests (random actions and durations), approvals,
declines, ends by the company or the staff member, a clock that moves forward and
sweeps runs on the store. After each step, for every action, ``check`` must allow
exactly when the test's own model holds an approved, unexpired, un-ended grant that
names the action (R-SUP-1, R-SUP-3, R-TIME-1); an action that hands out access is never
allowed (R-SUP-2); every allowed decision names the grant (``acting_as``); and the
sweep changes no answer (R-TIME-2).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess.errors import TeamAccessError
from teamaccess.testing import FrozenClock, make_service
from teamaccess.testing.contract._helpers import examples

ACTIONS = ["view_members", "open_backoffice", "edit_profile", "report_export"]
FORBIDDEN = ["invite", "manage_team", "add_member"]

operations = st.one_of(
    st.tuples(
        st.just("request"),
        st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3),
        st.integers(1, 12),
    ),
    st.tuples(st.just("approve"), st.integers(0, 5)),
    st.tuples(st.just("decline"), st.integers(0, 5)),
    st.tuples(st.just("end"), st.integers(0, 5), st.sampled_from(["anna", "sam"])),
    st.tuples(st.just("tick"), st.integers(0, 8)),
    st.tuples(st.just("sweep")),
)


@attrs.define
class _Model:
    """The test's own idea of one grant."""

    id: str
    actions: frozenset[str]
    hours: int
    state: str = "requested"
    ends: datetime | None = None


def _run(ta: Any, clock: FrozenClock, grants: list[_Model], op: tuple[Any, ...]) -> None:
    kind, *args = op
    if kind == "request":
        actions, hours = args
        grant = ta.support.request(
            "sam", "acme", reason="ticket", permissions=actions, duration=timedelta(hours=hours)
        )
        grants.append(_Model(grant.id, frozenset(actions), hours))
    elif kind == "tick":
        clock.advance(hours=args[0])
    elif kind == "sweep":
        ta.support.expire_due()
    elif grants:
        model = grants[args[0] % len(grants)]
        try:
            if kind == "approve":
                ta.support.approve("anna", model.id)
                model.state, model.ends = "approved", clock.now + timedelta(hours=model.hours)
            elif kind == "decline":
                ta.support.decline("anna", model.id)
                model.state = "declined"
            else:
                ta.support.end(args[1], model.id)
                model.state = "ended"
        except TeamAccessError:
            pass  # refused: the model stays as it was (a closed grant is answered no more)


def _expected(grants: list[_Model], action: str, now: datetime) -> bool:
    return any(
        g.state == "approved" and g.ends is not None and now < g.ends and action in g.actions
        for g in grants
    )


@settings(max_examples=examples(15), suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)  # fmt: skip
@given(history=st.lists(operations, min_size=1, max_size=12))
def test_r_sup_1_check_allows_iff_an_approved_unexpired_unended_grant_names_the_action(
    store_factory: Any, history: list[tuple[Any, ...]]
) -> None:
    """R-SUP-1, R-SUP-2, R-SUP-3, R-TIME-1, R-TIME-2: after every step the staff member's check allows an action iff the model holds an approved, unexpired, un-ended grant naming it, with acting_as; forbidden actions never; the sweep changes no answer."""
    clock = FrozenClock()
    ta = make_service(store_factory(), clock=clock, support_staff={"sam"})
    for user in ("anna", "sam"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    grants: list[_Model] = []
    for op in history:
        _run(ta, clock, grants, op)
        answers = {a: ta.check("sam", "acme", a) for a in ACTIONS + FORBIDDEN}
        for action in ACTIONS:
            decision = answers[action]
            assert decision.allowed == _expected(grants, action, clock.now), (action, op, grants)
            if decision.allowed:
                assert decision.acting_as is not None
                assert decision.acting_as.grant_id in {g.id for g in grants}
        assert not any(answers[action].allowed for action in FORBIDDEN)
        ta.support.expire_due()
        assert {a: ta.check("sam", "acme", a).allowed for a in ACTIONS} == {
            a: answers[a].allowed for a in ACTIONS
        }
