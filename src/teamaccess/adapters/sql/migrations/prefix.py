"""Which table prefix a migration run creates, wherever Alembic runs it.

Through [upgrade_schema][teamaccess.adapters.sql.upgrade_schema] the prefix comes from its
argument; in a host's own Alembic environment, from (first found) the config attribute
``teamaccess_prefix`` (``config.attributes["teamaccess_prefix"] = "..."`` in the host's
``env.py``), ``alembic -x teamaccess_prefix=...``, or the ``teamaccess_prefix`` option
of ``alembic.ini``; else ``teamaccess_``.
"""

from __future__ import annotations

from typing import Any

from teamaccess.adapters.sql._schema import DEFAULT_PREFIX, build_tables

__all__ = ["migration_prefix"]


def migration_prefix(context: Any) -> str:
    """The prefix for this run of ``context`` (Alembic's ``alembic.context``), checked."""
    config = context.config
    prefix = config.attributes.get("teamaccess_prefix")
    if prefix is None:
        prefix = context.get_x_argument(as_dictionary=True).get("teamaccess_prefix")
    if prefix is None:
        prefix = config.get_main_option("teamaccess_prefix")
    prefix = str(prefix or DEFAULT_PREFIX)
    build_tables(prefix)  # refuses a prefix that is not a safe identifier
    return prefix
