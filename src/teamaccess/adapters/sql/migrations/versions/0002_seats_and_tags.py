"""Seat pools, enrollments, products and tag grants (seed 002).

Revision ID: teamaccess_0002
Revises: teamaccess_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0002"
down_revision = "teamaccess_0001"
branch_labels = None
depends_on = None


def _prefix() -> str:
    return migration_prefix(context)


def upgrade() -> None:
    p = _prefix()
    op.create_table(
        f"{p}products",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tag", Id(100), nullable=False),
        sa.Column("replacement", sa.String(16), nullable=False),
        sa.Column("notify_on_enroll", sa.Boolean, nullable=False),
    )
    op.create_table(
        f"{p}seat_pools",
        sa.Column("id", Id(), primary_key=True),
        sa.Column("product_id", Id(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("leader_id", Id(), nullable=False),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.Column("consumed", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("company_id", Id(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], [f"{p}products.id"], name=f"{p}fk_pools_product"),
        sa.ForeignKeyConstraint(["leader_id"], [f"{p}users.id"], name=f"{p}fk_pools_leader"),
        sa.ForeignKeyConstraint(["company_id"], [f"{p}companies.id"], name=f"{p}fk_pools_company"),
        sa.CheckConstraint(
            "consumed >= 0 AND consumed <= used AND used <= seats AND seats >= 1",
            name=f"{p}ck_pools_seats",
        ),
    )
    op.create_table(
        f"{p}enrollments",
        sa.Column("pool_id", Id(), primary_key=True),
        sa.Column("user_id", Id(), primary_key=True),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], [f"{p}seat_pools.id"], name=f"{p}fk_enrollments_pool"),
        sa.ForeignKeyConstraint(["user_id"], [f"{p}users.id"], name=f"{p}fk_enrollments_user"),
    )
    op.create_index(f"{p}ix_enrollments_user", f"{p}enrollments", ["user_id"])
    op.create_table(
        f"{p}tag_grants",
        sa.Column("user_id", Id(), primary_key=True),
        sa.Column("tag", Id(100), primary_key=True),
        sa.Column("source", Id(100), primary_key=True),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], [f"{p}users.id"], name=f"{p}fk_tag_grants_user"),
    )


def downgrade() -> None:
    p = _prefix()
    for table in ("tag_grants", "enrollments", "seat_pools", "products"):
        op.drop_table(f"{p}{table}")
