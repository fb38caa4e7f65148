"""The signed-in user comes from the X-User header in these tests; the site's people."""

import pytest
from django.contrib.auth import get_user_model

pytest_plugins = ["teamaccess.contrib.django.testing"]


@pytest.fixture(autouse=True)
def _header_user(monkeypatch):
    """``request.user`` is the user named in ``X-User``, else Django's ``AnonymousUser``."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.auth.models import AnonymousUser

    def process_request(self, request):
        name = request.headers.get("X-User")
        request.user = get_user_model().objects.get(username=name) if name else AnonymousUser()

    monkeypatch.setattr(AuthenticationMiddleware, "process_request", process_request)


@pytest.fixture
def site(teamaccess):
    """Anna (main contact of ACME), ben and carla; Django users, registered by the signal."""
    users = {
        name: get_user_model().objects.create_user(name, f"{name}@example.com")
        for name in ("anna", "ben", "carla")
    }
    ids = {name: str(user.pk) for name, user in users.items()}
    teamaccess.companies.create(ids["anna"], "ACME", company_id="acme")
    return teamaccess, ids
