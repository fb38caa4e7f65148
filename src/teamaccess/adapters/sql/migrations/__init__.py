"""Alembic migrations shipped with teamaccess (extra ``teamaccess[alembic]``).

[upgrade_schema][teamaccess.adapters.sql.upgrade_schema] brings a database to the newest schema; it
keeps its own
version table (``<prefix>alembic_version``), so it never touches a host's Alembic
history. Hosts that run Alembic themselves can add this folder to their
``version_locations`` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from teamaccess.adapters.sql._schema import DEFAULT_PREFIX
from teamaccess.errors import StorageError

__all__ = ["MIGRATIONS_DIR", "upgrade_schema"]

MIGRATIONS_DIR = Path(__file__).parent


def upgrade_schema(engine: Engine, *, prefix: str = DEFAULT_PREFIX, revision: str = "head") -> None:
    """Run the shipped migrations up to ``revision`` on ``engine``.

    Raises:
        StorageError: Alembic is not installed.
    """
    try:
        from alembic import command
        from alembic.config import Config
    except ImportError as error:  # pragma: no cover - the test extra installs alembic
        raise StorageError(
            "upgrade_schema needs alembic: pip install 'teamaccess[alembic]'"
        ) from error
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        _rename_old_revisions(connection, prefix)
        attributes: dict[str, Any] = config.attributes
        attributes["connection"] = connection
        attributes["teamaccess_prefix"] = prefix
        command.upgrade(config, revision)


_OLD_REVISIONS = {"0001", "0002", "0003", "0004"}  # before the branch label and the namespace


def _rename_old_revisions(connection: Connection, prefix: str) -> None:
    """Move a database stamped with the old revision ids (``0004``) onto the new ones.

    The tables of ``0004`` and ``teamaccess_0004`` are the same; only the name in
    ``<prefix>alembic_version`` changes, so no row is touched.
    """
    from teamaccess.adapters.sql._schema import build_tables, version_table

    table = version_table(build_tables(prefix))
    if not sa.inspect(connection).has_table(table.name):
        return
    for (old,) in connection.execute(sa.select(table.c.version_num)).all():
        if old in _OLD_REVISIONS:
            connection.execute(
                table.update()
                .where(table.c.version_num == old)
                .values(version_num=f"teamaccess_{old}")
            )
