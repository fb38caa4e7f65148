"""The SQL schema: invariants held by the database, migrations, prefixes (issue 3)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from teamaccess.adapters.sql import SCHEMA_VERSION, SqlStore, build_tables, upgrade_schema
from teamaccess.errors import InvalidName
from teamaccess.testing import dump, make_service

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _seed(store: SqlStore) -> None:
    ta = make_service(store)
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    company = ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", company.id, "ben")
    ta.invitations.send("anna", company.id, "carl@example.com")


def _insert_fails(store: SqlStore, table: sa.Table, values: dict) -> None:
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(table.insert(), values)


def test_r_mem_2_database_refuses_duplicate_membership(sql_store: SqlStore) -> None:
    """R-MEM-2: a second process inserting a duplicate membership directly is refused by the database."""
    _seed(sql_store)
    row = {
        "company_id": "acme",
        "user_id": "ben",
        "role": "member",
        "joined_at": NOW,
        "main_contact": None,
        "show_as_contact": True,
    }
    _insert_fails(sql_store, sql_store.tables.memberships, row)


def test_r_mc_1_database_refuses_second_main_contact(sql_store: SqlStore) -> None:
    """R-MC-1: setting a second main contact by direct SQL violates a unique constraint."""
    _seed(sql_store)
    t = sql_store.tables.memberships
    with pytest.raises(sa.exc.IntegrityError), sql_store.engine.begin() as conn:
        conn.execute(t.update().where(t.c.user_id == "ben").values(main_contact=True))
    assert [m.user_id for m in dump(sql_store).memberships if m.is_main_contact] == ["anna"]


def test_r_inv_2_database_refuses_duplicate_token_hash(sql_store: SqlStore) -> None:
    """R-INV-2: token hashes are unique in the database."""
    _seed(sql_store)
    [invitation] = dump(sql_store).invitations
    row = {
        "id": "other", "company_id": "acme", "email": "x@example.com", "role": "member",
        "token_hash": invitation.token_hash, "invited_by": "anna", "created_at": NOW,
        "expires_at": NOW, "status": "pending", "accepted_by": None, "closed_at": None,
    }  # fmt: skip
    _insert_fails(sql_store, sql_store.tables.invitations, row)


def test_database_enforces_foreign_keys(sql_store: SqlStore) -> None:
    """A membership of an unknown company or user is refused by the database."""
    _seed(sql_store)
    row = {
        "company_id": "ghost",
        "user_id": "anna",
        "role": "member",
        "joined_at": NOW,
        "main_contact": None,
        "show_as_contact": True,
    }
    _insert_fails(sql_store, sql_store.tables.memberships, row)


def test_migrations_to_head_give_exactly_the_tables_the_code_uses(sql_store: SqlStore) -> None:
    """Alembic upgrade of an empty database yields the schema of build_tables, with no diff."""
    prefix = "tamig_"
    tables = build_tables(prefix)
    engine = sql_store.engine
    tables.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}alembic_version"))
    try:
        upgrade_schema(engine, prefix=prefix)
        with engine.connect() as conn:

            def ours_only(name, type_, _parent) -> bool:
                return type_ != "table" or (name.startswith(prefix) and "alembic" not in name)

            opts = {"compare_type": True, "include_name": ours_only}
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, tables.metadata)
            names = set(sa.inspect(conn).get_table_names())
        ours = {name for name in names if name.startswith(prefix)}
        assert diff == []
        assert ours == {t.name for t in tables.metadata.sorted_tables} | {
            f"{prefix}alembic_version"
        }
        upgrade_schema(engine, prefix=prefix)  # at head already: a no-op
    finally:
        tables.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}alembic_version"))


def test_table_prefix_keeps_two_stores_apart(sql_store: SqlStore) -> None:
    """Two prefixes in one database are independent stores (hosts embed the schema)."""
    other = SqlStore(sql_store.engine, prefix="taother_")
    other.drop_schema()
    other.create_schema()
    try:
        _seed(sql_store)
        assert dump(other).users == ()
        assert len(dump(sql_store).users) == 2
        names = sa.inspect(sql_store.engine).get_table_names()
        assert "taother_memberships" in names
        assert "tatest_memberships" in names
    finally:
        other.drop_schema()


@pytest.mark.parametrize(
    "prefix", ["", "Upper_", "drop table;", "x" * 25, "evil_\n", None, 7, b"ta_"]
)
def test_bad_table_prefix_is_refused(prefix: str) -> None:
    """R-ALL-7: a prefix that is not a safe lower-case identifier (a trailing newline and a value that is not a string included) raises InvalidName."""
    with pytest.raises(InvalidName, match="prefix"):
        build_tables(prefix)


def test_created_schema_records_its_version_and_migrations_continue(sql_store: SqlStore) -> None:
    """A database made by create_schema() carries the head revision: upgrade_schema is a no-op on it and the store still works."""
    prefix = "taver_"
    store = SqlStore(sql_store.engine, prefix=prefix)
    store.drop_schema()
    try:
        store.create_schema()
        with sql_store.engine.connect() as conn:
            table = sa.table(f"{prefix}alembic_version", sa.column("version_num"))
            versions = conn.execute(sa.select(table.c.version_num)).all()
            context = MigrationContext.configure(
                conn, opts={"version_table": f"{prefix}alembic_version"}
            )
            assert context.get_current_revision() == SCHEMA_VERSION
        assert [v[0] for v in versions] == [SCHEMA_VERSION]
        upgrade_schema(sql_store.engine, prefix=prefix)  # continues from it: nothing to do
        store.create_schema()  # and creating again changes nothing
        ta = make_service(store)
        ta.users.register("anna", "anna@example.com")
        assert ta.companies.create("anna", "ACME").name == "ACME"
    finally:
        store.drop_schema()
    with sql_store.engine.connect() as conn:
        assert not sa.inspect(conn).has_table(f"{prefix}alembic_version")


def test_schema_version_is_the_newest_migration() -> None:
    """SCHEMA_VERSION names the head of the shipped Alembic revisions."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from teamaccess.adapters.sql.migrations import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_VERSION]


def test_r_all_8_revision_0009_gives_pending_outbox_rows_their_shard(sql_store: SqlStore) -> None:
    """R-ALL-8: upgrading from teamaccess_0007 puts each pending row in its company's shard; delivered rows stay in shard 0."""
    from teamaccess.domain.relay import shard_of

    prefix = "tashard_"
    tables = build_tables(prefix)
    engine = sql_store.engine
    tables.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}alembic_version"))
    try:
        upgrade_schema(engine, prefix=prefix, revision="teamaccess_0007")
        outbox = sa.table(
            f"{prefix}outbox",
            *(sa.column(name) for name in ("event_type", "occurred_at", "company_id")),
            sa.column("payload", sa.JSON),
            sa.column("delivered_at"),
        )
        companies = [f"c{i}" for i in range(12)]
        with engine.begin() as conn:
            conn.execute(
                outbox.insert(),
                [
                    {"event_type": "CompanyProfileUpdated", "occurred_at": NOW, "company_id": c,
                     "payload": {"type": "CompanyProfileUpdated"}, "delivered_at": None}
                    for c in [*companies, None]
                ]
                + [{"event_type": "CompanyProfileUpdated", "occurred_at": NOW,
                    "company_id": "c1", "payload": {"type": "CompanyProfileUpdated"},
                    "delivered_at": NOW}],
            )  # fmt: skip
        upgrade_schema(engine, prefix=prefix)
        with engine.connect() as conn:
            t = tables.outbox
            rows = conn.execute(sa.select(t.c.company_id, t.c.shard, t.c.delivered_at)).all()
        pending = {company: shard for company, shard, delivered in rows if delivered is None}
        assert pending == {company: shard_of(company) for company in [*companies, None]}
        assert len(set(pending.values())) > 1
        assert [shard for _, shard, delivered in rows if delivered is not None] == [0]
    finally:
        tables.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}alembic_version"))
