"""Helpers for a host that runs the teamaccess migrations in its own Alembic history.

The shipped revisions are ``teamaccess_0001`` ... on a branch labelled ``teamaccess``,
in the package folder ``VERSIONS_RESOURCE`` (``teamaccess.adapters.sql.migrations:versions``,
a name Alembic resolves itself, so ``alembic.ini`` needs no path into the virtualenv).
The host lists its own versions folder and that resource in ``version_locations``;
then ``alembic upgrade heads`` runs the host's revisions and teamaccess's, ``alembic
downgrade teamaccess@base`` removes only teamaccess's tables, and the table prefix
comes from ``config.attributes["teamaccess_prefix"]`` (see
``teamaccess.adapters.sql.migrations.prefix``). In the host's ``env.py``, pass to
``context.configure``:

- ``include_object=exclude_teamaccess(prefix)``, so that the host's autogenerate
  neither proposes to drop the teamaccess tables nor writes revisions for them;
- ``process_revision_directives=host_revisions(context)``, so that ``alembic revision``
  writes the host's revisions into the host's folder on the host's branch, never into
  the package (see [host_revisions][teamaccess.adapters.sql.alembic.host_revisions]).

docs/storage.md shows the whole recipe; ``tests/test_host_projects.py`` builds a host
project from its code blocks and runs its commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from alembic.util import CommandError

from teamaccess.adapters.sql._schema import DEFAULT_PREFIX
from teamaccess.errors import TeamAccessError

__all__ = [
    "BRANCH",
    "HOST_BRANCH",
    "VERSIONS_DIR",
    "VERSIONS_RESOURCE",
    "AlembicSetupError",
    "exclude_teamaccess",
    "host_revisions",
]

VERSIONS_DIR = str(Path(__file__).parent / "migrations" / "versions")
"""The folder of the shipped revisions, as a path."""
VERSIONS_RESOURCE = "teamaccess.adapters.sql.migrations:versions"
"""The folder of the shipped revisions as a package resource, for ``version_locations``."""
BRANCH = "teamaccess"
"""The branch label of the shipped revisions (``alembic downgrade teamaccess@base``)."""
HOST_BRANCH = "host"
"""The branch label ``host_revisions`` gives the host's first revision by default."""


class AlembicSetupError(TeamAccessError, CommandError):
    """The host's Alembic setup would lose or misplace revisions.

    An Alembic ``CommandError`` too, so the ``alembic`` command prints it as one
    ``FAILED:`` line and exits 1.
    """


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


def _folders(script: Any) -> list[Path]:
    """The version folders Alembic read (``version_locations``), resolved."""
    from alembic.util import coerce_resource_to_filename

    locations: Iterable[str] = script.version_locations or [str(Path(script.dir, "versions"))]
    return [coerce_resource_to_filename(str(location)).resolve() for location in locations]


def host_revisions(
    context: Any, branch: str = HOST_BRANCH
) -> Callable[[Any, Any, list[Any]], None]:
    """A ``process_revision_directives`` hook that keeps the host's revisions its own.

    Call it in the host's ``env.py`` with Alembic's ``context``. It checks at once that
    ``version_locations`` (as Alembic read it from ``alembic.ini``) holds the shipped
    revisions and a folder of the host's own, and raises `AlembicSetupError` if not
    (otherwise ``alembic upgrade heads`` would find no teamaccess revision and create
    nothing, without a word). During ``alembic revision`` (with ``--autogenerate``, or
    ``revision_environment = true`` in ``alembic.ini``) the hook then places each new
    revision that names no head of its own:

    - in the host's folder, the first of ``version_locations`` that is not teamaccess's;
    - on the host's branch: after ``<branch>@head``, or, while the host has no revision
      yet, as the first of a new branch labelled ``branch`` (``--head base``); an
      explicit ``--head host@head`` is taken the same way, also before the first.

    A revision asked for explicitly on the teamaccess branch (``--head teamaccess@head``)
    or into the package's folder (``--version-path``) is refused: those revisions are
    the package's, and the next release would replace them.

    Args:
        context: Alembic's ``context`` (``from alembic import context``).
        branch: The label of the host's branch.

    Raises:
        AlembicSetupError: ``version_locations`` lacks the shipped revisions or a folder
            of the host's.
    """
    script = context.script
    ours = Path(VERSIONS_DIR).resolve()
    folders = _folders(script)
    if ours not in folders:
        raise AlembicSetupError(
            "the teamaccess revisions are not in version_locations, so no teamaccess table "
            f"would be created; add {VERSIONS_RESOURCE} to version_locations in alembic.ini "
            "(setting it in env.py is too late: Alembic has read the revisions by then)"
        )
    hosts = [folder for folder in folders if folder != ours]
    if not hosts:
        raise AlembicSetupError(
            "version_locations holds no folder of the host's own; put the host's versions "
            f"folder first, e.g. %(here)s/migrations/versions, then {VERSIONS_RESOURCE}"
        )

    def process_revision_directives(
        migration_context: Any, revision: Any, directives: list[Any]
    ) -> None:
        revisions = migration_context.script.revision_map
        for directive in directives:  # Alembic's MigrationScript, one per new file
            if directive.version_path and Path(directive.version_path).resolve() == ours:
                raise AlembicSetupError(
                    "a host revision cannot go into the teamaccess package's folder; "
                    f"leave out --version-path (the host's folder is {hosts[0]})"
                )
            head = directive.head
            if head in (None, "head", f"{branch}@head"):
                if _has_branch(revisions, branch):
                    directive.head = f"{branch}@head"
                else:
                    directive.head = "base"
                    if not directive.branch_label:
                        directive.branch_label = branch
            elif _on_teamaccess(revisions, head):
                raise AlembicSetupError(
                    f"{head!r} is on the teamaccess branch, whose revisions the package "
                    f"ships; base the host's revision on {branch}@head"
                )
            if directive.version_path is None:
                directive.version_path = str(hosts[0])

    return process_revision_directives


def _has_branch(revisions: Any, label: str) -> bool:
    """Whether a revision of the history carries the branch label ``label``."""
    return any(label in (rev.branch_labels or ()) for rev in revisions.get_revisions("heads"))


def _on_teamaccess(revisions: Any, head: str) -> bool:
    """Whether ``head`` names a revision of the teamaccess branch."""
    try:
        found = revisions.get_revisions(head)
    except Exception:  # let Alembic say what is wrong with the name
        return False
    return any(rev is not None and BRANCH in (rev.branch_labels or ()) for rev in found)
