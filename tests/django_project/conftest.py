"""The signed-in user comes from the X-User header in these tests."""

import pytest

pytest_plugins = ["teamaccess.contrib.django.testing"]


@pytest.fixture(autouse=True)
def _header_user(monkeypatch):
    """``request.user`` is the user named in ``X-User`` (a real site has sessions)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.middleware import AuthenticationMiddleware

    def process_request(self, request):
        name = request.headers.get("X-User")
        request.user = get_user_model().objects.get(username=name) if name else None

    monkeypatch.setattr(AuthenticationMiddleware, "process_request", process_request)
