"""The repository of connected directories and their records (R-PROV-1, R-PROV-2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.provisioning import Directory, ProvisionedGroup, ProvisionedUser

__all__ = ["Directories"]


class Directories(Protocol):
    """A company's directory connection, found by company or by token hash, and its records."""

    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Directory | None:
        """The company's directory or ``None``; ``for_update`` locks its row."""
        ...

    def by_token(self, token_hash: str) -> Directory | None:
        """The directory whose token hashes to ``token_hash``, or ``None``."""
        ...

    def put(self, directory: Directory) -> None:
        """Insert or replace the company's directory (one per company)."""
        ...

    def remove(self, company_id: CompanyId) -> None:
        """Forget the company's directory and every record of it."""
        ...

    def user(self, company_id: CompanyId, user_id: UserId) -> ProvisionedUser | None:
        """The directory's record of the user, or ``None``."""
        ...

    def user_named(self, company_id: CompanyId, user_name: str) -> ProvisionedUser | None:
        """The directory's user with this ``userName``, or ``None``."""
        ...

    def users(self, company_id: CompanyId) -> Sequence[ProvisionedUser]:
        """The directory's users, ordered by user id."""
        ...

    def put_user(self, user: ProvisionedUser) -> None:
        """Insert or replace the record; raise ``Conflict`` if its ``userName`` is taken."""
        ...

    def remove_user(self, company_id: CompanyId, user_id: UserId) -> None:
        """Forget the record and the user's place in groups (nothing if there is none)."""
        ...

    def group(self, company_id: CompanyId, group_id: str) -> ProvisionedGroup | None:
        """The directory's group, or ``None``."""
        ...

    def group_named(self, company_id: CompanyId, display_name: str) -> ProvisionedGroup | None:
        """The directory's group with this ``displayName``, or ``None``."""
        ...

    def groups(self, company_id: CompanyId) -> Sequence[ProvisionedGroup]:
        """The directory's groups, ordered by group id."""
        ...

    def put_group(self, group: ProvisionedGroup) -> None:
        """Insert or replace the group's record; raise ``Conflict`` if its name is taken."""
        ...

    def remove_group(self, company_id: CompanyId, group_id: str) -> None:
        """Forget the group's record and its members (nothing if there is none)."""
        ...

    def members(self, company_id: CompanyId, group_id: str) -> Sequence[UserId]:
        """The group's members, sorted."""
        ...

    def groups_of(self, company_id: CompanyId, user_id: UserId) -> Sequence[str]:
        """The ids of the directory's groups the user is in, sorted."""
        ...

    def set_member(
        self, company_id: CompanyId, group_id: str, user_id: UserId, in_group: bool
    ) -> None:
        """Put the user in the group, or take them out (nothing if already so)."""
        ...

    def of_user(self, user_id: UserId) -> Sequence[ProvisionedUser]:
        """Every directory's record of the user, ordered by company (erasure, export)."""
        ...
