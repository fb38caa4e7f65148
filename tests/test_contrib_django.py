"""The Django site of tests/django_project, in a pytest run of its own (pytest-django).

It runs on SQLite and on PostgreSQL (the run's own test database, created and dropped
by pytest-django): a view saves a model and runs a teamaccess command in one
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

from .backends import POSTGRES, RUN_ID

PROJECT = Path(__file__).resolve().parent / "django_project"
SRC = PROJECT.parent.parent / "src"


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_r_all_3_django_site_on_its_own_database(database: str) -> None:
    """R-ALL-3, R-ALL-4, R-MEM-6: the Django site's tests pass on this database."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    if database == "postgres":
        url = sa.make_url(POSTGRES.url_of_run)  # skips, or fails under CI, without a server
        env |= {
            "TEAMACCESS_DJANGO_DB": "postgres",
            "TEAMACCESS_DJANGO_PG_HOST": url.host or "127.0.0.1",
            "TEAMACCESS_DJANGO_PG_USER": url.username or "postgres",
            "TEAMACCESS_DJANGO_TEST_DB": f"tatest_{RUN_ID}_django",
        }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(PROJECT / "pytest.ini"), str(PROJECT), "-q"],
        capture_output=True, text=True, timeout=300, check=False, cwd=PROJECT, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "12 passed" in done.stdout
