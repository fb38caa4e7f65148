"""Pure domain pieces: decisions, the policy function, roles, events, settings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamaccess import (
    DEFAULT_POLICY,
    Action,
    Company,
    CompanySettings,
    Decision,
    Membership,
    Reason,
    RolePolicy,
)
from teamaccess.domain.partners import properties_from_json, properties_to_json
from teamaccess.domain.policy import decide
from teamaccess.errors import InvalidInput, InvalidPropertyValue
from teamaccess.events import InvitationSent, MemberAdded, event_from_dict, event_to_dict
from teamaccess.testing.strategies import property_definitions, property_values

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
ACME = Company("acme", "ACME", NOW)


def member(
    user: str, role: str = "member", main: bool = False, company: str = "acme"
) -> Membership:
    return Membership(company, user, role, NOW, is_main_contact=main)


def test_r_all_2_decision_is_truthy_and_explains_itself() -> None:
    """R-ALL-2: a Decision is truthy when allowed and prints "allowed|denied: reason (rule)"."""
    yes = Decision.allow(Reason.IS_MEMBER, "R-MEM-6")
    no = Decision.deny("custom_reason", "R-X-1", "detail")
    assert bool(yes)
    assert not bool(no)
    assert str(yes) == "allowed: is_member (R-MEM-6)"
    assert str(no) == "denied: custom_reason (R-X-1)"
    assert yes.reason == "is_member"  # enum members become their plain code


def test_r_all_1_membership_of_another_company_grants_nothing() -> None:
    """R-ALL-1: a membership row of another company is not accepted as the actor's."""
    decision = decide(
        Action.OPEN_BACKOFFICE,
        company=ACME,
        actor=member("anna", company="other"),
        policy=DEFAULT_POLICY,
    )
    assert decision.reason == "not_a_member"


def test_r_mem_5_target_required_for_member_actions() -> None:
    """R-MEM-5: an action about a member without naming the member is denied, not guessed."""
    decision = decide(
        Action.SET_SHOW_AS_CONTACT,
        company=ACME,
        actor=member("anna", "admin"),
        policy=DEFAULT_POLICY,
    )
    assert (decision.allowed, decision.reason, decision.rule) == (
        False,
        "target_required",
        "R-MEM-5",
    )


@pytest.mark.parametrize(
    ("action", "actor", "target", "expected"),
    [
        (Action.EDIT_PROFILE, member("a", main=True), None, "allowed: is_main_contact (R-MC-2)"),
        (Action.EDIT_PROFILE, member("a", "admin"), None, "denied: not_main_contact (R-MC-2)"),
        (Action.REMOVE_MEMBER, member("a"), member("a"), "allowed: is_self (R-MEM-7)"),
        (
            Action.REMOVE_MEMBER,
            member("a", "admin"),
            member("b"),
            "allowed: role_permits (R-MEM-7)",
        ),
        (
            Action.TRANSFER_MAIN_CONTACT,
            member("a", "admin"),
            member("b"),
            "allowed: role_permits (R-MC-3)",
        ),
        (
            Action.TRANSFER_MAIN_CONTACT,
            member("a"),
            member("b"),
            "denied: not_main_contact (R-MC-3)",
        ),
        (Action.INVITE, member("a"), None, "denied: not_permitted (R-INV-1)"),
        ("manage_team", member("a", "admin"), None, "allowed: role_permits (R-MEM-8)"),
    ],
)
def test_r_all_2_policy_table(action, actor, target, expected) -> None:
    """R-ALL-2: the decision table of the built-in actions, each with its rule."""
    assert (
        str(decide(action, company=ACME, actor=actor, policy=DEFAULT_POLICY, target=target))
        == expected
    )


def test_r_mem_8_role_policy_validates_and_answers() -> None:
    """R-MEM-8: a RolePolicy lists its roles, unknown roles have no permissions, bad tables fail."""
    policy = RolePolicy({"owner": ["x", "y"], "viewer": []})
    assert policy.roles == ("owner", "viewer")
    assert policy.permissions("owner") == frozenset({"x", "y"})
    assert policy.permissions("ghost") == frozenset()
    with pytest.raises(ValueError, match="at least one role"):
        RolePolicy({})
    with pytest.raises(ValueError, match="non-empty"):
        RolePolicy({" ": []})


def test_r_inv_2_settings_refuse_non_positive_ttl() -> None:
    """R-INV-2: an invitation lifetime must be positive."""
    with pytest.raises(InvalidInput, match="positive"):
        CompanySettings(invitation_ttl=timedelta(0))


def test_r_all_4_events_round_trip_through_dicts() -> None:
    """R-ALL-4: every event survives event_to_dict / event_from_dict unchanged."""
    events = [
        MemberAdded(occurred_at=NOW, actor_id="anna", company_id="acme", user_id="ben", role="member"),
        InvitationSent(
            occurred_at=NOW, actor_id="anna", company_id="acme", invitation_id="i-1",
            email="x@example.com", role="admin", expires_at=NOW + timedelta(days=7),
        ),
    ]  # fmt: skip
    for event in events:
        data = event_to_dict(event)
        assert data["type"] == type(event).__name__
        assert event_from_dict(data) == event


@given(data=st.data(), definition=property_definitions())
def test_r_part_4_valid_values_validate_and_round_trip_through_cattrs(data, definition) -> None:
    """R-PART-4: any value of the right type validates unchanged and survives JSON storage."""
    value = data.draw(property_values(definition))
    assert definition.validate(value) == value
    stored = json.loads(json.dumps(properties_to_json({definition.name: value})))
    assert properties_from_json(stored) == {definition.name: value}


@given(
    definition=property_definitions(),
    value=st.one_of(st.none(), st.text(), st.integers(), st.lists(st.integers())),
)
def test_r_part_4_wrong_values_raise_only_invalid_property_value(definition, value) -> None:
    """R-PART-4: a value of another type raises InvalidPropertyValue, never anything else."""
    try:
        message = f"accepted {definition.validate(value)!r}"
    except InvalidPropertyValue as error:
        message = str(error)
    assert definition.name in message or message.startswith("accepted")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    payload=st.dictionaries(st.text(max_size=6), _JSON, max_size=4),
    kind=st.text(max_size=10),
    company=st.none() | st.text(max_size=6),
    actor=st.none() | st.text(max_size=6),
    micros=st.integers(0, 10**15),
)
def test_r_all_4_a_seal_is_the_sha256_of_the_canonical_json(
    payload, kind, company, actor, micros
) -> None:
    """R-ALL-4: the seal written key by key, from an encoded payload or not, is the documented one."""
    import hashlib

    from teamaccess.domain.audit_chain import GENESIS, EncodedPayload, seal

    at = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=micros)
    document = {"v": 1, "prev": GENESIS, "kind": kind, "company": company, "actor": actor,
                "at": at.isoformat(timespec="microseconds"), "payload": payload}  # fmt: skip
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    expected = hashlib.sha256(text.encode("ascii")).hexdigest()
    assert seal(GENESIS, kind, company, actor, at, payload) == expected
    assert seal(GENESIS, kind, company, actor, at, EncodedPayload(payload)) == expected
