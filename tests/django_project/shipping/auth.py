"""DRF authentication for the tests: the user the site's middleware signed in."""

from rest_framework.authentication import BaseAuthentication


class SiteUser(BaseAuthentication):
    """DRF sees the Django request's user."""

    def authenticate(self, request):
        """The Django request's user, if signed in."""
        user = request._request.user
        return (user, None) if user.is_authenticated else None
