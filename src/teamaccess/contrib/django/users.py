"""Users kept in step with Django's user model (``AUTH_USER_MODEL``).

- Saved (``post_save``, created or changed): a user with an e-mail is registered; a
  registered user whose e-mail changed gets the new one
  (``ta.users.change_email``, ``UserEmailChanged``);
  a user who adds an e-mail later is registered then. A user without an e-mail is
  left out. Each runs in the transaction of the save.
- Deleted (``pre_delete``): the person is erased (``ta.privacy.erase``): their memberships,
  seats and tags end as a removal ends them (R-MEM-7, R-MEM-10, R-SEAT-10, R-TAG-3),
  each with its event, and their address becomes a pseudonym, free for a new user.
  The acting user of those events is `SYNC_ACTOR`. Deleting the main contact of a
  company with other members raises ``MainContactRequired`` (R-MC-4) and the
  deletion rolls back: hand the role on first (as django-organizations'
  ``OwnershipRequired``).
- ``manage.py teamaccess_sync_users`` does the same for every existing user (a
  backfill); running it again changes nothing.
"""

from __future__ import annotations

import enum
import functools
import logging
from typing import Any

from teamaccess.contrib.django.conf import service, user_id
from teamaccess.errors import AccessDenied, TeamAccessError
from teamaccess.service.facade import TeamAccess

__all__ = ["SYNC_ACTOR", "Synced", "erase_user", "register_user", "sync_user"]

log = logging.getLogger("teamaccess.django")

SYNC_ACTOR = "django-user-sync"
"""The acting user of the events a user's deletion causes (a platform admin of the sync only)."""


class Synced(enum.Enum):
    """What `sync_user` did."""

    REGISTERED = "registered"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # no e-mail


def _email_field(user: Any) -> str:
    """The name of the user model's e-mail field (``EMAIL_FIELD``)."""
    return str(user.get_email_field_name()) if hasattr(user, "get_email_field_name") else "email"


def _email(user: Any) -> str:
    """The user's e-mail, or ``""``."""
    return str(getattr(user, _email_field(user), "") or "").strip()


def sync_user(user: Any) -> Synced:
    """Register the Django ``user``, or carry a change of its e-mail over.

    Raises:
        TeamAccessError: teamaccess refuses the e-mail (``InvalidEmail``, R-INV-4) or
            another user has it (``EmailTaken``).
    """
    email = _email(user)
    if not email:
        return Synced.SKIPPED
    uid = user_id(user)
    ta = service()
    known = ta.users.find(uid)
    if known is None:
        ta.users.register(uid, email, exist_ok=True)
        return Synced.REGISTERED
    if known.email == email or ta.users.change_email(uid, email).email == known.email:
        return Synced.UNCHANGED
    return Synced.UPDATED


def register_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` of the user model: `sync_user`, in the save's transaction.

    A save of other fields only (``update_fields``, as a login saves ``last_login``)
    reads nothing. A user teamaccess refuses (an e-mail it cannot use, or one another user has) is
    left as it was and logged; the host's save goes on.
    """
    if kwargs.get("raw"):  # loaddata: fixtures carry their own state
        return
    fields = kwargs.get("update_fields")
    if fields is not None and _email_field(instance) not in fields:  # a login's last_login
        return
    try:
        sync_user(instance)
    except TeamAccessError as error:
        log.warning("user %s not synced with teamaccess: %s", instance.pk, error)


@functools.cache
def _sync_service() -> TeamAccess:
    """The site's store, with `SYNC_ACTOR` as its only platform admin (erasure needs one)."""
    return TeamAccess(service().store, platform_admins=[SYNC_ACTOR], retries=0)


def erase_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_delete`` of the user model: erase the person, in the deletion's transaction.

    Raises:
        MainContactRequired: They are the main contact of a company with other
            members (R-MC-4): the deletion rolls back.
    """
    try:
        uid = user_id(instance)
    except AccessDenied:  # no teamaccess id (an empty USER_ID attribute): never registered
        return
    if service().users.find(uid) is not None:
        _sync_service().privacy.erase(SYNC_ACTOR, uid)
