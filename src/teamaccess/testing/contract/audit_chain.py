"""The sealed audit chain and ``ta.audit.verify`` (R-ALL-4, issue 32), on every adapter.

Each stored event's seal covers the one before it in its company's chain. ``verify``
passes on any history the library writes, erasure (R-CO-7) and the retention purge
included, which seal again what they rewrite; a stored event changed, deleted or
moved behind the library's back is reported with its position and the reason. The
test-only way to change a stored row is the store's own: an UPDATE on an SQL store's
table, the internals of the in-memory store; other stores skip those tests.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamaccess import TeamAccess
from teamaccess.adapters.memory import MemoryStore
from teamaccess.domain.audit import kind_of
from teamaccess.domain.events import decode_event, event_to_dict
from teamaccess.errors import AccessDenied, NotAMember, TeamAccessError
from teamaccess.events import request_context
from teamaccess.testing import (
    FailingStore,
    FrozenClock,
    InjectedFailure,
    in_transaction,
    make_service,
)
from teamaccess.testing.contract._helpers import examples

ADMIN = "ops"
USERS = ("anna", "ben", "carl", "dora")
COMPANIES = ("acme", "beta")


def _world(store: Any, clock: FrozenClock) -> TeamAccess:
    """Two companies, acme (anna's) and beta (dora's); ben in both adds dora and carl."""
    ta = make_service(store, clock=clock, platform_admins={ADMIN})
    for user in (ADMIN, *USERS):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.companies.create("dora", "Beta AG", company_id="beta")
    clock.advance(hours=1)
    with request_context(ip="203.0.113.9"):
        ta.members.add("anna", "acme", "ben")
    ta.members.add("anna", "acme", "carl", role="admin")
    ta.members.add("dora", "beta", "ben")
    with request_context(ip="198.51.100.7", user_agent="ben's browser"):
        ta.members.add("ben", "acme", "dora")  # ben's own, with where he worked from
        ta.members.add("ben", "beta", "carl")
    ta.companies.update_profile("anna", "acme", name="ACME AG")
    return ta


@pytest.fixture
def chain_ta(store: Any, clock: FrozenClock) -> TeamAccess:
    """The service on the store under test, after `_world`."""
    return _world(store, clock)


def _outbox(ta: TeamAccess) -> list[Any]:
    return in_transaction(ta.store, lambda tx: list(tx.outbox.all()))


def _positions(ta: TeamAccess, company: str | None) -> list[int]:
    return [m.position for m in _outbox(ta) if m.event.company_id == company]


def _all_ok(ta: TeamAccess) -> None:
    for company in (*COMPANIES, None):
        verdict = ta.audit.verify(ADMIN, company)
        assert verdict.ok, (company, verdict)
        assert verdict.events == len(_positions(ta, company))


def _deliver_all(ta: TeamAccess) -> None:
    while pending := ta.outbox.pending(limit=1000):
        ta.outbox.mark_delivered([m.position for m in pending])


# The test-only ways to change a stored row, one per kind of store.


def _tamper(store: Any, how: str, position: int, other: int = 0) -> None:
    """Change the stored event at ``position`` behind the library's back."""
    if isinstance(store, MemoryStore):
        _tamper_memory(store, how, position, other)
    elif hasattr(store, "engine") and hasattr(store, "tables") and not store.is_async:
        _tamper_sql(store, how, position, other)
    else:
        pytest.skip(f"no test-only way to change a stored row of {type(store).__name__}")


def _changed_payload(payload: dict[str, Any], how: str) -> dict[str, Any]:
    if how == "actor":
        return {**payload, "actor_id": "mallory"}
    if how == "payload":
        return {**payload, "role": "admin"}
    if how == "kind":
        return {**payload, "type": "MemberRemoved"}
    return payload


def _tamper_memory(store: MemoryStore, how: str, position: int, other: int) -> None:
    tables = store._tables  # the test-only way into the in-memory store
    outbox = tables.outbox
    message = outbox[position]
    if how == "delete":
        del outbox[position]
        del tables.seals[position]
    elif how == "swap":
        moved = outbox[other]
        outbox[position] = attrs.evolve(moved, position=position)
        outbox[other] = attrs.evolve(message, position=other)
        tables.seals[position], tables.seals[other] = tables.seals[other], tables.seals[position]
    elif how == "time":
        event = attrs.evolve(message.event, occurred_at=message.event.occurred_at + timedelta(1))
        outbox[position] = attrs.evolve(message, event=event)
    else:
        data = _changed_payload(event_to_dict(message.event), how)
        event = decode_event(data, occurred_at=message.event.occurred_at)
        outbox[position] = attrs.evolve(message, event=event)


def _tamper_sql(store: Any, how: str, position: int, other: int) -> None:
    import sqlalchemy as sa  # the SQL extra: only for SQL stores

    t = store.tables.outbox
    at = t.c.position == position
    with store.engine.begin() as conn:
        if how == "delete":
            conn.execute(t.delete().where(at))
        elif how == "swap":
            conn.execute(t.update().where(at).values(position=-1))
            conn.execute(t.update().where(t.c.position == other).values(position=position))
            conn.execute(t.update().where(t.c.position == -1).values(position=other))
        elif how == "time":
            row = conn.execute(sa.select(t.c.occurred_at).where(at)).one()
            conn.execute(t.update().where(at).values(occurred_at=row.occurred_at + timedelta(1)))
        else:
            row = conn.execute(sa.select(t.c.payload).where(at)).one()
            payload = _changed_payload(row.payload, how)
            values: dict[str, Any] = {"payload": payload}
            if how == "actor":
                values["actor_id"] = "mallory"
            if how == "kind":
                values["event_type"] = "MemberRemoved"
            conn.execute(t.update().where(at).values(**values))


# The chain as the library writes it.


def test_r_all_4_a_written_history_verifies(chain_ta: TeamAccess) -> None:
    """R-ALL-4, R-ALL-5: every company's chain and the platform's verify, each counting its events, with the heads the in-memory store gives for the same history."""
    _all_ok(chain_ta)
    same = _world(MemoryStore(), FrozenClock())
    for company in (*COMPANIES, None):
        assert chain_ta.audit.verify(ADMIN, company).head == same.audit.verify(ADMIN, company).head
    verdict = chain_ta.audit.verify("anna", "acme")
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (True, None, None)
    assert verdict.message.startswith(f"ok: {verdict.events} events")
    chain_ta.members.remove("anna", "acme", "ben")
    assert chain_ta.audit.verify("anna", "acme").head != verdict.head  # the head moves on


def test_r_co_6_verify_is_for_those_who_may_search(chain_ta: TeamAccess) -> None:
    """R-CO-6, R-ALL-9: a plain member is denied, an outsider gets "not a member", the platform's chain is for platform admins."""
    ta = chain_ta
    assert ta.audit.verify("carl", "acme").ok  # an admin: manage_team
    with pytest.raises(AccessDenied):
        ta.audit.verify("ben", "acme")
    ta.users.register("erik", "erik@example.com")
    with pytest.raises(NotAMember):
        ta.audit.verify("erik", "acme")
    with pytest.raises(NotAMember):
        ta.audit.verify("erik", "no-such-company")
    with pytest.raises(AccessDenied):
        ta.audit.verify("anna", None)


# Changes behind the library's back.


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("payload", "changed"),
        ("actor", "changed"),
        ("kind", "changed"),
        ("time", "changed"),
        ("delete", "unlinked"),
        ("swap", "unlinked"),
    ],
)
def test_r_all_4_a_changed_stored_event_is_reported(
    store: Any, clock: FrozenClock, how: str, reason: str
) -> None:
    """R-ALL-4: a stored event edited (payload, actor, kind, time), deleted or moved is reported at its position; other chains still verify."""
    ta = _world(store, clock)
    acme = _positions(ta, "acme")
    target = next(  # ben joins acme as a member: not the chain's first event, nor its last
        m.position
        for m in _outbox(ta)
        if kind_of(m.event) == "MemberAdded"
        and m.event.company_id == "acme"
        and m.event.user_id == "ben"
    )
    assert acme[0] < target < acme[-1]
    later = acme[acme.index(target) + 1]
    _tamper(store, how, target, later)
    verdict = ta.audit.verify("anna", "acme")
    expected = later if how == "delete" else target
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, expected, reason)
    assert verdict.events == acme.index(target)  # those before it are fine
    assert f"position {expected}" in verdict.message
    assert ta.audit.verify("dora", "beta").ok
    assert ta.audit.verify(ADMIN, None).ok


def test_r_all_4_deleting_the_last_events_is_reported(chain_ta: TeamAccess) -> None:
    """R-ALL-4: the head names the deleted last event: the chain is reported truncated."""
    acme = _positions(chain_ta, "acme")
    _tamper(chain_ta.store, "delete", acme[-1])
    verdict = chain_ta.audit.verify("anna", "acme")
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, acme[-2], "truncated")


# Rewrites the library makes itself.


def test_r_co_7_verify_passes_after_an_erasure_which_says_it_resealed(
    chain_ta: TeamAccess,
) -> None:
    """R-CO-7: erasing ben rewrites events of acme, beta and the platform; each chain is sealed again, UserErased says how many, and a later change is still caught."""
    ta = chain_ta
    ta.privacy.erase(ADMIN, "ben")
    erased = _outbox(ta)[-1].event
    assert (erased.type, erased.resealed) == ("UserErased", 3)
    _all_ok(ta)
    ta.users.change_email("carl", "carl@new.example")
    changed = _outbox(ta)[-1].event
    assert (changed.type, changed.resealed) == ("UserEmailChanged", 1)  # his registration
    _all_ok(ta)
    acme = _positions(ta, "acme")
    _tamper(ta.store, "actor", acme[1])
    assert ta.audit.verify("anna", "acme").broken_at == acme[1]


def test_r_all_4_verify_passes_after_a_purge(chain_ta: TeamAccess, clock: FrozenClock) -> None:
    """R-ALL-4, R-CO-7: a purge deletes old delivered events in the middle of chains (the erasure record and pending events stay); every chain verifies."""
    ta = chain_ta
    ta.privacy.erase(ADMIN, "ben")
    _deliver_all(ta)
    clock.advance(days=10)
    ta.users.register("erik", "erik@example.com")  # delivered, but not old enough
    _deliver_all(ta)
    ta.members.remove("anna", "acme", "carl")  # old enough, but pending
    clock.advance(days=10)
    ta.companies.update_profile("dora", "beta", name="Beta SE")
    purged = ta.audit.purge(ADMIN, older_than=timedelta(days=15))
    assert purged > 0
    event = _outbox(ta)[-1].event
    assert (event.type, event.resealed) == ("AuditTrailPurged", 3)
    _all_ok(ta)
    assert ta.audit.verify("dora", "beta").events == 1


def test_r_all_3_a_failing_erasure_leaves_the_chains_whole(
    chain_ta: TeamAccess, clock: FrozenClock
) -> None:
    """R-ALL-3: an erasure that fails after any of its writes (its rewrite and re-seal included) changes no seal; the next one succeeds."""
    ta = chain_ta
    heads = [ta.audit.verify(ADMIN, c).head for c in (*COMPANIES, None)]
    for fail_after in range(1, 100):
        failing = make_service(
            FailingStore(ta.store, fail_after=fail_after), clock=clock, platform_admins={ADMIN}
        )
        try:
            failing.privacy.erase(ADMIN, "ben")
        except InjectedFailure:
            assert [ta.audit.verify(ADMIN, c).head for c in (*COMPANIES, None)] == heads
        else:
            break
    assert fail_after > 3
    assert _outbox(ta)[-1].event.type == "UserErased"
    _all_ok(ta)


# Random histories.

_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "remove", "role", "profile", "erase", "email", "deliver", "purge", "tick"]
        ),
        st.sampled_from(USERS[1:]),
        st.sampled_from(COMPANIES),
        st.booleans(),
    ),
    max_size=14,
)


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=_STEPS, pick=st.integers(0, 10_000))
def test_r_all_4_random_histories_verify_and_any_change_is_found(
    store_factory: Any, steps: list[tuple[str, str, str, bool]], pick: int
) -> None:
    """R-ALL-4, R-CO-7: after random commands, erasures, e-mail changes and purges every chain verifies; then one changed event is reported at its position."""
    clock = FrozenClock()
    store = store_factory()
    ta = _world(store, clock)
    mail = 0
    for op, user, company, in_request in steps:
        owner = "anna" if company == "acme" else "dora"
        context = request_context(ip="203.0.113.9") if in_request else contextlib.nullcontext()
        with context, contextlib.suppress(TeamAccessError):  # a refused step changes nothing
            if op == "add":
                ta.members.add(owner, company, user)
            elif op == "remove":
                ta.members.remove(owner, company, user)
            elif op == "role":
                ta.members.change_role(owner, company, user, "admin")
            elif op == "profile":
                ta.companies.update_profile(owner, company, name=f"{company} {user}")
            elif op == "erase":
                ta.privacy.erase(ADMIN, user)
            elif op == "email":
                mail += 1
                ta.users.change_email(user, f"{user}{mail}@example.org")
            elif op == "deliver":
                _deliver_all(ta)
            elif op == "purge":
                ta.audit.purge(ADMIN, older_than=timedelta(days=1))
            else:
                clock.advance(days=1)
    _all_ok(ta)
    messages = _outbox(ta)
    victim = messages[pick % len(messages)]
    company = victim.event.company_id
    _tamper(store, "actor", victim.position)
    verdict = ta.audit.verify(ADMIN, company)
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, victim.position, "changed")
    for each in (*COMPANIES, None):
        if each != company:
            assert ta.audit.verify(ADMIN, each).ok
