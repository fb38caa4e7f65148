"""Directory provisioning: ``ta.provisioning`` (R-PROV-1, R-PROV-2).

An admin connects the company's directory and gets a bearer token (``connect``); the
identity provider then creates, changes and removes the company's people and groups
with that token, through [teamaccess.scim][teamaccess.scim] or any other front end
calling the token methods below. Each of those is one command: it finds the directory
by the token's hash, and runs the library's own commands as the admin who connected
it (``members.add``, ``members.remove``, ``members.add_role``, ``seats.enroll``...)
inside its one transaction, so the admin's authority, the seat and tag rules and the
events are exactly those of the same change made by hand (R-ALL-3, R-ALL-4).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import attrs

from teamaccess.domain.decisions import Action
from teamaccess.domain.domains import domain_of
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import stamp
from teamaccess.domain.gate import company_gate
from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.inputs import check_bool, check_count
from teamaccess.domain.models import Company
from teamaccess.domain.provisioning import (
    Directory,
    DirectoryGroup,
    DirectoryUser,
    GroupsAre,
    ProvisionedGroup,
    ProvisionedUser,
    check_display_name,
    check_external_id,
    check_groups_are,
    check_token,
    check_user_name,
    token_hash,
)
from teamaccess.domain.provisioning_events import (
    DirectoryConnected,
    DirectoryDisconnected,
    DirectoryGroupChanged,
    DirectoryUserChanged,
)
from teamaccess.domain.seats import PoolId
from teamaccess.errors import (
    AccessDenied,
    DirectoryActorRequired,
    DirectoryNameTaken,
    DirectoryVersionMismatch,
    EmailTaken,
    InvalidInput,
    InvalidProvisioningToken,
    UnknownDirectoryResource,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore, raise_if_denied
from teamaccess.service._enrolment import find_product, lock_pool
from teamaccess.service._sight import sighted
from teamaccess.service._tagging import take_seat
from teamaccess.service.members import Members
from teamaccess.service.seats import Seats
from teamaccess.service.users import Users, register_user

__all__ = ["Provisioning"]


class Provisioning:
    """A company's directory and what its identity provider changes: ``ta.provisioning``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core
        self._members = Members(core)
        self._seats = Seats(core)
        self._users = Users(core)

    # -- the company's admins ------------------------------------------------------

    def connect(
        self, admin_id: str, company_id: str, *, groups: GroupsAre | str = GroupsAre.ROLES
    ) -> str:
        """Connect the company's directory, or rotate its token; return the new token.

        The token is returned once and stored nowhere (only its SHA-256); a token given
        before stops working in the same transaction (R-PROV-2). The directory acts as
        ``admin_id`` from then on, with their authority checked on every change.

        Args:
            admin_id: A member with ``manage_team`` (R-MEM-8).
            company_id: The company.
            groups: What the directory's groups stand for: ``roles`` or ``pools``. It
                cannot change while the directory has groups.

        Raises:
            NotAMember: The admin has no sight of the company (alike whether it exists).
            AccessDenied: The admin lacks ``manage_team``, or the company is suspended.
            InvalidInput: ``groups`` changes while groups exist.
        """
        check_id(admin_id, "user")
        check_id(company_id, "company")
        mode = check_groups_are(groups)
        token = self._core.tokens()

        def work(tx: Transaction, now: datetime) -> str:
            company = self._admin(tx, company_id, admin_id)
            old = tx.directories.get(company.id, for_update=True)
            if old is not None and old.groups is not mode and tx.directories.groups(company.id):
                raise InvalidInput(
                    f"the directory's groups are {old.groups.value}; delete its groups "
                    f"before they stand for {mode.value}"
                )
            connected = Directory(company.id, token_hash(token), mode, UserId(admin_id), now)
            tx.directories.put(connected)
            tx.outbox.append(
                DirectoryConnected(
                    **stamp(now, UserId(admin_id), company.id),
                    groups=mode.value,
                    rotated=old is not None,
                )
            )
            return token

        return self._core.command(work)

    def disconnect(self, admin_id: str, company_id: str) -> None:
        """Disconnect the directory: its token stops working, its records are forgotten.

        Memberships, roles and seats it gave stay as they are (R-PROV-2).

        Raises:
            UnknownDirectoryResource: The company has no directory.
        """
        check_id(admin_id, "user")
        check_id(company_id, "company")

        def work(tx: Transaction, now: datetime) -> None:
            company = self._admin(tx, company_id, admin_id)
            if tx.directories.get(company.id, for_update=True) is None:
                raise UnknownDirectoryResource(f"company {company.id!r} has no directory")
            tx.directories.remove(company.id)
            tx.outbox.append(DirectoryDisconnected(**stamp(now, UserId(admin_id), company.id)))

        self._core.command(work)

    def get(self, admin_id: str, company_id: str) -> Directory | None:
        """The company's directory (without its token), or ``None``; for its admins."""
        check_id(admin_id, "user")
        check_id(company_id, "company")
        with self._core.store.reader() as tx:
            company = self._admin(tx, company_id, admin_id, lock=False)
            return tx.directories.get(company.id)

    def _admin(
        self, tx: Transaction, company_id: str, admin_id: str, *, lock: bool = True
    ) -> Company:
        """The open company, if the admin may manage its team (``lock``: for a command)."""
        sighted(self._core, tx, company_id, admin_id, Action.MANAGE_TEAM, lock=lock)
        company = self._core.company(tx, company_id)
        self._core.require(tx, Action.MANAGE_TEAM, company, admin_id)
        return company

    # -- the identity provider: users -----------------------------------------------

    def authenticate(self, token: str) -> Directory:
        """The token's directory, if it may be used now; what every request checks first.

        Raises:
            InvalidProvisioningToken: Unknown, rotated or disconnected token (R-PROV-2).
            AccessDenied: The company is suspended or closed, or the admin the
                directory acts as lost ``manage_team`` (R-CO-8, R-MEM-10).
        """
        token = check_token(token)
        with self._core.store.reader() as tx:
            directory, _ = self._directory(tx, token)
            return directory

    def users(self, token: str) -> Sequence[DirectoryUser]:
        """The directory's users, ordered by id.

        Raises:
            InvalidProvisioningToken: Unknown, rotated or disconnected token (R-PROV-2).
            AccessDenied: The company is suspended or closed, or the admin the
                directory acts as lost ``manage_team`` (R-CO-8, R-MEM-10).
        """
        token = check_token(token)
        with self._core.store.reader() as tx:
            directory, _ = self._directory(tx, token)
            return _user_views(tx, directory.company_id)

    def user(self, token: str, user_id: str) -> DirectoryUser:
        """One of the directory's users.

        Raises:
            UnknownDirectoryResource: The directory has no such user (said alike for a
                user of another company, R-ALL-9).
        """
        token, user_id = check_token(token), check_id(user_id, "user")
        with self._core.store.reader() as tx:
            directory, _ = self._directory(tx, token)
            return _user_view(tx, _record(tx, directory.company_id, user_id))

    def create_user(
        self,
        token: str,
        user_name: str,
        email: str,
        *,
        external_id: str | None = None,
        active: bool = True,
    ) -> DirectoryUser:
        """Provision a person: register them if new and, if ``active``, add them (R-PROV-1).

        A new address registers a new user (id from the service's id factory; the
        host learns of them from ``UserRegistered`` and ``DirectoryUserChanged``). An
        address registered already is taken on only if its user is a member already,
        or the company verified the address's domain (R-DOM-1): a directory cannot pull
        in another company's people.

        Raises:
            DirectoryNameTaken: The ``userName`` or the address is provisioned already.
            EmailTaken: The address belongs to a user the company may not take on.
            AccessDenied: The admin the directory acts as may not add members.
        """
        token = check_token(token)
        name = check_user_name(user_name)
        address = normalize_email(email)
        external = check_external_id(external_id)
        check_bool(active, "active")

        def work(tx: Transaction, now: datetime) -> DirectoryUser:
            directory, company = self._directory(tx, token)
            if tx.directories.user_named(company.id, name) is not None:
                raise DirectoryNameTaken(f"userName {name!r} is provisioned already")
            user = tx.users.get_by_email(address)
            if user is None:
                user = register_user(self._core, self._core.ids("user"), address).user
            elif tx.directories.user(company.id, user.id) is not None:
                raise DirectoryNameTaken(f"{address!r} is provisioned already")
            elif not self._may_take_on(tx, company, user.id, address):
                raise EmailTaken(
                    f"{address!r} belongs to a registered user; verify the domain "
                    "(R-DOM-1) or add them as a member to provision them"
                )
            if active:
                self._members.add(directory.connected_by, company.id, user.id, exist_ok=True)
            record = ProvisionedUser(company.id, user.id, name, external, active, now, now)
            tx.directories.put_user(record)
            _user_event(tx, now, directory, record, "created")
            return _user_view(tx, record)

        return self._core.command(work)

    def update_user(
        self,
        token: str,
        user_id: str,
        *,
        user_name: str,
        active: bool,
        external_id: str | None = None,
        email: str | None = None,
        version: int | None = None,
    ) -> DirectoryUser:
        """Replace what the directory says of a user; ``active=False`` deprovisions them.

        Deprovisioning ends the membership by the normal rules (R-MEM-10, R-PART-6)
        and takes every seat they hold in the company's pools (R-SEAT-10), which
        revokes the tag (R-TAG-3), in this one transaction (R-PROV-2). Reactivating
        adds them again with the default role.

        Args:
            token: The directory's token.
            user_id: The user (the SCIM resource id).
            user_name: Their ``userName``, unique in the directory.
            active: ``False`` deprovisions them, ``True`` adds them again.
            external_id: The directory's own id for them.
            version: The version the change is based on; a newer one stored raises
                `DirectoryVersionMismatch` (what a SCIM ``PATCH`` read before it wrote).
            email: Their address; it changes only while the company is their only one
                (an address of someone in other companies too is theirs, not the
                directory's), by ``users.change_email``'s rules (R-DOM-4).

        Raises:
            DirectoryActorRequired: Deactivating the admin the directory acts as.
            MainContactRequired: Deactivating the main contact while others remain (R-MC-4).
        """
        token, user_id = check_token(token), check_id(user_id, "user")
        name = check_user_name(user_name)
        external = check_external_id(external_id)
        check_bool(active, "active")
        address = None if email is None else normalize_email(email)
        version = None if version is None else check_count(version, "version", 1)

        def work(tx: Transaction, now: datetime) -> DirectoryUser:
            directory, company = self._directory(tx, token)
            record = _record(tx, company.id, user_id)
            if version is not None and record.version != version:
                raise DirectoryVersionMismatch(f"user {record.user_id!r} changed meanwhile")
            named = tx.directories.user_named(company.id, name)
            if named is not None and named.user_id != record.user_id:
                raise DirectoryNameTaken(f"userName {name!r} is provisioned already")
            person = self._core.user(tx, record.user_id)
            if address is not None and address != person.email:
                if any(m.company_id != company.id for m in tx.memberships.of_user(person.id)):
                    raise InvalidInput(
                        "the user belongs to other companies too: their address is theirs, "
                        "not the directory's to change"
                    )
                self._users.change_email(person.id, address)
            change = "updated"
            if record.active and not active:
                self._deprovision(tx, now, directory, company, record.user_id)
                change = "deactivated"
            elif active and not record.active:
                self._members.add(directory.connected_by, company.id, record.user_id, exist_ok=True)
                change = "reactivated"
            changed = attrs.evolve(record, user_name=name, external_id=external, active=active)
            if changed != record:
                changed = attrs.evolve(changed, updated_at=now, version=record.version + 1)
                tx.directories.put_user(changed)
                _user_event(tx, now, directory, changed, change)
            if change == "reactivated":  # their groups count again
                for group_id in tx.directories.groups_of(company.id, record.user_id):
                    group = tx.directories.group(company.id, group_id)
                    if group is not None and group.target is not None:
                        actor = directory.connected_by
                        self._grant(tx, actor, directory, company, group.target, record.user_id)
            return _user_view(tx, changed)

        return self._core.command(work)

    def delete_user(self, token: str, user_id: str) -> None:
        """Deprovision the user (as ``update_user(active=False)``) and forget the record.

        The person stays registered (they may belong to other companies).
        """
        token, user_id = check_token(token), check_id(user_id, "user")

        def work(tx: Transaction, now: datetime) -> None:
            directory, company = self._directory(tx, token)
            record = _record(tx, company.id, user_id)
            if record.active:
                self._deprovision(tx, now, directory, company, record.user_id)
            tx.directories.remove_user(company.id, record.user_id)
            _user_event(tx, now, directory, record, "deleted")

        self._core.command(work)

    # -- the identity provider: groups ----------------------------------------------

    def groups(self, token: str) -> Sequence[DirectoryGroup]:
        """The directory's groups, ordered by id."""
        token = check_token(token)
        with self._core.store.reader() as tx:
            directory, _ = self._directory(tx, token)
            return [_group_view(tx, g) for g in tx.directories.groups(directory.company_id)]

    def group(self, token: str, group_id: str) -> DirectoryGroup:
        """One of the directory's groups.

        Raises:
            UnknownDirectoryResource: The directory has no such group.
        """
        token, group_id = check_token(token), check_id(group_id, "group")
        with self._core.store.reader() as tx:
            directory, _ = self._directory(tx, token)
            return _group_view(tx, _group(tx, directory.company_id, group_id))

    def create_group(
        self,
        token: str,
        display_name: str,
        *,
        external_id: str | None = None,
        members: Collection[str] = (),
    ) -> DirectoryGroup:
        """Create a group of directory users (R-PROV-1).

        A group named after one of the company's roles (with groups as roles) or the
        id of one of its seat pools (with groups as pools) stands for it at once; any
        other stays the directory's own until an admin maps it (`map_group`). The
        active ``members`` of a group that stands for something get the role, or a seat.

        Raises:
            DirectoryNameTaken: The directory has a group with this ``displayName``.
            InvalidInput: A member is not a user of the directory.
        """
        token = check_token(token)
        name = check_display_name(display_name)
        external = check_external_id(external_id)
        wanted = _user_ids(members)

        def work(tx: Transaction, now: datetime) -> DirectoryGroup:
            directory, company = self._directory(tx, token)
            if tx.directories.group_named(company.id, name) is not None:
                raise DirectoryNameTaken(f"group {name!r} is provisioned already")
            target = self._named_target(tx, directory, company, name)
            group_id = self._core.ids("group")
            record = ProvisionedGroup(company.id, group_id, name, external, target, now, now)
            tx.directories.put_group(record)
            _group_event(tx, now, directory, record, "created")
            self._set_members(tx, directory, company, record, wanted)
            return _group_view(tx, record)

        return self._core.command(work)

    def update_group(
        self,
        token: str,
        group_id: str,
        *,
        display_name: str | None = None,
        external_id: str | None = None,
        members: Collection[str] | None = None,
        add: Collection[str] = (),
        remove: Collection[str] = (),
        version: int | None = None,
    ) -> DirectoryGroup:
        """Rename a group, replace its members (``members``) or add and remove some.

        What the group stands for does not change with its name. A member who
        leaves it loses the role or seat unless another group standing for the same
        holds them; every change follows R-MEM-9 and the seat rules (R-SEAT-6).

        Raises:
            InvalidInput: A member is not a user of the directory.
            SeatsExhausted: No seat is free for a new member (a group of a pool).
        """
        token, group_id = check_token(token), check_id(group_id, "group")
        name = None if display_name is None else check_display_name(display_name)
        external = check_external_id(external_id)
        replace = None if members is None else _user_ids(members)
        adding, removing = _user_ids(add), _user_ids(remove)
        version = None if version is None else check_count(version, "version", 1)

        def work(tx: Transaction, now: datetime) -> DirectoryGroup:
            directory, company = self._directory(tx, token)
            record = _group(tx, company.id, group_id)
            if version is not None and record.version != version:
                raise DirectoryVersionMismatch(f"group {record.group_id!r} changed meanwhile")
            current = set(tx.directories.members(company.id, record.group_id))
            wanted = (current if replace is None else replace) - removing | adding
            changed = attrs.evolve(
                record,
                display_name=record.display_name if name is None else name,
                external_id=external,
            )
            if changed != record or wanted != current:
                changed = attrs.evolve(changed, updated_at=now, version=record.version + 1)
                tx.directories.put_group(changed)
                _group_event(tx, now, directory, changed, "updated")
            self._set_members(tx, directory, company, changed, wanted)
            return _group_view(tx, changed)

        return self._core.command(work)

    def delete_group(self, token: str, group_id: str) -> None:
        """Take the group's role or seat from its members, and forget the group.

        The role or pool itself stays the company's.
        """
        token, group_id = check_token(token), check_id(group_id, "group")

        def work(tx: Transaction, now: datetime) -> None:
            directory, company = self._directory(tx, token)
            record = _group(tx, company.id, group_id)
            self._set_members(tx, directory, company, record, set())
            tx.directories.remove_group(company.id, record.group_id)
            _group_event(tx, now, directory, record, "deleted")

        self._core.command(work)

    def map_group(
        self, admin_id: str, company_id: str, group_id: str, target: str | None
    ) -> DirectoryGroup:
        """Let a directory group stand for a role or seat pool, another, or none.

        An admin's command, run with the admin's authority: the group's active members
        get the new role or a seat of the new pool (R-MEM-9, R-SEAT-6), and lose the
        old one unless another group standing for it holds them.

        Args:
            admin_id: A member with ``manage_team``.
            company_id: The company.
            group_id: The directory group.
            target: A role of the company or the id of one of its seat pools (as the
                directory's groups are), or ``None`` for nothing.

        Raises:
            UnknownDirectoryResource: No such directory, group, or seat pool.
            UnknownRole: No such role.
        """
        check_id(admin_id, "user")
        check_id(company_id, "company")
        check_id(group_id, "group")
        wanted = None if target is None else check_id(target, "group")

        def work(tx: Transaction, now: datetime) -> DirectoryGroup:
            company = self._admin(tx, company_id, admin_id)
            directory = tx.directories.get(company.id, for_update=True)
            if directory is None:
                raise UnknownDirectoryResource(f"company {company.id!r} has no directory")
            record = _group(tx, company.id, group_id)
            if wanted is not None:
                self._target(tx, directory, company, wanted)
            if wanted == record.target:
                return _group_view(tx, record)
            changed = attrs.evolve(
                record, target=wanted, updated_at=now, version=record.version + 1
            )
            tx.directories.put_group(changed)
            actor = UserId(admin_id)
            for user_id in tx.directories.members(company.id, record.group_id):
                if record.target is not None:
                    self._ungrant(tx, actor, directory, company, record.target, user_id)
                if wanted is not None:
                    self._grant(tx, actor, directory, company, wanted, user_id)
            tx.outbox.append(
                DirectoryGroupChanged(
                    **stamp(now, actor, company.id),
                    group_id=record.group_id,
                    change="mapped",
                    external_id=record.external_id,
                    target=wanted,
                )
            )
            return _group_view(tx, changed)

        return self._core.command(work)

    # -- what every directory request shares -----------------------------------------

    def _directory(self, tx: Transaction, token: str) -> tuple[Directory, Company]:
        """The (well-formed) token's directory and its open company, or raise (R-PROV-2, R-CO-8)."""
        directory = tx.directories.by_token(token_hash(token))
        company = None if directory is None else tx.companies.get(directory.company_id)
        if directory is None or company is None:
            raise InvalidProvisioningToken()
        # the reason of a suspension is for the company's members, not for a machine
        denied = company_gate(company, insider=False)
        if denied is not None:
            raise AccessDenied(denied)
        # the directory acts as its admin: their authority, now (R-MEM-10)
        raise_if_denied(self._core.decide(tx, Action.MANAGE_TEAM, company, directory.connected_by))
        return directory, company

    @staticmethod
    def _may_take_on(tx: Transaction, company: Company, user_id: UserId, address: str) -> bool:
        """A registered address joins the directory if a member, or its domain is verified."""
        if tx.memberships.get(company.id, user_id) is not None:
            return True
        claim = tx.domains.verified(domain_of(address))
        return claim is not None and claim.company_id == company.id

    def _deprovision(
        self,
        tx: Transaction,
        now: datetime,
        directory: Directory,
        company: Company,
        user_id: UserId,
    ) -> None:
        """End the user's membership and their seats in the company's pools (R-PROV-2)."""
        if user_id == directory.connected_by:
            raise DirectoryActorRequired(
                f"the directory acts as {user_id!r}; connect it as another admin first"
            )
        for pool in tx.pools.of_company(company.id):
            if tx.enrollments.get(pool.id, user_id) is not None:
                locked, _ = lock_pool(tx, pool.id)
                product = find_product(tx, locked.product_id)
                take_seat(tx, now, directory.connected_by, locked, product, user_id)
        if tx.memberships.get(company.id, user_id) is not None:
            self._members.remove(directory.connected_by, company.id, user_id)

    def _target(self, tx: Transaction, directory: Directory, company: Company, target: str) -> None:
        """Raise unless ``target`` is one of the company's roles or pools, as configured."""
        if directory.groups is GroupsAre.ROLES:
            self._core.company_role(company, self._core.known_role(target, required=True))
            return
        pool = tx.pools.get(PoolId(target))
        if pool is None or pool.company_id != company.id:
            raise UnknownDirectoryResource(f"company {company.id!r} has no seat pool {target!r}")

    def _named_target(
        self, tx: Transaction, directory: Directory, company: Company, name: str
    ) -> str | None:
        """``name`` if it names a role or pool of the company (as configured), else ``None``."""
        try:
            self._target(tx, directory, company, name)
        except (InvalidInput, UnknownDirectoryResource):
            return None
        return name

    def _set_members(
        self,
        tx: Transaction,
        directory: Directory,
        company: Company,
        group: ProvisionedGroup,
        wanted: set[UserId],
    ) -> None:
        """Make ``wanted`` the group's members, granting and taking what it stands for."""
        current = set(tx.directories.members(company.id, group.group_id))
        for user_id in sorted(wanted - current):
            if tx.directories.user(company.id, user_id) is None:
                raise InvalidInput(f"{user_id!r} is not a user of this directory")
        actor = directory.connected_by
        for user_id in sorted(current - wanted):
            tx.directories.set_member(company.id, group.group_id, user_id, False)
            if group.target is not None:
                self._ungrant(tx, actor, directory, company, group.target, user_id)
        for user_id in sorted(wanted - current):
            tx.directories.set_member(company.id, group.group_id, user_id, True)
            if group.target is not None:
                self._grant(tx, actor, directory, company, group.target, user_id)

    def _grant(
        self,
        tx: Transaction,
        actor: UserId,
        directory: Directory,
        company: Company,
        target: str,
        user_id: UserId,
    ) -> None:
        """Give an active directory user the role, or a seat of the pool, if they lack it."""
        record = tx.directories.user(company.id, user_id)
        if record is None or not record.active:
            return
        if directory.groups is GroupsAre.POOLS:
            if tx.enrollments.get(PoolId(target), user_id) is None:
                self._seats.enroll(actor, target, self._core.user(tx, user_id).email)
            return
        member = tx.memberships.get(company.id, user_id)
        if member is not None and target not in member.roles:
            self._members.add_role(actor, company.id, user_id, target)

    def _ungrant(
        self,
        tx: Transaction,
        actor: UserId,
        directory: Directory,
        company: Company,
        target: str,
        user_id: UserId,
    ) -> None:
        """Take the role or seat, unless another of the user's groups stands for it too."""
        for group_id in tx.directories.groups_of(company.id, user_id):
            other = tx.directories.group(company.id, group_id)
            if other is not None and other.target == target:
                return
        if directory.groups is GroupsAre.POOLS:
            if tx.enrollments.get(PoolId(target), user_id) is not None:
                self._seats.remove(actor, target, user_id)
            return
        member = tx.memberships.get(company.id, user_id)
        if member is None or target not in member.roles:
            return
        if member.roles != (target,):
            self._members.remove_role(actor, company.id, user_id, target)
        elif target != self._core.member_role:
            self._members.change_role(actor, company.id, user_id, self._core.member_role)


def _user_view(tx: Transaction, record: ProvisionedUser) -> DirectoryUser:
    user = tx.users.get(record.user_id)
    email = "" if user is None else user.email
    return DirectoryUser(
        record, email, tuple(tx.directories.groups_of(record.company_id, record.user_id))
    )


def _user_views(tx: Transaction, company_id: CompanyId) -> list[DirectoryUser]:
    """Every user of the directory, read in 2 + (number of groups) queries, not 2 per user."""
    records = tx.directories.users(company_id)
    people = tx.users.get_many([r.user_id for r in records])
    groups_of: dict[UserId, list[str]] = {}
    for group in tx.directories.groups(company_id):  # ordered by id, as groups_of is
        for user_id in tx.directories.members(company_id, group.group_id):
            groups_of.setdefault(user_id, []).append(group.group_id)
    return [
        DirectoryUser(
            r,
            people[r.user_id].email if r.user_id in people else "",
            tuple(groups_of.get(r.user_id, ())),
        )
        for r in records
    ]


def _group_view(tx: Transaction, record: ProvisionedGroup) -> DirectoryGroup:
    return DirectoryGroup(record, tuple(tx.directories.members(record.company_id, record.group_id)))


def _user_event(
    tx: Transaction, now: datetime, directory: Directory, record: ProvisionedUser, change: str
) -> None:
    tx.outbox.append(
        DirectoryUserChanged(
            **stamp(now, directory.connected_by, directory.company_id),
            user_id=record.user_id,
            change=change,
            external_id=record.external_id,
        )
    )


def _group_event(
    tx: Transaction, now: datetime, directory: Directory, record: ProvisionedGroup, change: str
) -> None:
    tx.outbox.append(
        DirectoryGroupChanged(
            **stamp(now, directory.connected_by, directory.company_id),
            group_id=record.group_id,
            change=change,
            external_id=record.external_id,
            target=record.target,
        )
    )


def _record(tx: Transaction, company_id: CompanyId, user_id: str) -> ProvisionedUser:
    """The directory's record of the user, or the same `UnknownDirectoryResource` for all."""
    record = tx.directories.user(company_id, UserId(user_id))
    if record is None:
        raise UnknownDirectoryResource(f"the directory has no user {user_id!r}")
    return record


def _group(tx: Transaction, company_id: CompanyId, group_id: str) -> ProvisionedGroup:
    """The directory's group, or the same `UnknownDirectoryResource` for all."""
    record = tx.directories.group(company_id, group_id)
    if record is None:
        raise UnknownDirectoryResource(f"the directory has no group {group_id!r}")
    return record


def _user_ids(values: Collection[str]) -> set[UserId]:
    if isinstance(values, str) or not isinstance(values, Collection):
        raise InvalidInput("members must be a collection of user ids")
    return {UserId(check_id(v, "user")) for v in values}
