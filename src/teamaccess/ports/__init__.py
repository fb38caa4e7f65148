"""The ports: what the service needs from storage and from the outside world.

Storage adapters implement [Store][teamaccess.Store]; everything below it is reached through a
[Transaction][teamaccess.ports.Transaction] (the unit of work). Adapters store and find; they never
decide
access. Each write method raises the library's own [teamaccess.errors][] for a
broken uniqueness rule, exactly as a database constraint would.

The clock, id and token factories are injectable so that tests are deterministic.
"""

from __future__ import annotations

from teamaccess.ports._domains import DomainClaims, JoinRequests
from teamaccess.ports._partners import Articles, Licenses, PropertyDefinitions
from teamaccess.ports._people import Companies, Invitations, Memberships, Users
from teamaccess.ports._provisioning import Directories
from teamaccess.ports._seats import Enrollments, Products, SeatPools, TagGrants
from teamaccess.ports._store import (
    CheckFacts,
    Clock,
    Eligibility,
    IdFactory,
    Outbox,
    Store,
    TokenFactory,
    Transaction,
    UserDirectory,
)
from teamaccess.ports._support import SupportGrants
from teamaccess.ports._work import InboxRequests, Leads, Records, ServiceLinks

__all__ = [
    "Articles",
    "CheckFacts",
    "Clock",
    "Companies",
    "Directories",
    "DomainClaims",
    "Eligibility",
    "Enrollments",
    "IdFactory",
    "InboxRequests",
    "Invitations",
    "JoinRequests",
    "Leads",
    "Licenses",
    "Memberships",
    "Outbox",
    "Products",
    "PropertyDefinitions",
    "Records",
    "SeatPools",
    "ServiceLinks",
    "Store",
    "SupportGrants",
    "TagGrants",
    "TokenFactory",
    "Transaction",
    "UserDirectory",
    "Users",
]
