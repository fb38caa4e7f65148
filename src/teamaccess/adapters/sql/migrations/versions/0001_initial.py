"""Initial schema: users, companies, memberships, invitations, outbox.

Revision ID: teamaccess_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0001"
down_revision = None
branch_labels = ("teamaccess",)
depends_on = None


def _prefix() -> str:
    return migration_prefix(context)


def upgrade() -> None:
    p = _prefix()
    op.create_table(
        f"{p}users",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("email", Id(254), nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.UniqueConstraint("email", name=f"{p}uq_users_email"),
    )
    op.create_table(
        f"{p}companies",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
    )
    op.create_table(
        f"{p}memberships",
        sa.Column("company_id", Id(), primary_key=True),
        sa.Column("user_id", Id(), primary_key=True),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.Column("main_contact", sa.Boolean, nullable=True),
        sa.Column("show_as_contact", sa.Boolean, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], [f"{p}companies.id"], name=f"{p}fk_memberships_company"
        ),
        sa.ForeignKeyConstraint(["user_id"], [f"{p}users.id"], name=f"{p}fk_memberships_user"),
        sa.UniqueConstraint("company_id", "main_contact", name=f"{p}uq_one_main_contact"),
    )
    op.create_index(f"{p}ix_memberships_user", f"{p}memberships", ["user_id"])
    op.create_table(
        f"{p}invitations",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("company_id", Id(), nullable=False),
        sa.Column("email", Id(254), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", Id(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("accepted_by", Id(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], [f"{p}companies.id"], name=f"{p}fk_invitations_company"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], [f"{p}users.id"], name=f"{p}fk_invitations_inviter"
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by"], [f"{p}users.id"], name=f"{p}fk_invitations_acceptor"
        ),
        sa.UniqueConstraint("token_hash", name=f"{p}uq_invitations_token"),
    )
    op.create_index(f"{p}ix_invitations_company_email", f"{p}invitations", ["company_id", "email"])
    op.create_table(
        f"{p}outbox",
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
    )
    op.create_index(f"{p}ix_outbox_pending", f"{p}outbox", ["delivered_at", "position"])
    op.create_index(f"{p}ix_outbox_company", f"{p}outbox", ["company_id", "position"])


def downgrade() -> None:
    p = _prefix()
    for table in ("outbox", "invitations", "memberships", "companies", "users"):
        op.drop_table(f"{p}{table}")
