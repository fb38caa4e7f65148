"""``manage.py teamaccess_explain USER ACTION COMPANY``: a decision with its reason and rule."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError, ValidationError
from django.core.management.base import BaseCommand, CommandError

from teamaccess.contrib.django.conf import service, setting, user_id

UNKNOWN_USER = 2
"""The exit status for a USER that names no user (a denial exits 1)."""


def find_user(given: str) -> Any:
    """The Django user ``given`` names: its teamaccess id, its username, or its e-mail.

    Tried in that order: the ``USER_ID`` attribute (the primary key by default), the
    model's ``USERNAME_FIELD``, then its e-mail field (case-insensitive).

    Raises:
        CommandError: No user, or several users with this e-mail (exit status 2).
    """
    model = get_user_model()
    users = model._default_manager
    email_field = (
        model.get_email_field_name() if hasattr(model, "get_email_field_name") else "email"
    )
    lookups = [
        {setting("USER_ID"): given},
        {model.USERNAME_FIELD: given},
        {f"{email_field}__iexact": given},
    ]
    for lookup in lookups:
        try:
            found = list(users.filter(**lookup)[:2])
        except (ValueError, TypeError, ValidationError, FieldError):  # not that field's value
            continue
        if len(found) == 1:
            return found[0]
        if found:
            raise CommandError(
                f"{given!r} names several users; give the id or the username",
                returncode=UNKNOWN_USER,
            )
    raise CommandError(
        f"unknown user {given!r}: no user has this id, {model.USERNAME_FIELD} or e-mail",
        returncode=UNKNOWN_USER,
    )


class Command(BaseCommand):
    """Print the decision; exit status 1 when denied, 2 for an unknown user."""

    help = (
        "Decide whether USER may do ACTION in COMPANY, with the reason and rule. USER is "
        "the user's teamaccess id (its primary key by default), username or e-mail."
    )

    def add_arguments(self, parser: Any) -> None:
        """The user (id, username or e-mail), the action, the company id."""
        parser.add_argument("user", help="the user's id, username or e-mail")
        parser.add_argument("action")
        parser.add_argument("company")

    def handle(self, *args: Any, **options: Any) -> None:
        """Find the user, decide and print."""
        uid = user_id(find_user(options["user"]))
        decision = service().check(uid, options["company"], options["action"])
        self.stdout.write(str(decision))
        if not decision:
            raise SystemExit(1)
