"""Bring teamaccess's tables made by an older ``0001_initial`` to the library's version.

``0001_initial`` creates the tables at the schema version of the library installed at
the time. A database made so by an older library (one before ``teamaccess_0006``'s
suspension columns or ``teamaccess_0007``'s membership origin, R-PART-6) is brought up
to date here through the library's own Alembic migrations, which need the ``alembic``
extra; a database already at the library's version needs nothing and no Alembic.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations


def upgrade(apps: Any, schema_editor: Any) -> None:
    """Run the shipped Alembic migrations up to the library's version, if behind."""
    from teamaccess.contrib.django.conf import setting
    from teamaccess.contrib.django.store import DjangoStore

    DjangoStore(schema_editor.connection.alias, prefix=setting("PREFIX")).upgrade_schema()


class Migration(migrations.Migration):
    """Upgrade the teamaccess tables to the installed library's schema version.

    Not atomic, as ``0001_initial``: the store keeps MySQL's DDL out of savepoints.
    """

    atomic = False

    dependencies: ClassVar[list[tuple[str, str]]] = [("teamaccess", "0001_initial")]
    operations: ClassVar[list[Any]] = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
