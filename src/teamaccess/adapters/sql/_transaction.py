"""The SQL unit of work: one connection, one transaction, every repository, the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from teamaccess.adapters.sql._changes import Changed
from teamaccess.adapters.sql._domains import DomainClaims, JoinRequests
from teamaccess.adapters.sql._outbox import Outbox
from teamaccess.adapters.sql._partners import Articles, Licenses, PropertyDefinitions
from teamaccess.adapters.sql._people import Companies, Invitations, Memberships, Users
from teamaccess.adapters.sql._provisioning import Directories
from teamaccess.adapters.sql._schema import (
    Tables,
)
from teamaccess.adapters.sql._seats import Enrollments, Products, SeatPools, TagGrants
from teamaccess.adapters.sql._support import SupportGrants
from teamaccess.adapters.sql._work import InboxRequests, Leads, Records, ServiceLinks
from teamaccess.domain.consistency import ConsistencyToken

__all__ = ["Outbox", "SqlTransaction"]


class SqlTransaction:
    def __init__(
        self, conn: Connection, tables: Tables, commit: Callable[[], None] | None = None
    ) -> None:
        self._conn = conn
        self._commit = commit or conn.commit
        self.changed = Changed()
        """The companies and users whose check facts this transaction wrote (issue 29)."""
        self.users = Users(conn, tables)
        self.companies = Companies(conn, tables, self.changed)
        self.memberships = Memberships(conn, tables, self.changed)
        self.invitations = Invitations(conn, tables)
        self.products = Products(conn, tables)
        self.pools = SeatPools(conn, tables)
        self.enrollments = Enrollments(conn, tables)
        self.tags = TagGrants(conn, tables)
        self.properties = PropertyDefinitions(conn, tables)
        self.articles = Articles(conn, tables)
        self.licenses = Licenses(conn, tables)
        self.leads = Leads(conn, tables)
        self.inbox = InboxRequests(conn, tables)
        self.records = Records(conn, tables)
        self.links = ServiceLinks(conn, tables)
        self.domains = DomainClaims(conn, tables)
        self.join_requests = JoinRequests(conn, tables)
        self.support = SupportGrants(conn, tables)
        self.directories = Directories(conn, tables)
        self.outbox = Outbox(conn, tables)
        self.committed = False
        self.token: ConsistencyToken | None = None
        """After the commit, the command's consistency token (R-ALL-12)."""

    def commit(self) -> None:
        self._commit()
        self.committed = True
