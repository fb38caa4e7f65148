"""``manage.py teamaccess_sync_users``: register every existing user, carry e-mails over."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from teamaccess.contrib.django.users import Synced, sync_user
from teamaccess.errors import TeamAccessError


class Command(BaseCommand):
    """A backfill of the ``post_save`` sync; running it again changes nothing."""

    help = (
        "Register every user of AUTH_USER_MODEL that has an e-mail with teamaccess, and "
        "carry changed e-mails over. Each user is its own transaction; exit status 1 "
        "when teamaccess refused some."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Sync each user in primary key order and print the counts."""
        counts: Counter[str] = Counter()
        for user in get_user_model()._default_manager.order_by("pk").iterator():
            try:
                counts[sync_user(user).value] += 1
            except TeamAccessError as error:
                counts["refused"] += 1
                self.stderr.write(f"user {user.pk}: {error}")
        names = [*(s.value for s in Synced), "refused"]
        self.stdout.write(", ".join(f"{counts[name]} {name}" for name in names))
        if counts["refused"]:
            raise SystemExit(1)
