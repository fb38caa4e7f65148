"""R-ALL-4: a database at teamaccess_0014 is upgraded with its stored events sealed.

The rows are written as the previous release wrote them (its columns, raw inserts):
events of two companies and of the platform, interleaved. After the upgrade to the
head revision every chain verifies and counts each old event, a new command links
after them, and an old event changed afterwards is reported: the migration sealed
what was there, it did not leave it unchecked. Its downgrade drops the seals again.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore, build_tables, upgrade_schema
from teamaccess.domain.events import (
    CompanyCreated,
    CompanyProfileUpdated,
    UserRegistered,
    event_to_dict,
)
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.testing import FrozenClock, make_service

PREFIX = "tachain_"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _drop(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    meta.reflect(engine, only=lambda name, _: name.startswith(PREFIX))
    meta.drop_all(engine)


def _downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from teamaccess.adapters.sql.migrations import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes.update(connection=connection, teamaccess_prefix=PREFIX)
        command.downgrade(config, revision)


def _old_events() -> list[dict[str, object]]:
    """Rows of the 0014 outbox: the platform's, acme's and beta's events, interleaved."""
    events = []
    for i in range(3):
        at = NOW + timedelta(minutes=i)
        events += [
            UserRegistered(
                occurred_at=at, actor_id=UserId(f"u{i}"), company_id=None,
                user_id=UserId(f"u{i}"), email=f"u{i}@example.com",
            ),
            CompanyCreated(
                occurred_at=at, actor_id=UserId(f"u{i}"), company_id=CompanyId(f"c{i % 2}"),
                name=f"Company {i}",
            ) if i < 2 else CompanyProfileUpdated(
                occurred_at=at, actor_id=UserId("u0"), company_id=CompanyId("c0"), name="New",
            ),
        ]  # fmt: skip
    return [
        {
            "event_type": e.type,
            "occurred_at": e.occurred_at,
            "actor_id": e.actor_id,
            "company_id": e.company_id,
            "payload": event_to_dict(e),
        }
        for e in events
    ]


def test_r_all_4_upgrade_seals_the_events_already_stored(sql_store: SqlStore) -> None:
    """R-ALL-4: after upgrading a teamaccess_0014 outbox every chain verifies with all its old events, new events link on, and a later change of an old one is reported."""
    engine = sql_store.engine
    _drop(engine)
    try:
        upgrade_schema(engine, prefix=PREFIX, revision="teamaccess_0014")
        old = sa.table(
            f"{PREFIX}outbox",
            *(sa.column(n) for n in ("event_type", "occurred_at", "actor_id", "company_id")),
            sa.column("payload", sa.JSON),
        )
        with engine.begin() as conn:
            conn.execute(
                build_tables(PREFIX).companies.insert(),
                [{"id": c, "name": c, "created_at": NOW, "settings": {}} for c in ("c0", "c1")],
            )
            conn.execute(old.insert(), _old_events())
        upgrade_schema(engine, prefix=PREFIX, revision="teamaccess_0015")
        _downgrade(engine, "teamaccess_0014")  # the seals go, the events stay
        inspector = sa.inspect(engine)
        assert not inspector.has_table(f"{PREFIX}audit_heads")
        columns = {c["name"] for c in inspector.get_columns(f"{PREFIX}outbox")}
        assert not columns & {"chain_prev", "chain_seal"}
        upgrade_schema(engine, prefix=PREFIX)
        ta = make_service(
            SqlStore(engine, prefix=PREFIX), clock=FrozenClock(), platform_admins={"ops"}
        )
        counts = {"c0": 2, "c1": 1, None: 3}
        for company, count in counts.items():
            verdict = ta.audit.verify("ops", company)
            assert (verdict.ok, verdict.events) == (True, count), verdict
        ta.users.register("ops", "ops@example.com")
        assert ta.audit.verify("ops", None).events == 4
        t = build_tables(PREFIX).outbox
        first_of_c0 = sa.select(sa.func.min(t.c.position)).where(t.c.company_id == "c0")
        with engine.begin() as conn:
            position = conn.execute(first_of_c0).scalar_one()
            conn.execute(t.update().where(t.c.position == position).values(actor_id="mallory"))
        verdict = ta.audit.verify("ops", "c0")
        assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, position, "changed")
    finally:
        _drop(engine)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {PREFIX}alembic_version"))
