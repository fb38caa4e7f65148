"""``manage.py teamaccess_explain USER ACTION COMPANY``: a decision with its reason and rule."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from teamaccess.contrib.django.conf import service


class Command(BaseCommand):
    """Print the decision; exit status 1 when denied."""

    help = "Decide whether USER may do ACTION in COMPANY, with the reason and rule."

    def add_arguments(self, parser: Any) -> None:
        """The user id, the action, the company id."""
        parser.add_argument("user")
        parser.add_argument("action")
        parser.add_argument("company")

    def handle(self, *args: Any, **options: Any) -> None:
        """Decide and print."""
        decision = service().check(options["user"], options["company"], options["action"])
        self.stdout.write(str(decision))
        if not decision:
            raise SystemExit(1)
