"""A FastAPI app whose endpoints are guarded by teamaccess decisions, with an outbox consumer.

- ``GET /companies/{id}/members``: members only (R-MEM-6); 403 says why, with the rule.
- ``PUT /companies/{id}/profile``: the main contact only (R-MC-2).
- ``GET /companies/{id}/can/{action}``: the decision itself, for the front end.

The acting user comes from the ``X-User`` header here; a real app takes it from its
session or token. A relay thread delivers outbox events while the app runs: a failed
delivery is retried with backoff, and parked as dead after its last attempt.
Run it: ``python examples/fastapi_app.py`` (it calls itself through FastAPI's test
client), or serve ``create_app()`` with any ASGI server.
"""

# --8<-- [start:app]
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel

from teamaccess import Decision, MemoryStore, TeamAccess
from teamaccess.contrib.fastapi import add_problem_handlers, relay_lifespan
from teamaccess.relay import Envelope

Deliver = Callable[[Envelope], None]


class Profile(BaseModel):
    """The body of a profile edit."""

    name: str


def decision_json(decision: Decision) -> dict[str, object]:
    """A decision as the front end reads it."""
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "rule": decision.rule,
        "detail": decision.detail,
    }


def service(request: Request) -> TeamAccess:
    """The app's TeamAccess (built once, at startup)."""
    ta: TeamAccess = request.app.state.teamaccess
    return ta


def current_user(x_user: Annotated[str, Header()]) -> str:
    """The acting user; your session or token check goes here."""
    return x_user


Service = Annotated[TeamAccess, Depends(service)]
CurrentUser = Annotated[str, Depends(current_user)]


def create_app(ta: TeamAccess, deliver: Deliver | None = None) -> FastAPI:
    """The app, on a TeamAccess the host built (SqlStore in production)."""
    # The relay runs while the app serves and drains the outbox when it stops.
    lifespan = None if deliver is None else relay_lifespan(ta.store, deliver)
    app = FastAPI(title="teamaccess example", lifespan=lifespan)
    app.state.teamaccess = ta
    add_problem_handlers(app)  # AccessDenied -> 403, NotFound -> 404, ... as problem+json

    @app.get("/companies/{company_id}/members")
    def members(company_id: str, user: CurrentUser, ta: Service) -> list[dict[str, object]]:
        return [
            {"user": m.user_id, "role": m.role, "main_contact": m.is_main_contact}
            for m in ta.members.list(user, company_id)  # raises NotAMember -> 403
        ]

    @app.put("/companies/{company_id}/profile")
    def edit_profile(
        company_id: str, body: Profile, user: CurrentUser, ta: Service
    ) -> dict[str, str]:
        company = ta.companies.update_profile(user, company_id, name=body.name)
        return {"id": company.id, "name": company.name}

    @app.get("/companies/{company_id}/can/{action}")
    def can(company_id: str, action: str, user: CurrentUser, ta: Service) -> dict[str, object]:
        return decision_json(ta.check(user, company_id, action))

    return app


# --8<-- [end:app]


# --8<-- [start:run]
def demo_service() -> TeamAccess:
    """A service where anna (main contact) and ben work for ACME; carla does not."""
    ta = TeamAccess(MemoryStore())
    for user in ("anna", "ben", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    return ta


def requests() -> Iterator[tuple[str, str, str, dict[str, str] | None]]:
    """(method, path, user, body) of the calls the demo makes."""
    yield "GET", "/companies/acme/members", "ben", None
    yield "GET", "/companies/acme/members", "carla", None
    yield "PUT", "/companies/acme/profile", "ben", {"name": "ACME AG"}
    yield "PUT", "/companies/acme/profile", "anna", {"name": "ACME AG"}
    yield "GET", "/companies/acme/can/manage_team", "ben", None
    yield "GET", "/companies/nope/members", "ben", None


def main() -> None:
    from fastapi.testclient import TestClient

    delivered: list[Envelope] = []
    ta = demo_service()
    with TestClient(create_app(ta, delivered.append)) as client:
        for method, path, user, body in requests():
            response = client.request(method, path, headers={"X-User": user}, json=body)
            print(f"{method} {path} as {user}: {response.status_code} {response.json()}")
    print("events delivered while serving:", [e.type for e in delivered])


# --8<-- [end:run]


if __name__ == "__main__":
    main()
