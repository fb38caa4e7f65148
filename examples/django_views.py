"""Django: a view guarded by a teamaccess decision, and the outbox as a management command.

A Django project keeps one ``TeamAccess`` per process (here in this module; in a
project, in ``yourapp/access.py`` on ``SqlStore(create_engine(DATABASE_URL))``), checks
decisions in views with a decorator, and drains the outbox with a management command
run by cron or a worker. Run it: ``python examples/django_views.py`` (it configures a
minimal Django and calls its views through Django's test client).
"""

# --8<-- [start:setup]
from __future__ import annotations

import functools
from collections.abc import Callable

import django
from django.conf import settings

settings.configure(  # a project has these in settings.py
    SECRET_KEY="example only",  # noqa: S106 - a placeholder, not a secret
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()

from django.core.management.base import BaseCommand  # noqa: E402 - after settings
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from teamaccess import Action, MemoryStore, TeamAccess  # noqa: E402
from teamaccess.errors import NotFound  # noqa: E402
from teamaccess.relay import Envelope, Relay  # noqa: E402

ta = TeamAccess(MemoryStore())  # production: TeamAccess(SqlStore(...))
# --8<-- [end:setup]


# --8<-- [start:decorator]
View = Callable[..., HttpResponse]


def acting_user(request: HttpRequest) -> str:
    """The acting user: ``request.user.username`` with Django's auth; a header here."""
    return request.headers.get("X-User", "")


def require(action: Action | str) -> Callable[[View], View]:
    """Let the view run only if the user may do ``action`` in the URL's company."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, company_id: str, **kwargs: object) -> HttpResponse:
            decision = ta.check(acting_user(request), company_id, action)
            if not decision:
                body = {"reason": decision.reason, "rule": decision.rule, "detail": decision.detail}
                return JsonResponse(body, status=403)
            return view(request, company_id, **kwargs)

        return guarded

    return decorate


@require(Action.OPEN_BACKOFFICE)
def backoffice(request: HttpRequest, company_id: str) -> HttpResponse:
    """The back office: members only (R-MEM-6)."""
    members = ta.members.list(acting_user(request), company_id)
    return JsonResponse({"team": [m.user_id for m in members]})


@require(Action.EDIT_PROFILE)
def edit_profile(request: HttpRequest, company_id: str) -> HttpResponse:
    """The profile editor: the main contact only (R-MC-2)."""
    try:
        company = ta.companies.update_profile(
            acting_user(request), company_id, name=request.POST["name"]
        )
    except NotFound as missing:
        return JsonResponse({"error": str(missing)}, status=404)
    return JsonResponse({"name": company.name})


urlpatterns = [
    path("companies/<str:company_id>/backoffice", backoffice),
    path("companies/<str:company_id>/profile", edit_profile),
]
# --8<-- [end:decorator]


# --8<-- [start:command]
delivered: list[Envelope] = []  # stands for your CRM, mailer or message broker


class Command(BaseCommand):
    """``manage.py drain_outbox``: a relay run until nothing is due (cron or a worker)."""

    help = "Deliver teamaccess outbox events (at least once, per company in order)."

    def handle(self, *args: object, **options: object) -> None:
        """Deliver batch after batch; failures are retried later, or parked as dead."""
        count = Relay(ta.store, delivered.append).drain()  # leases: two crons never collide
        self.stdout.write(f"{count} events delivered")


# --8<-- [end:command]


# --8<-- [start:run]
def main() -> None:
    from django.test import Client

    for user in ("anna", "ben", "carla"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")

    client = Client()
    statuses = []
    for user in ("ben", "carla"):
        response = client.get("/companies/acme/backoffice", headers={"X-User": user})
        print(f"GET backoffice as {user}: {response.status_code} {response.json()}")
        statuses.append(response.status_code)
    for user in ("ben", "anna"):
        response = client.post(
            "/companies/acme/profile", {"name": "ACME AG"}, headers={"X-User": user}
        )
        print(f"POST profile as {user}: {response.status_code} {response.json()}")
        statuses.append(response.status_code)
    assert statuses == [200, 403, 403, 200]
    assert ta.companies.get("acme").name == "ACME AG"
    Command().handle()
    print("event types:", sorted({envelope.type for envelope in delivered}))
    assert ta.outbox.pending() == []


# --8<-- [end:run]


if __name__ == "__main__":
    main()
