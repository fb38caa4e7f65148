"""Users the host makes known to the library: ``ta.users``.

Reads follow the convention of every namespace: ``get`` raises a
[NotFound][teamaccess.errors.NotFound] error, ``find`` and ``find_by_...`` return ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    UserEmailChanged,
    UserRegistered,
)
from teamaccess.domain.ids import (
    UserId,
    check_id,
)
from teamaccess.domain.inputs import check_attributes, check_bool
from teamaccess.domain.models import (
    User,
)
from teamaccess.domain.privacy import ERASED_DOMAIN
from teamaccess.errors import UnknownUser, UserAlreadyExists
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore
from teamaccess.service._domain_enrolment import DomainRegistration, enroll_by_domain

__all__ = ["Users", "register_user"]


class Users:
    """Users the host makes known to the library: ``ta.users``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def register(
        self,
        user_id: str,
        email: str,
        *,
        attributes: Mapping[str, str] | None = None,
        exist_ok: bool = False,
    ) -> User:
        """Make a host user known to the library.

        A host that mirrors its users calls this on every start with ``exist_ok=True``:
        a user already registered with this id and the same (normalized) e-mail is
        returned as stored, and nothing is written or emitted.

        A company whose verified domain matches the address acts on its mode in the
        same transaction (R-DOM-2): ``join`` adds the membership, ``invite`` issues an
        invitation, each with its events, after a ``DomainMatched``. To get the
        invitation's token or the match, call ``ta.domains.register`` instead.

        Raises:
            InvalidName: ``user_id`` is not a usable id.
            InvalidEmail: ``email`` cannot be normalized (R-INV-4).
            UserAlreadyExists: The id is taken (with ``exist_ok``: by a user with another
                e-mail).
            EmailTaken: Another user has the same normalized e-mail.
        """
        return register_user(
            self._core, user_id, email, attributes=attributes, exist_ok=exist_ok
        ).user

    def change_email(self, user_id: str, email: str) -> User:
        """Carry a change of the user's e-mail address in the host over (R-DOM-4).

        Memberships, seats, tags and pending invitations stay as they are; the change
        is reported as ``UserEmailChanged``, and a company whose verified domain matches
        the new address as ``DomainMatched``: nothing is added or removed (R-DOM-4).
        Earlier events that name the old address
        are rewritten to the new one, so that an erasure later finds every copy of it
        (R-CO-9). The same address again changes nothing and emits nothing.

        Raises:
            InvalidName: ``user_id`` is not a usable id.
            InvalidEmail: ``email`` cannot be normalized (R-INV-4).
            UnknownUser: No such user, or the user was erased (R-CO-9).
            EmailTaken: Another user has the same normalized e-mail.
        """
        check_id(user_id, "user")
        new = normalize_email(email)

        def work(tx: Transaction, now: datetime) -> User:
            tx.tags.lock_holders([UserId(user_id)])  # as erasure locks it (R-CO-9)
            user = self._core.user(tx, user_id)
            if user.email.endswith("@" + ERASED_DOMAIN):
                raise UnknownUser(user_id)
            if user.email == new:
                return user
            changed = User(user.id, new, user.attributes)
            tx.users.update(changed)
            tx.outbox.redact(user.email, new)
            resealed = tx.outbox.reseal()  # the audit chains the rewrite changed (issue 32)
            tx.outbox.append(
                UserEmailChanged(
                    occurred_at=now,
                    actor_id=user.id,
                    company_id=None,
                    user_id=user.id,
                    email=new,
                    resealed=len(resealed),
                )
            )
            enroll_by_domain(self._core, tx, now, changed, cause="email_changed")  # reports only
            return changed

        return self._core.command(work)

    def get(self, user_id: str) -> User:
        """Return the user or raise [UnknownUser][teamaccess.errors.UnknownUser]."""
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return self._core.user(tx, user_id)

    def find(self, user_id: str) -> User | None:
        """Return the user, or ``None`` if no user has this id."""
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return tx.users.get(UserId(user_id))

    def find_by_email(self, email: str) -> User | None:
        """Return the user with this e-mail after normalization, or ``None``."""
        normalized = normalize_email(email)
        with self._core.store.reader() as tx:
            return tx.users.get_by_email(normalized)


def register_user(
    core: ServiceCore,
    user_id: str,
    email: str,
    *,
    attributes: Mapping[str, str] | None = None,
    exist_ok: bool = False,
) -> DomainRegistration:
    """Register a user and act on a matching verified domain, in one transaction.

    ``Users.register`` and ``Domains.register`` both run this; see them.
    """
    user = User(
        UserId(check_id(user_id, "user")), normalize_email(email), check_attributes(attributes)
    )
    check_bool(exist_ok, "exist_ok")

    def work(tx: Transaction, now: datetime) -> DomainRegistration:
        existing = tx.users.get(user.id) if exist_ok else None
        if existing is not None:
            if existing.email != user.email:
                raise UserAlreadyExists(
                    f"user {user.id!r} exists with another e-mail address; "
                    "exist_ok returns a user only when id and e-mail match"
                )
            return DomainRegistration(existing)
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
        return enroll_by_domain(core, tx, now, user, cause="registered")

    return core.command(work)
