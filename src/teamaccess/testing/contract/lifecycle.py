"""Company lifecycle, R-CO-1..3: migration, merging and closed companies, on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamaccess import TeamAccess
from teamaccess.errors import (
    AccessDenied,
    CompanyClosed,
    HierarchyTooDeep,
    MergeConflict,
    UnknownUser,
)
from teamaccess.events import CompanyMerged
from teamaccess.testing import dump, make_service
from teamaccess.testing.contract._lead_helpers import ADMIN, market_service, visible
from teamaccess.values import personal_company_id


def test_r_co_1_migration_gives_each_user_a_company_once(store) -> None:
    """R-CO-1: each user becomes first member and main contact of their own company; a rerun changes nothing."""
    ta = make_service(store, platform_admins={ADMIN})
    for user in ("anna", "ben", ADMIN):
        ta.users.register(user, f"{user}@example.com")
    created = ta.lifecycle.migrate_users(ADMIN, names={"anna": "Anna's Shop"}).created
    assert {c.id for c in created} == {personal_company_id(u) for u in ("anna", "ben", ADMIN)}
    assert ta.companies.get("personal-anna").name == "Anna's Shop"
    assert ta.companies.get("personal-ben").name == "ben@example.com"  # same name twice is fine
    for user in ("anna", "ben"):
        [member] = ta.members.list(user, personal_company_id(user))
        assert (member.user_id, member.is_main_contact, member.role) == (user, True, "admin")
    before = dump(store)
    assert ta.lifecycle.migrate_users(ADMIN).created == ()
    assert dump(store) == before
    with pytest.raises(AccessDenied):
        ta.lifecycle.migrate_users("anna")
    with pytest.raises(UnknownUser):
        ta.lifecycle.migrate_users(ADMIN, names={"zed": "Zed"})
    assert dump(store) == before
    ta.users.register("carl", "carl@example.com")  # a late user gets theirs on the next run
    assert [c.id for c in ta.lifecycle.migrate_users(ADMIN).created] == ["personal-carl"]


def test_r_co_1_long_user_ids_get_a_stable_short_company_id() -> None:
    """R-CO-1: the personal company id always fits and is the same for the same user."""
    long_id = "u" * 64
    assert personal_company_id(long_id) == personal_company_id(long_id)
    assert len(personal_company_id(long_id)) <= 64
    assert personal_company_id("anna") == "personal-anna"


@pytest.fixture
def mta(store, clock) -> TeamAccess:
    return market_service(store, clock)


def test_r_co_2_merge_moves_members_leads_records_pools_and_licenses(
    mta: TeamAccess, clock
) -> None:
    """R-CO-2: everything of the source moves to the target; a user in both keeps the higher role."""
    mta.leads.pick("berta", "dealer-b", "pumps")  # dealer-b's lead
    mta.leads.offer("olga", "market", giver_id="giver", taker_ids=["dealer-a", "dealer-b"],
                   title="Valves", lead_id="valves")  # fmt: skip
    mta.members.add("berta", "dealer-b", "andi", role="admin")  # andi: member in a, admin in b
    mta.members.set_handler("berta", "dealer-b", "andi", True)
    request = mta.inbox.send("dealer-b", "contact", "visitor@fair.example", "Call me")
    mta.records.link("berta", "dealer-b", "market")
    record = mta.records.add("olga", "market", "dealer-b", "minutes", "Kick-off")
    mta.seats.create_product(ADMIN, "course", "Course", tag="course")
    pool = mta.seats.purchase("berta", "course", 3, "Team B", company_id="dealer-b")
    mta.licenses.set(ADMIN, "dealer-a", "export", 2)
    mta.licenses.set(ADMIN, "dealer-b", "export", 3)
    mta.licenses.use("berta", "dealer-b", "export")
    mta.licenses.add_article(ADMIN, "dealer-b", "SKU-1", "Add-on", quantity=2)
    mta.licenses.add_article(ADMIN, "dealer-a", "SKU-1", "Add-on", quantity=1)
    child = mta.partners.create_child("berta", "dealer-b", "Branch", company_id="branch")

    closed = mta.lifecycle.merge(ADMIN, "dealer-b", "dealer-a")

    assert (closed.merged_into, closed.closed_at) == ("dealer-a", clock())
    members = {m.user_id: m for m in mta.members.list("anton", "dealer-a")}
    assert set(members) == {"anton", "andi", "berta"}
    assert members["andi"].role == "admin"
    assert members["andi"].is_handler
    assert [m.user_id for m in members.values() if m.is_main_contact] == ["anton"]
    assert mta.members.list("anton", "dealer-a") == mta.members.list("berta", "dealer-a")
    assert visible(mta, "berta", "dealer-a") == ["pumps", "valves"]
    assert mta.leads.get("anton", "dealer-a", "pumps").picked_by == "dealer-a"
    with mta.store.reader() as tx:
        assert tx.leads.offered_to("valves") == ["dealer-a"]  # one offer, not two
    assert [r.id for r in mta.inbox.list("anton", "dealer-a").items] == [request.id]
    since = clock() - timedelta(days=1)
    assert [
        r.id for r in mta.records.timeline("anton", "dealer-a", "dealer-a", since=since).items
    ] == [record.id]
    assert mta.records.timeline(
        "olga", "market", "dealer-a", since=since
    ).items  # the link moved too
    assert mta.seats.get(pool.id).company_id == "dealer-a"
    [license_] = mta.partners.account_overview("anton", "dealer-a").licenses
    assert (license_.kind, license_.limit, license_.used) == ("export", 5, 1)
    [article] = mta.partners.account_overview("anton", "dealer-a").articles
    assert article.quantity == 3
    assert mta.companies.get(child.id).parent_id == "dealer-a"
    assert mta.partners.ancestors(child.id) == ["dealer-a"]
    event = mta.outbox.pending(limit=1000)[-1].event
    assert isinstance(event, CompanyMerged)
    assert (event.company_id, event.into, set(event.members)) == (
        "dealer-b", "dealer-a", {"berta", "andi"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("source", "target", "setup"),
    [
        ("dealer-a", "dealer-a", None),
        ("dealer-a", "sub", "child"),
        ("dealer-a", "dealer-b", "linked"),
        ("dealer-a", "dealer-b", "properties"),
    ],
)
def test_r_co_2_impossible_merges_change_nothing(
    mta: TeamAccess, store, source, target, setup
) -> None:
    """R-CO-2: merging into itself, into its own child, with a provider, or clashing properties fails whole."""
    if setup == "child":
        mta.partners.create_child("anton", "dealer-a", "Sub", company_id="sub")
    if setup == "linked":
        mta.records.link("anton", "dealer-a", "dealer-b")
    if setup == "properties":
        mta.partners.define_property("anton", "dealer-a", "size", "number")
        mta.partners.define_property("berta", "dealer-b", "size", "text")
    before = dump(store)
    with pytest.raises(MergeConflict):
        mta.lifecycle.merge(ADMIN, source, target)
    assert dump(store) == before


def test_r_co_2_only_platform_admins_merge_and_depth_holds(store) -> None:
    """R-CO-2: a member may not merge; moving children under the target respects the depth limit."""
    ta = make_service(store, platform_admins={ADMIN}, max_partner_depth=1)
    for user in (ADMIN, "anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "Top", company_id="top")
    ta.partners.create_child("anna", "top", "Mid", company_id="mid")
    ta.companies.create("ben", "Other", company_id="other")
    ta.partners.create_child("ben", "other", "Leaf", company_id="leaf")
    before = dump(store)
    with pytest.raises(AccessDenied):
        ta.lifecycle.merge("anna", "other", "top")
    with pytest.raises(HierarchyTooDeep):
        ta.lifecycle.merge(ADMIN, "other", "mid")  # leaf would get 2 ancestors
    assert dump(store) == before
    ta.lifecycle.merge(ADMIN, "other", "top")
    assert ta.partners.ancestors("leaf") == ["top"]


def test_r_co_3_closed_company_refuses_new_actions_history_stays(mta: TeamAccess) -> None:
    """R-CO-3: after a merge the source refuses every command with CompanyClosed; it stays readable."""
    mta.lifecycle.merge(ADMIN, "dealer-b", "dealer-a")
    commands = [
        lambda: mta.members.add("berta", "dealer-b", "xaver"),
        lambda: mta.companies.update_profile("berta", "dealer-b", name="Back"),
        lambda: mta.invitations.send("berta", "dealer-b", "new@example.com"),
        lambda: mta.leads.pick("berta", "dealer-b", "pumps"),
        lambda: mta.inbox.send("dealer-b", "contact", "v@fair.example", "Hi"),
        lambda: mta.leads.set_market_roles(ADMIN, "dealer-b", ["lead_taker"]),
        lambda: mta.licenses.set(ADMIN, "dealer-b", "export", 1),
        lambda: mta.partners.create_child("berta", "dealer-b", "New"),
        lambda: mta.lifecycle.merge(ADMIN, "dealer-a", "dealer-b"),
        lambda: mta.leads.offer(
            "olga", "market", giver_id="giver", taker_ids=["dealer-b"], title="X"
        ),
    ]
    for command in commands:
        with pytest.raises(CompanyClosed, match="merged into 'dealer-a'"):
            command()
    decision = mta.check("berta", "dealer-b", "open_backoffice")
    assert str(decision) == "denied: company_closed (R-CO-3)"
    assert mta.leads.check("berta", "dealer-b", "pumps", "view_lead").reason == "company_closed"
    assert mta.companies.get("dealer-b").name == "Dealer-B"  # history stays readable
    history = [m.event for m in mta.outbox.pending(limit=1000) if m.event.company_id == "dealer-b"]
    assert [type(e).__name__ for e in history][:2] == ["CompanyCreated", "MemberAdded"]
    assert isinstance(history[-1], CompanyMerged)
