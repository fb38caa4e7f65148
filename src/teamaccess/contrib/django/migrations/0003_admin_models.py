"""Unmanaged models over teamaccess's tables, for the read-only admin pages.

``managed = False``: nothing is created or dropped here (``0001_initial`` makes the
tables); the table names follow ``TEAMACCESS["PREFIX"]``, read when this runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations, models

from teamaccess.contrib.django.models import StoredJSONField, table


class Migration(migrations.Migration):
    """The admin's models (no SQL on any database)."""

    dependencies: ClassVar[list[tuple[str, str]]] = [
        ("teamaccess", "0002_library_schema"),
    ]

    operations: ClassVar[list[Any]] = [
        migrations.CreateModel(
            name="Company",
            fields=[
                ("id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200)),
                ("parent_id", models.CharField(max_length=64, null=True)),
                ("pricing_model", models.CharField(max_length=100, null=True)),
                ("created_at", models.DateTimeField()),
                ("suspended_at", models.DateTimeField(null=True)),
                ("closed_at", models.DateTimeField(null=True)),
                ("merged_into", models.CharField(max_length=64, null=True)),
            ],
            options={
                "verbose_name": "company",
                "verbose_name_plural": "companies",
                "db_table": table("companies"),
                "ordering": ("id",),
                "managed": False,
                "default_permissions": ("view",),
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("company_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("user_id", models.CharField(max_length=64)),
                ("role", models.CharField(max_length=64)),
                ("joined_at", models.DateTimeField()),
                ("main_contact", models.BooleanField(null=True)),
                ("show_as_contact", models.BooleanField()),
                ("handler", models.BooleanField()),
                ("origin", models.CharField(max_length=64, null=True)),
            ],
            options={
                "verbose_name": "member",
                "verbose_name_plural": "members",
                "db_table": table("memberships"),
                "ordering": ("company_id", "user_id"),
                "managed": False,
                "default_permissions": ("view",),
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("position", models.BigIntegerField(primary_key=True, serialize=False)),
                ("event_type", models.CharField(max_length=64)),
                ("occurred_at", models.DateTimeField()),
                ("actor_id", models.CharField(max_length=64, null=True)),
                ("company_id", models.CharField(max_length=64, null=True)),
                ("payload", StoredJSONField()),
                ("delivered_at", models.DateTimeField(null=True)),
                ("attempts", models.IntegerField()),
                ("dead_at", models.DateTimeField(null=True)),
                ("last_error", models.TextField(null=True)),
            ],
            options={
                "verbose_name": "outbox event",
                "verbose_name_plural": "outbox",
                "db_table": table("outbox"),
                "ordering": ("-position",),
                "managed": False,
                "default_permissions": ("view",),
            },
        ),
        migrations.CreateModel(
            name="SeatPool",
            fields=[
                ("id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("company_id", models.CharField(max_length=64, null=True)),
                ("product_id", models.CharField(max_length=64)),
                ("title", models.CharField(max_length=200)),
                ("leader_id", models.CharField(max_length=64)),
                ("seats", models.IntegerField()),
                ("used", models.IntegerField()),
                ("consumed", models.IntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "seat pool",
                "verbose_name_plural": "seat pools",
                "db_table": table("seat_pools"),
                "ordering": ("id",),
                "managed": False,
                "default_permissions": ("view",),
            },
        ),
    ]
