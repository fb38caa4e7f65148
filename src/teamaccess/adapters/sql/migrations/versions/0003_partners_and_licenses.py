"""Partner hierarchy, custom properties, articles and licenses (seed 004).

Revision ID: teamaccess_0003
Revises: teamaccess_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from teamaccess.adapters.sql._types import Id
from teamaccess.adapters.sql.migrations.prefix import migration_prefix

revision = "teamaccess_0003"
down_revision = "teamaccess_0002"
branch_labels = None
depends_on = None


def _prefix() -> str:
    return migration_prefix(context)


def upgrade() -> None:
    p = _prefix()
    op.add_column(f"{p}companies", sa.Column("parent_id", Id(), nullable=True))
    op.add_column(f"{p}companies", sa.Column("pricing_model", sa.String(100), nullable=True))
    op.add_column(f"{p}companies", sa.Column("properties", sa.JSON, nullable=True))
    op.create_index(f"{p}ix_companies_parent", f"{p}companies", ["parent_id"])
    op.create_table(
        f"{p}company_paths",
        sa.Column("ancestor_id", Id(), primary_key=True),
        sa.Column("descendant_id", Id(), primary_key=True),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["ancestor_id"], [f"{p}companies.id"], name=f"{p}fk_paths_ancestor"
        ),
        sa.ForeignKeyConstraint(
            ["descendant_id"], [f"{p}companies.id"], name=f"{p}fk_paths_descendant"
        ),
    )
    op.create_index(f"{p}ix_paths_descendant", f"{p}company_paths", ["descendant_id", "depth"])
    # Every existing company is a root: its only path is to itself.
    op.execute(
        f"INSERT INTO {p}company_paths (ancestor_id, descendant_id, depth) "  # noqa: S608
        f"SELECT id, id, 0 FROM {p}companies"
    )
    op.create_table(
        f"{p}property_defs",
        sa.Column("partner_id", Id(), primary_key=True),
        sa.Column("name", Id(100), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("choices", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], [f"{p}companies.id"], name=f"{p}fk_property_defs_partner"
        ),
    )
    op.create_table(
        f"{p}articles",
        sa.Column("company_id", Id(), primary_key=True),
        sa.Column("sku", Id(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], [f"{p}companies.id"], name=f"{p}fk_articles_company"
        ),
        sa.CheckConstraint("quantity >= 1", name=f"{p}ck_articles_quantity"),
    )
    op.create_table(
        f"{p}licenses",
        sa.Column("company_id", Id(), primary_key=True),
        sa.Column("kind", Id(100), primary_key=True),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], [f"{p}companies.id"], name=f"{p}fk_licenses_company"
        ),
        sa.CheckConstraint("used >= 0 AND used <= max_uses", name=f"{p}ck_licenses_usage"),
    )


def downgrade() -> None:
    p = _prefix()
    for table in ("licenses", "articles", "property_defs", "company_paths"):
        op.drop_table(f"{p}{table}")
    op.drop_index(f"{p}ix_companies_parent", f"{p}companies")
    for column in ("properties", "pricing_model", "parent_id"):
        op.drop_column(f"{p}companies", column)
