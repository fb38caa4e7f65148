"""SQL storage of connected directories and their records (R-PROV-1, R-PROV-2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from teamaccess.adapters.sql._repo import Repo
from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.domain.provisioning import (
    Directory,
    GroupsAre,
    ProvisionedGroup,
    ProvisionedUser,
)
from teamaccess.errors import Conflict

__all__ = ["Directories"]


def _directory(row: Any) -> Directory:
    return Directory(
        company_id=CompanyId(row.company_id),
        token_hash=row.token_hash,
        groups=GroupsAre(row.groups_are),
        connected_by=UserId(row.connected_by),
        connected_at=row.connected_at,
    )


def _user(row: Any) -> ProvisionedUser:
    return ProvisionedUser(
        company_id=CompanyId(row.company_id),
        user_id=UserId(row.user_id),
        user_name=row.user_name,
        external_id=row.external_id,
        active=bool(row.active),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _group(row: Any) -> ProvisionedGroup:
    return ProvisionedGroup(
        company_id=CompanyId(row.company_id),
        group_id=row.group_id,
        display_name=row.display_name,
        external_id=row.external_id,
        target=row.target,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


class Directories(Repo):
    def get(self, company_id: CompanyId, *, for_update: bool = False) -> Directory | None:
        t = self._t.directories
        statement = sa.select(t).where(t.c.company_id == company_id)
        row = self._row(statement.with_for_update() if for_update else statement)
        return None if row is None else _directory(row)

    def by_token(self, token_hash: str) -> Directory | None:
        t = self._t.directories
        row = self._row(sa.select(t).where(t.c.token_hash == token_hash))
        return None if row is None else _directory(row)

    def put(self, directory: Directory) -> None:
        t = self._t.directories
        values = {
            "token_hash": directory.token_hash,
            "groups_are": directory.groups.value,
            "connected_by": directory.connected_by,
            "connected_at": directory.connected_at,
        }
        where = t.c.company_id == directory.company_id
        if self._c.execute(t.update().where(where), values).rowcount == 0:
            self._insert_one(t, {"company_id": directory.company_id, **values}, "directory")

    def remove(self, company_id: CompanyId) -> None:
        t = self._t
        for table in (t.directory_members, t.directory_groups, t.directory_users, t.directories):
            self._c.execute(table.delete().where(table.c.company_id == company_id))

    def user(self, company_id: CompanyId, user_id: UserId) -> ProvisionedUser | None:
        t = self._t.directory_users
        row = self._row(sa.select(t).where(t.c.company_id == company_id, t.c.user_id == user_id))
        return None if row is None else _user(row)

    def user_named(self, company_id: CompanyId, user_name: str) -> ProvisionedUser | None:
        t = self._t.directory_users
        statement = sa.select(t).where(t.c.company_id == company_id, t.c.user_name == user_name)
        # MariaDB compares case- and accent-insensitively: the name must match exactly
        found = [_user(r) for r in self._rows(statement)]
        return next((u for u in found if u.user_name == user_name), None)

    def users(self, company_id: CompanyId) -> Sequence[ProvisionedUser]:
        t = self._t.directory_users
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.user_id)
        return [_user(r) for r in self._rows(statement)]

    def put_user(self, user: ProvisionedUser) -> None:
        named = self.user_named(user.company_id, user.user_name)
        if named is not None and named.user_id != user.user_id:
            raise Conflict(f"userName {user.user_name!r} is taken in {user.company_id!r}")
        t = self._t.directory_users
        values = {
            "user_name": user.user_name,
            "external_id": user.external_id,
            "active": user.active,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
            "version": user.version,
        }
        where = sa.and_(t.c.company_id == user.company_id, t.c.user_id == user.user_id)
        if self._c.execute(t.update().where(where), values).rowcount == 0:
            key = {"company_id": user.company_id, "user_id": user.user_id}
            self._insert_one(t, {**key, **values}, f"directory user {user.user_id!r}")

    def remove_user(self, company_id: CompanyId, user_id: UserId) -> None:
        for t in (self._t.directory_members, self._t.directory_users):
            self._c.execute(t.delete().where(t.c.company_id == company_id, t.c.user_id == user_id))

    def group(self, company_id: CompanyId, group_id: str) -> ProvisionedGroup | None:
        t = self._t.directory_groups
        row = self._row(sa.select(t).where(t.c.company_id == company_id, t.c.group_id == group_id))
        return None if row is None else _group(row)

    def group_named(self, company_id: CompanyId, display_name: str) -> ProvisionedGroup | None:
        t = self._t.directory_groups
        statement = sa.select(t).where(
            t.c.company_id == company_id, t.c.display_name == display_name
        )
        # MariaDB compares case- and accent-insensitively: the name must match exactly
        found = [_group(r) for r in self._rows(statement)]
        return next((g for g in found if g.display_name == display_name), None)

    def groups(self, company_id: CompanyId) -> Sequence[ProvisionedGroup]:
        t = self._t.directory_groups
        statement = sa.select(t).where(t.c.company_id == company_id).order_by(t.c.group_id)
        return [_group(r) for r in self._rows(statement)]

    def put_group(self, group: ProvisionedGroup) -> None:
        named = self.group_named(group.company_id, group.display_name)
        if named is not None and named.group_id != group.group_id:
            raise Conflict(f"group {group.display_name!r} exists in {group.company_id!r}")
        t = self._t.directory_groups
        values = {
            "display_name": group.display_name,
            "external_id": group.external_id,
            "target": group.target,
            "created_at": group.created_at,
            "updated_at": group.updated_at,
            "version": group.version,
        }
        where = sa.and_(t.c.company_id == group.company_id, t.c.group_id == group.group_id)
        if self._c.execute(t.update().where(where), values).rowcount == 0:
            key = {"company_id": group.company_id, "group_id": group.group_id}
            self._insert_one(t, {**key, **values}, f"directory group {group.group_id!r}")

    def remove_group(self, company_id: CompanyId, group_id: str) -> None:
        for t in (self._t.directory_members, self._t.directory_groups):
            self._c.execute(
                t.delete().where(t.c.company_id == company_id, t.c.group_id == group_id)
            )

    def members(self, company_id: CompanyId, group_id: str) -> Sequence[UserId]:
        t = self._t.directory_members
        statement = (
            sa.select(t.c.user_id)
            .where(t.c.company_id == company_id, t.c.group_id == group_id)
            .order_by(t.c.user_id)
        )
        return [UserId(r.user_id) for r in self._rows(statement)]

    def groups_of(self, company_id: CompanyId, user_id: UserId) -> Sequence[str]:
        t = self._t.directory_members
        statement = (
            sa.select(t.c.group_id)
            .where(t.c.company_id == company_id, t.c.user_id == user_id)
            .order_by(t.c.group_id)
        )
        return [r.group_id for r in self._rows(statement)]

    def set_member(
        self, company_id: CompanyId, group_id: str, user_id: UserId, in_group: bool
    ) -> None:
        t = self._t.directory_members
        key = {"company_id": company_id, "group_id": group_id, "user_id": user_id}
        where = sa.and_(*(t.c[k] == v for k, v in key.items()))
        present = self._row(sa.select(t.c.user_id).where(where)) is not None
        if in_group and not present:
            self._insert_one(t, key, f"member {user_id!r} of group {group_id!r}")
        elif not in_group and present:
            self._c.execute(t.delete().where(where))

    def of_user(self, user_id: UserId) -> Sequence[ProvisionedUser]:
        t = self._t.directory_users
        statement = sa.select(t).where(t.c.user_id == user_id).order_by(t.c.company_id)
        return [_user(r) for r in self._rows(statement)]
