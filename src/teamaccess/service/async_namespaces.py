"""The namespaces of [AsyncTeamAccess][teamaccess.AsyncTeamAccess]: the same methods, awaitable.

Each method is the synchronous namespace's own, run by the store's ``run_sync`` (for a
store over an ``AsyncEngine``, inside SQLAlchemy's greenlet bridge, so the database
I/O awaits on the host's event loop and no thread is used). Parameters, return values,
errors and docstrings are the synchronous method's: one implementation of every
rule, two ways to call it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from typing_extensions import Self

from teamaccess.service.access import Access
from teamaccess.service.audit import Audit
from teamaccess.service.companies import Companies
from teamaccess.service.domains import Domains
from teamaccess.service.grants import Grants
from teamaccess.service.inbox import Inbox
from teamaccess.service.invitations import Invitations
from teamaccess.service.leads import Leads
from teamaccess.service.licenses import Licenses
from teamaccess.service.lifecycle import Lifecycle
from teamaccess.service.members import Members
from teamaccess.service.outbox import Outbox
from teamaccess.service.partners import Partners
from teamaccess.service.privacy import Privacy
from teamaccess.service.provisioning import Provisioning
from teamaccess.service.records import Records
from teamaccess.service.roles import Roles
from teamaccess.service.seats import Seats
from teamaccess.service.support import Support
from teamaccess.service.tags import Tags
from teamaccess.service.users import Users

__all__ = [
    "AsyncAccess",
    "AsyncAudit",
    "AsyncCompanies",
    "AsyncDomains",
    "AsyncGrants",
    "AsyncInbox",
    "AsyncInvitations",
    "AsyncLeads",
    "AsyncLicenses",
    "AsyncLifecycle",
    "AsyncMembers",
    "AsyncOutbox",
    "AsyncPartners",
    "AsyncPrivacy",
    "AsyncProvisioning",
    "AsyncRecords",
    "AsyncRoles",
    "AsyncSeats",
    "AsyncSupport",
    "AsyncTags",
    "AsyncUsers",
    "Runner",
    "awaitable",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

Runner = Callable[..., Awaitable[Any]]
"""Awaits ``fn(*args, **kwargs)`` where the store can do its I/O: the store's ``run_sync``."""


class _Namespace:
    """One area of the asynchronous facade: the synchronous namespace and a runner."""

    __slots__ = ("_run", "_sync")

    def __init__(self, sync: object, run: Runner) -> None:
        self._sync = sync
        self._run = run

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self._sync!r}>"


class awaitable(Generic[_P, _R]):  # noqa: N801 - used like a decorator
    """The awaitable twin of a synchronous namespace method (a descriptor).

    ``AsyncMembers.add`` is ``awaitable(Members.add)``: on an instance it is a
    coroutine function with the same parameters that runs ``Members.add`` through the
    namespace's runner; type checkers see the same signature, returning an awaitable.
    """

    def __init__(self, method: Callable[Concatenate[Any, _P], _R]) -> None:
        self.method = method
        self.__doc__ = method.__doc__
        self.__wrapped__ = method

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: _Namespace, owner: type) -> Callable[_P, Coroutine[Any, Any, _R]]: ...
    def __get__(self, obj: _Namespace | None, owner: type) -> Any:
        if obj is None:
            return self
        method = getattr(obj._sync, self.name)
        run = obj._run

        async def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            result: _R = await run(method, *args, **kwargs)
            return result

        call.__name__ = call.__qualname__ = self.name
        call.__doc__ = self.__doc__
        return call


class AsyncUsers(_Namespace):
    """``ata.users``: the methods of ``ta.users``, awaitable."""

    __slots__ = ()
    change_email = awaitable(Users.change_email)
    find = awaitable(Users.find)
    find_by_email = awaitable(Users.find_by_email)
    get = awaitable(Users.get)
    register = awaitable(Users.register)


class AsyncCompanies(_Namespace):
    """``ata.companies``: the methods of ``ta.companies``, awaitable."""

    __slots__ = ()
    create = awaitable(Companies.create)
    find = awaitable(Companies.find)
    get = awaitable(Companies.get)
    resume = awaitable(Companies.resume)
    suspend = awaitable(Companies.suspend)
    update_profile = awaitable(Companies.update_profile)


class AsyncMembers(_Namespace):
    """``ata.members``: the methods of ``ta.members``, awaitable."""

    __slots__ = ()
    add = awaitable(Members.add)
    add_role = awaitable(Members.add_role)
    change_role = awaitable(Members.change_role)
    leave = awaitable(Members.leave)
    list = awaitable(Members.list)
    main_contact = awaitable(Members.main_contact)
    of_user = awaitable(Members.of_user)
    public_contacts = awaitable(Members.public_contacts)
    remove = awaitable(Members.remove)
    remove_role = awaitable(Members.remove_role)
    set_handler = awaitable(Members.set_handler)
    set_show_as_contact = awaitable(Members.set_show_as_contact)
    transfer_main_contact = awaitable(Members.transfer_main_contact)


class AsyncInvitations(_Namespace):
    """``ata.invitations``: the methods of ``ta.invitations``, awaitable."""

    __slots__ = ()
    accept = awaitable(Invitations.accept)
    list = awaitable(Invitations.list)
    resend = awaitable(Invitations.resend)
    revoke = awaitable(Invitations.revoke)
    send = awaitable(Invitations.send)


class AsyncSeats(_Namespace):
    """``ata.seats``: the methods of ``ta.seats``, awaitable."""

    __slots__ = ()
    check_group = awaitable(Seats.check_group)
    create_product = awaitable(Seats.create_product)
    enroll = awaitable(Seats.enroll)
    enroll_csv = awaitable(Seats.enroll_csv)
    get = awaitable(Seats.get)
    group = awaitable(Seats.group)
    led_by = awaitable(Seats.led_by)
    purchase = awaitable(Seats.purchase)
    purchase_single_access = awaitable(Seats.purchase_single_access)
    reinvite = awaitable(Seats.reinvite)
    set_window = awaitable(Seats.set_window)
    remove = awaitable(Seats.remove)
    resize = awaitable(Seats.resize)
    validate_csv = awaitable(Seats.validate_csv)


class AsyncTags(_Namespace):
    """``ata.tags``: the methods of ``ta.tags``, awaitable."""

    __slots__ = ()
    can_access = awaitable(Tags.can_access)
    grant = awaitable(Tags.grant)
    of_user = awaitable(Tags.of_user)
    revoke = awaitable(Tags.revoke)


class AsyncPartners(_Namespace):
    """``ata.partners``: the methods of ``ta.partners``, awaitable."""

    __slots__ = ()
    account_overview = awaitable(Partners.account_overview)
    ancestors = awaitable(Partners.ancestors)
    create_child = awaitable(Partners.create_child)
    define_property = awaitable(Partners.define_property)
    move = awaitable(Partners.move)
    overview = awaitable(Partners.overview)
    set_pricing_model = awaitable(Partners.set_pricing_model)
    set_properties = awaitable(Partners.set_properties)
    set_sight_window = awaitable(Partners.set_sight_window)


class AsyncLicenses(_Namespace):
    """``ata.licenses``: the methods of ``ta.licenses``, awaitable."""

    __slots__ = ()
    add_article = awaitable(Licenses.add_article)
    check = awaitable(Licenses.check)
    release = awaitable(Licenses.release)
    set = awaitable(Licenses.set)
    use = awaitable(Licenses.use)


class AsyncLeads(_Namespace):
    """``ata.leads``: the methods of ``ta.leads``, awaitable."""

    __slots__ = ()
    assign = awaitable(Leads.assign)
    check = awaitable(Leads.check)
    get = awaitable(Leads.get)
    offer = awaitable(Leads.offer)
    pick = awaitable(Leads.pick)
    set_market_roles = awaitable(Leads.set_market_roles)
    update = awaitable(Leads.update)
    visible = awaitable(Leads.visible)


class AsyncInbox(_Namespace):
    """``ata.inbox``: the methods of ``ta.inbox``, awaitable."""

    __slots__ = ()
    assign = awaitable(Inbox.assign)
    close = awaitable(Inbox.close)
    list = awaitable(Inbox.list)
    send = awaitable(Inbox.send)


class AsyncRecords(_Namespace):
    """``ata.records``: the methods of ``ta.records``, awaitable."""

    __slots__ = ()
    add = awaitable(Records.add)
    check = awaitable(Records.check)
    get = awaitable(Records.get)
    link = awaitable(Records.link)
    timeline = awaitable(Records.timeline)


class AsyncLifecycle(_Namespace):
    """``ata.lifecycle``: the methods of ``ta.lifecycle``, awaitable."""

    __slots__ = ()
    merge = awaitable(Lifecycle.merge)
    migrate_users = awaitable(Lifecycle.migrate_users)


class AsyncOutbox(_Namespace):
    """``ata.outbox``: the methods of ``ta.outbox``, awaitable."""

    __slots__ = ()
    count_pending = awaitable(Outbox.count_pending)
    dead = awaitable(Outbox.dead)
    mark_delivered = awaitable(Outbox.mark_delivered)
    pending = awaitable(Outbox.pending)
    redrive = awaitable(Outbox.redrive)


class AsyncAccess(_Namespace):
    """``ata.access``: the methods of ``ta.access``, awaitable."""

    __slots__ = ()
    check_many = awaitable(Access.check_many)
    company_filter = awaitable(Access.company_filter)
    expand = awaitable(Access.expand)
    review = awaitable(Access.review)
    where_may = awaitable(Access.where_may)
    who_may = awaitable(Access.who_may)
    who_sees_lead = awaitable(Access.who_sees_lead)
    who_sees_record = awaitable(Access.who_sees_record)


class AsyncGrants(_Namespace):
    """``ata.grants``: the methods of ``ta.grants``, awaitable."""

    __slots__ = ()
    expire_due = awaitable(Grants.expire_due)
    expiring = awaitable(Grants.expiring)
    expiring_for_user = awaitable(Grants.expiring_for_user)
    set_window = awaitable(Grants.set_window)


class AsyncPrivacy(_Namespace):
    """``ata.privacy``: the methods of ``ta.privacy``, awaitable."""

    __slots__ = ()
    erase = awaitable(Privacy.erase)
    export = awaitable(Privacy.export)


class AsyncDomains(_Namespace):
    """``ata.domains``: the methods of ``ta.domains``, awaitable."""

    __slots__ = ()
    approve = awaitable(Domains.approve)
    claim = awaitable(Domains.claim)
    decline = awaitable(Domains.decline)
    list = awaitable(Domains.list)
    matching = awaitable(Domains.matching)
    register = awaitable(Domains.register)
    release = awaitable(Domains.release)
    request_join = awaitable(Domains.request_join)
    requests = awaitable(Domains.requests)
    set_mode = awaitable(Domains.set_mode)
    verify = awaitable(Domains.verify)


class AsyncRoles(_Namespace):
    """``ata.roles``: the methods of ``ta.roles``, awaitable."""

    __slots__ = ()
    change = awaitable(Roles.change)
    define = awaitable(Roles.define)
    delete = awaitable(Roles.delete)
    list = awaitable(Roles.list)


class AsyncSupport(_Namespace):
    """``ata.support``: the methods of ``ta.support``, awaitable."""

    __slots__ = ()
    approve = awaitable(Support.approve)
    decline = awaitable(Support.decline)
    end = awaitable(Support.end)
    expire_due = awaitable(Support.expire_due)
    list = awaitable(Support.list)
    of_staff = awaitable(Support.of_staff)
    request = awaitable(Support.request)


class AsyncAudit(_Namespace):
    """``ata.audit``: the methods of ``ta.audit``, awaitable."""

    __slots__ = ()
    export = awaitable(Audit.export)
    purge = awaitable(Audit.purge)
    search = awaitable(Audit.search)
    verify = awaitable(Audit.verify)


class AsyncProvisioning(_Namespace):
    """``ata.provisioning``: the methods of ``ta.provisioning``, awaitable."""

    __slots__ = ()
    authenticate = awaitable(Provisioning.authenticate)
    connect = awaitable(Provisioning.connect)
    create_group = awaitable(Provisioning.create_group)
    create_user = awaitable(Provisioning.create_user)
    delete_group = awaitable(Provisioning.delete_group)
    delete_user = awaitable(Provisioning.delete_user)
    disconnect = awaitable(Provisioning.disconnect)
    get = awaitable(Provisioning.get)
    group = awaitable(Provisioning.group)
    groups = awaitable(Provisioning.groups)
    map_group = awaitable(Provisioning.map_group)
    update_group = awaitable(Provisioning.update_group)
    update_user = awaitable(Provisioning.update_user)
    user = awaitable(Provisioning.user)
    users = awaitable(Provisioning.users)
