"""teamaccess's tables in Django's database, made by ``manage.py migrate``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    """Create the tables on the migrating connection's database."""
    from teamaccess.contrib.django.conf import setting
    from teamaccess.contrib.django.store import DjangoStore

    DjangoStore(schema_editor.connection.alias, prefix=setting("PREFIX")).create_schema()


def drop(apps: Any, schema_editor: Any) -> None:
    """Drop them (``migrate teamaccess zero``)."""
    from teamaccess.contrib.django.conf import setting
    from teamaccess.contrib.django.store import DjangoStore

    DjangoStore(schema_editor.connection.alias, prefix=setting("PREFIX")).drop_schema()


class Migration(migrations.Migration):
    """Create the teamaccess tables at the library's schema version.

    Not atomic: MySQL and MariaDB commit DDL implicitly, which ends the SAVEPOINT an
    atomic migration would hold. The store runs the DDL in one ``atomic()`` itself
    where DDL is transactional (SQLite, PostgreSQL).
    """

    atomic = False
    initial = True
    dependencies: ClassVar[list[tuple[str, str]]] = []
    operations: ClassVar[list[Any]] = [migrations.RunPython(create, drop)]
