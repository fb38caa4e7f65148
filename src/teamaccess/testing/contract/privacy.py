"""Contract: a person's data rights, export and erasure (R-CO-7, R-CO-9, GDPR art. 15 and 17).

Erasure ends what the person holds by the normal rules (each with its event), and
afterwards nothing the store holds (users, invitations, inbox, every outbox payload)
names their e-mail address or attribute values; the invariants still hold.
"""

from __future__ import annotations

import pytest

from teamaccess.errors import AccessDenied, MainContactRequired, UnknownUser
from teamaccess.testing import dump, make_service

ADMIN = "platform"
EMAIL = "erika.muster@example.com"
SECRET = "Musterstrasse 12, 10115 Berlin"


@pytest.fixture
def privacy_ta(store, clock):
    """Erika in ACME (anna is main contact) with a seat and a tag; invited to Beta; a request."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "anna", "bert"):
        ta.users.register(user, f"{user}@example.com")
    ta.users.register("erika", EMAIL, attributes={"address": SECRET})
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "erika")
    ta.companies.create("bert", "Beta", company_id="beta")
    ta.invitations.send("bert", "beta", EMAIL)
    ta.seats.create_product(ADMIN, "course", "Course", tag="course-access")
    pool = ta.seats.purchase("anna", "course", 3, "Group", company_id="acme")
    ta.seats.enroll("anna", pool.id, EMAIL)
    ta.tags.grant(ADMIN, "erika", "newsletter", label="manual")
    ta.inbox.send("acme", "contact", EMAIL, "A question", request_id="req")
    return ta


def test_r_co_7_export_holds_everything_about_the_person(privacy_ta) -> None:
    """R-CO-7: the export names the user, memberships, seat, tags, invitation, request and events."""
    data = privacy_ta.privacy.export("erika", "erika")
    assert data["user"] == {"id": "erika", "email": EMAIL, "attributes": {"address": SECRET}}
    assert [m["company_id"] for m in data["memberships"]] == ["acme"]
    assert len(data["seats"]) == 1
    assert {t["tag"] for t in data["tags"]} == {"course-access", "newsletter"}
    assert [i["company_id"] for i in data["invitations"]] == ["beta"]
    assert all("token_hash" not in i for i in data["invitations"])
    assert [r["id"] for r in data["inbox_requests_sent"]] == ["req"]
    types = {event["type"] for event in data["events"]}
    assert {"UserRegistered", "MemberAdded", "ParticipantEnrolled", "TagGranted"} <= types
    assert "CompanyCreated" not in types  # anna's founding names nobody else


def test_r_co_7_export_is_for_the_person_or_a_platform_admin(privacy_ta) -> None:
    """R-CO-7: a colleague, even the main contact, may not export someone else's data."""
    with pytest.raises(AccessDenied) as denied:
        privacy_ta.privacy.export("anna", "erika")
    assert denied.value.decision.rule == "R-CO-7"
    assert privacy_ta.privacy.export(ADMIN, "erika")["user"]["id"] == "erika"
    with pytest.raises(UnknownUser):
        privacy_ta.privacy.export(ADMIN, "nobody")


def test_r_co_7_erasure_leaves_no_trace_of_address_or_attributes(privacy_ta, store) -> None:
    """R-CO-7: after erasure no table and no outbox payload holds the e-mail or attribute values."""
    trail = [dict(event)["type"] for event in dump(store).events]
    before = len(trail)
    erased = privacy_ta.privacy.erase(ADMIN, "erika")
    assert erased.email.endswith("@erased.invalid")
    assert erased.attributes == {}
    state = dump(store)
    text = repr(state)
    assert EMAIL not in text
    assert SECRET not in text
    assert [dict(event)["type"] for event in state.events[:before]] == trail  # same shape
    assert "erika" not in {m.user_id for m in state.memberships}
    assert "erika" not in {e.user_id for e in state.enrollments}
    assert "erika" not in {t.user_id for t in state.tags}
    assert privacy_ta.check("erika", "acme", "view_members").allowed is False
    pool = state.pools[0]
    assert pool.used - pool.consumed == 0  # the seat ended by the product's policy (R-SEAT-10)
    assert [m.user_id for m in state.memberships if m.is_main_contact] == ["anna", "bert"]
    types = [dict(event)["type"] for event in state.events[before:]]
    assert types[0] == "MemberRemoved"
    assert {"ParticipantRemoved", "TagRevoked", "InvitationWithdrawn"} <= set(types)
    assert types[-1] == "UserErased"
    assert privacy_ta.privacy.erase(ADMIN, "erika") == erased  # again: nothing changes
    assert dump(store) == state


def test_r_co_7_erasure_is_refused_for_a_main_contact_and_for_non_admins(privacy_ta, store) -> None:
    """R-CO-7, R-MC-4: a main contact with colleagues is not erased; only platform admins erase."""
    before = dump(store)
    with pytest.raises(MainContactRequired):
        privacy_ta.privacy.erase(ADMIN, "anna")
    with pytest.raises(AccessDenied) as denied:
        privacy_ta.privacy.erase("erika", "erika")
    assert denied.value.decision.rule == "R-CO-7"
    assert dump(store) == before
    privacy_ta.members.transfer_main_contact("anna", "acme", "erika")
    with pytest.raises(MainContactRequired):
        privacy_ta.privacy.erase(ADMIN, "erika")
    privacy_ta.members.transfer_main_contact("erika", "acme", "anna")
    assert privacy_ta.privacy.erase(ADMIN, "erika").attributes == {}


def test_r_co_9_erasure_ends_leadership_of_every_pool(privacy_ta, store) -> None:
    """R-CO-9: after erasure the person leads no group: a company's pool passes to its main contact, one without a company refuses them."""
    ta = privacy_ta
    team = ta.seats.purchase("erika", "course", 2, "Erika's team", company_id="acme").id
    solo = ta.seats.purchase("erika", "course", 2, "Erika alone").id
    ta.companies.create("erika", "Erika's own", company_id="own")
    own = ta.seats.purchase("erika", "course", 2, "Own team", company_id="own").id
    assert {p.id for p in ta.seats.led_by("erika")} == {team, solo, own}
    ta.privacy.erase(ADMIN, "erika")
    assert ta.seats.led_by("erika") == []
    assert ta.seats.get(team).leader_id == "anna"  # R-MEM-10: to the main contact
    for pool in (solo, own):  # no main contact to pass it to: nobody but an admin
        decision = ta.seats.check_group("erika", pool)
        assert (decision.allowed, decision.reason, decision.rule) == (
            False, "leader_erased", "R-CO-9",
        )  # fmt: skip
        with pytest.raises(AccessDenied):
            ta.seats.enroll("erika", pool, "zoe@example.com")
        assert ta.seats.check_group(ADMIN, pool).allowed


def test_r_co_9_no_later_command_gives_an_erased_person_anything(privacy_ta, store) -> None:
    """R-CO-9: after erasure an invitation, a seat, a purchase and a tag are refused with UnknownUser, and nothing changes."""
    ta = privacy_ta
    pool = ta.seats.purchase("anna", "course", 3, "Second", company_id="acme").id
    erased = ta.privacy.erase(ADMIN, "erika")
    issued = ta.invitations.send("anna", "acme", erased.email)  # to the pseudonym itself
    before = dump(store)
    for call in (
        lambda: ta.invitations.accept("erika", issued.token),
        lambda: ta.seats.enroll("anna", pool, erased.email),
        lambda: ta.seats.enroll_csv("anna", pool, f"email\n{erased.email}\n"),
        lambda: ta.seats.purchase("erika", "course", 1, "Back", company_id="acme"),
        lambda: ta.seats.purchase("erika", "course", 1, "Back"),
        lambda: ta.seats.purchase_single_access("erika", "course"),
        lambda: ta.tags.grant(ADMIN, "erika", "newsletter"),
    ):
        with pytest.raises(UnknownUser):
            call()
    assert dump(store) == before
    assert ta.tags.of_user("erika") == frozenset()


def test_r_co_9_an_erased_person_is_not_added_by_id(privacy_ta, store) -> None:
    """R-CO-9: members.add of an erased person's id raises UnknownUser and changes nothing."""
    privacy_ta.privacy.erase(ADMIN, "erika")
    before = dump(store)
    with pytest.raises(UnknownUser):
        privacy_ta.members.add("anna", "acme", "erika")
    assert dump(store) == before
