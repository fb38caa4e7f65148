"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from alembic import context, op
import sqlalchemy as sa

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    p = context.config.attributes.get("teamaccess_prefix", "teamaccess_")
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    p = context.config.attributes.get("teamaccess_prefix", "teamaccess_")
    ${downgrades if downgrades else "pass"}
