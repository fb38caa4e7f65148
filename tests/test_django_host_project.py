"""A Django host project built from docs/web-frameworks.md's own code, on every database.

The page's settings block (kept equal to ``examples/django_views.py`` by
tests/test_docs_site.py) is taken as it stands; only its ``DATABASES`` line is pointed at
the database under test, as a user pointing the example at their server would. The
project then migrates forward, back to zero and forward again, as ``manage.py migrate``
does, on SQLite, PostgreSQL and MariaDB (issue 33: DDL outside savepoints on MariaDB).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from .backends import MARIADB_URL, POSTGRES_URL, RUN_ID

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "web-frameworks.md"
SETUP = re.compile(
    r"<!-- the code of examples/django_views.py:setup[^>]*-->\n```py\n(.*?)```", re.S
)
DATABASES_LINE = re.compile(r"^    DATABASES=.*$", re.M)

TAIL = """
import json as _json, os as _os
from django.db import connection as _connection

def _tables():
    return sorted(t for t in _connection.introspection.table_names() if t.startswith("team_"))

call_command("migrate", verbosity=0)
forward = _tables()
call_command("migrate", "teamaccess", "zero", verbosity=0)
zero = _tables()
call_command("migrate", verbosity=0)
print(_json.dumps({"forward": forward, "zero": zero, "again": _tables()}))
"""


def _project(databases: dict[str, object], head: str = "") -> str:
    """The page's setup block with its DATABASES pointed elsewhere, then the migrations."""
    (setup,) = SETUP.findall(PAGE.read_text(encoding="utf-8"))
    assert len(DATABASES_LINE.findall(setup)) == 1, "the block sets DATABASES on one line"
    pointed = DATABASES_LINE.sub(lambda _: f"    DATABASES={databases!r},", setup)
    future, _, rest = pointed.partition("\n\n")  # the host's own imports go after it
    assert future.startswith("from __future__"), future
    return f"{future}\n\n{head}{rest}{TAIL}"


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict, str]]:
    """Django's DATABASES for a database of this run (dropped after), and the code before it."""
    if request.param == "sqlite":
        engine = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "site.db")}
        yield {"default": engine}, ""
        return
    url = sa.make_url(POSTGRES_URL if request.param == "postgres" else MARIADB_URL)
    name = f"tadjango_{RUN_ID}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"{request.param} unreachable: {str(error).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI requires it)", pytrace=False)
        pytest.skip(reason)
    backend = "postgresql" if request.param == "postgres" else "mysql"
    engine = {
        "ENGINE": f"django.db.backends.{backend}", "NAME": name, "HOST": url.host,
        "PORT": str(url.port), "USER": url.username, "PASSWORD": url.password or "",
    }  # fmt: skip
    head = "import pymysql\npymysql.install_as_MySQLdb()\n" if backend == "mysql" else ""
    try:
        yield {"default": engine}, head
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if backend == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        admin.dispose()


def test_django_project_from_the_docs_migrates_forward_zero_forward(
    databases: tuple[dict, str], tmp_path: Path
) -> None:
    """The docs' Django site migrates forward, back to zero and forward again; the tables follow."""
    settings, head = databases
    script = tmp_path / "site.py"
    script.write_text(_project(settings, head))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
        timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    tables = json.loads(done.stdout.strip().splitlines()[-1])
    assert "team_companies" in tables["forward"]
    assert "team_memberships" in tables["forward"]
    assert tables["zero"] == []
    assert tables["again"] == tables["forward"]
