"""Read-only Django models over teamaccess's tables, for the admin pages.

Unmanaged (``managed = False``): Django never creates, alters or drops these tables
(``manage.py migrate`` makes them through the library, ``0001_initial``), and their
table names follow ``TEAMACCESS["PREFIX"]``. They are for reading: every change goes
through the library's commands, which apply the rules and write the outbox events
(R-ALL-4). Only a ``view`` permission exists for them.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from teamaccess.contrib.django.conf import setting

__all__ = ["Company", "Membership", "OutboxMessage", "SeatPool", "StoredJSONField", "table"]

ID = 64  # the library's id length


def table(name: str) -> str:
    """The name of teamaccess's table ``name`` with the site's prefix."""
    return f"{setting('PREFIX')}{name}"


class StoredJSONField(models.JSONField):
    """A JSON column as the library stores it: PostgreSQL's ``json`` arrives decoded."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        """The value as it is when the driver decoded it; else Django's decoding."""
        if isinstance(value, dict | list):
            return value
        return super().from_db_value(value, expression, connection)


class Company(models.Model):
    """A company (tenant)."""

    id = models.CharField(primary_key=True, max_length=ID)
    name = models.CharField(max_length=200)
    parent_id = models.CharField(max_length=ID, null=True)
    pricing_model = models.CharField(max_length=100, null=True)
    created_at = models.DateTimeField()
    suspended_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    merged_into = models.CharField(max_length=ID, null=True)

    class Meta:
        """Unmanaged, over the prefixed table; a view permission only."""

        app_label = "teamaccess"
        managed = False
        db_table = table("companies")
        verbose_name = "company"
        verbose_name_plural = "companies"
        ordering = ("id",)
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Membership(models.Model):
    """A user's membership in a company.

    The table's key is (company, user); Django sees ``company_id`` as the key, so the
    admin lists memberships and opens none on its own page.
    """

    company_id = models.CharField(primary_key=True, max_length=ID)
    user_id = models.CharField(max_length=ID)
    role = models.CharField(max_length=64)
    joined_at = models.DateTimeField()
    main_contact = models.BooleanField(null=True)
    show_as_contact = models.BooleanField()
    handler = models.BooleanField()
    origin = models.CharField(max_length=ID, null=True)
    extra_roles = models.TextField(null=True)  # further roles, one per line (R-ROLE-3)

    class Meta:
        """Unmanaged, over the prefixed table; a view permission only."""

        app_label = "teamaccess"
        managed = False
        db_table = table("memberships")
        verbose_name = "member"
        verbose_name_plural = "members"
        ordering = ("company_id", "user_id")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.user_id} in {self.company_id}"


class SeatPool(models.Model):
    """A seat pool (R-SEAT-1)."""

    id = models.CharField(primary_key=True, max_length=ID)
    company_id = models.CharField(max_length=ID, null=True)
    product_id = models.CharField(max_length=ID)
    title = models.CharField(max_length=200)
    leader_id = models.CharField(max_length=ID)
    seats = models.IntegerField()
    used = models.IntegerField()
    consumed = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        """Unmanaged, over the prefixed table; a view permission only."""

        app_label = "teamaccess"
        managed = False
        db_table = table("seat_pools")
        verbose_name = "seat pool"
        verbose_name_plural = "seat pools"
        ordering = ("id",)
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"


class OutboxMessage(models.Model):
    """An outbox event (R-ALL-4)."""

    position = models.BigIntegerField(primary_key=True)
    event_type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    actor_id = models.CharField(max_length=ID, null=True)
    company_id = models.CharField(max_length=ID, null=True)
    payload = StoredJSONField()
    delivered_at = models.DateTimeField(null=True)
    attempts = models.IntegerField()
    dead_at = models.DateTimeField(null=True)
    last_error = models.TextField(null=True)

    class Meta:
        """Unmanaged, over the prefixed table; a view permission only."""

        app_label = "teamaccess"
        managed = False
        db_table = table("outbox")
        verbose_name = "outbox event"
        verbose_name_plural = "outbox"
        ordering = ("-position",)
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.position} {self.event_type}"
