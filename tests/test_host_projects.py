"""Host projects built from the docs' own code blocks, run as their users would run them.

docs/storage.md shows a host project (``myapp/db.py``, the ``[alembic]`` lines of
``alembic.ini``, ``migrations/env.py``) and the ``alembic`` commands to run; each block
is marked by a comment (``<!-- host project file: PATH -->``) and taken from the page
as it stands, never retyped here. ``alembic init`` makes the rest, as it does for a
user. docs/web-frameworks.md adds the FastAPI app (``myapp/main.py``).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import build_tables
from teamaccess.adapters.sql.alembic import VERSIONS_DIR

ROOT = Path(__file__).resolve().parent.parent
STORAGE = ROOT / "docs" / "storage.md"
WEB = ROOT / "docs" / "web-frameworks.md"
FILE_BLOCK = re.compile(r"<!-- host project file: ([^>]+?) -->\n```\w+\n(.*?)```", re.S)
COMMANDS = re.compile(r"<!-- host project commands -->\n```console\n(.*?)```", re.S)


def files_of(page: Path) -> dict[str, str]:
    """The host project's files a page shows, by the path its marker names."""
    return dict(FILE_BLOCK.findall(page.read_text(encoding="utf-8")))


def commands_of(page: Path) -> list[list[str]]:
    """The commands (``$ ...`` lines) of the page's host project commands block."""
    (block,) = COMMANDS.findall(page.read_text(encoding="utf-8"))
    return [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ ")]


def run(project: Path, url: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a documented command in the project folder, as its user would; ``alembic`` from this venv."""
    assert command[0] == "alembic", command
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *command[1:]],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "DATABASE_URL": url},
    )  # fmt: skip
    assert done.returncode == 0, f"{shlex.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


def build_alembic_project(project: Path, url: str) -> None:
    """``alembic init -t async migrations``, then the files and ini lines docs/storage.md shows."""
    run(project, url, ["alembic", "init", "-t", "async", "migrations"])
    shown = files_of(STORAGE)
    for path, text in shown.items():
        if path.endswith(" [alembic]"):  # lines to set in a section of an existing file
            ini_path, section = path[:-10], "alembic"
            ini = configparser.RawConfigParser()
            ini.read(project / ini_path)
            lines = configparser.RawConfigParser()
            lines.read_string(text)
            for key, value in lines.items(section):
                ini.set(section, key, value)
            with (project / ini_path).open("w") as file:
                ini.write(file)
        else:
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            (project / path).write_text(text)
    assert {"myapp/db.py", "alembic.ini [alembic]", "migrations/env.py"} <= set(shown)


SERVE = """
import json
import os

from fastapi.testclient import TestClient

from myapp.db import DATABASE_URL, TEAMACCESS_PREFIX
from myapp.main import create_app, delivered
from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore

sync_url = DATABASE_URL.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
setup = SqlStore.from_url(sync_url, prefix=TEAMACCESS_PREFIX)
ta = TeamAccess(setup)
for user in ("anna", "ben"):
    ta.users.register(user, f"{user}@example.com")
ta.companies.create("anna", "ACME", company_id="acme")
setup.engine.dispose()
answers = []
with TestClient(create_app(DATABASE_URL, TEAMACCESS_PREFIX)) as client:
    for method, path, user in [
        ("POST", "/companies/acme/members/ben", "anna"),
        ("GET", "/companies/acme/team-settings", "anna"),
        ("GET", "/companies/acme/team-settings", "ben"),
    ]:
        response = client.request(method, path, headers={"X-User": user})
        answers.append([response.status_code, response.json()])
print(json.dumps({"answers": answers, "delivered": delivered}))
"""


def serve_app(project: Path, url: str) -> None:
    """Write the docs' ``myapp/main.py`` into the project and call it through Starlette's test client."""
    (path, main), *_ = [(p, t) for p, t in files_of(WEB).items() if p == "myapp/main.py"]
    (project / path).write_text(main)
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning:starlette.testclient", "-c", SERVE],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(project)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    added, allowed, refused = result["answers"]
    assert added == [201, {"user": "ben", "role": "member"}]
    assert allowed == [200, {"company": "acme", "allowed_by": "R-MEM-8"}]
    assert refused[0] == 403
    assert (refused[1]["reason"], refused[1]["rule"]) == ("not_permitted", "R-MEM-8")
    assert "MemberAdded" in result["delivered"]  # the relay ran in the app's own lifespan


def assigned(revision_file: str, name: str) -> str:
    """The value a revision file assigns to ``name`` (``revision``, ``down_revision``, ...), as written."""
    found = re.search(rf"^{name}\b[^=]*= (.+)$", revision_file, re.M)
    assert found is not None, name
    return found[1]


def tables_of(url: str) -> set[str]:
    """The table names of the database at ``url`` (read through its sync driver)."""
    sync = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = sa.create_engine(sync)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture(params=["aiosqlite", pytest.param("asyncpg", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this run for the host project, by its async URL; dropped after."""
    if request.param == "aiosqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite'}"
        return
    from .backends import POSTGRES

    url = sa.make_url(POSTGRES.url_of_run)  # this run's database, created on first use
    name = f"{url.database}_host"  # unique per run, as the run's own
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_host_project_from_the_docs_migrates_with_alembic_and_serves_fastapi(
    tmp_path: Path, database: str
) -> None:
    """The docs' host project, command by command: both histories, host revisions in its folder, the FastAPI app served, teamaccess@base."""
    project = tmp_path / "project"
    project.mkdir()
    build_alembic_project(project, database)
    ours = {table.name for table in build_tables("app_ta_").metadata.sorted_tables}
    host_versions = project / "migrations" / "versions"
    shipped = set(Path(VERSIONS_DIR).iterdir())

    commands = commands_of(STORAGE)
    assert [c[:2] for c in commands] == [
        ["alembic", "upgrade"], ["alembic", "revision"], ["alembic", "upgrade"],
        ["alembic", "revision"], ["alembic", "upgrade"], ["alembic", "downgrade"],
    ]  # fmt: skip
    first, first_revision, second, second_revision, third, downgrade = commands

    run(project, database, first)
    assert ours <= tables_of(database)
    assert "orders" not in tables_of(database)

    run(project, database, first_revision)  # --autogenerate
    assert set(Path(VERSIONS_DIR).iterdir()) == shipped, "a host revision went into the package"
    (orders_file,) = host_versions.glob("*_orders.py")
    orders_text = orders_file.read_text()
    assert assigned(orders_text, "branch_labels") == "('host',)"
    assert assigned(orders_text, "down_revision") == "None"  # the base of the host's branch
    assert "create_table('orders'" in orders_text
    assert "app_ta_" not in orders_text  # exclude_teamaccess kept our tables out

    run(project, database, second)
    assert {"orders", *ours} <= tables_of(database)

    run(project, database, second_revision)  # a plain revision, no --autogenerate
    (notes_file,) = host_versions.glob("*_order_notes.py")
    notes_text = notes_file.read_text()
    assert assigned(notes_text, "down_revision") == assigned(orders_text, "revision")
    assert set(Path(VERSIONS_DIR).iterdir()) == shipped  # nothing written into the package
    run(project, database, third)

    serve_app(project, database)  # FastAPI on the migrated tables: myapp/main.py of the docs

    run(project, database, downgrade)
    tables = tables_of(database)
    assert not ours & tables
    assert {"orders", "alembic_version"} <= tables
