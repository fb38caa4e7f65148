"""Django: teamaccess as an installed app, in the same transaction as the site's models.

``teamaccess.contrib.django`` keeps teamaccess's tables in Django's database (``manage.py
migrate``), runs its commands on Django's own connection inside ``transaction.atomic()``,
registers each new Django user, and guards views with ``@requires``. Run it: ``python
examples/django_views.py`` (a minimal site on in-memory SQLite, called through Django's
test client).
"""

# --8<-- [start:setup]
from __future__ import annotations

import django
from django.conf import settings

settings.configure(  # a project has these in settings.py
    SECRET_KEY="example only",  # noqa: S106 - a placeholder, not a secret
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "teamaccess.contrib.django",  # the app: tables, signals, commands
    ],
    MIDDLEWARE=["teamaccess.contrib.django.views.ProblemMiddleware"],  # errors as problems
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEAMACCESS={"PREFIX": "team_"},  # teamaccess's tables: team_companies, ...
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402 - after settings
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from teamaccess import Action  # noqa: E402
from teamaccess.contrib.django.conf import service  # noqa: E402
from teamaccess.contrib.django.views import requires  # noqa: E402

# --8<-- [end:setup]


# --8<-- [start:views]
def signed_in(request: HttpRequest) -> HttpRequest:
    """Sign in the user of the X-User header (a real site has sessions)."""
    request.user = User.objects.get(username=request.headers["X-User"])
    return request


@requires(Action.OPEN_BACKOFFICE)
def backoffice(request: HttpRequest, company_id: str) -> HttpResponse:
    """The back office: members only (R-MEM-6)."""
    members = service().members.list(str(request.user.pk), company_id)
    return JsonResponse({"team": [m.user_id for m in members]})


def hire(request: HttpRequest, company_id: str) -> HttpResponse:
    """A new Django user joins the company: one transaction for both (R-ALL-3)."""
    with transaction.atomic():
        hired = User.objects.create_user(request.POST["username"], request.POST["email"])
        service().members.add(str(request.user.pk), company_id, str(hired.pk))
    return JsonResponse({"hired": hired.username}, status=201)


urlpatterns = [
    path("companies/<str:company_id>/backoffice", lambda r, **kw: backoffice(signed_in(r), **kw)),
    path("companies/<str:company_id>/hire", lambda r, **kw: hire(signed_in(r), **kw)),
]
# --8<-- [end:views]


# --8<-- [start:run]
def main() -> None:
    from django.test import Client

    call_command("migrate", verbosity=0)  # Django's tables and teamaccess's
    anna = User.objects.create_user("anna", "anna@example.com")  # registered by the app
    User.objects.create_user("carla", "carla@example.com")
    service().companies.create(str(anna.pk), "ACME GmbH", company_id="acme")

    client = Client()
    for user in ("anna", "carla"):
        response = client.get("/companies/acme/backoffice", headers={"X-User": user})
        print(f"GET backoffice as {user}: {response.status_code} {response.json()}")
    for user, name in (("anna", "ben"), ("carla", "dora")):
        data = {"username": name, "email": f"{name}@example.com"}
        response = client.post("/companies/acme/hire", data, headers={"X-User": user})
        print(f"POST hire {name} as {user}: {response.status_code} {response.json()}")
    print("users:", sorted(User.objects.values_list("username", flat=True)))  # no dora
    call_command("teamaccess_relay", sink="stdout:", drain=True)  # or run it until SIGTERM


# --8<-- [end:run]


if __name__ == "__main__":
    main()
