"""The contract suite every store passes (R-ALL-5), shipped for a host's own adapter.

teamaccess runs these tests against its in-memory store and against SQLite,
PostgreSQL and MariaDB; a store of your own runs the same ones with one fixture, in
one test module of your project (needs ``pytest`` and the ``testing`` extra)::

    # tests/test_teamaccess_contract.py
    import pytest

    from teamaccess.testing.contract import *  # noqa: F403 - every contract test

    @pytest.fixture
    def store_factory():
        return make_my_empty_store  # called once per test for an empty store

The star import brings every test function and the fixtures they need
(``store``, ``clock``, ``ta``, ``memory_ta``; see
``teamaccess.testing.contract.fixtures``). Each module of this package covers one
area, named after it (``membership``, ``seats``, ``leads``, ...), and can be imported
alone the same way. The property tests run as many examples as your hypothesis
profile says.
"""

from __future__ import annotations

import importlib
from typing import Any

from teamaccess.testing.contract.fixtures import clock, memory_ta, store, ta

AREAS = (
    "users", "membership", "main_contact", "invitations", "escalation", "authority", "everywhere",
    "properties", "bulk_ports", "seats", "tags", "seat_properties", "partners",
    "partner_properties", "licenses", "leads", "lead_properties", "inbox", "records",
    "lifecycle", "outbox_relay", "suspension", "suspension_reach", "suspension_hierarchy",
    "sight", "access", "access_properties", "privacy", "consistency", "domains",
    "grant_windows", "grant_window_properties",
    "support", "support_properties", "roles", "audit", "audit_chain", "provisioning",
)  # fmt: skip
"""The modules of the suite, one per area."""


def _is_fixture(value: object) -> bool:
    # pytest >= 8.4 wraps fixtures in FixtureFunctionDefinition; before, it marked them.
    return type(value).__name__ == "FixtureFunctionDefinition" or hasattr(
        value, "_pytestfixturefunction"
    )


def _tests() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for area in AREAS:
        module = importlib.import_module(f"{__name__}.{area}")
        for name, value in vars(module).items():
            if name.startswith("test_") or _is_fixture(value):
                found[name] = value
    return found


globals().update(_tests())
__all__ = [
    "AREAS",
    "clock",
    "memory_ta",
    "store",
    "ta",
    *sorted(_tests()),
]
