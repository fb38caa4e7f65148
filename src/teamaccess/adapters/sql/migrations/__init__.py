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

from sqlalchemy.engine import Engine

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
        attributes: dict[str, Any] = config.attributes
        attributes["connection"] = connection
        attributes["teamaccess_prefix"] = prefix
        command.upgrade(config, revision)
