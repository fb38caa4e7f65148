"""Bring an existing Django project's teamaccess tables to ``teamaccess_0013`` (support grants).

A project migrated before the library shipped support access (R-SUP-1) ran
``0002_library_schema`` at an older version; this runs the same upgrade again, so the
``support_grants`` table is created through the library's own Alembic migration. A
database already at the library's version needs nothing and no Alembic.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations

from teamaccess.contrib.django.migrations._upgrade import upgrade


class Migration(migrations.Migration):
    """Upgrade the teamaccess tables to the installed library's schema version.

    Not atomic, as ``0002_library_schema``: the store keeps MySQL's DDL out of savepoints.
    """

    atomic = False

    dependencies: ClassVar[list[tuple[str, str]]] = [("teamaccess", "0003_admin_models")]
    operations: ClassVar[list[Any]] = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
