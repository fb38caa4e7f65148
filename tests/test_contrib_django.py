"""The Django site of tests/django_project, in a pytest run of its own (pytest-django).

It runs on SQLite, PostgreSQL and MariaDB (the run's own test database, made afresh by
``pytest --create-db`` and dropped by pytest-django; the database is chosen by the
``TEAMACCESS_DJANGO_DB`` environment variable): the app's migrations go forward, to
zero and forward again, and bring an older schema up to date; a view saves a model and runs a teamaccess command in one
``atomic()``; an exception rolls back both, success keeps both; DRF answers 403 as a
problem document naming the rule (R-ALL-3, R-ALL-4, R-MEM-6); an anonymous visitor
gets 401 and is never checked as a user id (R-ALL-1); a storage failure answers 503
without its SQL text (R-ALL-9).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from .backends import MARIADB, POSTGRES, RUN_ID

PROJECT = Path(__file__).resolve().parent / "django_project"
SRC = PROJECT.parent.parent / "src"


SERVERS = {"postgres": POSTGRES, "mariadb": MARIADB}


def _drop_leftover(url: sa.URL, name: str) -> None:
    """Drop the site's test database if pytest-django left it (a failed run)."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    finally:
        admin.dispose()


@pytest.mark.parametrize(
    "database",
    [
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ],
)
def test_r_all_3_django_site_on_its_own_database(database: str) -> None:
    """R-ALL-3, R-ALL-4, R-MEM-6: the Django site's tests, migrations included, pass with --create-db on this database."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["TEAMACCESS_DJANGO_DB"] = database
    test_db = f"tatest_{RUN_ID}_django"
    url = None
    if database in SERVERS:
        url = sa.make_url(
            SERVERS[database].url_of_run
        )  # skips, or fails under CI, without a server
        prefix = "PG" if database == "postgres" else "MY"
        env |= {
            f"TEAMACCESS_DJANGO_{prefix}_HOST": url.host or "127.0.0.1",
            f"TEAMACCESS_DJANGO_{prefix}_USER": url.username or "root",
            "TEAMACCESS_DJANGO_TEST_DB": test_db,
        }
        if url.port:
            env[f"TEAMACCESS_DJANGO_{prefix}_PORT"] = str(url.port)
        if url.password:
            env[f"TEAMACCESS_DJANGO_{prefix}_PASSWORD"] = url.password
    command = [sys.executable, "-m", "pytest", "-c", str(PROJECT / "pytest.ini"), str(PROJECT)]
    try:
        done = subprocess.run(
            [*command, "-q", "--create-db"],
            capture_output=True, text=True, timeout=300, check=False, cwd=PROJECT, env=env,
        )  # fmt: skip
    finally:
        if url is not None:
            _drop_leftover(url, test_db)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"{SITE_TESTS} passed" in done.stdout


SITE_TESTS = 40
"""The tests of tests/django_project: all run on each database, none skipped."""


def test_r_dom_4_change_email_carries_the_address_over() -> None:
    """R-DOM-4, R-CO-9: users.change_email moves the user to the new address with UserEmailChanged, rewrites earlier events to it, keeps the membership; taken, erased and unchanged are handled."""
    from teamaccess import MemoryStore, TeamAccess
    from teamaccess.errors import EmailTaken, UnknownUser

    ta = TeamAccess(MemoryStore(), platform_admins=["root"])
    ta.users.register("anna", "anna@example.com")
    ta.users.register("ben", "ben@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    assert ta.users.change_email("anna", " Anna@New.example ").email == "anna@new.example"
    events = [m.event for m in ta.outbox.pending(limit=100)]
    assert (events[-1].type, events[-1].email) == ("UserEmailChanged", "anna@new.example")
    assert "anna@example.com" not in repr(events)  # an erasure finds every copy
    assert ta.members.main_contact("acme").user_id == "anna"
    assert ta.users.change_email("anna", "anna@new.example").email == "anna@new.example"
    assert ta.outbox.count_pending() == len(events)  # the same address emits nothing
    with pytest.raises(EmailTaken):
        ta.users.change_email("anna", "BEN@example.com")
    with pytest.raises(UnknownUser):
        ta.users.change_email("carla", "carla@example.com")
    ta.privacy.erase("root", "ben")
    with pytest.raises(UnknownUser):
        ta.users.change_email("ben", "ben@example.com")
    assert ta.users.get("anna").email == "anna@new.example"
