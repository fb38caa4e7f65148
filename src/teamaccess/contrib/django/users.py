"""Users kept in step with Django's user model."""

from __future__ import annotations

import logging
from typing import Any

from teamaccess.contrib.django.conf import service, user_id
from teamaccess.errors import TeamAccessError

log = logging.getLogger("teamaccess.django")


def register_user(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of the user model: a new user with an e-mail becomes a teamaccess user.

    Saved in the same transaction as the user; a user without an e-mail, or with one
    teamaccess refuses (R-INV-4), is left out and logged.
    """
    email = getattr(instance, "email", "")
    if not created or not email or kwargs.get("raw"):
        return
    try:
        service().users.register(user_id(instance), email, exist_ok=True)
    except TeamAccessError as error:
        log.warning("user %s not registered with teamaccess: %s", user_id(instance), error)
