"""The web-framework example app, called through its framework's test client."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from teamaccess.events import CompanyProfileUpdated
from teamaccess.relay import Envelope

ROOT = Path(__file__).resolve().parent.parent


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"examples_{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the app's annotations through it
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fastapi_app() -> ModuleType:
    pytest.importorskip("fastapi", reason="the examples extra is not installed")
    return load_example("fastapi_app")


# Starlette asks for httpx2, which needs Python 3.11; on 3.10 its test client uses httpx
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")
def test_fastapi_endpoints_answer_with_teamaccess_decisions(fastapi_app: ModuleType) -> None:
    """R-MEM-6, R-MC-2, R-ALL-2 over HTTP: 403 carries reason and rule; denied edits change nothing."""
    from fastapi.testclient import TestClient

    ta = fastapi_app.demo_service()
    delivered: list[Envelope] = []
    with TestClient(fastapi_app.create_app(ta, delivered.append)) as client:
        as_ben, as_carla, as_anna = ({"X-User": user} for user in ("ben", "carla", "anna"))
        members = client.get("/companies/acme/members", headers=as_ben)
        assert members.status_code == 200
        assert [m["user"] for m in members.json()] == ["anna", "ben"]

        outsider = client.get("/companies/acme/members", headers=as_carla)
        assert outsider.status_code == 403
        assert (outsider.json()["reason"], outsider.json()["rule"]) == ("not_a_member", "R-MEM-6")

        refused = client.put("/companies/acme/profile", headers=as_ben, json={"name": "Ben AG"})
        assert refused.status_code == 403
        assert refused.json()["rule"] == "R-MC-2"
        assert ta.companies.get("acme").name == "ACME GmbH"

        edited = client.put("/companies/acme/profile", headers=as_anna, json={"name": "ACME AG"})
        assert edited.json() == {"id": "acme", "name": "ACME AG"}

        can = client.get("/companies/acme/can/edit_profile", headers=as_anna).json()
        assert can == {"allowed": True, "reason": "is_main_contact", "rule": "R-MC-2", "detail": ""}
        missing = client.get("/companies/nope/members", headers=as_ben)  # as for acme (R-ALL-9)
        assert (missing.status_code, missing.json()["reason"]) == (403, "not_a_member")
        assert client.get("/companies/acme/members").status_code == 422  # no X-User
    # leaving the client stops the app; its consumer drains the outbox first
    assert any(e.type == CompanyProfileUpdated.type for e in delivered)
    assert ta.outbox.pending() == []
    assert [m.position for m in delivered] == sorted({m.position for m in delivered})


ASYNC_EXPECTED = [
    ("POST /companies/acme?plan=pro as anna", 201, {"id": "acme", "plan": "pro"}),
    ("POST /companies/umbrella?plan=gold as anna", 422, {"detail": "unknown plan 'gold'"}),
    ("GET /companies/acme/members as anna", 200, ["anna"]),
    ("GET /companies/acme/members as ben", 403, {"detail": "not_a_member"}),
    ("GET /companies/umbrella/members as anna", 403, {"detail": "not_a_member"}),  # R-ALL-9
    ("billing accounts", 200, ["acme"]),
]


@pytest.mark.parametrize("backend", ["aiosqlite", "asyncpg", "asyncmy"])
def test_fastapi_async_example_commits_host_row_and_company_together(
    backend: str, tmp_path: Path
) -> None:
    """R-ALL-3 over HTTP on an async driver: a failed request leaves neither the host's row nor the company."""
    import asyncio

    from .backends import MARIADB, POSTGRES

    urls = {
        "aiosqlite": lambda: f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite'}",
        "asyncpg": lambda: POSTGRES.url_of_run.replace("+psycopg", "+asyncpg"),
        "asyncmy": lambda: MARIADB.url_of_run.replace("+pymysql", "+asyncmy"),
    }
    example = load_example("fastapi_async")
    assert asyncio.run(example.main(urls[backend]())) == ASYNC_EXPECTED


def test_docs_name_the_package_starlettes_test_client_imports() -> None:
    """docs/web-frameworks.md tells FastAPI users to install the HTTP package the installed Starlette's test client imports (httpx2 from 1.8 on, httpx before)."""
    pytest.importorskip("fastapi", reason="the examples extra is not installed")
    import starlette
    import starlette.testclient

    imported = starlette.testclient.httpx.__name__
    major, minor = (int(part) for part in starlette.__version__.split(".")[:2])
    assert (imported == "httpx2") == ((major, minor) >= (1, 8))  # what the page says
    page = (ROOT / "docs" / "web-frameworks.md").read_text(encoding="utf-8")
    fastapi_part = page[page.index("## FastAPI") : page.index("## Django")]
    assert f"`pip install {imported}`" in fastapi_part or f"`{imported}`" in fastapi_part
    assert "needs `httpx2` from Starlette 1.8 on" in fastapi_part
