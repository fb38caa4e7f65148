"""Rules that hold everywhere: R-ALL-1..4 and R-ALL-6, run against every adapter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from teamaccess import Action, CompanySettings, CsvLimits, Decision, RolePolicy, TeamAccess
from teamaccess.errors import (
    AccessDenied,
    EmailTaken,
    InvalidEmail,
    InvalidInput,
    InvalidName,
    NotAMember,
    NotFound,
    TeamAccessError,
    UnknownRole,
    UnknownUser,
    UserAlreadyExists,
)
from teamaccess.events import (
    CompanyCreated,
    ContactVisibilityChanged,
    Event,
    InvitationAccepted,
    InvitationSent,
    MainContactChanged,
    MemberAdded,
    MemberRemoved,
    RoleChanged,
    UserRegistered,
)
from teamaccess.testing import (
    FailingStore,
    FrozenClock,
    InjectedFailure,
    SequentialIds,
    SequentialTokens,
    dump,
    make_service,
)
from teamaccess.testing.contract._helpers import make_team

# -- R-ALL-1 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "company", "action"),
    [
        ("zed", "acme", Action.OPEN_BACKOFFICE),  # unknown user
        ("anna", "nowhere", Action.OPEN_BACKOFFICE),  # unknown company
        ("anna", "acme", "launch_rockets"),  # unknown action / permission
        ("carl", "acme", Action.VIEW_MEMBERS),  # known user, not a member
    ],
)
def test_r_all_1_unknown_things_never_allow(ta: TeamAccess, actor, company, action) -> None:
    """R-ALL-1: unknown users, companies and actions are denied, never raised into access."""
    make_team(ta)
    decision = ta.check(actor, company, action)
    assert decision.allowed is False
    assert decision.reason in {"not_a_member", "unknown_company", "not_permitted"}


def test_r_all_1_role_unknown_to_current_policy_is_denied(store) -> None:
    """R-ALL-1: a stored role that the host's policy no longer knows yields no access."""
    wide = make_service(
        store, policy=RolePolicy({"admin": {"manage_team", "x"}, "legacy": {"x"}, "member": set()})
    )
    wide.users.register("anna", "anna@example.com")
    wide.users.register("ben", "ben@example.com")
    company = wide.companies.create("anna", "ACME")
    wide.members.add("anna", company.id, "ben", role="legacy")

    narrow = make_service(store)  # default policy: admin, member
    decision = narrow.check("ben", company.id, "x")
    assert (decision.allowed, decision.reason, decision.rule) == (False, "unknown_role", "R-ALL-1")
    assert not narrow.check("ben", company.id, Action.OPEN_BACKOFFICE)


# -- R-ALL-2 -------------------------------------------------------------------------


def test_r_all_2_every_decision_names_reason_and_rule(ta: TeamAccess) -> None:
    """R-ALL-2: allowed and denied decisions both carry a reason code and a rule ID."""
    team = make_team(ta)
    for actor in ("anna", "ben", "carl", "nobody"):
        for action in Action:
            decision = ta.check(actor, team.id, action, target_user_id="ben")
            assert isinstance(decision, Decision)
            assert decision.reason
            assert decision.rule.startswith("R-")
            assert str(decision) == (
                f"{'allowed' if decision.allowed else 'denied'}: {decision.reason} ({decision.rule})"
            )


def test_r_all_2_require_raises_with_the_decision(ta: TeamAccess) -> None:
    """R-ALL-2: require() raises AccessDenied carrying the denying decision; allowed returns it."""
    team = make_team(ta)
    with pytest.raises(AccessDenied) as caught:
        ta.require("ben", team.id, Action.EDIT_PROFILE)
    assert str(caught.value).startswith("denied: not_main_contact (R-MC-2)")
    assert caught.value.decision.reason == "not_main_contact"
    assert isinstance(caught.value, PermissionError)
    with pytest.raises(NotAMember):
        ta.require("carl", team.id, Action.OPEN_BACKOFFICE)
    assert ta.require("anna", team.id, Action.EDIT_PROFILE).allowed


# -- R-ALL-3 -------------------------------------------------------------------------

Command = Callable[[TeamAccess], object]

COMMANDS: dict[str, Command] = {
    "register_user": lambda t: t.users.register("eva", "eva@example.com"),
    "create_company": lambda t: t.companies.create("carl", "Carl KG"),
    "add_member": lambda t: t.members.add("anna", "acme", "carl"),
    "remove_member": lambda t: t.members.remove("anna", "acme", "ben"),
    "change_role": lambda t: t.members.change_role("anna", "acme", "ben", "admin"),
    "transfer_main_contact": lambda t: t.members.transfer_main_contact("anna", "acme", "ben"),
    "set_show_as_contact": lambda t: t.members.set_show_as_contact("ben", "acme", "ben", False),
    "update_company_profile": lambda t: t.companies.update_profile("anna", "acme", name="New"),
    "invite": lambda t: t.invitations.send("anna", "acme", "eva@example.com"),
    "resend_invitation": lambda t: t.invitations.resend("anna", "acme", "invitation-1"),
    "revoke_invitation": lambda t: t.invitations.revoke("anna", "acme", "invitation-1"),
    "accept_invitation": lambda t: t.invitations.accept("dora", "token-1"),
    "create_product": lambda t: t.seats.create_product("anna", "p2", "P2", tag="t2"),
    "purchase_seats": lambda t: t.seats.purchase("ben", "p1", 3, "G", occupy_seat=True),
    "purchase_single_access": lambda t: t.seats.purchase_single_access("ben", "p1"),
    "enroll": lambda t: t.seats.enroll("anna", "pool-1", "new@example.com"),
    "enroll_csv": lambda t: t.seats.enroll_csv(
        "anna", "pool-1", "email\nx@example.com\ny@example.com"
    ),
    "remove_participant": lambda t: t.seats.remove("anna", "pool-1", "carl"),
    "resize_pool": lambda t: t.seats.resize("anna", "pool-1", 9),
    "reinvite": lambda t: t.seats.reinvite("anna", "pool-1", "carl"),
    "grant_tag": lambda t: t.tags.grant("anna", "ben", "t1"),
    "create_child_account": lambda t: t.partners.create_child("anna", "acme", "Child"),
    "move_account": lambda t: t.partners.move("anna", "sub", None),
    "define_property": lambda t: t.partners.define_property("anna", "acme", "size", "number"),
    "set_properties": lambda t: t.partners.set_properties("anna", "sub", {"tier": "gold"}),
    "set_pricing_model": lambda t: t.partners.set_pricing_model("anna", "sub", "Pro"),
    "add_article": lambda t: t.licenses.add_article("anna", "sub", "A-2", "Add-on"),
    "set_license": lambda t: t.licenses.set("anna", "sub", "create_asset", 9),
    "use_license": lambda t: t.licenses.use("anna", "sub", "create_asset"),
    "release_license": lambda t: t.licenses.release("anna", "sub", "add_logger"),
    "set_market_roles": lambda t: t.leads.set_market_roles("anna", "acme", ["lead_taker"]),
    "set_handler": lambda t: t.members.set_handler("anna", "acme", "ben", True),
    "offer_lead": lambda t: t.leads.offer("anna", "market", taker_ids=["market", "sub"], title="L"),
    "pick_lead": lambda t: t.leads.pick("anna", "sub", "offered"),
    "update_lead": lambda t: t.leads.update("anna", "market", "picked", state="won"),
    "assign_lead": lambda t: t.leads.assign("anna", "market", "picked", "anna"),
    "send_request": lambda t: t.inbox.send("acme", "meeting", "v@fair.example", "Meet"),
    "assign_request": lambda t: t.inbox.assign("ben", "acme", "request-1", "anna"),
    "close_request": lambda t: t.inbox.close("ben", "acme", "request-1"),
    "link_company": lambda t: t.records.link("anna", "acme", "sub"),
    "add_record": lambda t: t.records.add("anna", "market", "acme", "timeline", "Done"),
    "migrate_users_to_companies": lambda t: t.lifecycle.migrate_users("anna"),
    "merge_companies": lambda t: t.lifecycle.merge("anna", "market", "sub"),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_r_all_3_command_failing_after_any_write_leaves_nothing(store, name: str) -> None:
    """R-ALL-3: a crash after the 1st, 2nd, ... write of a command leaves store and outbox as before."""
    shared = {
        "clock": FrozenClock(),
        "ids": SequentialIds(),
        "tokens": SequentialTokens(),
        "platform_admins": {"anna"},
    }
    setup = make_service(store, **shared)
    team = make_team(setup)
    setup.invitations.send("anna", team.id, "dora@example.com")  # invitation-1 / token-1
    setup.seats.create_product("anna", "p1", "P1", tag="t1")
    setup.seats.purchase("anna", "p1", 5, "Group")  # pool-1
    setup.seats.enroll("anna", "pool-1", "carl@example.com")
    setup.partners.create_child("anna", team.id, "Sub", company_id="sub")
    setup.partners.define_property("anna", team.id, "tier", "text")
    setup.licenses.set("anna", "sub", "create_asset", 3)
    setup.licenses.set("anna", "sub", "add_logger", 3)
    setup.licenses.use("anna", "sub", "add_logger")
    setup.companies.create("anna", "Market", company_id="market")
    setup.leads.set_market_roles("anna", "market", ["operator", "lead_giver", "lead_taker"])
    setup.leads.set_market_roles("anna", "sub", ["lead_taker"])
    for lead_id in ("offered", "picked"):
        setup.leads.offer("anna", "market", taker_ids=["market", "sub"], title="L", lead_id=lead_id)
    setup.leads.pick("anna", "market", "picked")
    setup.members.set_handler("anna", "market", "anna", True)
    setup.inbox.send("acme", "contact", "v@fair.example", "Hi")  # request-1
    setup.records.link("anna", "acme", "market")
    setup.records.add("anna", "market", "acme", "minutes", "Kick-off")
    setup.members.add("anna", "market", "ben")

    failing = FailingStore(store, fail_after=None)
    service = make_service(failing, **shared)
    before = dump(store)
    fail_after = 1
    while True:
        failing.fail_after = fail_after
        try:
            COMMANDS[name](service)
        except InjectedFailure:
            assert dump(store) == before, f"write {fail_after} left a trace"
            fail_after += 1
            continue
        break  # the command finished with fewer writes than fail_after: it committed
    assert fail_after > 1, "the command made no write at all"
    assert dump(store) != before


# -- R-ALL-4 -------------------------------------------------------------------------


def test_r_all_4_every_change_emits_event_with_who_what_when_where(ta: TeamAccess, clock) -> None:
    """R-ALL-4: each command appends events naming actor, company and time, in order."""
    team = make_team(ta)
    clock.advance(hours=1)
    issued = ta.invitations.send("anna", team.id, "carl@example.com")
    ta.invitations.accept("carl", issued.token)
    ta.members.change_role("anna", team.id, "carl", "admin")
    ta.members.set_show_as_contact("carl", team.id, "carl", False)
    ta.members.transfer_main_contact("anna", team.id, "carl")
    ta.members.remove("carl", team.id, "ben")

    events = [m.event for m in ta.outbox.pending(limit=1000)]
    kinds = [type(e) for e in events]
    assert kinds == [
        UserRegistered, UserRegistered, UserRegistered, UserRegistered,
        CompanyCreated, MemberAdded, MainContactChanged,
        MemberAdded,
        InvitationSent,
        InvitationAccepted, MemberAdded,
        RoleChanged,
        ContactVisibilityChanged,
        MainContactChanged,
        MemberRemoved,
    ]  # fmt: skip
    for event in events[4:]:
        assert isinstance(event, Event)
        assert event.company_id == "acme"
        assert event.actor_id in {"anna", "carl"}
        assert isinstance(event.occurred_at, datetime)
        assert event.occurred_at.tzinfo is not None
    assert events[-1].occurred_at == clock()


def test_r_all_4_outbox_consumer_marks_delivered(ta: TeamAccess) -> None:
    """R-ALL-4: delivered messages leave the pending list; the audit trail keeps them."""
    make_team(ta)
    first = ta.outbox.pending(limit=3)
    assert len(first) == 3
    ta.outbox.mark_delivered([m.position for m in first])
    rest = ta.outbox.pending(limit=1000)
    assert {m.position for m in rest}.isdisjoint(m.position for m in first)
    assert len(rest) == 4 + 3 + 1 - 3
    with ta.store.reader() as tx:
        assert len(tx.outbox.all()) == 8


# -- R-ALL-6 -------------------------------------------------------------------------

BAD_INPUT: dict[str, tuple[Command, type[TeamAccessError]]] = {
    "unknown actor": (lambda t: t.companies.create("zed", "X"), UnknownUser),
    # R-ALL-9: a missing company answers as one the actor is not a member of
    "unknown company": (lambda t: t.members.add("anna", "nowhere", "carl"), NotAMember),
    "unknown user to add": (lambda t: t.members.add("anna", "acme", "zed"), UnknownUser),
    "malformed email": (lambda t: t.users.register("eva", "not-an-address"), InvalidEmail),
    "email not a string": (lambda t: t.users.register("eva", 42), InvalidEmail),  # type: ignore[arg-type]
    "empty user id": (lambda t: t.users.register("", "eva@example.com"), InvalidName),
    "id not a string": (lambda t: t.members.add("anna", "acme", None), InvalidName),  # type: ignore[arg-type]
    "blank company name": (lambda t: t.companies.create("anna", "   "), InvalidName),
    "overlong company name": (lambda t: t.companies.create("anna", "x" * 201), InvalidName),
    "unknown role": (lambda t: t.members.add("anna", "acme", "carl", role="boss"), UnknownRole),
    "duplicate user id": (lambda t: t.users.register("anna", "new@example.com"), UserAlreadyExists),
    "duplicate email": (lambda t: t.users.register("eva", "ANNA@example.com"), EmailTaken),
    "show flag not bool": (
        lambda t: t.members.set_show_as_contact("ben", "acme", "ben", "no"),
        InvalidInput,
    ),  # type: ignore[arg-type]
    "empty token": (lambda t: t.invitations.accept("carl", ""), InvalidInput),
    "bad limit": (lambda t: t.outbox.pending(limit=0), InvalidInput),
    "unknown invitation": (
        lambda t: t.invitations.revoke("anna", "acme", "invitation-9"),
        NotFound,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_r_all_6_bad_input_raises_specific_error_and_changes_nothing(
    ta: TeamAccess, store, case: str
) -> None:
    """R-ALL-6: each kind of bad input raises its own library error and leaves the store as it was."""
    make_team(ta)
    command, error = BAD_INPUT[case]
    before = dump(store)
    with pytest.raises(error) as caught:
        command(ta)
    assert isinstance(caught.value, TeamAccessError)
    assert str(caught.value)
    assert dump(store) == before


TYPED_ARGUMENTS: dict[str, Command] = {
    "replacement junk": lambda t: t.seats.create_product(
        "platform-admin", "p2", "P2", tag="p2-access", replacement="junk"
    ),
    "invitation_ttl an int": lambda t: t.companies.create(
        "anna", "Beta", settings=CompanySettings(invitation_ttl=7)
    ),
    "invitation_ttl 3,000,000 days": lambda t: t.companies.create(
        "anna", "Beta", settings=CompanySettings(invitation_ttl=timedelta(days=3_000_000))
    ),
    "invitation_ttl negative": lambda t: t.companies.create(
        "anna", "Beta", settings=CompanySettings(invitation_ttl=timedelta(days=-1))
    ),
    "add_members_by junk": lambda t: t.companies.create(
        "anna", "Beta", settings=CompanySettings(add_members_by="everyone")
    ),
    "must_match not a bool": lambda t: t.companies.create(
        "anna", "Beta", settings=CompanySettings(invitation_email_must_match="yes")
    ),
    "CsvLimits max_rows a str": lambda t: t.seats.enroll_csv(
        "anna", "pool-1", "email\nzoe@example.com\n", limits=CsvLimits(max_rows="10")
    ),
    "CsvLimits max_bytes 0": lambda t: t.seats.validate_csv(
        "anna", "pool-1", "email\nzoe@example.com\n", limits=CsvLimits(max_bytes=0)
    ),
    "limits not CsvLimits": lambda t: t.seats.enroll_csv(
        "anna", "pool-1", "email\nzoe@example.com\n", limits={"max_rows": 10}
    ),
}


@pytest.mark.parametrize("case", sorted(TYPED_ARGUMENTS))
def test_r_all_6_typed_arguments_of_the_wrong_type_or_range_raise_invalid_input(
    store, clock, case: str
) -> None:
    """R-ALL-6: a settings value, replacement policy or CSV limit of the wrong type or range raises InvalidInput and changes nothing."""
    ta = make_service(store, clock=clock, platform_admins={"platform-admin"})
    ta.users.register("platform-admin", "admin@example.com")
    make_team(ta)
    ta.seats.create_product("platform-admin", "course", "Course", tag="course-access")
    ta.seats.purchase("anna", "course", 5, "Team", company_id="acme")
    before = dump(store)
    with pytest.raises(InvalidInput) as caught:
        TYPED_ARGUMENTS[case](ta)
    assert type(caught.value) is InvalidInput
    assert str(caught.value)
    assert dump(store) == before
