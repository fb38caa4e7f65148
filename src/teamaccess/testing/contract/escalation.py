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
import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from teamaccess import RolePolicy, Store, TeamAccess
from teamaccess.errors import AccessDenied, TeamAccessError
from teamaccess.events import (
    CompanyRoleChanged,
    CompanyRoleDefined,
    CompanyRoleDeleted,
    InvitationSent,
    MemberAdded,
    MemberRemoved,
    MemberRoleAdded,
    MemberRoleRemoved,
    RoleChanged,
)
from teamaccess.testing import FrozenClock, StoreDump, dump, make_service
from teamaccess.values import RoleLimits

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


# -- a company's own roles and several roles per member (R-ROLE-2, R-ROLE-3, R-PART-5) --
#
# A richer policy: the host's permission list is HOST; the built-in roles split it in
# several ways, and each company defines one role per subset of SPLIT (named after it,
# so a role's permissions are read off its name). Every expectation below is the rule
# written out over these tables, never the library's answer.

HOST = ("manage_team", "reassign_main_contact", "billing", "export")
SPLIT = ("manage_team", "billing", "export")
BUILT_IN: dict[str, frozenset[str]] = {
    "owner": frozenset(HOST),
    "admin": frozenset({"manage_team"}),
    "billing_admin": frozenset({"manage_team", "billing"}),
    "accountant": frozenset({"billing"}),
    "exporter": frozenset({"export"}),
    "member": frozenset(),
}
ROLE_POLICY = RolePolicy(BUILT_IN)
SUBSETS = tuple(
    frozenset(c) for k in range(len(SPLIT) + 1) for c in itertools.combinations(SPLIT, k)
)
HOST_SUBSETS = tuple(
    frozenset(c) for k in range(len(HOST) + 1) for c in itertools.combinations(HOST, k)
)


def role_name(permissions: frozenset[str]) -> str:
    """The name of the company role holding exactly ``permissions``: ``r-billing-export``."""
    return "r-" + ("-".join(sorted(permissions)) or "none")


OWN: dict[str, frozenset[str]] = {role_name(s): s for s in SUBSETS}
PERMS: dict[str, frozenset[str]] = {**BUILT_IN, **OWN}
"""Every role that counts in a company set up by `_role_company`, with its permissions."""

ALL_ACTOR_SETS: tuple[tuple[str, ...], ...] = (
    ("owner",),
    ("admin",),
    ("accountant",),
    ("member",),
    ("admin", "accountant"),  # the union is billing_admin's: split over two roles
    ("admin", "exporter"),  # manage_team and export, but no billing
    ("accountant", "exporter"),  # billing and export, but no manage_team
    ("r-billing", "r-export-manage_team"),  # only company roles
)
"""Every actor tried: single roles, a permission split over two roles, only company roles."""
ACTOR_SETS = (
    ALL_ACTOR_SETS
    if os.environ.get("TEAMACCESS_ESCALATION") == "all"
    else (ALL_ACTOR_SETS[2], ALL_ACTOR_SETS[4], ALL_ACTOR_SETS[5], ALL_ACTOR_SETS[7])
)
"""The actors each run tries: the four that split or lack a permission (no manage_team,
billing split over two roles, manage_team without billing, only company roles);
``TEAMACCESS_ESCALATION=all`` tries all eight."""
GIVEN = ("owner", "admin", "accountant", "member", *OWN)
"""The roles handed out: built-in ones and each of the company's own."""
TAKEN = ("owner", "accountant", "r-none", "r-billing", "r-manage_team", "r-billing-export")
"""The roles taken away or moved to: a sample of both kinds, each permission present and absent."""
CHANGED_FROM = (frozenset(), frozenset({"billing"}), frozenset({"export", "manage_team"}))
"""The permissions of the roles changed to each subset: widening, narrowing, crossing."""


def held_by(
    roles: tuple[str, ...] | frozenset[str], perms: dict[str, frozenset[str]]
) -> frozenset[str]:
    """R-ROLE-3 as written: a member holds the union of their roles' permissions."""
    return frozenset().union(*(perms[r] for r in roles))


def may_give(
    roles: tuple[str, ...] | frozenset[str], role: str, perms: dict[str, frozenset[str]] = PERMS
) -> bool:
    """R-MEM-9 over several roles: every permission of ``role`` held, and manage_team unless it is the default role."""
    mine = held_by(roles, perms)
    return perms[role] <= mine and (role == "member" or "manage_team" in mine)


def may_define(
    roles: tuple[str, ...] | frozenset[str],
    before: frozenset[str],
    after: frozenset[str],
    perms: dict[str, frozenset[str]] = PERMS,
) -> bool:
    """R-ROLE-2 as written: manage_team, and every permission the role holds before and after."""
    mine = held_by(roles, perms)
    return "manage_team" in mine and before | after <= mine


def _role_service(store: Store) -> TeamAccess:
    limits = RoleLimits(permissions=HOST, max_roles=60)
    return make_service(
        store, policy=ROLE_POLICY, founder_role="owner", clock=FrozenClock(), role_limits=limits
    )


class _Trials:
    """Attempts with a known expected answer; every refusal must leave ``dump(store)`` as it was.

    The store is dumped before an attempt unless the dump after the last refusal still
    stands: call `changed` after any command of the set-up (forgetting it makes the
    next refusal fail, never pass).
    """

    def __init__(self, ta: TeamAccess, store: Store) -> None:
        self.ta, self.store = ta, store
        self.allowed = self.refused = 0
        self._last: StoreDump | None = None

    def changed(self) -> None:
        """The set-up changed the store: dump it again before the next attempt."""
        self._last = None

    def attempt(self, expect: bool, call: Callable[[], object], case: object, *rules: str) -> bool:
        """Run ``call``; assert it is allowed exactly when ``expect``; a refusal names one of ``rules`` and changes nothing."""
        before = self._last if self._last is not None else dump(self.store)
        self._last = None
        refusal: AccessDenied | None = None
        try:
            call()
        except AccessDenied as denied:
            refusal = denied
        if refusal is None:
            assert expect, f"allowed, but the rule forbids it: {case}"
            self.allowed += 1
            return True
        assert not expect, f"refused, but the rule allows it: {case}: {refusal}"
        assert not rules or refusal.decision.rule in rules, (case, refusal.decision)
        after = dump(self.store)
        assert after == before, f"a refusal changed the store: {case}"
        self._last = after
        self.refused += 1
        return False


def _people(ta: TeamAccess, *users: str) -> None:
    for user in users:
        ta.users.register(user, f"{user}@example.com")


def _role_company(ta: TeamAccess, company: str, actor: str, roles: tuple[str, ...]) -> None:
    """``boss-<company>`` (owner) founds it, defines every role of OWN, gives ``actor`` ``roles``."""
    boss = f"boss-{company}"
    _people(ta, boss, actor)
    ta.companies.create(boss, "Co", company_id=company)
    for name, permissions in OWN.items():
        ta.roles.define(boss, company, name, permissions=permissions)
    ta.members.add(boss, company, actor, role=roles[0])
    for role in roles[1:]:
        ta.members.add_role(boss, company, actor, role)
    held = {m.user_id: m.roles for m in ta.members.list(boss, company)}
    assert set(held[actor]) == set(roles)


def _roles_of(ta: TeamAccess, company: str = "c", viewer: str = "boss-c") -> dict[str, set[str]]:
    return {m.user_id: set(m.roles) for m in ta.members.list(viewer, company)}


def _gate(path: str, roles: tuple[str, ...]) -> bool:
    """The path's own gate: add is open to every member (R-MEM-3), the rest need manage_team."""
    return path == "add" or "manage_team" in held_by(roles, PERMS)


def _ids(roles: tuple[str, ...]) -> str:
    return "+".join(roles)


@pytest.mark.parametrize("roles", ACTOR_SETS, ids=_ids)
def test_r_role_2_defining_a_role_needs_every_permission_of_it(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-ROLE-2: an actor of each role set defines a role with each subset of the host's list: allowed exactly when they hold manage_team and all of it."""
    ta = _role_service(store)
    _role_company(ta, "c", "actor", roles)
    trials = _Trials(ta, store)
    for n, permissions in enumerate(HOST_SUBSETS):
        expect = may_define(roles, frozenset(), permissions)
        call = lambda p=permissions, n=n: ta.roles.define("actor", "c", f"d{n}", permissions=p)  # noqa: E731
        if trials.attempt(expect, call, (roles, sorted(permissions)), "R-ROLE-2", "R-MEM-8"):
            defined = {r.name: r.permissions for r in ta.roles.list("actor", "c")}
            assert defined[f"d{n}"] == permissions
    assert trials.refused == sum(not may_define(roles, frozenset(), s) for s in HOST_SUBSETS)


@pytest.mark.parametrize("roles", ACTOR_SETS, ids=_ids)
def test_r_role_2_changing_a_role_needs_its_permissions_before_and_after(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-ROLE-2: an actor changes a role from a few sets to each subset: allowed exactly when they hold manage_team and the permissions before and after; a refusal leaves the role as it was."""
    ta = _role_service(store)
    _role_company(ta, "c", "actor", roles)
    for old in CHANGED_FROM:  # one role per starting set, reset by the owner after a change
        ta.roles.define("boss-c", "c", "w" + role_name(old), permissions=old)
    trials = _Trials(ta, store)
    cases = list(itertools.product(CHANGED_FROM, SUBSETS))
    for old, new in cases:
        name = "w" + role_name(old)
        call = lambda n=name, p=new: ta.roles.change("actor", "c", n, permissions=p)  # noqa: E731
        case = (roles, sorted(old), sorted(new))
        if trials.attempt(may_define(roles, old, new), call, case, "R-ROLE-2", "R-MEM-8"):
            assert {r.name: r.permissions for r in ta.roles.list("actor", "c")}[name] == new
            ta.roles.change("boss-c", "c", name, permissions=old)
    assert trials.refused == sum(not may_define(roles, o, n) for o, n in cases)


HAND_OUT = ("add", "invite", "change_role", "add_role")


@pytest.mark.parametrize("roles", ACTOR_SETS, ids=_ids)
def test_r_mem_9_every_role_set_hands_out_only_what_it_holds(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-MEM-9, R-ROLE-3: an actor holding one or several roles hands out built-in and company roles on every path: allowed exactly when the path's gate passes and the union of their roles holds the role."""
    ta = _role_service(store)
    _role_company(ta, "c", "actor", roles)
    cases = list(itertools.product(HAND_OUT, GIVEN))
    targets = [f"t{n}" for n in range(len(cases))]
    _people(ta, *targets)
    for target, (path, _) in zip(targets, cases, strict=True):
        if path in ("change_role", "add_role"):
            ta.members.add("boss-c", "c", target)
    trials = _Trials(ta, store)
    for target, (path, role) in zip(targets, cases, strict=True):
        call = {
            "add": lambda t=target, r=role: ta.members.add("actor", "c", t, role=r),
            "invite": lambda t=target, r=role: ta.invitations.send(
                "actor", "c", f"{t}@example.com", role=r
            ),
            "change_role": lambda t=target, r=role: ta.members.change_role("actor", "c", t, r),
            "add_role": lambda t=target, r=role: ta.members.add_role("actor", "c", t, r),
        }[path]
        expect = _gate(path, roles) and may_give(roles, role)
        rules = ("R-MEM-9", "R-INV-1", "R-MEM-8")
        if trials.attempt(expect, call, (path, roles, role), *rules) and path != "invite":
            assert role in _roles_of(ta)[target], (path, roles, role)
    assert trials.refused == sum(not (_gate(p, roles) and may_give(roles, r)) for p, r in cases)


@pytest.mark.parametrize("roles", ACTOR_SETS, ids=_ids)
def test_r_mem_9_nobody_takes_away_a_role_they_could_not_give(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-MEM-9, R-ROLE-3: taking each role from a member who holds it beside ``member`` (remove_role) is allowed exactly when the actor holds manage_team and may give it."""
    ta = _role_service(store)
    _role_company(ta, "c", "actor", roles)
    targets = {role: f"t{n}" for n, role in enumerate(TAKEN)}
    _people(ta, *targets.values())
    for role, target in targets.items():
        ta.members.add("boss-c", "c", target)
        ta.members.add_role("boss-c", "c", target, role)
    trials = _Trials(ta, store)
    for role, target in targets.items():
        expect = "manage_team" in held_by(roles, PERMS) and may_give(roles, role)
        call = lambda t=target, r=role: ta.members.remove_role("actor", "c", t, r)  # noqa: E731
        trials.attempt(expect, call, (roles, role), "R-MEM-9", "R-MEM-8")
    for role, target in targets.items():
        expect = "manage_team" in held_by(roles, PERMS) and may_give(roles, role)
        assert _roles_of(ta)[target] == ({"member"} if expect else {"member", role}), role
    assert trials.refused == sum(
        not ("manage_team" in held_by(roles, PERMS) and may_give(roles, r)) for r in TAKEN
    )


def test_r_mem_9_a_split_of_permissions_does_not_add_up_to_more(store: Store) -> None:
    """R-ROLE-3, R-MEM-9: admin+accountant (manage_team and billing by two roles) gives billing_admin; admin+exporter and accountant+exporter, whose unions lack one of them, give nothing that needs it."""
    ta = _role_service(store)
    _role_company(ta, "c", "split", ("admin", "accountant"))
    _people(ta, "other", "third", "t1", "t2", "t3")
    ta.members.add("boss-c", "c", "other", role="admin")
    ta.members.add_role("boss-c", "c", "other", "exporter")
    ta.members.add("boss-c", "c", "third", role="accountant")
    ta.members.add_role("boss-c", "c", "third", "exporter")
    ta.members.add("split", "c", "t1", role="billing_admin")  # allowed: the union holds it
    ta.members.add_role("split", "c", "t1", "r-billing-manage_team")
    ta.members.add("boss-c", "c", "t2")
    trials = _Trials(ta, store)
    attempts: list[tuple[str, Callable[[], object]]] = [
        ("add billing_admin", lambda: ta.members.add("other", "c", "t3", role="billing_admin")),
        ("add_role r-billing", lambda: ta.members.add_role("other", "c", "t2", "r-billing")),
        ("change_role", lambda: ta.members.change_role("other", "c", "t2", "accountant")),
        ("add as accountant", lambda: ta.members.add("third", "c", "t3", role="accountant")),
        ("add_role by third", lambda: ta.members.add_role("third", "c", "t2", "r-billing")),
        (
            "remove_role",
            lambda: ta.members.remove_role("other", "c", "t1", "r-billing-manage_team"),
        ),
        ("define", lambda: ta.roles.define("other", "c", "mine", permissions={"billing"})),
    ]
    for case, call in attempts:
        trials.attempt(False, call, case, "R-MEM-9", "R-MEM-8", "R-ROLE-2")
    ta.members.add("third", "c", "t3")  # a plain member, as R-MEM-3 lets any member
    assert _roles_of(ta)["t1"] == {"billing_admin", "r-billing-manage_team"}
    assert trials.refused == len(attempts)


# -- an invitation whose role, or whose issuer's roles, changed before it is accepted -----


INVITE_CASES = [
    # (issuer's roles, the invited role's permissions when sent, and at accept time)
    (("admin",), frozenset({"manage_team"}), frozenset({"manage_team", "billing"})),
    (("admin", "accountant"), frozenset({"billing"}), frozenset({"billing", "export"})),
    (("admin", "accountant"), frozenset({"billing"}), frozenset({"billing", "manage_team"})),
    (("billing_admin",), frozenset(), frozenset({"export"})),
    (("billing_admin",), frozenset({"billing"}), frozenset({"manage_team"})),  # narrower
    (("owner",), frozenset({"billing"}), frozenset(SPLIT)),
]


@pytest.mark.parametrize(("issuer", "sent", "now"), INVITE_CASES)
def test_r_mem_9_accept_obeys_the_role_as_changed_since_sending(
    store: Store, issuer: tuple[str, ...], sent: frozenset[str], now: frozenset[str]
) -> None:
    """R-MEM-9, R-ROLE-2: the owner changes the invited company role after it was sent; accepting is judged on the issuer and the role as they are at accept time."""
    ta = _role_service(store)
    _role_company(ta, "c", "issuer", issuer)
    _people(ta, "kim")
    ta.roles.define("boss-c", "c", "invited", permissions=sent)
    issued = ta.invitations.send("issuer", "c", "kim@example.com", role="invited")
    ta.roles.change("boss-c", "c", "invited", permissions=now)
    expect = may_give(issuer, "invited", {**PERMS, "invited": now})
    trials = _Trials(ta, store)
    accept = lambda: ta.invitations.accept("kim", issued.token)  # noqa: E731
    trials.attempt(expect, accept, (issuer, sent, now), "R-MEM-9")
    assert _roles_of(ta).get("kim") == ({"invited"} if expect else None)


@pytest.mark.parametrize("how", ["role_changed", "role_removed", "primary_changed"])
def test_r_mem_9_accept_obeys_the_issuers_roles_at_accept_time(store: Store, how: str) -> None:
    """R-MEM-9, R-ROLE-3: the issuer held billing through a further role (or their role) when sending; that role narrowed, taken away, or the role changed: accepting a billing role is refused and changes nothing."""
    ta = _role_service(store)
    _role_company(ta, "c", "issuer", ("admin",))
    _people(ta, "kim")
    ta.roles.define("boss-c", "c", "payer", permissions={"billing"})
    if how == "primary_changed":
        ta.members.change_role("boss-c", "c", "issuer", "billing_admin")
    else:
        ta.members.add_role("boss-c", "c", "issuer", "payer")
    issued = ta.invitations.send("issuer", "c", "kim@example.com", role="r-billing-manage_team")
    if how == "role_changed":
        ta.roles.change("boss-c", "c", "payer", permissions={"export"})
    elif how == "role_removed":
        ta.members.remove_role("boss-c", "c", "issuer", "payer")
    else:
        ta.members.change_role("boss-c", "c", "issuer", "admin")
    trials = _Trials(ta, store)
    trials.attempt(False, lambda: ta.invitations.accept("kim", issued.token), how, "R-MEM-9")
    assert "kim" not in _roles_of(ta)


# -- an ancestor's admin in a child account: judged on their roles in the ancestor ------


ANCESTOR_SETS: tuple[tuple[str, ...], ...] = (
    ("admin",),
    ("accountant",),
    ("admin", "accountant"),
    ("lead",),  # the partner's own role "lead": manage_team only
    ("lead", "r-export"),
)
PARTNER_OWN = {"lead": frozenset({"manage_team"}), "r-export": frozenset({"export"})}
CHILD_OWN = {"lead": frozenset(SPLIT), "r-billing": frozenset({"billing"})}  # "lead": wider


@pytest.mark.parametrize("roles", ANCESTOR_SETS, ids=_ids)
def test_r_role_2_an_ancestors_admin_defines_roles_below_judged_in_the_ancestor(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-ROLE-2, R-PART-5: a partner's member defines, changes, hands out and deletes (moving the holders) roles in a child account they are not a member of, each judged on their roles in the partner (whose "lead" is not the child's wider "lead")."""
    ta = _role_service(store)
    _people(ta, "boss", "boss2", "actor", "kid")
    ta.companies.create("boss", "Partner", company_id="p")
    for name, permissions in PARTNER_OWN.items():
        ta.roles.define("boss", "p", name, permissions=permissions)
    ta.members.add("boss", "p", "boss2", role="owner")
    ta.members.add("boss", "p", "actor", role=roles[0])
    for role in roles[1:]:
        ta.members.add_role("boss", "p", "actor", role)
    ta.partners.create_child("boss", "p", "Child", company_id="k")
    for name, permissions in CHILD_OWN.items():  # boss2: an owner of the partner, not in k
        ta.roles.define("boss2", "k", name, permissions=permissions)
    ta.members.add("boss2", "k", "kid")
    mine = {**BUILT_IN, **PARTNER_OWN}  # the actor's roles count as the partner defines them
    trials = _Trials(ta, store)
    rules = ("R-ROLE-2", "R-MEM-9", "R-PART-2")
    for n, permissions in enumerate(SUBSETS):
        expect = may_define(roles, frozenset(), permissions, mine)
        call = lambda n=n, p=permissions: ta.roles.define("actor", "k", f"d{n}", permissions=p)  # noqa: E731
        trials.attempt(expect, call, ("define", roles, permissions), *rules)
    for permissions in SUBSETS:
        expect = may_define(roles, CHILD_OWN["r-billing"], permissions, mine)
        call = lambda p=permissions: ta.roles.change("actor", "k", "r-billing", permissions=p)  # noqa: E731
        if trials.attempt(expect, call, ("change", roles, permissions), *rules):
            ta.roles.change("boss2", "k", "r-billing", permissions=CHILD_OWN["r-billing"])
    # the roles handed out are the child's, what the actor holds is the partner's
    mine_and_theirs = {**BUILT_IN, **CHILD_OWN, **{f"@{r}": mine[r] for r in roles}}
    for role in (*BUILT_IN, *CHILD_OWN):
        expect = "manage_team" in held_by(roles, mine) and may_give(
            tuple(f"@{r}" for r in roles), role, mine_and_theirs
        )
        call = lambda r=role: ta.members.add_role("actor", "k", "kid", r)  # noqa: E731
        if trials.attempt(expect, call, ("add_role", roles, role), *rules) and role != "member":
            ta.members.remove_role("boss2", "k", "kid", role)
    empty: frozenset[str] = frozenset()
    for n, role in enumerate((*BUILT_IN, *CHILD_OWN)):  # delete a held role, moving to ``role``
        ta.roles.define("boss2", "k", f"x{n}", permissions=empty)
        ta.members.add_role("boss2", "k", "kid", f"x{n}")
        trials.changed()
        expect = may_define(roles, empty, empty, mine) and may_give(
            tuple(f"@{r}" for r in roles), role, mine_and_theirs
        )
        call = lambda n=n, r=role: ta.roles.delete("actor", "k", f"x{n}", move_to=r)  # noqa: E731
        if trials.attempt(expect, call, ("delete", roles, role), *rules):
            assert role in _roles_of(ta, "k", "boss")["kid"], role
            if role != "member":
                ta.members.remove_role("boss2", "k", "kid", role)
        else:
            ta.roles.delete("boss2", "k", f"x{n}", move_to="member")
    assert trials.refused > 0


# -- deleting a role and moving its holders to one the actor may not hand out ----------


@pytest.mark.parametrize("roles", ACTOR_SETS, ids=_ids)
def test_r_role_3_delete_moves_holders_only_to_a_role_the_actor_may_give(
    store: Store, roles: tuple[str, ...]
) -> None:
    """R-ROLE-3, R-MEM-9, R-ROLE-2: deleting a role held as a role and as a further role, moving its holders to each role: allowed exactly when the actor may change the deleted role and give the one moved to; a refusal changes nothing."""
    ta = _role_service(store)
    _role_company(ta, "c", "actor", roles)
    _people(ta, "h1", "h2")
    ta.members.add("boss-c", "c", "h1")
    ta.members.add("boss-c", "c", "h2")
    trials = _Trials(ta, store)
    empty: frozenset[str] = frozenset()  # a role anyone with manage_team may delete
    expected = 0
    for n, target in enumerate(("member", *TAKEN)):
        doomed = f"x{n}"
        ta.roles.define("boss-c", "c", doomed, permissions=empty)
        ta.members.change_role("boss-c", "c", "h1", doomed)  # held as the role
        ta.members.add_role("boss-c", "c", "h2", doomed)  # and as a further role
        trials.changed()
        expect = may_define(roles, empty, empty) and may_give(roles, target)
        expected += not expect
        call = lambda d=doomed, t=target: ta.roles.delete("actor", "c", d, move_to=t)  # noqa: E731
        if trials.attempt(expect, call, (roles, target), "R-MEM-9", "R-ROLE-2", "R-MEM-8"):
            held = _roles_of(ta)
            assert (held["h1"], held["h2"]) == ({target}, {"member", target}), held
        else:
            assert doomed in {r.name for r in ta.roles.list("boss-c", "c")}
            ta.roles.delete("boss-c", "c", doomed, move_to="member")
        ta.members.change_role("boss-c", "c", "h1", "member")
        if target != "member":
            ta.members.remove_role("boss-c", "c", "h2", target)
    assert trials.refused == expected


# -- the property: every permission anyone holds was held by whoever gave it -----------
#
# The invariant, checked on the outbox after a random history: replay the company's
# role definitions and every member's set of roles event by event. At each step that
# gives something (a member added, by the actor or by the issuer of the accepted
# invitation; a role changed, added or moved to; a role defined or changed; a role
# taken away), the giver's permissions at that step (the union over their roles, with
# the definitions as they stood then) include everything given: the role's permissions
# and manage_team unless it is the default role (R-MEM-9), or, for a definition, the
# permissions before and after and manage_team (R-ROLE-2). So no member ever holds a
# permission that some holder of it did not hand them. The replay is then compared
# with the store, so it describes what the library did.

NAMES = ("owner", "admin", "accountant", "member", "ra", "rb", "rc")
_role_steps = st.tuples(
    st.sampled_from(
        ("define", "change", "delete", "add", "add_role", "remove_role", "change_role",
         "invite", "accept")
    ),
    st.sampled_from(USERS),
    st.sampled_from(USERS),
    st.sampled_from(NAMES),
    st.frozensets(st.sampled_from(SPLIT)),
)  # fmt: skip


def _moved_to(permissions: frozenset[str]) -> str | None:
    """Where a deletion moves the holders: none, the default role, or admin (R-MEM-9 applies)."""
    if not permissions:
        return None
    return "admin" if "manage_team" in permissions else "member"


def _run_role_step(
    ta: TeamAccess, tokens: dict[str, str], step: tuple[str, str, str, str, frozenset[str]]
) -> None:
    kind, actor, target, role, permissions = step
    if kind == "define":
        ta.roles.define(actor, "c", role, permissions=permissions)
    elif kind == "change":
        ta.roles.change(actor, "c", role, permissions=permissions)
    elif kind == "delete":
        ta.roles.delete(actor, "c", role, move_to=_moved_to(permissions))
    elif kind == "add":
        ta.members.add(actor, "c", target, role=role)
    elif kind == "add_role":
        ta.members.add_role(actor, "c", target, role)
    elif kind == "remove_role":
        ta.members.remove_role(actor, "c", target, role)
    elif kind == "change_role":
        ta.members.change_role(actor, "c", target, role)
    elif kind == "invite":
        tokens[target] = ta.invitations.send(actor, "c", f"{target}@example.com", role=role).token
    elif target in tokens:
        ta.invitations.accept(target, tokens[target])


def assert_every_permission_was_held_by_its_giver(ta: TeamAccess, company: str) -> int:
    """Replay ``company``'s outbox (see above); return the number of giving steps checked."""
    defined: dict[str, frozenset[str]] = {}
    roles: dict[str, set[str]] = {}
    issuers: dict[str, str] = {}
    checked = 0

    def holds(user: str) -> frozenset[str]:
        assert user in roles, f"{user} gave something without being a member"
        return frozenset().union(
            *(BUILT_IN.get(r, defined.get(r, frozenset())) for r in roles[user])
        )

    def gives(giver: str, role: str) -> None:
        nonlocal checked
        mine, wanted = holds(giver), BUILT_IN.get(role, defined.get(role))
        assert wanted is not None, f"{giver} gave {role!r}, which is not defined"
        assert wanted <= mine, f"{giver} ({sorted(mine)}) gave {role!r} ({sorted(wanted)})"
        assert role == "member" or "manage_team" in mine, f"{giver} gave {role!r}"
        checked += 1

    for message in ta.outbox.pending(limit=10_000):
        event = message.event
        if str(getattr(event, "company_id", "")) != company:
            continue
        actor = str(event.actor_id)
        if isinstance(event, InvitationSent):
            issuers[event.invitation_id] = actor
        elif isinstance(event, MemberAdded):
            if roles:  # not the founder
                gives(issuers[event.invitation_id] if event.invitation_id else actor, event.role)
            roles[str(event.user_id)] = {event.role}
        elif isinstance(event, RoleChanged):
            gives(actor, event.new_role)
            held = roles[str(event.user_id)]
            held.discard(event.old_role)
            held.add(event.new_role)
        elif isinstance(event, MemberRoleAdded):
            gives(actor, event.role)
            roles[str(event.user_id)].add(event.role)
        elif isinstance(event, MemberRoleRemoved):
            gives(actor, event.role)  # nobody takes away what they could not give
            roles[str(event.user_id)].discard(event.role)
        elif isinstance(event, (CompanyRoleDefined, CompanyRoleChanged)):
            before = defined.get(event.role, frozenset())
            mine, after = holds(actor), frozenset(event.permissions)
            assert "manage_team" in mine, (actor, sorted(mine), event)
            assert before | after <= mine, (actor, sorted(mine), event)
            checked += 1
            defined[event.role] = after
        elif isinstance(event, CompanyRoleDeleted):
            assert not any(event.role in held for held in roles.values()), event
            del defined[event.role]
        elif isinstance(event, MemberRemoved):
            del roles[str(event.user_id)]
    main = ta.members.main_contact(company)
    assert main is not None
    owner = str(main.user_id)  # any member may read both lists (R-MEM-6)
    assert {r.name: r.permissions for r in ta.roles.list(owner, company)} == {
        **BUILT_IN,
        **defined,
    }
    assert _roles_of(ta, company, owner) == roles
    return checked


@settings(suppress_health_check=_FIXTURES, deadline=None)
@given(st.lists(_role_steps, min_size=1, max_size=25))
@example([("define", "u1", "u1", "ra", frozenset({"billing"}))])  # admin writes billing in
@example(
    [
        ("define", "u0", "u0", "ra", frozenset({"billing"})),
        ("add_role", "u0", "u1", "ra", frozenset()),
        ("change", "u1", "u1", "ra", frozenset()),  # admin+ra takes billing out: allowed
        ("change", "u2", "u2", "ra", frozenset({"billing"})),  # accountant: no manage_team
        ("remove_role", "u1", "u3", "ra", frozenset()),
    ]
)
@example(
    [
        ("define", "u0", "u0", "ra", frozenset({"manage_team"})),
        ("invite", "u1", "u4", "ra", frozenset()),
        ("change", "u0", "u0", "ra", frozenset({"manage_team", "export"})),
        ("accept", "u4", "u4", "ra", frozenset()),  # the issuer lacks export by now
    ]
)
def test_r_mem_9_property_every_permission_was_held_by_its_giver(store_factory, history) -> None:
    """R-MEM-9, R-ROLE-2, R-ROLE-3: after any random history of role definitions, changes, deletions and grants by random actors, every giving step's actor held all it gave (see the invariant above)."""
    ta = _role_service(store_factory())
    _people(ta, *USERS)
    ta.companies.create("u0", "Co", company_id="c")  # u0 is the owner
    ta.members.add("u0", "c", "u1", role="admin")
    ta.members.add("u0", "c", "u2", role="accountant")
    ta.members.add("u0", "c", "u3")
    tokens: dict[str, str] = {}
    for step in history:
        with contextlib.suppress(TeamAccessError):
            _run_role_step(ta, tokens, step)
    assert assert_every_permission_was_held_by_its_giver(ta, "c") >= 3
