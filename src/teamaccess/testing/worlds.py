"""Random small worlds of companies, members, partners, windows and support grants.

For properties that compare an answer with ``ta.check`` over a whole world (the host
filters of issue 32: ``company_filter``, ``company_q``, ``check_many``): `worlds` draws
one, `build_world` makes it through the service's own commands, and `WORLD_USERS` and
`WORLD_ACTIONS` are who and what to ask about. A command the rules refuse leaves the
world as it is (the property compares whatever world results)::

    clock = FrozenClock()
    ta = make_service(store, clock=clock, **WORLD_OPTIONS)
    build_world(ta, clock, world)  # ["w0", "w1", ...]
    for user in WORLD_USERS:
        for action in WORLD_ACTIONS:
            ...  # compare with ta.check(user, company, action)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from teamaccess._extras import needs_extra

with needs_extra("teamaccess.testing.worlds", "testing"):
    from hypothesis import strategies as st

from teamaccess.domain.models import AddMembersBy, CompanySettings
from teamaccess.errors import TeamAccessError

__all__ = [
    "WINDOWS",
    "WORLD_ACTIONS",
    "WORLD_OPTIONS",
    "WORLD_USERS",
    "CompanyPlan",
    "MemberPlan",
    "World",
    "build_world",
    "worlds",
]

BOSS = "boss"
"""Creates every company: an admin and the first main contact of each."""
STAFF = "s1"
"""Platform staff: reaches companies through support grants (R-SUP-1)."""
WORLD_USERS = ("u1", "u2", "u3", STAFF, BOSS)
"""The users a property asks about; ``u3`` is platform staff too."""
WORLD_ACTIONS = (
    "view_overview", "open_backoffice", "view_members", "manage_team", "edit_profile",
    "add_member", "invite", "transfer_main_contact", "remove_member", "create_child_account",
)  # fmt: skip
"""The actions a property asks about: every kind of rule of the check."""
WORLD_OPTIONS: dict[str, Any] = {"platform_admins": ["root"], "support_staff": [STAFF, "u3"]}
"""The service options a world needs (``make_service(**WORLD_OPTIONS)``)."""
WINDOWS = {
    "none": (None, None),
    "later": (1.0, None),
    "until": (None, 2.0),
    "between": (1.0, 2.5),
}
"""Windows by name: (starts, expires) in days after the world is built."""
_ROLES = {"lead": ["manage_team"], "helper": ["reassign_main_contact"]}


@attrs.frozen
class CompanyPlan:
    """One company of a world.

    Attributes:
        parent: The index of its parent among the earlier companies, or ``None``.
        members_add: Whether any member may add members (else team managers only).
        roles: The names of its own roles (``lead``: manage_team; ``helper``:
            reassign_main_contact).
        sight: The name of its sight window from the parent (`WINDOWS`).
        suspended: Whether a platform admin suspends it at the end.
        support: The actions of a support grant ``s1`` and ``u3`` hold there, if any.
        main_contact: A user the main contact role is handed to, if any.
    """

    parent: int | None = None
    members_add: bool = True
    roles: tuple[str, ...] = ()
    sight: str = "none"
    suspended: bool = False
    support: tuple[str, ...] = ()
    main_contact: str | None = None


@attrs.frozen
class MemberPlan:
    """One membership of a world.

    Attributes:
        user: The member.
        company: The index of the company.
        role: Their role.
        window: The name of its window (`WINDOWS`).
        extra: A further role, if any (R-ROLE-3).
        temporary: Whether they are ``admin`` for the first day, then ``role``.
    """

    user: str
    company: int
    role: str
    window: str = "none"
    extra: str | None = None
    temporary: bool = False


@attrs.frozen
class World:
    """A world: its companies, its memberships, and how many days pass after it is built.

    Attributes:
        companies: The companies, ``w0``, ``w1``, ... in order.
        members: The memberships beside ``boss``'s.
        days: How far the clock moves after building (windows start and end).
    """

    companies: tuple[CompanyPlan, ...]
    members: tuple[MemberPlan, ...]
    days: float = 0.0


@st.composite
def worlds(draw: st.DrawFn, max_companies: int = 4) -> World:
    """A random `World` of up to ``max_companies`` companies."""
    count = draw(st.integers(1, max_companies))
    companies = []
    for i in range(count):
        companies.append(
            CompanyPlan(
                parent=draw(st.none() | st.integers(0, i - 1)) if i else None,
                members_add=draw(st.booleans()),
                roles=tuple(draw(st.lists(st.sampled_from(sorted(_ROLES)), unique=True))),
                sight=draw(st.sampled_from(sorted(WINDOWS))) if i else "none",
                suspended=draw(st.booleans()),
                support=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(["open_backoffice", "view_overview", "edit_profile"]),
                            unique=True,
                            max_size=2,
                        )
                    )
                ),
                main_contact=draw(st.none() | st.sampled_from(WORLD_USERS[:3])),
            )
        )
    members = []
    for user in WORLD_USERS[:3]:
        for i in sorted(draw(st.sets(st.integers(0, count - 1), max_size=count))):
            roles = ["admin", "member", *companies[i].roles]
            members.append(
                MemberPlan(
                    user=user,
                    company=i,
                    role=draw(st.sampled_from(roles)),
                    window=draw(st.sampled_from(sorted(WINDOWS))),
                    extra=draw(st.none() | st.sampled_from(roles)),
                    temporary=draw(st.booleans()),
                )
            )
    days = draw(st.sampled_from([0.0, 1.5, 3.0]))
    return World(tuple(companies), tuple(members), days)


def build_world(ta: Any, clock: Any, world: World) -> list[str]:
    """Make ``world`` with ``ta``'s commands at ``clock``, then move the clock on; its company ids.

    ``ta``: a service made with `WORLD_OPTIONS` on an empty store; ``clock``: its
    [FrozenClock][teamaccess.testing.FrozenClock].
    """
    start: datetime = clock.now
    for user in ("root", *WORLD_USERS):
        ta.users.register(user, f"{user}@example.com")
    ids = [f"w{i}" for i in range(len(world.companies))]

    def at(days: float | None) -> datetime | None:
        return None if days is None else start + timedelta(days=days)

    for i, plan in enumerate(world.companies):
        settings = CompanySettings(
            add_members_by=AddMembersBy.ANY_MEMBER
            if plan.members_add
            else AddMembersBy.TEAM_MANAGERS
        )
        if plan.parent is None:
            ta.companies.create(BOSS, f"Company {i}", company_id=ids[i], settings=settings)
        else:
            ta.partners.create_child(
                BOSS, ids[plan.parent], f"Company {i}", company_id=ids[i], settings=settings
            )
        for role in plan.roles:
            ta.roles.define(BOSS, ids[i], role, permissions=_ROLES[role])
        if plan.sight != "none":
            starts, expires = WINDOWS[plan.sight]
            _try(
                ta.partners.set_sight_window,
                BOSS,
                ids[i],
                starts_at=at(starts),
                expires_at=at(expires),
            )
    for m in world.members:
        starts, expires = WINDOWS[m.window]
        company = ids[m.company]
        if _try(
            ta.members.add,
            BOSS,
            company,
            m.user,
            role=m.role,
            starts_at=at(starts),
            expires_at=at(expires),
        ):
            if m.extra is not None and m.extra != m.role:
                _try(ta.members.add_role, BOSS, company, m.user, m.extra)
            if m.temporary and m.role != "admin":
                _try(
                    ta.members.change_role,
                    BOSS,
                    company,
                    m.user,
                    "admin",
                    until=at(1.0),
                    then=m.role,
                )
    for i, plan in enumerate(world.companies):
        if plan.main_contact is not None:
            _try(ta.members.transfer_main_contact, BOSS, ids[i], plan.main_contact)
        if plan.support:
            main = ta.members.main_contact(ids[i])
            for staff in (STAFF, "u3"):
                grant = _try(
                    ta.support.request, staff, ids[i], reason="help",
                    permissions=list(plan.support), duration=timedelta(days=2),
                )  # fmt: skip
                if grant and main is not None:
                    _try(ta.support.approve, main.user_id, grant.id)
    for i, plan in enumerate(world.companies):
        if plan.suspended:
            ta.companies.suspend("root", ids[i], reason="unpaid")
    clock.now = start + timedelta(days=world.days)
    return ids


def _try(command: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a command; ``None`` if the rules refuse it (the world stays as it is)."""
    try:
        return command(*args, **kwargs)
    except TeamAccessError:
        return None
