"""The signed-in user comes from the X-User header in these tests."""

import pytest

pytest_plugins = ["teamaccess.contrib.django.testing"]


@pytest.fixture(autouse=True)
def _header_user(monkeypatch):
    """``request.user`` is the user named in ``X-User``, else Django's ``AnonymousUser``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.auth.models import AnonymousUser

    def process_request(self, request):
        name = request.headers.get("X-User")
        request.user = get_user_model().objects.get(username=name) if name else AnonymousUser()

    monkeypatch.setattr(AuthenticationMiddleware, "process_request", process_request)
