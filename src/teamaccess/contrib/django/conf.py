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

from teamaccess.service.facade import TeamAccess

__all__ = ["DEFAULTS", "service", "setting"]

DEFAULTS: dict[str, Any] = {
    "DATABASE": "default",
    "PREFIX": "teamaccess_",
    "PLATFORM_ADMINS": (),
    "USER_ID": "pk",
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


def user_id(user: Any) -> str:
    """The teamaccess user id of a Django user (its ``USER_ID`` attribute, as text)."""
    return str(getattr(user, setting("USER_ID")))
