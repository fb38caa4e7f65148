"""Consistency tokens and read modes, R-ALL-12 (read-your-writes), run against every adapter.

Every command issues a token (``teamaccess.consistency.last_token()``); tokens of one store only
grow; a read ``at_least`` a command's token sees that command's writes; the three
modes answer as the default read does on a store's primary; a foreign or malformed
token is refused before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import Action, Store, TeamAccess
from teamaccess.consistency import Consistency, ConsistencyToken, consistency_scope, last_token
from teamaccess.domain.consistency import KINDS
from teamaccess.errors import InvalidInput, InvalidToken, TeamAccessError
from teamaccess.testing import FrozenClock, make_service
from teamaccess.testing.contract._helpers import examples, make_team

_MODES = (
    None,
    Consistency.fully_consistent(),
    Consistency.minimize_latency(timedelta(seconds=5)),
    Consistency.minimize_latency(timedelta(0)),
)


def _issued(ta: TeamAccess) -> ConsistencyToken:
    token = last_token()
    assert isinstance(token, ConsistencyToken), "the command issued no token"
    return token


def test_r_all_12_every_command_issues_a_growing_token(ta: TeamAccess) -> None:
    """R-ALL-12: each command issues a token of its store's kind, at or past the one before."""
    ta.users.register("anna", "anna@example.com")
    first = _issued(ta)
    company = ta.companies.create("anna", "ACME GmbH", company_id="acme")
    second = _issued(ta)
    ta.users.register("ben", "ben@example.com")
    ta.members.add("anna", company.id, "ben")
    third = _issued(ta)
    assert first.kind in KINDS
    assert first.kind == second.kind == third.kind
    assert first < second < third
    assert ConsistencyToken.parse(str(third)) == third
    assert ta.current_token() >= third


def test_r_all_12_a_refused_command_issues_no_new_token(ta: TeamAccess) -> None:
    """R-ALL-12: a command that raises leaves the last token as it was (it changed nothing)."""
    make_team(ta)
    before = _issued(ta)
    with pytest.raises(InvalidInput):
        ta.members.add("anna", "acme", "carl", role="no such role")
    assert last_token() == before


def test_r_all_12_at_least_own_token_reads_own_removal(ta: TeamAccess) -> None:
    """R-ALL-12: after a removal, every read at_least its token sees the member gone."""
    team = make_team(ta)
    assert ta.check("ben", team.id, Action.OPEN_BACKOFFICE)
    ta.members.remove("anna", team.id, "ben")
    mine = Consistency.at_least(_issued(ta))
    decision = ta.check("ben", team.id, Action.OPEN_BACKOFFICE, consistency=mine)
    assert decision.reason == "not_a_member"
    listed = ta.members.list("anna", team.id, consistency=mine)
    assert [m.user_id for m in listed] == ["anna"]
    holders = ta.access.who_may("anna", team.id, Action.OPEN_BACKOFFICE, consistency=mine)
    assert [h.user_id for h in holders.items] == ["anna"]
    places = ta.access.where_may("ben", "ben", Action.OPEN_BACKOFFICE, consistency=mine)
    assert places.items == ()


def test_r_all_12_at_least_takes_the_token_text(ta: TeamAccess) -> None:
    """R-ALL-12: a token's text (from a cookie) works as the token itself."""
    team = make_team(ta)
    text = str(_issued(ta))
    assert ta.check("ben", team.id, Action.OPEN_BACKOFFICE, consistency=Consistency.at_least(text))


@pytest.mark.parametrize("mode", _MODES, ids=lambda m: "default" if m is None else m.mode.value)
def test_r_all_12_every_mode_answers_as_the_default(ta: TeamAccess, mode: Consistency) -> None:
    """R-ALL-12: on a store's own database every mode gives the default read's answer."""
    team = make_team(ta)
    for user in ("anna", "ben", "carl"):
        for action in (Action.OPEN_BACKOFFICE, Action.MANAGE_TEAM):
            assert ta.check(user, team.id, action, consistency=mode) == ta.check(
                user, team.id, action
            )
    assert ta.members.list("anna", team.id, consistency=mode) == ta.members.list("anna", team.id)
    assert ta.check("ben", team.id, Action.REMOVE_MEMBER, target_user_id="ben", consistency=mode)


def test_r_all_12_a_token_of_another_store_kind_is_refused(ta: TeamAccess, store: Store) -> None:
    """R-ALL-12: at_least with a token another kind of store issued raises InvalidToken."""
    team = make_team(ta)
    own = _issued(ta).kind
    foreign = ConsistencyToken(next(k for k in KINDS if k != own), 1)
    with pytest.raises(InvalidToken, match="issued by"):
        ta.check("anna", team.id, Action.OPEN_BACKOFFICE, consistency=Consistency.at_least(foreign))
    with pytest.raises(InvalidToken):
        ta.members.list("anna", team.id, consistency=Consistency.at_least(foreign))


@pytest.mark.parametrize(
    "text", ["", "ta1", "ta1.p.", "ta2.p.10", "ta1.P.10", "ta1.q.10", "ta1.p.xyz", "ta1.p.1 "]
)
def test_r_all_12_a_malformed_token_is_refused_with_its_text(text: str) -> None:
    """R-ALL-12: a malformed or unknown token text raises InvalidToken naming the format."""
    with pytest.raises(InvalidToken, match="token"):
        Consistency.at_least(text)


def test_r_all_12_consistency_must_be_a_consistency(ta: TeamAccess) -> None:
    """R-ALL-12: a consistency that is not a Consistency value raises InvalidInput."""
    team = make_team(ta)
    with pytest.raises(InvalidInput, match="Consistency"):
        ta.check("anna", team.id, Action.OPEN_BACKOFFICE, consistency="strong")  # type: ignore[arg-type]


def test_r_all_12_a_scope_records_its_commands_tokens(ta: TeamAccess) -> None:
    """R-ALL-12: inside consistency_scope, commands' tokens reach the scope; reads use it."""
    team = make_team(ta)
    before = _issued(ta)
    with consistency_scope(str(before)) as scope:
        assert scope.token == before
        assert scope.issued is None
        ta.members.remove("anna", team.id, "ben")
        assert scope.issued == last_token()
        assert scope.token == scope.issued
        assert scope.token is not None
        assert scope.token > before
        assert not ta.check("ben", team.id, Action.OPEN_BACKOFFICE)


def test_r_all_12_a_scope_ignores_a_bad_or_foreign_cookie(ta: TeamAccess) -> None:
    """R-ALL-12: a scope begun with a malformed or foreign token reads as without one."""
    team = make_team(ta)
    own = _issued(ta).kind
    foreign = str(ConsistencyToken(next(k for k in KINDS if k != own), 7))
    for cookie in ("garbage", foreign):
        with consistency_scope(cookie):
            assert ta.check("ben", team.id, Action.OPEN_BACKOFFICE)


_PEOPLE = ["p0", "p1", "p2"]
_history = st.lists(
    st.tuples(st.sampled_from(["join", "leave", "flag", "admin"]), st.sampled_from(_PEOPLE)),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=examples(15),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(history=_history)
def test_r_all_12_tokens_never_go_back_and_at_least_reads_agree(
    store_factory: Callable[[], Store], history: list[tuple[str, str]]
) -> None:
    """R-ALL-12: over a random history each token is at or past the last; at_least reads agree."""
    ta = make_service(store_factory(), clock=FrozenClock())
    for user in ("f", *_PEOPLE):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("f", "ACME GmbH", company_id="acme")
    last = _issued(ta)
    for operation, person in history:
        try:
            if operation == "join":
                ta.members.add("f", "acme", person)
            elif operation == "leave":
                ta.members.remove("f", "acme", person)
            elif operation == "flag":
                ta.members.set_show_as_contact("f", "acme", person, True)
            else:
                ta.members.change_role("f", "acme", person, "admin")
        except TeamAccessError:
            assert last_token() == last  # refused: changed nothing, no new token
            continue
        token = _issued(ta)
        assert token >= last
        last = token
    assert ta.current_token() >= last
    mine = Consistency.at_least(last)
    for person in ("f", *_PEOPLE):
        for action in (Action.OPEN_BACKOFFICE, Action.MANAGE_TEAM):
            assert ta.check(person, "acme", action, consistency=mine) == ta.check(
                person, "acme", action
            )
