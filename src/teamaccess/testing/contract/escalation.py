"""R-MEM-9: nobody hands out more than they hold, on every path and every store.

A policy of three roles: ``owner`` (manage_team, reassign_main_contact, billing),
``admin`` (manage_team) and ``member`` (nothing). Every actor role is tried against
every granted role on every path that hands out a role: add, invite, accept (after the
issuer was demoted), change_role; and transfer, which must hand out no role at all.
The expected answer is the rule's own statement, written out in ``may_grant``.
"""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from teamaccess import RolePolicy, Store, TeamAccess
from teamaccess.errors import AccessDenied, TeamAccessError
from teamaccess.events import InvitationSent, MemberAdded, RoleChanged
from teamaccess.testing import FrozenClock, dump, make_service

# Property tests take their store from function-scoped fixtures (one store per test).
_FIXTURES = [HealthCheck.function_scoped_fixture]

PERMISSIONS = {
    "owner": {"manage_team", "reassign_main_contact", "billing"},
    "admin": {"manage_team"},
    "member": set(),
}
POLICY = RolePolicy(PERMISSIONS)
ROLES = tuple(PERMISSIONS)
PATHS = ("add", "invite", "accept", "change_role")


def may_grant(actor_role: str, role: str) -> bool:
    """R-MEM-9 as written: every permission held, and manage_team for any non-default role."""
    held = PERMISSIONS[actor_role]
    return PERMISSIONS[role] <= held and (role == "member" or "manage_team" in held)


def expected(path: str, actor_role: str, role: str) -> bool:
    """Whether the path succeeds: add is open to every member (R-MEM-3), the rest need manage_team (R-INV-1, R-MEM-8); and every path obeys R-MEM-9."""
    gate = path == "add" or "manage_team" in PERMISSIONS[actor_role]
    return gate and may_grant(actor_role, role)


def _service(store: Store) -> TeamAccess:
    return make_service(store, policy=POLICY, founder_role="owner", clock=FrozenClock())


def _attempt(ta: TeamAccess, n: int, path: str, actor_role: str, role: str) -> None:
    """Set up company ``c<n>`` and let an actor of ``actor_role`` hand out ``role``."""
    boss, actor, target, company = f"boss{n}", f"actor{n}", f"target{n}", f"c{n}"
    for user in (boss, actor, target):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create(boss, "Co", company_id=company)
    if path == "accept":  # issued while the actor could, accepted after a demotion
        ta.members.add(boss, company, actor, role="owner")
        issued = ta.invitations.send(actor, company, f"{target}@example.com", role=role)
        if actor_role != "owner":
            ta.members.change_role(boss, company, actor, actor_role)
        ta.invitations.accept(target, issued.token)
        return
    ta.members.add(boss, company, actor, role=actor_role)
    if path == "add":
        ta.members.add(actor, company, target, role=role)
    elif path == "invite":
        ta.invitations.send(actor, company, f"{target}@example.com", role=role)
    else:
        ta.members.add(boss, company, target)
        ta.members.change_role(actor, company, target, role)


def test_r_mem_9_every_role_on_every_grant_path(store: Store) -> None:
    """R-MEM-9: each (path, actor role, granted role) is allowed exactly when the rule allows it; a refusal names R-MEM-9 or the path's gate and changes nothing."""
    ta = _service(store)
    cases = list(itertools.product(PATHS, ROLES, ROLES))
    refused = 0
    for n, (path, actor_role, role) in enumerate(cases):
        try:
            _attempt(ta, n, path, actor_role, role)
        except AccessDenied as denied:
            refused += 1
            assert not expected(path, actor_role, role), (path, actor_role, role)
            gate_passed = path in ("add", "accept") or "manage_team" in PERMISSIONS[actor_role]
            wanted = "R-MEM-9" if gate_passed else {"invite": "R-INV-1"}.get(path, "R-MEM-8")
            assert denied.decision.rule == wanted, (path, actor_role, role)  # noqa: PT017
            holds = [m.role for m in ta.members.of_user(f"target{n}")]
            assert holds in ([], ["member"]), (path, actor_role, role, holds)
        else:
            assert expected(path, actor_role, role), (path, actor_role, role)
    assert refused == sum(not expected(*case) for case in cases) > 0


@pytest.mark.parametrize("actor_role", ROLES)
def test_r_mem_9_transfer_hands_out_no_role(store: Store, actor_role: str) -> None:
    """R-MEM-9, R-MC-3: transferring the main contact changes no role, and only the main contact or a holder of reassign_main_contact may do it."""
    ta = _service(store)
    for user in ("boss", "actor", "target"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("boss", "Co", company_id="c")
    ta.members.add("boss", "c", "actor", role=actor_role)
    ta.members.add("boss", "c", "target")
    if "reassign_main_contact" in PERMISSIONS[actor_role]:
        ta.members.transfer_main_contact("actor", "c", "target")
        assert ta.members.main_contact("c").user_id == "target"
    else:
        before = dump(store)
        with pytest.raises(AccessDenied):
            ta.members.transfer_main_contact("actor", "c", "target")
        assert dump(store) == before
    assert {m.user_id: m.role for m in ta.members.list("boss", "c")} == {
        "boss": "owner",
        "actor": actor_role,
        "target": "member",
    }


def test_r_mem_9_plain_member_cannot_take_over(ta: TeamAccess, store: Store) -> None:
    """R-MEM-9: the reported takeover (a member adds a friend as admin, who promotes the member, who takes the main contact) stops at its first step."""
    for user in ("anna", "mal", "friend"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "mal")
    before = dump(store)
    with pytest.raises(AccessDenied) as denied:
        ta.members.add("mal", "acme", "friend", role="admin")
    assert (denied.value.decision.reason, denied.value.decision.rule) == (
        "role_above_actor",
        "R-MEM-9",
    )
    assert dump(store) == before
    ta.members.add("mal", "acme", "friend")  # as a plain member: allowed (R-MEM-3)
    assert ta.members.list("anna", "acme")[1].role == "member"


def test_r_mem_9_accept_refused_when_issuer_left(ta: TeamAccess) -> None:
    """R-MEM-9: an invitation whose issuer has left the company no longer admits anyone."""
    for user in ("anna", "ben", "kim"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben", role="admin")
    issued = ta.invitations.send("ben", "acme", "kim@example.com", role="admin")
    ta.members.remove("anna", "acme", "ben")
    with pytest.raises(AccessDenied, match="R-MEM-9"):
        ta.invitations.accept("kim", issued.token)
    assert [m.user_id for m in ta.members.list("anna", "acme")] == ["anna"]


# -- the property: every role in any history was given by someone who held it ----------

USERS = ("u0", "u1", "u2", "u3", "u4")
_commands = st.tuples(
    st.sampled_from(("add", "invite", "accept", "change_role", "remove", "transfer")),
    st.sampled_from(USERS),
    st.sampled_from(USERS),
    st.sampled_from(ROLES),
)


def _run(ta: TeamAccess, tokens: dict[str, str], step: tuple[str, str, str, str]) -> None:
    kind, actor, target, role = step
    if kind == "add":
        ta.members.add(actor, "c", target, role=role)
    elif kind == "invite":
        tokens[target] = ta.invitations.send(actor, "c", f"{target}@example.com", role=role).token
    elif kind == "accept" and target in tokens:
        ta.invitations.accept(target, tokens[target])
    elif kind == "change_role":
        ta.members.change_role(actor, "c", target, role)
    elif kind == "remove":
        ta.members.remove(actor, "c", target)
    elif kind == "transfer":
        ta.members.transfer_main_contact(actor, "c", target)


def assert_every_role_was_held_by_its_giver(ta: TeamAccess) -> int:
    """Replay the outbox: at each MemberAdded and RoleChanged, the giver (the actor, or the issuer of the accepted invitation) held every permission of the role then. Returns the number of grants checked."""
    roles: dict[tuple[str, str], str] = {}
    issuers: dict[str, str] = {}
    checked = 0
    for message in ta.outbox.pending(limit=10_000):
        event = message.event
        if isinstance(event, InvitationSent):
            issuers[event.invitation_id] = str(event.actor_id)
            continue
        if isinstance(event, MemberAdded):
            company, new_role = str(event.company_id), event.role
            founder = not any(key[0] == company for key in roles)
            giver = issuers[event.invitation_id] if event.invitation_id else str(event.actor_id)
        elif isinstance(event, RoleChanged):
            company, new_role, founder = str(event.company_id), event.new_role, False
            giver = str(event.actor_id)
        else:
            if type(event).__name__ == "MemberRemoved":
                roles.pop((str(event.company_id), str(event.user_id)), None)
            continue
        if not founder:
            held = roles.get((company, giver))
            assert held is not None, f"{giver} gave {new_role} without being a member"
            assert may_grant(held, new_role), f"{giver} ({held}) gave {new_role}"
            checked += 1
        roles[(company, str(event.user_id))] = new_role
    return checked


@settings(suppress_health_check=_FIXTURES, deadline=None)
@given(st.lists(_commands, min_size=1, max_size=25))
@example([("add", "u2", "u3", "admin")])  # the reported takeover's first step
@example([("invite", "u1", "u3", "owner"), ("accept", "u1", "u3", "owner")])
@example([("change_role", "u1", "u2", "owner")])
def test_r_mem_9_property_every_role_was_granted_by_a_holder(store_factory, history) -> None:
    """R-MEM-9: after any random history of grants by random actors, every membership's role was granted by an actor who held all its permissions at that moment."""
    ta = _service(store_factory())
    for user in USERS:
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("u0", "Co", company_id="c")
    ta.members.add("u0", "c", "u1", role="admin")  # one of each role to start from
    ta.members.add("u0", "c", "u2")
    tokens: dict[str, str] = {}
    for step in history:
        with contextlib.suppress(TeamAccessError):
            _run(ta, tokens, step)
    assert_every_role_was_held_by_its_giver(ta)
