"""Connected directories for SCIM provisioning (teamaccess_0016, R-PROV-1).

A site that applied ``0002_library_schema`` with an older library has no directory
tables: this runs the shipped Alembic migrations up to the installed library's version
again (nothing if current), as ``0004_support_grants`` does.
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

    dependencies: ClassVar[list[tuple[str, str]]] = [("teamaccess", "0006_audit_chain")]
    operations: ClassVar[list[Any]] = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
