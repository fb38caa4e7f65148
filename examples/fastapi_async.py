"""FastAPI on an async driver: AsyncTeamAccess, and commands inside the request's transaction.

Each request that writes gets an ``AsyncConnection`` in a transaction (a dependency);
the host's own row (a billing account) and teamaccess's company are written in it, so
they commit together or not at all. Reads and checks use the service directly.

Run: ``python examples/fastapi_async.py`` (aiosqlite in a temporary file), or with
``TEAMACCESS_ASYNC_URL=postgresql+asyncpg://postgres@127.0.0.1/test``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from teamaccess import AsyncTeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import AccessDenied, Conflict

# --8<-- [start:app]
ACCOUNTS = sa.Table(  # the host's own table
    "billing_accounts",
    sa.MetaData(),
    sa.Column("company_id", sa.String(64), primary_key=True),
    sa.Column("plan", sa.String(20), nullable=False),
)


async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    """The request's transaction: committed if the endpoint returns, else rolled back."""
    async with request.app.state.engine.begin() as connection:
        yield connection


Tx = Annotated[AsyncConnection, Depends(transaction)]
User = Annotated[str, Header(alias="X-User")]


def create_app(engine: AsyncEngine, ata: AsyncTeamAccess) -> FastAPI:
    """The app: one service for the process, one transaction per writing request."""
    app = FastAPI()
    app.state.engine = engine

    @app.post("/companies/{company_id}", status_code=201)
    async def sign_up(company_id: str, plan: str, user: User, tx: Tx) -> dict[str, str]:
        await tx.execute(ACCOUNTS.insert().values(company_id=company_id, plan=plan))
        try:  # in a SAVEPOINT of the request's transaction, with its outbox events
            company = await ata.bind(tx).companies.create(user, company_id, company_id=company_id)
        except Conflict as error:  # the whole request rolls back: no account either
            raise HTTPException(409, str(error)) from error
        if plan not in ("basic", "pro"):
            raise HTTPException(422, f"unknown plan {plan!r}")  # rolls back both rows
        return {"id": company.id, "plan": plan}

    @app.get("/companies/{company_id}/members")
    async def members(company_id: str, user: User) -> list[str]:
        try:
            await ata.require(user, company_id, "view_members")
        except AccessDenied as error:
            raise HTTPException(403, error.decision.reason) from error
        return [m.user_id for m in await ata.members.list(user, company_id)]

    return app


# --8<-- [end:app]


# --8<-- [start:run]
async def main(url: str) -> list[tuple[str, int, object]]:
    """Sign up two companies (one with a bad plan), then read as a member and an outsider."""
    try:  # the ASGI client of Starlette >= 1.8, else the one before
        import httpx2 as httpx
    except ImportError:  # pragma: no cover - Python 3.10
        import httpx  # type: ignore[no-redef]

    engine = create_async_engine(url)
    store = SqlStore(engine, prefix="example_async_")
    await store.run_sync(store.create_schema)
    async with engine.begin() as connection:
        await connection.run_sync(ACCOUNTS.create, checkfirst=True)
    ata = AsyncTeamAccess(store)
    for user in ("anna", "ben"):
        await ata.users.register(user, f"{user}@example.com", exist_ok=True)
    transport = httpx.ASGITransport(app=create_app(engine, ata))
    answers = []
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            calls = [
                ("post", "/companies/acme?plan=pro", "anna"),
                ("post", "/companies/umbrella?plan=gold", "anna"),
                ("get", "/companies/acme/members", "anna"),
                ("get", "/companies/acme/members", "ben"),
                ("get", "/companies/umbrella/members", "anna"),
            ]
            for method, path, user in calls:
                response = await client.request(method, path, headers={"X-User": user})
                call = f"{method.upper()} {path} as {user}"
                answers.append((call, response.status_code, response.json()))
        async with engine.connect() as connection:
            plans = (await connection.execute(sa.select(ACCOUNTS.c.company_id))).scalars()
            answers.append(("billing accounts", 200, sorted(plans)))
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(ACCOUNTS.drop)
        await store.run_sync(store.drop_schema)
        await engine.dispose()
    return answers


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        default = f"sqlite+aiosqlite:///{Path(folder) / 'app.sqlite'}"
        for line in asyncio.run(main(os.environ.get("TEAMACCESS_ASYNC_URL", default))):
            print(*line)
# --8<-- [end:run]
