"""In-memory directories and their records (R-PROV-1, R-PROV-2), foreign keys checked."""

from __future__ import annotations

from collections.abc import Sequence

from teamaccess.adapters.memory._repo import Repo, require
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.provisioning import Directory, ProvisionedGroup, ProvisionedUser
from teamaccess.errors import Conflict

__all__ = ["MemoryDirectories"]


class MemoryDirectories(Repo):
    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Directory | None:
        return self._t.directories.get(company_id)  # the store's lock serializes writers

    def by_token(self, token_hash: str) -> Directory | None:
        company_id = self._t.directory_by_hash.get(token_hash)
        return None if company_id is None else self._t.directories.get(company_id)

    def put(self, directory: Directory) -> None:
        require(directory.company_id in self._t.companies, "company", directory.company_id)
        require(directory.connected_by in self._t.users, "user", directory.connected_by)
        old = self._t.directories.get(directory.company_id)
        if old is not None:
            self._j.pop(self._t.directory_by_hash, old.token_hash)
        if directory.token_hash in self._t.directory_by_hash:
            raise Conflict("a directory with this token hash exists already")
        self._j.put(self._t.directories, directory.company_id, directory)
        self._j.put(self._t.directory_by_hash, directory.token_hash, directory.company_id)

    def remove(self, company_id: CompanyId) -> None:
        old = self._t.directories.get(company_id)
        if old is not None:
            self._j.pop(self._t.directory_by_hash, old.token_hash)
            self._j.pop(self._t.directories, company_id)
        for user in self.users(company_id):
            self._j.pop(self._t.directory_users, (company_id, user.user_id))
        for group in self.groups(company_id):
            self.remove_group(company_id, group.group_id)

    def user(self, company_id: CompanyId, user_id: UserId) -> ProvisionedUser | None:
        return self._t.directory_users.get((company_id, user_id))

    def user_named(self, company_id: CompanyId, user_name: str) -> ProvisionedUser | None:
        return next((u for u in self.users(company_id) if u.user_name == user_name), None)

    def users(self, company_id: CompanyId) -> Sequence[ProvisionedUser]:
        found = [u for (c, _), u in self._t.directory_users.items() if c == company_id]
        return sorted(found, key=lambda u: u.user_id)

    def put_user(self, user: ProvisionedUser) -> None:
        require(user.company_id in self._t.directories, "directory", user.company_id)
        require(user.user_id in self._t.users, "user", user.user_id)
        named = self.user_named(user.company_id, user.user_name)
        if named is not None and named.user_id != user.user_id:
            raise Conflict(f"userName {user.user_name!r} is taken in {user.company_id!r}")
        self._j.put(self._t.directory_users, (user.company_id, user.user_id), user)

    def remove_user(self, company_id: CompanyId, user_id: UserId) -> None:
        for group_id in self.groups_of(company_id, user_id):
            self._j.pop(self._t.directory_members, (company_id, group_id, user_id))
        if (company_id, user_id) in self._t.directory_users:
            self._j.pop(self._t.directory_users, (company_id, user_id))

    def group(self, company_id: CompanyId, group_id: str) -> ProvisionedGroup | None:
        return self._t.directory_groups.get((company_id, group_id))

    def group_named(self, company_id: CompanyId, display_name: str) -> ProvisionedGroup | None:
        return next((g for g in self.groups(company_id) if g.display_name == display_name), None)

    def groups(self, company_id: CompanyId) -> Sequence[ProvisionedGroup]:
        found = [g for (c, _), g in self._t.directory_groups.items() if c == company_id]
        return sorted(found, key=lambda g: g.group_id)

    def put_group(self, group: ProvisionedGroup) -> None:
        require(group.company_id in self._t.directories, "directory", group.company_id)
        named = self.group_named(group.company_id, group.display_name)
        if named is not None and named.group_id != group.group_id:
            raise Conflict(f"group {group.display_name!r} exists in {group.company_id!r}")
        self._j.put(self._t.directory_groups, (group.company_id, group.group_id), group)

    def remove_group(self, company_id: CompanyId, group_id: str) -> None:
        for user_id in self.members(company_id, group_id):
            self._j.pop(self._t.directory_members, (company_id, group_id, user_id))
        if (company_id, group_id) in self._t.directory_groups:
            self._j.pop(self._t.directory_groups, (company_id, group_id))

    def members(self, company_id: CompanyId, group_id: str) -> Sequence[UserId]:
        return sorted(
            u for (c, g, u) in self._t.directory_members if (c, g) == (company_id, group_id)
        )

    def groups_of(self, company_id: CompanyId, user_id: UserId) -> Sequence[str]:
        return sorted(
            g for (c, g, u) in self._t.directory_members if (c, u) == (company_id, user_id)
        )

    def set_member(
        self, company_id: CompanyId, group_id: str, user_id: UserId, in_group: bool
    ) -> None:
        key = (company_id, group_id, user_id)
        if in_group and key not in self._t.directory_members:
            require((company_id, group_id) in self._t.directory_groups, "group", group_id)
            require((company_id, user_id) in self._t.directory_users, "user", user_id)
            self._j.put(self._t.directory_members, key, None)
        elif not in_group and key in self._t.directory_members:
            self._j.pop(self._t.directory_members, key)

    def of_user(self, user_id: UserId) -> Sequence[ProvisionedUser]:
        found = [u for (_, uid), u in self._t.directory_users.items() if uid == user_id]
        return sorted(found, key=lambda u: u.company_id)
