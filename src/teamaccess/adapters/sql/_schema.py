"""The SQLAlchemy Core tables; the domain never sees them.

Every table name (and every constraint and index name) starts with a prefix,
``teamaccess_`` by default, so the schema can live in a host's own database.
Constraints hold the invariants in the database too (R-MEM-2, R-MC-1): a second
process writing directly cannot create a duplicate membership, a second main contact
or a duplicate token hash.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import sqlalchemy as sa

from teamaccess.adapters.sql._audit_schema import audit_heads_table, outbox_seal_columns
from teamaccess.adapters.sql._changes_schema import changes_table
from teamaccess.adapters.sql._domain_schema import domain_tables
from teamaccess.adapters.sql._locks import lock_version_column
from teamaccess.adapters.sql._provisioning_schema import directory_tables
from teamaccess.adapters.sql._support_schema import support_table
from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.adapters.sql._work_schema import work_tables
from teamaccess.domain.ids import shown
from teamaccess.errors import InvalidName

__all__ = ["DEFAULT_PREFIX", "SCHEMA_VERSION", "Tables", "build_tables", "version_table"]

DEFAULT_PREFIX = "teamaccess_"
"""The prefix of every table, constraint and index name unless a store is given another."""
SCHEMA_VERSION = "teamaccess_0017"
"""The Alembic revision the tables below correspond to."""

_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


@attrs.frozen
class Tables:
    """The tables of one prefix.

    Attributes:
        metadata: The ``MetaData`` they belong to.
        prefix: Their name prefix.
    """

    metadata: sa.MetaData
    prefix: str
    users: sa.Table
    companies: sa.Table
    memberships: sa.Table
    invitations: sa.Table
    outbox: sa.Table
    products: sa.Table
    pools: sa.Table
    enrollments: sa.Table
    tags: sa.Table
    paths: sa.Table
    properties: sa.Table
    articles: sa.Table
    licenses: sa.Table
    leads: sa.Table
    offers: sa.Table
    inbox: sa.Table
    records: sa.Table
    links: sa.Table
    domains: sa.Table
    join_requests: sa.Table
    relays: sa.Table
    support_grants: sa.Table
    audit_heads: sa.Table
    directories: sa.Table
    directory_users: sa.Table
    directory_groups: sa.Table
    directory_members: sa.Table
    changes: sa.Table

    def in_delete_order(self) -> list[sa.Table]:
        """Children before parents, for emptying the tables."""
        return [
            self.changes,
            self.relays,
            self.audit_heads,
            self.outbox,
            self.directory_members,
            self.directory_groups,
            self.directory_users,
            self.directories,
            self.support_grants,
            self.join_requests,
            self.domains,
            self.offers,
            self.leads,
            self.inbox,
            self.records,
            self.links,
            self.tags,
            self.enrollments,
            self.pools,
            self.products,
            self.invitations,
            self.memberships,
            self.licenses,
            self.articles,
            self.properties,
            self.paths,
            self.companies,
            self.users,
        ]


def suspension_columns() -> list[sa.Column[Any]]:
    """A company's suspension (revision teamaccess_0006, R-CO-5)."""
    return [
        sa.Column("suspended_at", UtcDateTime(), nullable=True),
        sa.Column("suspension_reason", sa.String(200), nullable=True),
    ]


def sight_window_columns() -> list[sa.Column[Any]]:
    """The window of a partner's sight of a child account (revision teamaccess_0012, R-TIME-1)."""
    return [
        sa.Column("sight_starts_at", UtcDateTime(), nullable=True),
        sa.Column("sight_expires_at", UtcDateTime(), nullable=True),
        sa.Column("sight_expired", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def sight_window_indexes(p: str) -> list[sa.Index]:
    """The sweep's index of sight windows (revision teamaccess_0012)."""
    return [sa.Index(f"{p}ix_companies_sight_expires", "sight_expires_at")]


def membership_origin_columns() -> list[sa.Column[Any]]:
    """The partner a membership came from (revision teamaccess_0007, R-PART-6)."""
    return [sa.Column("origin", Id(), nullable=True)]


def grant_window_columns() -> list[sa.Column[Any]]:
    """A membership's window and temporary role (revision teamaccess_0010, R-TIME-1)."""
    return [
        sa.Column("starts_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("role_until", UtcDateTime(), nullable=True),
        sa.Column("role_after", sa.String(64), nullable=True),
    ]


def company_role_columns() -> list[sa.Column[Any]]:
    """A company's own roles (revision teamaccess_0014, R-ROLE-1)."""
    return [sa.Column("roles", sa.JSON, nullable=True)]


def membership_role_columns() -> list[sa.Column[Any]]:
    """A member's further roles, one per line (revision teamaccess_0014, R-ROLE-3)."""
    return [sa.Column("extra_roles", sa.Text, nullable=True)]


def invitation_window_columns() -> list[sa.Column[Any]]:
    """When the membership an invitation gives ends (revision teamaccess_0010, R-TIME-1)."""
    return [sa.Column("member_until", UtcDateTime(), nullable=True)]


def tag_grant_window_columns() -> list[sa.Column[Any]]:
    """When a direct tag grant ends (revision teamaccess_0010, R-TIME-1)."""
    return [sa.Column("expires_at", UtcDateTime(), nullable=True)]


def grant_window_indexes(p: str) -> list[sa.Index]:
    """The sweep's and the "expires within" query's indexes (revision teamaccess_0010)."""
    return [
        sa.Index(f"{p}ix_memberships_expires", "expires_at"),
        sa.Index(f"{p}ix_memberships_role_until", "role_until"),
    ]


def outbox_relay_columns() -> list[sa.Column[Any]]:
    """The relay's bookkeeping on each outbox row (revision teamaccess_0005)."""
    return [
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("retry_at", UtcDateTime(), nullable=True),
        sa.Column("leased_by", sa.String(100), nullable=True),
        sa.Column("leased_until", UtcDateTime(), nullable=True),
        sa.Column("dead_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    ]


def outbox_shard_columns() -> list[sa.Column[Any]]:
    """The shard of each outbox row's company (revision teamaccess_0009).

    ``teamaccess.domain.relay.shard_of``: relays claim the shards of their share first.
    """
    return [sa.Column("shard", sa.SmallInteger, nullable=False, server_default="0")]


def relays_table(md: sa.MetaData, p: str) -> sa.Table:
    """The live relays, one row each, kept alive by every claim (revision teamaccess_0009).

    A relay is alive until ``alive_until`` (the end of its latest lease); the live
    relays share the shards between them. A relay that stops deletes its row; one that
    dies drops out when its lease ends, and the others take its share.
    """
    return sa.Table(
        f"{p}relays",
        md,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("alive_until", UtcDateTime(), nullable=False),
    )


def build_tables(prefix: str = DEFAULT_PREFIX, metadata: sa.MetaData | None = None) -> Tables:
    """Declare the tables with ``prefix`` on ``metadata`` (a new one if omitted)."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise InvalidName(
            f"table prefix must be lower-case letters, digits and '_', "
            f"starting with a letter, at most 24 characters: {shown(prefix)}"
        )
    md = metadata if metadata is not None else sa.MetaData()
    p = prefix

    users = sa.Table(
        f"{p}users",
        md,
        sa.Column("id", Id(), primary_key=True),
        sa.Column("email", Id(254), nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
        lock_version_column(),
        sa.UniqueConstraint("email", name=f"{p}uq_users_email"),
    )
    companies = sa.Table(
        f"{p}companies",
        md,
        sa.Column("id", Id(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        # The hierarchy (R-PART-1); its integrity and ancestry live in company_paths.
        sa.Column("parent_id", Id(), nullable=True),
        sa.Column("pricing_model", sa.String(100), nullable=True),
        sa.Column("properties", sa.JSON, nullable=True),
        sa.Column("market_roles", sa.JSON, nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("merged_into", Id(), nullable=True),
        *suspension_columns(),
        lock_version_column(),
        *sight_window_columns(),
        *company_role_columns(),
        sa.Index(f"{p}ix_companies_parent", "parent_id"),
        *sight_window_indexes(p),
    )
    memberships = sa.Table(
        f"{p}memberships",
        md,
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_memberships_company"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            Id(),
            sa.ForeignKey(users.c.id, name=f"{p}fk_memberships_user"),
            primary_key=True,
        ),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        # TRUE for the main contact, NULL for everyone else: the unique constraint
        # below then allows exactly one main contact per company on every database
        # (NULLs are distinct), without partial indexes, which MariaDB lacks.
        sa.Column("main_contact", sa.Boolean, nullable=True),
        sa.Column("show_as_contact", sa.Boolean, nullable=False),
        sa.Column("handler", sa.Boolean, nullable=False, server_default=sa.false()),
        *membership_origin_columns(),
        *grant_window_columns(),
        *membership_role_columns(),
        sa.UniqueConstraint("company_id", "main_contact", name=f"{p}uq_one_main_contact"),
        sa.Index(f"{p}ix_memberships_user", "user_id"),
        *grant_window_indexes(p),
    )
    invitations = sa.Table(
        f"{p}invitations",
        md,
        sa.Column("id", Id(), primary_key=True),
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_invitations_company"),
            nullable=False,
        ),
        sa.Column("email", Id(254), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "invited_by",
            Id(),
            sa.ForeignKey(users.c.id, name=f"{p}fk_invitations_inviter"),
            nullable=False,
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "accepted_by",
            Id(),
            sa.ForeignKey(users.c.id, name=f"{p}fk_invitations_acceptor"),
            nullable=True,
        ),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        *invitation_window_columns(),
        sa.UniqueConstraint("token_hash", name=f"{p}uq_invitations_token"),
        sa.Index(f"{p}ix_invitations_company_email", "company_id", "email"),
    )
    outbox = sa.Table(
        f"{p}outbox",
        md,
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", Id(), nullable=True),
        sa.Column("company_id", Id(), nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        *outbox_relay_columns(),
        *outbox_shard_columns(),
        *outbox_seal_columns(),
        sa.Index(f"{p}ix_outbox_pending", "delivered_at", "position"),
        sa.Index(f"{p}ix_outbox_company", "company_id", "position"),
    )
    products = sa.Table(
        f"{p}products",
        md,
        sa.Column("id", Id(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tag", Id(100), nullable=False),
        sa.Column("replacement", sa.String(16), nullable=False),
        sa.Column("notify_on_enroll", sa.Boolean, nullable=False),
    )
    pools = sa.Table(
        f"{p}seat_pools",
        md,
        sa.Column("id", Id(), primary_key=True),
        sa.Column(
            "product_id",
            Id(),
            sa.ForeignKey(products.c.id, name=f"{p}fk_pools_product"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column(
            "leader_id", Id(), sa.ForeignKey(users.c.id, name=f"{p}fk_pools_leader"), nullable=False
        ),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.Column("consumed", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_pools_company"),
            nullable=True,
        ),
        lock_version_column(),
        # R-SEAT-6 held by the database too: seats in use never exceed the pool.
        sa.CheckConstraint(
            "consumed >= 0 AND consumed <= used AND used <= seats AND seats >= 1",
            name=f"{p}ck_pools_seats",
        ),
    )
    enrollments = sa.Table(
        f"{p}enrollments",
        md,
        sa.Column(
            "pool_id",
            Id(),
            sa.ForeignKey(pools.c.id, name=f"{p}fk_enrollments_pool"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            Id(),
            sa.ForeignKey(users.c.id, name=f"{p}fk_enrollments_user"),
            primary_key=True,
        ),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        sa.Index(f"{p}ix_enrollments_user", "user_id"),
    )
    tags = sa.Table(
        f"{p}tag_grants",
        md,
        sa.Column(
            "user_id",
            Id(),
            sa.ForeignKey(users.c.id, name=f"{p}fk_tag_grants_user"),
            primary_key=True,
        ),
        sa.Column("tag", Id(100), primary_key=True),
        sa.Column("source", Id(100), primary_key=True),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
        *tag_grant_window_columns(),
        sa.Index(f"{p}ix_tag_grants_expires", "expires_at"),
    )
    paths = sa.Table(  # the closure of the hierarchy: one row per (ancestor, descendant)
        f"{p}company_paths",
        md,
        sa.Column(
            "ancestor_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_paths_ancestor"),
            primary_key=True,
        ),
        sa.Column(
            "descendant_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_paths_descendant"),
            primary_key=True,
        ),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.Index(f"{p}ix_paths_descendant", "descendant_id", "depth"),
    )
    properties = sa.Table(
        f"{p}property_defs",
        md,
        sa.Column(
            "partner_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_property_defs_partner"),
            primary_key=True,
        ),
        sa.Column("name", Id(100), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("choices", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    articles = sa.Table(
        f"{p}articles",
        md,
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_articles_company"),
            primary_key=True,
        ),
        sa.Column("sku", Id(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity >= 1", name=f"{p}ck_articles_quantity"),
    )
    licenses = sa.Table(
        f"{p}licenses",
        md,
        sa.Column(
            "company_id",
            Id(),
            sa.ForeignKey(companies.c.id, name=f"{p}fk_licenses_company"),
            primary_key=True,
        ),
        sa.Column("kind", Id(100), primary_key=True),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        lock_version_column(),
        # R-LIC-2 held by the database too: usage never exceeds the limit.
        sa.CheckConstraint("used >= 0 AND used <= max_uses", name=f"{p}ck_licenses_usage"),
    )
    leads, offers, inbox, records, links = work_tables(md, p, companies, users)
    domains, join_requests = domain_tables(md, p)
    return Tables(
        md,
        prefix,
        users,
        companies,
        memberships,
        invitations,
        outbox,
        products,
        pools,
        enrollments,
        tags,
        paths,
        properties,
        articles,
        licenses,
        leads,
        offers,
        inbox,
        records,
        links,
        domains,
        join_requests,
        relays_table(md, p),
        support_table(md, p),
        audit_heads_table(md, p),
        *directory_tables(md, p),
        changes_table(md, p),  # type: ignore[call-arg]  # mypy cannot count the star
    )


def version_table(tables: Tables) -> sa.Table:
    """The ``<prefix>alembic_version`` table as Alembic lays it out (not part of ``metadata``)."""
    name = f"{tables.prefix}alembic_version"
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name=f"{name}_pkc"),
    )
