"""Users as a host mirrors them, and the read convention, run against every adapter (R-ALL-6)."""

from __future__ import annotations

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import (
    EmailTaken,
    InvalidName,
    UnknownCompany,
    UnknownUser,
    UserAlreadyExists,
)
from teamaccess.testing import dump


def test_r_all_6_register_with_exist_ok_returns_the_same_user_and_writes_nothing(
    ta: TeamAccess, store
) -> None:
    """R-ALL-6: registering again with exist_ok returns the stored user when id and e-mail match, and refuses otherwise."""
    first = ta.users.register("anna", "Anna@Example.com", attributes={"team": "sales"})
    before = dump(store)
    again = ta.users.register("anna", " anna@example.COM ", exist_ok=True)
    assert again == first
    assert dump(store) == before  # no second UserRegistered event either
    with pytest.raises(UserAlreadyExists):
        ta.users.register("anna", "anna@example.com")
    with pytest.raises(UserAlreadyExists, match="another e-mail"):
        ta.users.register("anna", "other@example.com", exist_ok=True)
    with pytest.raises(EmailTaken):
        ta.users.register("anna2", "anna@example.com", exist_ok=True)
    assert dump(store) == before
    assert ta.users.register("ben", "ben@example.com", exist_ok=True).id == "ben"


def test_r_all_1_get_raises_and_find_returns_none(ta: TeamAccess) -> None:
    """R-ALL-1: `get` raises a NotFound error for an unknown id; `find` returns None."""
    ta.users.register("anna", "anna@example.com")
    company = ta.companies.create("anna", "ACME", company_id="acme")
    assert ta.users.find("anna") == ta.users.get("anna")
    assert ta.companies.find("acme") == ta.companies.get("acme") == company
    assert ta.users.find("nobody") is None
    assert ta.users.find_by_email("nobody@example.com") is None
    assert ta.companies.find("nowhere") is None
    with pytest.raises(UnknownUser):
        ta.users.get("nobody")
    with pytest.raises(UnknownCompany):
        ta.companies.get("nowhere")


def test_r_all_4_count_pending_counts_what_a_consumer_has_not_acknowledged(ta: TeamAccess) -> None:
    """R-ALL-4: the outbox says how many events wait, beyond any page of them."""
    ta.users.register("anna", "anna@example.com")
    ta.companies.create("anna", "ACME")
    waiting = ta.outbox.count_pending()
    assert waiting == len(ta.outbox.pending(limit=1000)) == 4
    first = ta.outbox.pending(limit=1)
    ta.outbox.mark_delivered([first[0].position])
    assert ta.outbox.count_pending() == waiting - 1


def test_r_all_7_ids_compare_exactly_on_every_store(ta: TeamAccess) -> None:
    """R-ALL-7: ids are compared exactly, case and all (no case-insensitive or space-padding collation), and outer blanks are refused before any store compares them."""
    ta.users.register("anna", "anna@example.com")
    ta.users.register("Anna", "anna.upper@example.com")  # another user
    ta.companies.create("anna", "Lower", company_id="acme")
    ta.companies.create("Anna", "Upper", company_id="ACME")
    assert ta.check("anna", "acme", "open_backoffice").allowed
    assert ta.check("Anna", "acme", "open_backoffice").reason == "not_a_member"
    assert ta.check("anna", "ACME", "open_backoffice").reason == "not_a_member"
    assert [m.company_id for m in ta.members.of_user("Anna")] == ["ACME"]
    for padded in ("anna ", " anna"):
        with pytest.raises(InvalidName):
            ta.check(padded, "acme", "open_backoffice")


def test_r_dom_4_change_email_moves_the_address_and_keeps_the_memberships(
    ta: TeamAccess, store
) -> None:
    """R-DOM-4, R-CO-9: change_email gives the user the new address with UserEmailChanged, rewrites earlier events to it and keeps the membership; a taken address changes nothing."""
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    assert ta.users.change_email("anna", "Anna@New.example").email == "anna@new.example"
    assert ta.users.find_by_email("anna@example.com") is None
    assert ta.users.find_by_email("anna@new.example") == ta.users.get("anna")
    events = [m.event for m in ta.outbox.pending(limit=100)]
    assert (events[-1].type, events[-1].email) == ("UserEmailChanged", "anna@new.example")
    assert "anna@example.com" not in repr(events)
    assert ta.members.main_contact("acme").user_id == "anna"
    before = dump(store)
    with pytest.raises(EmailTaken):
        ta.users.change_email("anna", "ben@example.com")
    assert ta.users.change_email("anna", "anna@new.example").email == "anna@new.example"
    assert dump(store) == before
