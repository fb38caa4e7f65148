"""Erasure is final (R-CO-9): an erased person gets nothing back, also under a race.

``privacy.erase`` locks the person's user row (after their companies and pools, in the
order every command takes them) and keeps it until
it commits. Every command that hands a right to a person (an invitation accepted, a
seat, a membership) locks the same row and reads the user again under that lock with
[live_user][teamaccess.service._erasure.live_user]: it either commits before the
erasure starts, and the erasure then ends what it gave, or it sees the person erased
and is refused. The lock is ``TagGrants.lock_holders`` (the users' rows in id order;
a store whose writers never overlap needs none).
"""

from __future__ import annotations

from collections.abc import Sequence

from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.models import User
from teamaccess.domain.privacy import pseudonym_email
from teamaccess.errors import UnknownUser
from teamaccess.ports import Transaction

__all__ = ["is_erased", "live_user", "live_users", "require_not_erased"]


def is_erased(user: User) -> bool:
    """Whether the user was erased: their address is their pseudonym (R-CO-9)."""
    return user.email == pseudonym_email(user.id)


def require_not_erased(user: User) -> User:
    """Return ``user``, or raise `UnknownUser` if they were erased (R-CO-9).

    An erased person is, for every command that would give them something, a user
    the library does not know.
    """
    if is_erased(user):
        raise UnknownUser(user.id)
    return user


def live_user(tx: Transaction, user_id: str) -> User:
    """Lock the user's row, read the user again under the lock, and refuse an erased one.

    Raises:
        UnknownUser: No such user, or they were erased (R-CO-9).
    """
    uid = UserId(check_id(user_id, "user"))
    tx.tags.lock_holders([uid])
    user = tx.users.get(uid)
    if user is None:
        raise UnknownUser(user_id)
    return require_not_erased(user)


def live_users(tx: Transaction, users: Sequence[User]) -> None:
    """Lock the rows of ``users`` and refuse if any was erased meanwhile (R-CO-9)."""
    if not users:
        return
    ids = [user.id for user in users]
    tx.tags.lock_holders(ids)
    found = tx.users.get_many(ids)
    for user_id in ids:
        now = found.get(user_id)
        if now is None:
            raise UnknownUser(user_id)
        require_not_erased(now)
