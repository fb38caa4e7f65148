"""Companies' own roles and several roles per member (teamaccess_0014, R-ROLE-1, R-ROLE-3).

A site that applied ``0002_library_schema`` with an older library has tables without
``companies.roles`` and ``memberships.extra_roles``: this runs the shipped Alembic
migrations up to the installed library's version again (nothing if current), and
shows a member's further roles in the admin (an unmanaged field: no SQL of its own).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations, models


def upgrade(apps: Any, schema_editor: Any) -> None:
    """Run the shipped Alembic migrations up to the library's version, if behind."""
    from teamaccess.contrib.django.conf import setting
    from teamaccess.contrib.django.store import DjangoStore

    DjangoStore(schema_editor.connection.alias, prefix=setting("PREFIX")).upgrade_schema()


class Migration(migrations.Migration):
    """Upgrade the tables to the library's version; the admin's members show all roles.

    Not atomic, as ``0002_library_schema``: MySQL's DDL stays out of savepoints.
    """

    atomic = False

    dependencies: ClassVar[list[tuple[str, str]]] = [("teamaccess", "0004_support_grants")]
    operations: ClassVar[list[Any]] = [
        migrations.RunPython(upgrade, migrations.RunPython.noop),
        migrations.AddField(
            model_name="membership",
            name="extra_roles",
            field=models.TextField(null=True),
        ),
    ]
