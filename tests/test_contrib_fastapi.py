"""teamaccess.contrib.fastapi in a real uvicorn process, called over the socket with httpx.

Sync (TeamAccess on SQLite) and async (AsyncTeamAccess on aiosqlite) variants answer
200, 403, 404, 409 and 422 with RFC 9457 problem documents; the relay the lifespan
started has delivered every event when the server stops (R-ALL-8). In process: a
storage failure answers 503 with a generic detail, its text only in the log, and an
outsider's 403 in a suspended company carries no suspension reason (R-ALL-9).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, Request

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import in_transaction

from .backends import SQL_BACKENDS

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("factory", ["sync_app", "async_app"])
def test_served_app_answers_problems_and_drains_the_relay_on_shutdown(
    factory: str, tmp_path: Path
) -> None:
    """R-MEM-6, R-ALL-8 over a socket: decisions and errors as problem+json; every event relayed by shutdown."""
    db, out = tmp_path / "app.sqlite", tmp_path / "relayed.txt"
    store = SqlStore.from_url(f"sqlite:///{db}")
    store.create_schema()
    ta = TeamAccess(store)
    for user in ("anna", "ben", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    port = _free_port()
    env = {**os.environ, "TEAMACCESS_APP_DB": str(db), "TEAMACCESS_APP_OUT": str(out)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", f"tests.served_app:{factory}",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            ok = client.get("/companies/acme/members", headers={"X-User": "ben"})
            assert (ok.status_code, ok.json()) == (200, ["anna", "ben"])
            denied = client.get("/companies/acme/members", headers={"X-User": "carla"})
            assert denied.status_code == 403
            assert denied.headers["content-type"] == "application/problem+json"
            assert denied.json() | {"detail": ""} == {
                "type": "urn:teamaccess:NotAMember", "title": "Forbidden", "status": 403,
                "detail": "", "code": "NotAMember", "reason": "not_a_member", "rule": "R-MEM-6",
            }  # fmt: skip
            assert "acme" in denied.json()["detail"]
            missing = client.get("/users/nobody")
            assert (missing.status_code, missing.json().get("code")) == (404, "UnknownUser"), (
                missing.text
            )
            taken = client.post("/companies/acme?name=Again", headers={"X-User": "anna"})
            assert (taken.status_code, taken.json().get("code")) == (409, "CompanyAlreadyExists"), (
                taken.text
            )
            bad = client.post("/companies/new?name=bad%01name", headers={"X-User": "anna"})
            assert (bad.status_code, bad.json().get("code")) == (422, "InvalidName"), bad.text
            made = client.post("/companies/umbrella?name=Umbrella", headers={"X-User": "carla"})
            assert made.status_code == 201
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    # uvicorn re-raises the signal after a graceful shutdown: the status is SIGTERM's
    assert server.returncode in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log
    relayed = sorted(int(line) for line in out.read_text().split())
    everything = [m.position for m in in_transaction(store, lambda tx: tx.outbox.all())]
    assert relayed == everything  # each once: one relay, leases held
    assert ta.outbox.count_pending() == 0
    store.engine.dispose()


@pytest.fixture(params=SQL_BACKENDS)
def sql_store(request: pytest.FixtureRequest) -> SqlStore:
    """The session's store of each SQL backend."""
    store: SqlStore = request.param.store()
    return store


def _app(ta: TeamAccess):
    """An in-process app: the members of a company, behind ``require`` and the problem handlers."""
    from fastapi import FastAPI, Header

    from teamaccess.contrib.fastapi import add_problem_handlers, require

    app = FastAPI()
    add_problem_handlers(app)

    def user(x_user: str = Header()) -> str:
        return x_user

    def company(company_id: str) -> str:
        return company_id

    guard = require("view_members", service=ta, user=user, company=company)

    @app.get("/companies/{company_id}/members")
    def members(company_id: str, x_user: str = Header()) -> list[str]:
        return [m.user_id for m in ta.members.list(x_user, company_id)]

    @app.get("/companies/{company_id}/guarded", dependencies=[Depends(guard)])
    def guarded(company_id: str) -> dict[str, str]:
        return {"company": company_id}

    return app


def test_r_all_9_storage_error_text_never_reaches_the_client(
    sql_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    """R-ALL-9, R-ALL-10: a StorageError (a missing table) answers 503 problem+json with a generic detail; the SQL and driver text goes to the log only."""
    from fastapi.testclient import TestClient

    from teamaccess.contrib._problem import STORAGE_DETAIL

    broken = TeamAccess(SqlStore(sql_store.engine, prefix="tanotables_"))
    with TestClient(_app(broken)) as client, caplog.at_level("ERROR", logger="teamaccess.web"):
        answer = client.get("/companies/acme/members", headers={"X-User": "anna"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:teamaccess:StorageError", "title": "Service Unavailable", "status": 503,
        "detail": STORAGE_DETAIL, "code": "StorageError",
    }  # fmt: skip
    for leak in ("tanotables_", "select", "relation", "table", sql_store.dialect):
        assert leak not in answer.text.lower()
    assert "tanotables_" in caplog.text  # the text is in the server's log


def test_r_all_9_an_outsiders_403_carries_no_suspension_reason() -> None:
    """R-ALL-9: in a suspended company an outsider's 403 problem shows no suspension reason, through require and through a command; a member's shows it."""
    from fastapi.testclient import TestClient

    from teamaccess import MemoryStore

    ta = TeamAccess(MemoryStore(), platform_admins=["root"])
    for user in ("anna", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    secret = "unpaid invoice 4711, call Bob"
    ta.companies.suspend("root", "acme", reason=secret)
    with TestClient(_app(ta)) as client:
        for path in ("/companies/acme/guarded", "/companies/acme/members"):
            outsider = client.get(path, headers={"X-User": "carla"})
            assert outsider.status_code == 403, outsider.text
            assert outsider.headers["content-type"] == "application/problem+json"
            assert "4711" not in outsider.text, outsider.json()
            insider = client.get(path, headers={"X-User": "anna"})
            assert insider.status_code == 403
            assert insider.json()["reason"] == "company_suspended"
        assert "4711" in client.get("/companies/acme/guarded", headers={"X-User": "anna"}).text


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_require_takes_the_service_from_a_dependency_built_at_startup(flavour: str) -> None:
    """require(service=<dependency>) decides with the service the app's lifespan built after the routes were declared; 403 with reason and rule (R-MEM-8)."""
    import contextlib

    from fastapi import FastAPI, Header
    from fastapi.testclient import TestClient

    from teamaccess import AsyncTeamAccess, MemoryStore
    from teamaccess.contrib.fastapi import add_problem_handlers, require

    def service(request: Request) -> object:
        return request.app.state.teamaccess

    def user(x_user: str = Header()) -> str:
        return x_user

    def company(company_id: str) -> str:
        return company_id

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        store = MemoryStore()
        ta = TeamAccess(store)
        for name in ("anna", "ben"):
            ta.users.register(name, f"{name}@example.com")
        ta.companies.create("anna", "ACME", company_id="acme")
        ta.members.add("anna", "acme", "ben")
        app.state.teamaccess = ta if flavour == "sync" else AsyncTeamAccess(store)
        yield

    app = FastAPI(lifespan=lifespan)
    add_problem_handlers(app)
    manage = require("manage_team", service=service, user=user, company=company)

    @app.get("/companies/{company_id}/settings", dependencies=[Depends(manage)])
    def settings(company_id: str) -> dict[str, str]:
        return {"company": company_id}

    with TestClient(app) as client:
        assert client.get("/companies/acme/settings", headers={"X-User": "anna"}).json() == {
            "company": "acme"
        }
        refused = client.get("/companies/acme/settings", headers={"X-User": "ben"})
        assert refused.status_code == 403
        assert (refused.json()["reason"], refused.json()["rule"]) == ("not_permitted", "R-MEM-8")


def test_require_refuses_what_is_not_a_service() -> None:
    """require(service=...) with neither a service nor a dependency raises TypeError at once."""
    from teamaccess.contrib.fastapi import require

    with pytest.raises(TypeError, match="service must be a TeamAccess"):
        require("manage_team", service="ta", user=str, company=str)  # type: ignore[arg-type]


class _RoutingSpy:
    """A MemoryStore that records the consistency of every routed read (R-ALL-12)."""

    def __new__(cls) -> Any:
        from teamaccess import MemoryStore

        class Spy(MemoryStore):
            def __init__(self) -> None:
                super().__init__()
                self.routed: list[object] = []

            def route(self, consistency: object) -> Spy:
                self.routed.append(consistency)
                return self

        return Spy()


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_r_all_12_token_middleware_carries_the_users_token(flavour: str) -> None:
    """R-ALL-12: a command's response sets the token (header, cookie); the next request reads at_least it."""
    from fastapi import FastAPI, Header
    from fastapi.testclient import TestClient

    from teamaccess import AsyncTeamAccess
    from teamaccess.consistency import Consistency, ConsistencyToken
    from teamaccess.contrib.fastapi import TokenMiddleware

    store = _RoutingSpy()
    ta = TeamAccess(store)
    for name in ("anna", "ben"):
        ta.users.register(name, f"{name}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    app = FastAPI()
    app.add_middleware(TokenMiddleware)
    if flavour == "sync":

        @app.delete("/companies/{company_id}/members/{user_id}")
        def remove(company_id: str, user_id: str, x_user: str = Header()) -> dict[str, str]:
            ta.members.remove(x_user, company_id, user_id)
            return {"removed": user_id}

        @app.get("/companies/{company_id}/check")
        def check(company_id: str, x_user: str = Header()) -> dict[str, bool]:
            return {"allowed": bool(ta.check(x_user, company_id, "open_backoffice"))}

    else:
        ata = AsyncTeamAccess(store)

        @app.delete("/companies/{company_id}/members/{user_id}")
        async def remove(company_id: str, user_id: str, x_user: str = Header()) -> dict[str, str]:
            await ata.members.remove(x_user, company_id, user_id)
            return {"removed": user_id}

        @app.get("/companies/{company_id}/check")
        async def check(company_id: str, x_user: str = Header()) -> dict[str, bool]:
            return {"allowed": bool(await ata.check(x_user, company_id, "open_backoffice"))}

    with TestClient(app) as client:
        plain = client.get("/companies/acme/check", headers={"X-User": "ben"})
        assert plain.json() == {"allowed": True}
        assert "teamaccess-token" not in plain.headers
        assert store.routed == []  # no token, no routing: the primary, as before

        removed = client.delete("/companies/acme/members/ben", headers={"X-User": "anna"})
        text = removed.headers["teamaccess-token"]
        token = ConsistencyToken.parse(text)
        assert token == ta.current_token()
        assert f"teamaccess_token={text}" in removed.headers["set-cookie"]
        assert "HttpOnly" in removed.headers["set-cookie"]

        after = client.get("/companies/acme/check", headers={"X-User": "ben"})  # the cookie
        assert after.json() == {"allowed": False}
        assert store.routed == [Consistency.at_least(token)]
        client.cookies.clear()
        by_header = client.get(
            "/companies/acme/check", headers={"X-User": "ben", "TeamAccess-Token": text}
        )
        assert by_header.json() == {"allowed": False}
        assert store.routed[-1] == Consistency.at_least(token)
        garbage = client.get(
            "/companies/acme/check", headers={"X-User": "ben", "TeamAccess-Token": "garbage"}
        )
        assert garbage.status_code == 200
        assert len(store.routed) == 2  # a malformed token is ignored


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_r_all_4_request_context_middleware_stamps_the_requests_events(flavour: str) -> None:
    """R-ALL-4: the events of a request's commands carry the client, the User-Agent and X-Request-ID."""
    from fastapi import FastAPI, Header
    from fastapi.testclient import TestClient

    from teamaccess import AsyncTeamAccess, MemoryStore
    from teamaccess.contrib.fastapi import RequestContextMiddleware

    store = MemoryStore()
    ta = TeamAccess(store)
    for name in ("anna", "ben"):
        ta.users.register(name, f"{name}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)
    if flavour == "sync":

        @app.post("/companies/{company_id}/members/{user_id}")
        def add(company_id: str, user_id: str, x_user: str = Header()) -> dict[str, str]:
            ta.members.add(x_user, company_id, user_id)
            return {"added": user_id}

    else:
        ata = AsyncTeamAccess(store)

        @app.post("/companies/{company_id}/members/{user_id}")
        async def add(company_id: str, user_id: str, x_user: str = Header()) -> dict[str, str]:
            await ata.members.add(x_user, company_id, user_id)
            return {"added": user_id}

    with TestClient(app) as client:
        answer = client.post(
            "/companies/acme/members/ben",
            headers={"X-User": "anna", "User-Agent": "Browser/1.0", "X-Request-ID": "req-7"},
        )
    assert answer.json() == {"added": "ben"}
    events = [m.event for m in ta.outbox.pending(limit=100)]
    assert events[-1].context is not None
    assert (events[-1].context.ip, events[-1].context.user_agent) == ("testclient", "Browser/1.0")
    assert events[-1].context.request_id == "req-7"
    assert all(e.context is None for e in events[:-1])  # made outside any request
