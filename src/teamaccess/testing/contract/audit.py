"""The searchable audit trail (R-ALL-4, guarded as reviews are, R-CO-6), on every adapter.

A company's admins ask the outbox "who removed Ben, and when?": a search by actor,
target, kind and time, a page at a time, equals filtering every stored event in
Python; an export is JSON or formula-safe CSV; outsiders learn nothing, not even
whether the company exists (R-ALL-9); suspension shuts insiders out (R-CO-8); erased
people appear under their pseudonym (R-CO-7).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import TeamAccess
from teamaccess.domain.audit import AuditFilter, kind_of, targets_of
from teamaccess.domain.events import event_to_dict
from teamaccess.errors import (
    AccessDenied,
    InvalidDuration,
    InvalidInput,
    NotAMember,
    TeamAccessError,
    UnknownCompany,
)
from teamaccess.events import request_context
from teamaccess.testing import FailingStore, FrozenClock, InjectedFailure, dump, make_service
from teamaccess.testing.contract._helpers import examples

ADMIN = "ops"
USERS = ("anna", "ben", "carl", "dora")
EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def audit_ta(store: Any, clock: FrozenClock) -> TeamAccess:
    """acme: anna (main contact) adds ben and carl (admin), removes ben; beta is dora's."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, *USERS):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.companies.create("dora", "Beta AG", company_id="beta")
    clock.advance(hours=1)
    ta.members.add("anna", "acme", "ben")
    ta.members.add("anna", "acme", "carl", role="admin")
    ta.members.add("dora", "beta", "ben")
    clock.advance(hours=1)
    ta.members.remove("carl", "acme", "ben")
    return ta


def _outbox(ta: TeamAccess) -> list[Any]:
    with ta.store.reader() as tx:
        return list(tx.outbox.all())


def test_r_all_4_who_removed_ben_and_when(audit_ta: TeamAccess, clock: FrozenClock) -> None:
    """R-ALL-4: the search by target names the actor and the time of the removal."""
    page = audit_ta.audit.search("anna", "acme", about="ben", kinds=["MemberRemoved"])
    assert [(e.kind, e.event.actor_id, e.targets) for e in page.items] == [
        ("MemberRemoved", "carl", ("ben",))
    ]
    assert page.items[0].event.occurred_at == clock()
    assert page.next_after is None


def test_r_all_4_search_keeps_one_companys_events(audit_ta: TeamAccess) -> None:
    """R-ALL-4: ben's membership of beta is not in acme's trail, nor acme's in beta's."""
    acme = audit_ta.audit.search("anna", "acme", about="ben", limit=1000).items
    beta = audit_ta.audit.search("dora", "beta", about="ben", limit=1000).items
    assert {e.event.company_id for e in acme} == {"acme"}
    assert [e.kind for e in acme] == ["MemberAdded", "MemberRemoved"]
    assert [e.kind for e in beta] == ["MemberAdded"]


def test_r_all_4_filters_by_actor_kind_and_time(audit_ta: TeamAccess, clock: FrozenClock) -> None:
    """R-ALL-4: ``by``, ``kinds``, ``since`` (inclusive) and ``until`` (exclusive) narrow it."""
    ta = audit_ta
    by_carl = ta.audit.search("anna", "acme", by="carl").items
    assert [e.kind for e in by_carl] == ["MemberRemoved"]
    start = clock() - timedelta(hours=1)
    middle = ta.audit.search("anna", "acme", since=start, until=clock()).items
    assert [(e.kind, e.targets) for e in middle] == [
        ("MemberAdded", ("ben",)), ("MemberAdded", ("carl",)),
    ]  # fmt: skip
    kinds = {e.kind for e in ta.audit.search("anna", "acme", kinds=["CompanyCreated"]).items}
    assert kinds == {"CompanyCreated"}
    assert ta.audit.search("anna", "acme", kinds=["NoSuchEvent"]).items == ()


def test_r_all_4_pages_add_up_to_the_whole_trail(audit_ta: TeamAccess) -> None:
    """R-ALL-4: walking pages of 2 gives the events of one big page, in outbox order."""
    ta = audit_ta
    whole = ta.audit.search("anna", "acme", limit=1000).items
    walked: list[Any] = []
    after = None
    while True:
        page = ta.audit.search("anna", "acme", after=after, limit=2)
        walked += page.items
        after = page.next_after
        if after is None:
            break
    assert walked == list(whole)
    assert [e.position for e in whole] == sorted(e.position for e in whole)
    assert len(whole) >= 5


def test_r_co_6_audit_is_for_the_main_contact_team_managers_and_platform_admins(
    audit_ta: TeamAccess,
) -> None:
    """R-CO-6: a member without manage_team is refused; anna, carl (admin) and ops may search."""
    ta = audit_ta
    ta.members.add("anna", "acme", "dora")
    with pytest.raises(AccessDenied) as denied:
        ta.audit.search("dora", "acme")
    assert denied.value.decision.rule == "R-CO-6"
    with pytest.raises(AccessDenied):
        ta.audit.export("dora", "acme")
    for actor in ("anna", "carl", ADMIN):
        assert ta.audit.search(actor, "acme", limit=1000).items


def test_r_all_9_an_outsider_learns_nothing_of_a_companys_trail(audit_ta: TeamAccess) -> None:
    """R-ALL-9: for an outsider, acme's trail and a company that does not exist read alike."""
    ta = audit_ta
    answers = []
    for company in ("acme", "nowhere"):
        with pytest.raises(NotAMember) as refused:
            ta.audit.search("dora", company, about="ben")
        answers.append(str(refused.value).replace(company, "<id>"))
    assert answers[0] == answers[1]
    with pytest.raises(UnknownCompany):
        ta.audit.search(ADMIN, "nowhere")


def test_r_co_8_a_suspended_company_shows_its_insiders_no_trail(audit_ta: TeamAccess) -> None:
    """R-CO-8: while acme is suspended its main contact cannot search; platform admins can."""
    ta = audit_ta
    ta.companies.suspend(ADMIN, "acme", reason="unpaid")
    with pytest.raises(AccessDenied) as denied:
        ta.audit.search("anna", "acme")
    assert denied.value.decision.rule == "R-CO-8"
    assert ta.audit.search(ADMIN, "acme", kinds=["CompanySuspended"]).items
    ta.companies.resume(ADMIN, "acme")
    assert ta.audit.search("anna", "acme", kinds=["CompanySuspended"]).items


def test_r_co_7_an_erased_person_appears_under_a_pseudonym(audit_ta: TeamAccess) -> None:
    """R-CO-7: after ben's erasure no export of acme's trail holds his address (his invitation's)."""
    ta = audit_ta
    ta.invitations.send("anna", "acme", "ben@example.com")
    assert "ben@example.com" in ta.audit.export("anna", "acme").to_json()
    ta.privacy.erase(ADMIN, "ben")
    exported = ta.audit.export("anna", "acme")
    assert "ben@example.com" not in exported.to_json() + exported.to_csv()
    assert ta.audit.search("anna", "acme", about="ben", kinds=["MemberRemoved"]).items


def test_r_all_4_export_json_and_inert_csv(store: Any, clock: FrozenClock) -> None:
    """R-ALL-4: the export holds every match; CSV cells never start a formula."""
    ta = make_service(store, clock=clock)
    for user in ("anna", EVIL):
        ta.users.register(user, f"u{len(user)}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", EVIL)
    ta.companies.update_profile("anna", "acme", name="@SUM(1+1)")
    exported = ta.audit.export("anna", "acme")
    data = json.loads(exported.to_json())
    assert [e["position"] for e in data["entries"]] == [e.position for e in exported.entries]
    assert EVIL in {t for e in data["entries"] for t in e["targets"]}
    rows = list(csv.reader(io.StringIO(exported.to_csv())))
    assert rows[0][:3] == ["position", "occurred_at", "kind"]
    assert len(rows) == len(exported.entries) + 1
    cells = [cell for row in rows for cell in row]
    assert "'" + EVIL in cells
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("after", "-1"), ("after", "abc"), ("after", 3), ("after", "\u00b2"), ("after", "1" * 20), ("limit", 0), ("limit", 10**6),
        ("kinds", "MemberRemoved"), ("kinds", [""]), ("by", ""), ("about", 7),
        ("since", datetime(2026, 1, 1)), ("until", "yesterday"),
    ],
)  # fmt: skip
def test_r_all_7_bad_search_input_is_refused_alike(
    audit_ta: TeamAccess, option: str, value: object
) -> None:
    """R-ALL-7: a malformed filter, cursor or limit raises InvalidInput and changes nothing."""
    before = dump(audit_ta.store)
    with pytest.raises(InvalidInput):
        audit_ta.audit.search("anna", "acme", **{option: value})
    if option != "limit" and option != "after":
        with pytest.raises(InvalidInput):
            audit_ta.audit.export("anna", "acme", **{option: value})
    assert dump(audit_ta.store) == before


_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "role", "profile", "wait"]),
        st.sampled_from(USERS),
        st.sampled_from(["acme", "beta"]),
    ),
    max_size=12,
)
_FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "by": st.sampled_from(USERS),
        "about": st.sampled_from(USERS),
        "kinds": st.lists(
            st.sampled_from(["MemberAdded", "MemberRemoved", "RoleChanged", "CompanyCreated"]),
            max_size=2,
        ),
        "since": st.integers(0, 12),
        "until": st.integers(0, 12),
    },
)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=_STEPS, filters=_FILTERS, limit=st.integers(1, 4))
def test_r_all_4_search_equals_filtering_the_whole_outbox(
    store_factory: Any, steps: list[tuple[str, str, str]], filters: dict[str, Any], limit: int
) -> None:
    """R-ALL-4: for random histories and filters, the pages equal a filter over outbox.all()."""
    clock = FrozenClock()
    ta = make_service(store_factory(), clock=clock, platform_admins={ADMIN})
    start = clock()
    for user in (ADMIN, *USERS):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.companies.create("dora", "Beta AG", company_id="beta")
    for op, user, company in steps:
        owner = "anna" if company == "acme" else "dora"
        with contextlib.suppress(TeamAccessError):  # a refused step leaves the trail as it was
            if op == "add":
                ta.members.add(owner, company, user)
            elif op == "remove":
                ta.members.remove(owner, company, user)
            elif op == "role":
                ta.members.change_role(owner, company, user, "admin")
            elif op == "profile":
                ta.companies.update_profile(owner, company, name=f"{company} {user}")
            else:
                clock.advance(hours=1)
    options = {
        **filters,
        **{k: start + timedelta(hours=filters[k]) for k in ("since", "until") if k in filters},
    }
    expected = [
        m.position
        for m in _outbox(ta)
        if AuditFilter(
            company_id="acme",  # type: ignore[arg-type]
            actor_id=options.get("by"),
            target_id=options.get("about"),
            kinds=frozenset(options.get("kinds", ())),
            since=options.get("since"),
            until=options.get("until"),
        ).matches(m)
    ]
    brute = [
        m.position
        for m in _outbox(ta)
        if m.event.company_id == "acme"
        and options.get("by") in (None, m.event.actor_id)
        and (options.get("about") is None or options["about"] in targets_of(m.event))
        and (not options.get("kinds") or kind_of(m.event) in options["kinds"])
        and ("since" not in options or m.event.occurred_at >= options["since"])
        and ("until" not in options or m.event.occurred_at < options["until"])
    ]
    assert expected == brute
    walked: list[int] = []
    after = None
    while True:
        page = ta.audit.search(ADMIN, "acme", after=after, limit=limit, **options)
        assert len(page.items) <= limit
        walked += [e.position for e in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert walked == brute
    assert [e.position for e in ta.audit.export(ADMIN, "acme", **options).entries] == brute


def _deliver_all(ta: TeamAccess) -> None:
    while pending := ta.outbox.pending(limit=1000):
        ta.outbox.mark_delivered([m.position for m in pending])


def test_r_all_4_purge_deletes_only_old_delivered_events(
    audit_ta: TeamAccess, clock: FrozenClock
) -> None:
    """R-ALL-4: retention deletes what no consumer waits for; pending and erasure records stay."""
    ta = audit_ta
    ta.privacy.erase(ADMIN, "ben")
    _deliver_all(ta)
    delivered = _outbox(ta)
    clock.advance(days=10)
    ta.members.remove("anna", "acme", "carl")  # pending, and old enough once the clock moves
    clock.advance(days=2)
    purged = ta.audit.purge(ADMIN, older_than=timedelta(days=5))
    left = _outbox(ta)
    kinds = [kind_of(m.event) for m in left]
    assert purged == len(delivered) - 1  # all but the record of ben's erasure
    assert kinds == ["UserErased", "MemberRemoved", "AuditTrailPurged"]
    assert left[-1].event.purged == purged
    assert left[-1].event.before == clock() - timedelta(days=5)
    assert [e.kind for e in ta.audit.search("anna", "acme", limit=1000).items] == ["MemberRemoved"]
    assert ta.audit.purge(ADMIN, older_than=timedelta(days=5)) == 0  # nothing old is delivered


@pytest.mark.parametrize("older_than", [timedelta(hours=23), timedelta(0), -timedelta(days=3), 7])
def test_r_all_7_purge_needs_a_day_of_retention(audit_ta: TeamAccess, older_than: object) -> None:
    """R-ALL-7: a retention under one day (or not a timedelta) is refused; nothing changes."""
    _deliver_all(audit_ta)
    before = dump(audit_ta.store)
    with pytest.raises(InvalidDuration):
        audit_ta.audit.purge(ADMIN, older_than=older_than)  # type: ignore[arg-type]
    assert dump(audit_ta.store) == before


def test_r_co_6_only_platform_admins_purge(audit_ta: TeamAccess, clock: FrozenClock) -> None:
    """R-CO-6: the main contact cannot purge the trail; nothing changes."""
    _deliver_all(audit_ta)
    clock.advance(days=30)
    before = dump(audit_ta.store)
    with pytest.raises(AccessDenied):
        audit_ta.audit.purge("anna", older_than=timedelta(days=1))
    assert dump(audit_ta.store) == before


def test_r_all_3_a_purge_failing_after_its_delete_leaves_the_trail_whole(
    audit_ta: TeamAccess, clock: FrozenClock
) -> None:
    """R-ALL-3: a crash after the purge's delete, before its event, deletes nothing."""
    _deliver_all(audit_ta)
    clock.advance(days=30)
    before = dump(audit_ta.store)
    failing = make_service(
        FailingStore(audit_ta.store, fail_after=1), clock=clock, platform_admins={ADMIN}
    )
    with pytest.raises(InjectedFailure):
        failing.audit.purge(ADMIN, older_than=timedelta(days=1))
    assert dump(audit_ta.store) == before
    assert audit_ta.audit.purge(ADMIN, older_than=timedelta(days=1)) > 0


def test_r_all_4_events_say_which_request_they_came_from(store: Any, clock: FrozenClock) -> None:
    """R-ALL-4: commands inside request_context stamp every event; outside, none."""
    ta = make_service(store, clock=clock)
    ta.users.register("anna", "anna@example.com")
    agent = "Mozilla/5.0\r\nX-Injected: 1" + "x" * 400
    with request_context(ip="203.0.113.9", user_agent=agent, request_id="req-1") as context:
        ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.companies.update_profile("anna", "acme", name="ACME AG")
    assert context.user_agent is not None
    assert "\r" not in context.user_agent
    assert len(context.user_agent) == 300
    entries = ta.audit.search("anna", "acme", limit=1000).items
    stamped = [e.event.context for e in entries]
    assert stamped[:-1] == [context] * (len(entries) - 1)
    assert stamped[-1] is None
    exported = ta.audit.export("anna", "acme")
    assert json.loads(exported.to_json())["entries"][0]["context"]["ip"] == "203.0.113.9"
    rows = list(csv.DictReader(io.StringIO(exported.to_csv())))
    assert [(r["ip"], r["request_id"]) for r in rows][-2:] == [("203.0.113.9", "req-1"), ("", "")]


@pytest.mark.parametrize("junk", [7, b"1.2.3.4", ["1.2.3.4"]])
def test_r_all_7_a_request_context_of_junk_is_refused(junk: object) -> None:
    """R-ALL-7: a request context value that is not text raises InvalidInput."""
    for name in ("ip", "user_agent", "request_id"):
        with pytest.raises(InvalidInput), request_context(**{name: junk}):  # type: ignore[arg-type]
            pass


def test_r_co_7_erasure_forgets_where_the_person_worked_from(audit_ta: TeamAccess) -> None:
    """R-CO-7: erasing ben drops the request context of his events; anna's stays."""
    ta = audit_ta
    with request_context(ip="198.51.100.7", user_agent="ben's browser"):
        ta.members.leave("ben", "beta")
    with request_context(ip="203.0.113.9"):
        ta.companies.update_profile("anna", "acme", name="ACME AG")
    ta.privacy.erase(ADMIN, "ben")
    text = json.dumps([event_to_dict(m.event) for m in _outbox(ta)])
    assert "198.51.100.7" not in text
    assert "ben's browser" not in text
    assert "203.0.113.9" in text
