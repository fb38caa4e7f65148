"""Read-only admin pages for companies, members, seat pools and the outbox.

They list what the library stored; nobody adds, changes or deletes through them (a
change goes through the library's commands, which apply the rules and emit events).
A staff user needs the ``view`` permission of each (a superuser has it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from teamaccess.contrib.django.models import Company, Membership, OutboxMessage, SeatPool

__all__ = ["ReadOnlyAdmin"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """A changelist to read: no add, change, delete or actions."""

    actions = None

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        """Nobody adds here."""
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        """Nobody changes here."""
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """Nobody deletes here."""
        return False


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    """The companies."""

    list_display = (
        "id",
        "name",
        "parent_id",
        "pricing_model",
        "created_at",
        "suspended_at",
        "closed_at",
    )
    search_fields = ("id", "name")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """The memberships, by company; none has a page of its own (the key is two columns)."""

    list_display = ("company_id", "user_id", "role", "main_contact", "show_as_contact", "joined_at")
    list_display_links = None
    list_filter = ("role",)
    search_fields = ("company_id", "user_id")

    def get_urls(self) -> list[Any]:
        """The changelist only."""
        return [url for url in super().get_urls() if url.name and url.name.endswith("_changelist")]


@admin.register(SeatPool)
class SeatPoolAdmin(ReadOnlyAdmin):
    """The seat pools with their use (R-SEAT-6)."""

    list_display = ("id", "title", "company_id", "product_id", "leader_id", "seats", "used")
    search_fields = ("id", "title", "company_id")


@admin.register(OutboxMessage)
class OutboxAdmin(ReadOnlyAdmin):
    """The outbox, newest first, with the relay's state."""

    list_display = (
        "position",
        "event_type",
        "company_id",
        "actor_id",
        "occurred_at",
        "delivered_at",
        "attempts",
        "dead_at",
    )
    list_filter = ("event_type",)
    search_fields = ("company_id", "actor_id")
