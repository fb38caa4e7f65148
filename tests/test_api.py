"""The public surface: a small top level, one namespace per area, typed answers.

CI also runs ``mypy --strict`` on this file, so the ``assert_type`` lines check what a
host's type checker sees.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Sequence

from typing_extensions import assert_type

import teamaccess
from teamaccess import Decision, Membership, MemoryStore, SeatPool, TeamAccess, User
from teamaccess.service.members import Members
from teamaccess.values import AuditEntry, AuditLog, AuditVerification, Page


def test_top_level_surface_is_small() -> None:
    """`teamaccess.__all__` holds at most 41 names; the rest live in values, events, ports, consistency."""
    assert len(teamaccess.__all__) <= 41
    for module in ("consistency", "errors", "events", "ports", "values"):
        assert module in teamaccess.__all__


def test_namespaces_are_composed_not_inherited() -> None:
    """TeamAccess has the check on itself and one attribute per area, each its own class."""
    ta = TeamAccess(MemoryStore())
    spaces = {name for name in vars(ta) if not name.startswith("_")}
    assert spaces == {
        "users", "companies", "members", "invitations", "seats", "tags", "partners",
        "licenses", "leads", "inbox", "records", "lifecycle", "outbox", "access", "privacy",
        "domains", "roles",
        "grants",
        "support",
        "audit",
        "provisioning",
    }  # fmt: skip
    assert TeamAccess.__mro__ == (TeamAccess, object)
    assert not hasattr(ta, "add_member")  # no flat aliases
    assert isinstance(ta.members, Members)


def test_public_calls_are_typed() -> None:
    """The type checker sees what the facade and its namespaces return."""
    ta = TeamAccess(MemoryStore(), platform_admins={"anna"})
    assert_type(ta.users.register("anna", "anna@example.com"), User)
    company = ta.companies.create("anna", "ACME")
    assert_type(ta.check("anna", company.id, "open_backoffice"), Decision)
    assert_type(ta.members.main_contact(company.id), Membership | None)
    assert_type(ta.members.list("anna", company.id), Sequence[Membership])
    ta.seats.create_product("anna", "course", "Course", tag="course")
    pool = ta.seats.purchase("anna", "course", 3, "Team")
    assert_type(pool, SeatPool)
    ta.companies.update_profile("anna", company.id, name="ACME AG")
    assert_type(ta.inbox.list("anna", company.id), Page[teamaccess.InboxRequest])
    assert_type(ta.audit.search("anna", company.id), Page[AuditEntry])
    assert_type(ta.audit.export("anna", company.id), AuditLog)
    assert_type(ta.audit.verify("anna", company.id), AuditVerification)


def test_a_missing_extra_is_named_in_the_import_error() -> None:
    """Importing the SQL adapter or the strategies without their extra says what to install."""
    for module, extra, missing in [
        ("teamaccess.adapters.sql", "sql", "sqlalchemy"),
        ("teamaccess.testing.strategies", "testing", "hypothesis"),
    ]:
        code = f"import sys; sys.modules[{missing!r}] = None; import {module}"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert done.returncode == 1
        last = done.stderr.strip().splitlines()[-1]
        assert f"needs the '{extra}' extra: pip install 'teamaccess[{extra}]'" in last, last


def test_version_is_in_one_place() -> None:
    """The package metadata, `teamaccess.__version__` and `teamaccess --version` agree."""
    assert importlib.metadata.version("teamaccess") == teamaccess.__version__
    done = subprocess.run(
        [sys.executable, "-m", "teamaccess", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == f"teamaccess {teamaccess.__version__}"
