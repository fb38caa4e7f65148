"""The Django app of teamaccess."""

from __future__ import annotations

from django.apps import AppConfig


class TeamAccessConfig(AppConfig):
    """``teamaccess.contrib.django``: keeps users in step with ``AUTH_USER_MODEL``."""

    name = "teamaccess.contrib.django"
    label = "teamaccess"
    verbose_name = "teamaccess"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the user signals: saved users are synced, deleted ones erased."""
        from django.conf import settings
        from django.db.models.signals import post_save, pre_delete

        from teamaccess.contrib.django.users import erase_user, register_user

        post_save.connect(register_user, sender=settings.AUTH_USER_MODEL, weak=False)
        pre_delete.connect(erase_user, sender=settings.AUTH_USER_MODEL, weak=False)
