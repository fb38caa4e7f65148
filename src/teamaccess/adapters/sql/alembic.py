"""Helpers for a host that runs the teamaccess migrations in its own Alembic history.

The shipped revisions are ``teamaccess_0001`` ... on a branch labelled ``teamaccess``.
In the host's ``alembic.ini`` (or ``Config``), add ``VERSIONS_DIR`` to
``version_locations``; then ``alembic upgrade heads`` runs the host's revisions and
teamaccess's, ``alembic downgrade teamaccess@base`` removes only teamaccess's tables, and
``alembic -x teamaccess_prefix=app_ta_ upgrade heads`` picks the table prefix (see
``teamaccess.adapters.sql.migrations.prefix``). In the host's ``env.py``, pass
``include_object=exclude_teamaccess(prefix)`` to ``context.configure`` so that the host's
autogenerate neither proposes to drop the teamaccess tables nor writes revisions for them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from teamaccess.adapters.sql._schema import DEFAULT_PREFIX

__all__ = ["BRANCH", "VERSIONS_DIR", "exclude_teamaccess"]

VERSIONS_DIR = str(Path(__file__).parent / "migrations" / "versions")
"""The folder of the shipped revisions, for the host's ``version_locations``."""
BRANCH = "teamaccess"
"""The branch label of the shipped revisions (``alembic downgrade teamaccess@base``)."""


def exclude_teamaccess(
    prefix: str = DEFAULT_PREFIX,
) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """An ``include_object`` hook for the host's autogenerate that leaves teamaccess alone.

    Tables (and their indexes and constraints) whose name starts with ``prefix`` are
    left out of the comparison, whichever side they are on.
    """

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return not str(table or "").startswith(prefix)

    return include_object
