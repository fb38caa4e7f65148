"""Shared records and the timeline embargo, R-REC-1..3, run against every adapter (seed 001)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamaccess import RecordKind, TeamAccess
from teamaccess.errors import AccessDenied, Conflict, InvalidInput, NotAMember
from teamaccess.testing import dump, make_service
from teamaccess.values import LinkKind

ADMIN = "platform-admin"


@pytest.fixture
def rta(store, clock) -> TeamAccess:
    """OSG (provider, osgar), Kunde (customer, kurt + kim), SEO-Agentur (service provider, sepp), Fremd (fritz)."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, "osgar", "kurt", "kim", "sepp", "fritz"):
        ta.users.register(user, f"{user}@example.com")
    for founder, company in [
        ("osgar", "osg"),
        ("kurt", "kunde"),
        ("sepp", "seo"),
        ("fritz", "fremd"),
    ]:
        ta.companies.create(founder, company.upper(), company_id=company)
    ta.members.add("kurt", "kunde", "kim")
    ta.records.link(ADMIN, "kunde", "osg", LinkKind.PROVIDER)
    ta.records.link("kurt", "kunde", "seo", "service_provider")  # the customer's admin may link
    return ta


def titles(page) -> list[str]:
    return [record.title for record in page.items]


def test_r_rec_1_records_visible_to_customer_provider_and_service_providers(
    rta: TeamAccess, clock
) -> None:
    """R-REC-1: a record is seen by the customer's members, its provider and linked service providers only."""
    minutes = rta.records.add("osgar", "osg", "kunde", RecordKind.MINUTES, "Jour fixe 12")
    invoice = rta.records.add("osgar", "osg", "kunde", "invoice", "Invoice 2026-01")
    mail = rta.records.add("kim", "kunde", "kunde", "mail", "Re: backlinks")
    since = clock() - timedelta(days=30)
    for user, company in [("kurt", "kunde"), ("kim", "kunde"), ("osgar", "osg"), ("sepp", "seo")]:
        assert set(titles(rta.records.timeline(user, company, "kunde", since=since))) == {
            "Jour fixe 12", "Invoice 2026-01", "Re: backlinks",
        }, user  # fmt: skip
        for record in (minutes, invoice, mail):
            assert rta.records.check(user, company, record.id).allowed
    with pytest.raises(AccessDenied) as caught:
        rta.records.timeline("fritz", "fremd", "kunde", since=since)
    assert str(caught.value.decision) == "denied: not_linked (R-REC-1)"
    # R-ALL-9: a record out of the company's sight is answered as one that does not exist
    assert (
        str(rta.records.check("fritz", "fremd", minutes.id)) == "denied: unknown_record (R-ALL-1)"
    )
    assert rta.records.check("fritz", "fremd", minutes.id) == rta.records.check(
        "fritz", "fremd", "no-such-record"
    )
    with pytest.raises(NotAMember):
        rta.records.timeline("fritz", "kunde", "kunde", since=since)
    with pytest.raises(AccessDenied):
        rta.records.add("fritz", "fremd", "kunde", "mail", "Spam")
    assert rta.records.get("sepp", "seo", invoice.id) == invoice


def test_r_rec_1_linking_is_for_customer_managers_and_admins(rta: TeamAccess, store) -> None:
    """R-REC-1: only the customer's team managers (or platform admins) link providers, once each."""
    before = dump(store)
    with pytest.raises(AccessDenied):
        rta.records.link("kim", "kunde", "fremd")  # a plain member
    with pytest.raises(NotAMember):
        rta.records.link("fritz", "kunde", "fremd")
    with pytest.raises(Conflict):
        rta.records.link(ADMIN, "kunde", "osg")
    with pytest.raises(InvalidInput):
        rta.records.link(ADMIN, "kunde", "kunde")
    with pytest.raises(InvalidInput):
        rta.records.link(ADMIN, "kunde", "fremd", "friend")
    assert dump(store) == before


def test_r_rec_2_timeline_entries_reach_the_customer_after_ten_days(rta: TeamAccess, clock) -> None:
    """R-REC-2: a provider's timeline entry is embargoed 10 days for the customer, not for providers."""
    entry = rta.records.add("osgar", "osg", "kunde", RecordKind.TIMELINE, "40 backlinks built")
    assert entry.visible_from == entry.occurred_at + timedelta(days=10)
    own = rta.records.add("kim", "kunde", "kunde", "timeline", "Our newsletter went out")
    assert own.visible_from is None  # the customer's own entries are not held back
    since = clock() - timedelta(days=90)
    assert titles(rta.records.timeline("osgar", "osg", "kunde", since=since)) == [
        "Our newsletter went out", "40 backlinks built",
    ]  # fmt: skip
    assert titles(rta.records.timeline("sepp", "seo", "kunde", since=since)) == [
        "Our newsletter went out", "40 backlinks built",
    ]  # fmt: skip
    assert titles(rta.records.timeline("kim", "kunde", "kunde", since=since)) == [
        "Our newsletter went out"
    ]
    decision = rta.records.check("kim", "kunde", entry.id)
    assert (decision.allowed, decision.reason, decision.rule) == (False, "embargoed", "R-REC-2")
    with pytest.raises(AccessDenied):
        rta.records.get("kim", "kunde", entry.id)
    clock.advance(days=10)
    assert rta.records.check("kim", "kunde", entry.id).allowed
    assert "40 backlinks built" in titles(
        rta.records.timeline("kim", "kunde", "kunde", since=since)
    )


def test_r_rec_2_explicit_embargo_and_configurable_default(store, clock) -> None:
    """R-REC-2: an author may set visible_from; the default delay is a documented setting."""
    ta = make_service(store, clock=clock, timeline_embargo=timedelta(days=3))
    for user in ("osgar", "kurt"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("osgar", "OSG", company_id="osg")
    ta.companies.create("kurt", "Kunde", company_id="kunde")
    ta.records.link("kurt", "kunde", "osg")
    entry = ta.records.add("osgar", "osg", "kunde", "timeline", "Audit")
    assert entry.visible_from == clock() + timedelta(days=3)
    later = clock() + timedelta(days=1)
    invoice = ta.records.add(
        "osgar", "osg", "kunde", "invoice", "Draft invoice", visible_from=later
    )
    assert not ta.records.check("kurt", "kunde", invoice.id).allowed
    clock.advance(days=1)
    assert ta.records.check("kurt", "kunde", invoice.id).allowed
    with pytest.raises(InvalidInput):
        make_service(store, timeline_embargo=timedelta(days=-1))


def test_r_rec_3_timeline_takes_a_window_and_pages_newest_first(rta: TeamAccess, clock) -> None:
    """R-REC-3: only records in [since, until) come back, newest first, page by page, by kind."""
    start = clock()
    for day in range(0, 100, 10):
        rta.records.add("kim", "kunde", "kunde", "timeline", f"day {day}",
                       occurred_at=start - timedelta(days=day))  # fmt: skip
    rta.records.add(
        "kim", "kunde", "kunde", "mail", "a mail", occurred_at=start - timedelta(days=5)
    )
    window = {"since": start - timedelta(days=90), "until": start - timedelta(days=30)}
    assert titles(rta.records.timeline("kurt", "kunde", "kunde", **window)) == [
        "day 40", "day 50", "day 60", "day 70", "day 80", "day 90",
    ]  # fmt: skip
    seen, after = [], None
    while True:
        page = rta.records.timeline("kurt", "kunde", "kunde", since=start - timedelta(days=30),
                            kinds=["timeline"], after=after, limit=2)  # fmt: skip
        seen += titles(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ["day 0", "day 10", "day 20", "day 30"]
    last30 = rta.records.timeline("osgar", "osg", "kunde", since=start - timedelta(days=30),
                          kinds=[RecordKind.MAIL])  # fmt: skip
    assert titles(last30) == ["a mail"]
    for bad in (
        {"since": start, "until": start - timedelta(days=1)},
        {"since": start.replace(tzinfo=None)},
        {"since": start - timedelta(days=1), "after": "not a cursor"},
        {"since": start - timedelta(days=1), "kinds": ["fax"]},
    ):
        with pytest.raises(InvalidInput):
            rta.records.timeline("kurt", "kunde", "kunde", **bad)
