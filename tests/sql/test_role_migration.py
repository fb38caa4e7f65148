"""R-ROLE-1, R-ROLE-3: a database with one role per member, at teamaccess_0012, upgrades without loss.

The rows are written as the previous release wrote them (its schema, raw inserts):
companies, users and memberships with every kind of role a membership could hold
(the main contact's, a plain one, a temporary role with the role after it, a
membership with a window). After the upgrade to the head revision every one of those
columns holds the same value, the library reads each membership with the same role
and no further ones, decides as before, and the new commands work on the old rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from teamaccess import MANAGE_TEAM, Action, RolePolicy
from teamaccess.adapters.sql import SqlStore, build_tables, upgrade_schema
from teamaccess.testing import FrozenClock, make_service

PREFIX = "tarole_"
BEFORE = "teamaccess_0012"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
POLICY = RolePolicy({"admin": {MANAGE_TEAM, "billing"}, "editor": {"edit"}, "member": set()})


def _drop(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    meta.reflect(engine, only=lambda name, _: name.startswith(PREFIX))
    meta.drop_all(engine)


def _rows(engine: sa.Engine, table: str) -> list[dict[str, object]]:
    meta = sa.MetaData()
    t = sa.Table(f"{PREFIX}{table}", meta, autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(*t.primary_key.columns)).mappings().all()
    return [dict(r) for r in rows]


def _old_world(engine: sa.Engine) -> None:
    """The previous release's rows: one company, four members, one role each."""
    # The current tables' objects, given only the previous release's columns.
    t = build_tables(PREFIX)
    users, companies, members = t.users, t.companies, t.memberships
    with engine.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {"id": u, "email": f"{u}@example.com", "attributes": {}}
                for u in ("anna", "ben", "cara", "dirk")
            ],
        )
        conn.execute(
            companies.insert(),
            {"id": "acme", "name": "ACME", "created_at": NOW, "settings": {}},
        )
        base = {
            "company_id": "acme",
            "joined_at": NOW,
            "main_contact": None,
            "show_as_contact": True,
            "handler": False,
        }
        conn.execute(
            members.insert(),
            [
                {**base, "user_id": "anna", "role": "admin", "main_contact": True},
                {**base, "user_id": "ben", "role": "editor", "handler": True},
                {**base, "user_id": "cara", "role": "admin", "role_until": NOW + timedelta(days=10),
                 "role_after": "editor"},
                {**base, "user_id": "dirk", "role": "member", "show_as_contact": False,
                 "expires_at": NOW + timedelta(days=30)},
            ],
        )  # fmt: skip


def test_r_role_3_upgrade_from_one_role_per_member_loses_nothing(sql_store: SqlStore) -> None:
    """R-ROLE-3, R-ROLE-1: after upgrading a teamaccess_0012 database every old column keeps its value, each member holds exactly their old role, decisions are the same, and the role commands work on the old rows."""
    engine = sql_store.engine
    _drop(engine)
    try:
        upgrade_schema(engine, prefix=PREFIX, revision=BEFORE)
        _old_world(engine)
        before = {t: _rows(engine, t) for t in ("users", "companies", "memberships")}
        upgrade_schema(engine, prefix=PREFIX)
        after = {t: _rows(engine, t) for t in ("users", "companies", "memberships")}
        for table, rows in before.items():
            assert [{k: r[k] for k in rows[0]} for r in after[table]] == rows, table
        assert {r["extra_roles"] for r in after["memberships"]} == {None}
        assert {r["roles"] for r in after["companies"]} == {None}

        ta = make_service(SqlStore(engine, prefix=PREFIX), policy=POLICY, clock=FrozenClock(NOW))
        held = {m.user_id: m.roles for m in ta.members.list("anna", "acme")}
        assert held == {
            "anna": ("admin",),
            "ben": ("editor",),
            "cara": ("admin",),
            "dirk": ("member",),
        }
        assert ta.check("cara", "acme", "billing").allowed  # the temporary role still holds
        assert ta.check("ben", "acme", "edit").allowed
        assert not ta.check("dirk", "acme", Action.MANAGE_TEAM).allowed
        ta.roles.define("anna", "acme", "payer", permissions=["billing"])
        assert ta.members.add_role("anna", "acme", "ben", "payer").roles == ("editor", "payer")
        assert ta.check("ben", "acme", "billing").allowed
        assert ta.check("ben", "acme", "edit").allowed
    finally:
        _drop(engine)
