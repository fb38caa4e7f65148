"""The tables of connected directories and their records (revision teamaccess_0016, R-PROV-1).

One directory per company, found by its token's hash (unique); the directory's users
unique by ``userName`` in the company; its groups unique by ``displayName``, and their
members (directory users).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._types import Id, UtcDateTime
from teamaccess.domain.provisioning import MAX_EXTERNAL_ID_LENGTH, MAX_USER_NAME_LENGTH

__all__ = ["DIRECTORY_INDEXES", "directory_items", "directory_tables"]

DIRECTORY_INDEXES = [
    ("ix_directory_users_user", "directory_users", ["user_id"]),
    ("ix_directory_members_user", "directory_members", ["company_id", "user_id"]),
]
"""(unprefixed name, unprefixed table, columns): a user's records and groups."""


def directory_items(p: str) -> dict[str, list[Any]]:
    """The columns and constraints of the three tables, by unprefixed name."""
    company = f"{p}companies.id"
    return {
        "directories": [
            sa.Column(
                "company_id",
                Id(),
                sa.ForeignKey(company, name=f"{p}fk_directories_company"),
                primary_key=True,
            ),
            sa.Column("token_hash", sa.String(64), nullable=False),
            sa.Column("groups_are", sa.String(16), nullable=False),
            sa.Column("connected_by", Id(), nullable=False),
            sa.Column("connected_at", UtcDateTime(), nullable=False),
            sa.UniqueConstraint("token_hash", name=f"{p}uq_directories_token"),
        ],
        "directory_users": [
            sa.Column(
                "company_id",
                Id(),
                sa.ForeignKey(f"{p}directories.company_id", name=f"{p}fk_directory_users_dir"),
                primary_key=True,
            ),
            sa.Column(
                "user_id",
                Id(),
                sa.ForeignKey(f"{p}users.id", name=f"{p}fk_directory_users_user"),
                primary_key=True,
            ),
            sa.Column("user_name", sa.String(MAX_USER_NAME_LENGTH), nullable=False),
            sa.Column("external_id", sa.String(MAX_EXTERNAL_ID_LENGTH), nullable=True),
            sa.Column("active", sa.Boolean, nullable=False),
            sa.Column("created_at", UtcDateTime(), nullable=False),
            sa.Column("updated_at", UtcDateTime(), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.UniqueConstraint("company_id", "user_name", name=f"{p}uq_directory_users_name"),
        ],
        "directory_groups": [
            sa.Column(
                "company_id",
                Id(),
                sa.ForeignKey(f"{p}directories.company_id", name=f"{p}fk_directory_groups_dir"),
                primary_key=True,
            ),
            sa.Column("group_id", Id(), primary_key=True),
            sa.Column("display_name", sa.String(200), nullable=False),
            sa.Column("external_id", sa.String(MAX_EXTERNAL_ID_LENGTH), nullable=True),
            sa.Column("target", Id(), nullable=True),
            sa.Column("created_at", UtcDateTime(), nullable=False),
            sa.Column("updated_at", UtcDateTime(), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.UniqueConstraint("company_id", "display_name", name=f"{p}uq_directory_groups_name"),
        ],
        "directory_members": [
            sa.Column("company_id", Id(), primary_key=True),
            sa.Column("group_id", Id(), primary_key=True),
            sa.Column("user_id", Id(), primary_key=True),
            sa.ForeignKeyConstraint(
                ["company_id", "group_id"],
                [f"{p}directory_groups.company_id", f"{p}directory_groups.group_id"],
                name=f"{p}fk_directory_members_group",
            ),
            sa.ForeignKeyConstraint(
                ["company_id", "user_id"],
                [f"{p}directory_users.company_id", f"{p}directory_users.user_id"],
                name=f"{p}fk_directory_members_user",
            ),
        ],
    }


def directory_tables(md: sa.MetaData, p: str) -> list[sa.Table]:
    """Declare the directory tables with prefix ``p``, in the order of `directory_items`."""
    tables = {name: sa.Table(f"{p}{name}", md, *cols) for name, cols in directory_items(p).items()}
    for name, table, columns in DIRECTORY_INDEXES:
        sa.Index(f"{p}{name}", *(tables[table].c[c] for c in columns))
    return list(tables.values())
