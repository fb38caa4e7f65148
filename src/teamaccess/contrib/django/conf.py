"""The ``TEAMACCESS`` setting and the site's service.

```py
TEAMACCESS = {
    "DATABASE": "default",         # the Django database alias teamaccess's tables live in
    "PREFIX": "teamaccess_",       # their table prefix
    "PLATFORM_ADMINS": ["1"],      # user ids of platform admins (R-SEAT-4)
    "USER_ID": "pk",               # the user attribute that is the teamaccess user id
}
```
"""

from __future__ import annotations

import functools
from typing import Any

from teamaccess.domain.decisions import Decision
from teamaccess.errors import AccessDenied
from teamaccess.service.facade import TeamAccess

__all__ = ["DEFAULTS", "NOT_SIGNED_IN", "service", "setting", "signed_in", "user_id"]

DEFAULTS: dict[str, Any] = {
    "DATABASE": "default",
    "PREFIX": "teamaccess_",
    "PLATFORM_ADMINS": (),
    "USER_ID": "pk",
    "REQUEST_ID_HEADER": "X-Request-ID",
}
"""The settings a site does not give."""


def setting(name: str) -> Any:
    """One ``TEAMACCESS`` setting, or its default."""
    from django.conf import settings

    return {**DEFAULTS, **getattr(settings, "TEAMACCESS", {})}[name]


@functools.cache
def service() -> TeamAccess:
    """The site's ``TeamAccess`` on its [DjangoStore][teamaccess.contrib.django.store.DjangoStore].

    Commands are not retried after a serialization failure: inside the host's
    ``atomic()`` only the host can retry its whole unit of work.
    """
    from teamaccess.contrib.django.store import DjangoStore

    store = DjangoStore(setting("DATABASE"), prefix=setting("PREFIX"))
    admins = [str(admin) for admin in setting("PLATFORM_ADMINS")]
    return TeamAccess(store, platform_admins=admins, retries=0)


NOT_SIGNED_IN = Decision.deny("not_signed_in", "R-ALL-1", "sign in first")
"""The denial of a visitor who is not signed in: an anonymous user has no user id."""


def signed_in(user: Any) -> bool:
    """Whether ``user`` is a signed-in user (Django's ``is_authenticated``; ``None`` is not)."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def user_id(user: Any) -> str:
    """The teamaccess user id of a signed-in Django user (its ``USER_ID`` attribute, as text).

    Raises:
        AccessDenied: ``user`` is anonymous (``AnonymousUser``, ``None``): its ``pk``
            would read as the id ``"None"``, which a real user may have, and its
            ``username`` is empty. Never build a user id for a visitor who did not
            sign in (R-ALL-1); views and DRF answer them 401 before they get here.
    """
    if not signed_in(user):
        raise AccessDenied(NOT_SIGNED_IN)
    value = getattr(user, setting("USER_ID"))
    if value is None or value == "":
        raise AccessDenied(NOT_SIGNED_IN)
    return str(value)
