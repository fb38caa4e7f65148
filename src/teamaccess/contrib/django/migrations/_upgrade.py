"""The one step of the migrations that bring the library's tables to its version.

``0004_support_grants``, ``0006_audit_chain``, ``0007_directories`` and
``0008_changes`` each run it: a site that applied ``0002_library_schema`` with an
older library gets the newer tables through the shipped Alembic migrations (nothing
if current). Django's loader skips this module (its name starts with ``_``).
"""

from __future__ import annotations

from typing import Any


def upgrade(apps: Any, schema_editor: Any) -> None:
    """Run the shipped Alembic migrations up to the library's version, if behind."""
    from teamaccess.contrib.django.conf import setting
    from teamaccess.contrib.django.store import DjangoStore

    DjangoStore(schema_editor.connection.alias, prefix=setting("PREFIX")).upgrade_schema()
