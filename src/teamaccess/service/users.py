"""Users the host makes known to the library: ``ta.users``.

Reads follow one convention: ``get`` raises [UnknownUser][teamaccess.errors.UnknownUser],
``find_by_email`` returns ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    UserRegistered,
)
from teamaccess.domain.ids import (
    UserId,
    check_id,
)
from teamaccess.domain.inputs import (
    check_attributes,
)
from teamaccess.domain.models import (
    User,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore

__all__ = ["Users"]


class Users:
    """Users the host makes known to the library: ``ta.users``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def register(
        self, user_id: str, email: str, *, attributes: Mapping[str, str] | None = None
    ) -> User:
        """Make a host user known to the library.

        Raises:
            InvalidName: ``user_id`` is not a usable id.
            InvalidEmail: ``email`` cannot be normalized (R-INV-4).
            UserAlreadyExists: The id is taken.
            EmailTaken: Another user has the same normalized e-mail.
        """
        user = User(
            UserId(check_id(user_id, "user")), normalize_email(email), check_attributes(attributes)
        )

        def work(tx: Transaction, now: datetime) -> User:
            tx.users.add(user)
            tx.outbox.append(
                UserRegistered(
                    occurred_at=now,
                    actor_id=user.id,
                    company_id=None,
                    user_id=user.id,
                    email=user.email,
                )
            )
            return user

        return self._core.command(work)

    def get(self, user_id: str) -> User:
        """Return the user or raise [UnknownUser][teamaccess.errors.UnknownUser]."""
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return self._core.user(tx, user_id)

    def find_by_email(self, email: str) -> User | None:
        """Return the user with this e-mail after normalization, or ``None``."""
        normalized = normalize_email(email)
        with self._core.store.reader() as tx:
            return tx.users.get_by_email(normalized)
