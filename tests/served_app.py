"""The app the uvicorn tests serve: ``uvicorn --factory tests.served_app:sync_app``.

It reads its SQLite file from TEAMACCESS_APP_DB and appends each relayed event's
position to TEAMACCESS_APP_OUT. ``sync_app`` runs TeamAccess on SQLite (checks in the
thread pool); ``async_app`` runs AsyncTeamAccess on aiosqlite.
"""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI, Header
from sqlalchemy.ext.asyncio import create_async_engine

from teamaccess import AsyncTeamAccess, Decision, TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.contrib.fastapi import add_problem_handlers, relay_lifespan, require
from teamaccess.relay import Envelope


def current_user(x_user: str = Header()) -> str:
    """The acting user; a real app reads its session or token."""
    return x_user


def path_company(company_id: str) -> str:
    """The company of the path."""
    return company_id


def _sink(envelope: Envelope) -> None:
    with open(os.environ["TEAMACCESS_APP_OUT"], "a", encoding="utf-8") as file:
        file.write(f"{envelope.position}\n")


def _app(ta: TeamAccess | AsyncTeamAccess, store: SqlStore) -> FastAPI:
    app = FastAPI(lifespan=relay_lifespan(store, _sink))
    add_problem_handlers(app)
    view = require("view_members", service=ta, user=current_user, company=path_company)

    async def call(method, *args):
        result = method(*args)
        return await result if isinstance(ta, AsyncTeamAccess) else result

    @app.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/companies/{company_id}/members")
    async def members(
        company_id: str, user: str = Depends(current_user), allowed: Decision = Depends(view)
    ) -> list[str]:
        return [m.user_id for m in await call(ta.members.list, user, company_id)]

    @app.post("/companies/{company_id}", status_code=201)
    async def create(
        company_id: str, name: str, user: str = Depends(current_user)
    ) -> dict[str, str]:
        company = await call(lambda: ta.companies.create(user, name, company_id=company_id))
        return {"id": company.id}

    @app.get("/users/{user_id}")
    async def user(user_id: str) -> dict[str, str]:
        found = await call(ta.users.get, user_id)
        return {"id": found.id, "email": found.email}

    return app


def sync_app() -> FastAPI:
    """TeamAccess on the SQLite file."""
    store = SqlStore.from_url(f"sqlite:///{os.environ['TEAMACCESS_APP_DB']}")
    return _app(TeamAccess(store), store)


def async_app() -> FastAPI:
    """AsyncTeamAccess on the same file through aiosqlite."""
    store = SqlStore(create_async_engine(f"sqlite+aiosqlite:///{os.environ['TEAMACCESS_APP_DB']}"))
    return _app(AsyncTeamAccess(store), store)
