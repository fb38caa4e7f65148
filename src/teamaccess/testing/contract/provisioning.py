"""Directory provisioning (R-PROV-1, R-PROV-2), on every adapter.

A company's identity provider creates, changes and removes its people and groups with
the token an admin got from ``ta.provisioning.connect``: each change is one command,
runs as the connecting admin with that admin's authority now, and ends access by the
normal rules (R-MEM-10, R-SEAT-10, R-TAG-3); a token reaches its own company only, and
an answer about another company's resource is the one for a resource that does not
exist (R-ALL-9).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import TeamAccess
from teamaccess.domain.provisioning import GroupsAre, token_hash
from teamaccess.errors import (
    AccessDenied,
    DirectoryActorRequired,
    DirectoryNameTaken,
    DirectoryVersionMismatch,
    EmailTaken,
    InvalidEmail,
    InvalidInput,
    InvalidProvisioningToken,
    MainContactRequired,
    NotAMember,
    UnknownDirectoryResource,
    UnknownRole,
)
from teamaccess.testing import FailingStore, FrozenClock, InjectedFailure, dump, make_service
from teamaccess.testing.contract._helpers import examples

ADMIN = "ops"


def _company(ta: TeamAccess, company_id: str, owner: str) -> None:
    ta.users.register(owner, f"{owner}@{company_id}.example")
    ta.companies.create(owner, company_id.upper(), company_id=company_id)


@pytest.fixture
def directory_ta(store: Any, clock: FrozenClock) -> TeamAccess:
    """ACME (anna, main contact) and Beta (dora); a seat product for pools."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    ta.users.register(ADMIN, "ops@example.com")
    _company(ta, "acme", "anna")
    _company(ta, "beta", "dora")
    ta.seats.create_product(ADMIN, "course", "Course", tag="course")
    return ta


def _events(ta: TeamAccess) -> list[dict[str, Any]]:
    """The stored events as dicts (``type``, ``actor_id``, ...), on any store."""
    return [dict(items) for items in dump(ta.store).events]


def test_r_prov_1_the_directory_creates_members_and_keeps_external_ids(
    directory_ta: TeamAccess,
) -> None:
    """R-PROV-1: a created user is registered, made a member, listed with its external id."""
    ta = directory_ta
    token = ta.provisioning.connect("anna", "acme")
    before = len(_events(ta))
    bob = ta.provisioning.create_user(
        token, "bob@acme.example", "Bob@ACME.example", external_id="okta-00u1"
    )
    assert (bob.record.user_name, bob.record.external_id, bob.record.active) == (
        "bob@acme.example",
        "okta-00u1",
        True,
    )
    assert bob.email == "bob@acme.example"
    member = ta.members.list("anna", "acme")
    assert [m.user_id for m in member] == sorted(["anna", bob.record.user_id])
    assert ta.check(bob.record.user_id, "acme", "open_backoffice").allowed
    new = _events(ta)[before:]
    assert [e["type"] for e in new] == ["UserRegistered", "MemberAdded", "DirectoryUserChanged"]
    assert new[1]["actor_id"] == "anna"  # the directory acts as its admin
    assert new[2]["external_id"] == "okta-00u1"
    assert [u.record.user_id for u in ta.provisioning.users(token)] == [bob.record.user_id]
    assert ta.provisioning.user(token, bob.record.user_id) == bob


def test_r_prov_1_groups_named_after_a_role_grant_it_and_others_wait_to_be_mapped(
    directory_ta: TeamAccess,
) -> None:
    """R-PROV-1: a group named after a role grants it; another group grants nothing until mapped."""
    ta = directory_ta
    token = ta.provisioning.connect("anna", "acme")
    bob = ta.provisioning.create_user(token, "bob", "bob@acme.example").record.user_id
    admins = ta.provisioning.create_group(token, "admin", members=[bob])
    assert admins.record.target == "admin"
    held = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
    assert "admin" in held[bob]
    it = ta.provisioning.create_group(token, "IT Team", members=[bob])
    assert it.record.target is None
    assert ta.provisioning.user(token, bob).groups == tuple(
        sorted([admins.record.group_id, it.record.group_id])
    )
    ta.provisioning.map_group("anna", "acme", it.record.group_id, "admin")
    ta.provisioning.update_group(token, admins.record.group_id, remove=[bob])
    held = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
    assert "admin" in held[bob]  # "IT Team" stands for admin too
    ta.provisioning.update_group(token, it.record.group_id, members=[])
    held = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
    assert held[bob] == ("member",)
    with pytest.raises(UnknownRole):
        ta.provisioning.map_group("anna", "acme", it.record.group_id, "emperor")
    with pytest.raises(DirectoryNameTaken):
        ta.provisioning.create_group(token, "IT Team")


def test_r_prov_2_deprovisioning_frees_the_seat_and_revokes_the_tag_at_once(
    directory_ta: TeamAccess, clock: FrozenClock
) -> None:
    """R-PROV-2, R-SEAT-10, R-TAG-3: active false ends membership, seat and tag in one command."""
    ta = directory_ta
    pool = ta.seats.purchase("anna", "course", 2, "Course group", company_id="acme")
    token = ta.provisioning.connect("anna", "acme", groups=GroupsAre.POOLS)
    bob = ta.provisioning.create_user(token, "bob", "bob@acme.example").record.user_id
    group = ta.provisioning.create_group(token, pool.id, members=[bob])
    assert group.record.target == pool.id
    assert "course" in ta.tags.of_user(bob)
    assert ta.seats.get(pool.id).used == 1
    before = len(_events(ta))
    failing = make_service(FailingStore(ta.store, fail_after=2), clock=clock)
    snapshot = dump(ta.store)
    with pytest.raises(InjectedFailure):
        failing.provisioning.update_user(token, bob, user_name="bob", active=False)
    assert dump(ta.store) == snapshot  # all or nothing (R-ALL-3)
    changed = ta.provisioning.update_user(token, bob, user_name="bob", active=False)
    assert not changed.record.active
    assert "course" not in ta.tags.of_user(bob)
    assert ta.seats.get(pool.id).used == 0  # refill: the seat is free again
    assert not ta.check(bob, "acme", "open_backoffice").allowed
    kinds = {e["type"] for e in _events(ta)[before:]}
    assert {"MemberRemoved", "TagRevoked", "DirectoryUserChanged"} <= kinds
    ta.provisioning.update_user(token, bob, user_name="bob", active=True)
    assert "course" in ta.tags.of_user(bob)  # their group counts again
    ta.provisioning.delete_user(token, bob)
    assert "course" not in ta.tags.of_user(bob)
    assert ta.seats.get(pool.id).used == 0
    with pytest.raises(UnknownDirectoryResource):
        ta.provisioning.user(token, bob)


def test_r_prov_2_a_token_reaches_its_company_only_and_says_nothing_of_others(
    directory_ta: TeamAccess,
) -> None:
    """R-PROV-2, R-ALL-9: another company's user is as unknown as one that never existed."""
    ta = directory_ta
    acme = ta.provisioning.connect("anna", "acme")
    beta = ta.provisioning.connect("dora", "beta")
    bob = ta.provisioning.create_user(acme, "bob", "bob@acme.example").record.user_id
    group = ta.provisioning.create_group(acme, "admin", members=[bob]).record.group_id
    answers = []
    for user_id in (bob, "user_never"):
        with pytest.raises(UnknownDirectoryResource) as caught:
            ta.provisioning.user(beta, user_id)
        answers.append(str(caught.value).replace(user_id, "<id>"))
    assert answers[0] == answers[1]
    for call in (
        lambda: ta.provisioning.update_user(beta, bob, user_name="x", active=False),
        lambda: ta.provisioning.delete_user(beta, bob),
        lambda: ta.provisioning.group(beta, group),
        lambda: ta.provisioning.delete_group(beta, group),
    ):
        with pytest.raises(UnknownDirectoryResource):
            call()
    with pytest.raises(InvalidInput):  # beta's directory cannot put acme's people in groups
        ta.provisioning.create_group(beta, "admin", members=[bob])
    assert ta.provisioning.users(beta) == []
    assert ta.check(bob, "acme", "open_backoffice").allowed


def test_r_prov_2_rotating_or_disconnecting_ends_the_old_token(directory_ta: TeamAccess) -> None:
    """R-PROV-2: a new token replaces the old one at once; disconnecting ends it too."""
    ta = directory_ta
    old = ta.provisioning.connect("anna", "acme")
    new = ta.provisioning.connect("anna", "acme")
    assert old != new
    for token in (old, "Bearer " + new, new[:-1]):  # well formed, not this directory's
        with pytest.raises(InvalidProvisioningToken) as caught:
            ta.provisioning.users(token)
        assert str(caught.value) == "invalid provisioning token"
    for junk in ("", "x" * 500, 42, " " + new, "a\x00b"):  # malformed: refused before storage
        with pytest.raises(InvalidInput):
            ta.provisioning.users(junk)  # type: ignore[arg-type]
    assert ta.provisioning.users(new) == []
    assert ta.provisioning.authenticate(new).company_id == "acme"
    stored = ta.provisioning.get("anna", "acme")
    assert stored is not None
    assert stored.token_hash == token_hash(new)
    assert new not in repr(stored)
    ta.provisioning.disconnect("anna", "acme")
    with pytest.raises(InvalidProvisioningToken):
        ta.provisioning.users(new)
    assert ta.provisioning.get("anna", "acme") is None


def test_r_prov_2_the_directory_holds_its_admins_authority_only_while_they_do(
    directory_ta: TeamAccess,
) -> None:
    """R-PROV-2, R-MEM-10, R-CO-8: demoting its admin or suspending the company stops it."""
    ta = directory_ta
    ta.users.register("carl", "carl@acme.example")
    ta.members.add("anna", "acme", "carl", role="admin")
    token = ta.provisioning.connect("carl", "acme")
    ta.provisioning.create_user(token, "bob", "bob@acme.example")
    ta.members.change_role("anna", "acme", "carl", "member")
    with pytest.raises(AccessDenied):
        ta.provisioning.users(token)
    with pytest.raises(AccessDenied):
        ta.provisioning.create_user(token, "eve", "eve@acme.example")
    token = ta.provisioning.connect("anna", "acme")  # anna vouches now
    assert len(ta.provisioning.users(token)) == 1
    ta.companies.suspend(ADMIN, "acme", reason="unpaid invoices")
    with pytest.raises(AccessDenied) as caught:
        ta.provisioning.users(token)
    assert "unpaid" not in str(caught.value)
    with pytest.raises(NotAMember):  # an outsider connects nothing
        ta.provisioning.connect("dora", "acme")


def test_r_prov_1_no_directory_pulls_in_another_companys_people(directory_ta: TeamAccess) -> None:
    """R-PROV-1, R-DOM-1: a registered address joins only if already a member or domain verified."""
    ta = directory_ta
    token = ta.provisioning.connect("anna", "acme")
    before = dump(ta.store)
    with pytest.raises(EmailTaken):
        ta.provisioning.create_user(token, "dora", "dora@beta.example")
    assert dump(ta.store) == before
    linked = ta.provisioning.create_user(token, "anna", "anna@acme.example")
    assert linked.record.user_id == "anna"  # a member already: taken on as is
    with pytest.raises(DirectoryNameTaken):
        ta.provisioning.create_user(token, "anna", "other@acme.example")
    with pytest.raises(DirectoryActorRequired):  # it acts as anna
        ta.provisioning.update_user(token, "anna", user_name="anna", active=False)


def test_r_prov_2_the_main_contact_is_deprovisioned_only_last(directory_ta: TeamAccess) -> None:
    """R-PROV-2, R-MC-4: the directory cannot remove a main contact while others remain."""
    ta = directory_ta
    ta.users.register("carl", "carl@acme.example")
    ta.members.add("anna", "acme", "carl", role="admin")
    token = ta.provisioning.connect("carl", "acme")
    ta.provisioning.create_user(token, "anna", "anna@acme.example")
    before = dump(ta.store)
    with pytest.raises(MainContactRequired):
        ta.provisioning.delete_user(token, "anna")
    assert dump(ta.store) == before


def test_r_all_6_bad_directory_input_changes_nothing(directory_ta: TeamAccess) -> None:
    """R-ALL-6, R-ALL-7: malformed names, addresses, versions raise and change nothing."""
    ta = directory_ta
    token = ta.provisioning.connect("anna", "acme")
    bob = ta.provisioning.create_user(token, "bob", "bob@acme.example").record.user_id
    before = dump(ta.store)
    for call, error in (
        (lambda: ta.provisioning.create_user(token, "x", "not-an-address"), InvalidEmail),
        (lambda: ta.provisioning.create_user(token, "bad\x00name", "c@acme.example"), InvalidInput),
        (lambda: ta.provisioning.create_user(token, "", "c@acme.example"), InvalidInput),
        (lambda: ta.provisioning.create_user(token, "c", "c@acme.example", active="yes"), InvalidInput),  # type: ignore[arg-type]
        (lambda: ta.provisioning.create_group(token, "g" * 201), InvalidInput),
        (lambda: ta.provisioning.create_group(token, "g", members="bob"), InvalidInput),
        (lambda: ta.provisioning.connect("anna", "acme", groups="teams"), InvalidInput),
        (lambda: ta.provisioning.update_user(token, bob, user_name="b", active=True, version=9), DirectoryVersionMismatch),
    ):  # fmt: skip
        with pytest.raises(error):
            call()
    assert dump(ta.store) == before


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["join", "leave", "off", "on", "delete", "create"]),
            st.integers(0, 3),
            st.integers(0, 1),
        ),
        max_size=12,
    )
)
def test_r_prov_1_r_prov_2_roles_and_activity_follow_the_directory(
    store_factory: Any, steps: list[tuple[str, int, int]]
) -> None:
    """R-PROV-1, R-PROV-2: members are the active users; roles follow groups, any history.

    A directory user holds the group's role exactly while in a group standing for it.
    """
    ta = make_service(store_factory(), platform_admins={ADMIN})
    _company(ta, "acme", "anna")
    token = ta.provisioning.connect("anna", "acme")
    groups = [
        ta.provisioning.create_group(token, "admin").record.group_id,
        ta.provisioning.create_group(token, "Admins too").record.group_id,
    ]
    ta.provisioning.map_group("anna", "acme", groups[1], "admin")
    users: dict[int, str] = {}
    for n, (action, who, which) in enumerate(steps):
        user_id = users.get(who)
        if action == "create" and user_id is None:  # a deleted address is registered: a new one
            made = ta.provisioning.create_user(token, f"u{who}", f"u{who}-{n}@acme.example")
            users[who] = made.record.user_id
        elif user_id is None:
            continue
        elif action in ("join", "leave"):
            change = {"add" if action == "join" else "remove": [user_id]}
            ta.provisioning.update_group(token, groups[which], **change)
        elif action in ("off", "on"):
            ta.provisioning.update_user(token, user_id, user_name=f"u{who}", active=action == "on")
        elif action == "delete":
            ta.provisioning.delete_user(token, user_id)
            del users[who]
    held = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
    listed = ta.provisioning.users(token)  # the list reads in bulk what `user` reads one by one
    assert listed == [ta.provisioning.user(token, u.record.user_id) for u in listed]
    for record in listed:
        in_group = bool(ta.provisioning.user(token, record.record.user_id).groups)
        if not record.record.active:
            assert record.record.user_id not in held
        else:
            assert ("admin" in held[record.record.user_id]) == in_group
    assert set(held) == {"anna"} | {
        u.record.user_id for u in ta.provisioning.users(token) if u.record.active
    }
