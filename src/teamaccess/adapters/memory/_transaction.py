"""The in-memory unit of work: one undo journal, every repository, the outbox."""

from __future__ import annotations

from teamaccess.adapters.memory._domains import MemoryDomainClaims, MemoryJoinRequests
from teamaccess.adapters.memory._outbox import MemoryOutbox
from teamaccess.adapters.memory._partners import (
    MemoryArticles,
    MemoryLicenses,
    MemoryPropertyDefinitions,
)
from teamaccess.adapters.memory._people import (
    MemoryCompanies,
    MemoryInvitations,
    MemoryMemberships,
    MemoryUsers,
)
from teamaccess.adapters.memory._provisioning import MemoryDirectories
from teamaccess.adapters.memory._repo import Journal, Tables
from teamaccess.adapters.memory._seats import (
    MemoryEnrollments,
    MemoryProducts,
    MemorySeatPools,
    MemoryTagGrants,
)
from teamaccess.adapters.memory._support import MemorySupportGrants
from teamaccess.adapters.memory._work import MemoryInbox, MemoryLeads, MemoryLinks, MemoryRecords
from teamaccess.domain.consistency import ConsistencyToken


class MemoryTransaction:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._journal = Journal()
        self.users = MemoryUsers(tables, self._journal)
        self.companies = MemoryCompanies(tables, self._journal)
        self.memberships = MemoryMemberships(tables, self._journal)
        self.invitations = MemoryInvitations(tables, self._journal)
        self.products = MemoryProducts(tables, self._journal)
        self.pools = MemorySeatPools(tables, self._journal)
        self.enrollments = MemoryEnrollments(tables, self._journal)
        self.tags = MemoryTagGrants(tables, self._journal)
        self.properties = MemoryPropertyDefinitions(tables, self._journal)
        self.articles = MemoryArticles(tables, self._journal)
        self.licenses = MemoryLicenses(tables, self._journal)
        self.leads = MemoryLeads(tables, self._journal)
        self.inbox = MemoryInbox(tables, self._journal)
        self.records = MemoryRecords(tables, self._journal)
        self.links = MemoryLinks(tables, self._journal)
        self.domains = MemoryDomainClaims(tables, self._journal)
        self.join_requests = MemoryJoinRequests(tables, self._journal)
        self.support = MemorySupportGrants(tables, self._journal)
        self.directories = MemoryDirectories(tables, self._journal)
        self.outbox = MemoryOutbox(tables, self._journal)
        self.committed = False
        self.token: ConsistencyToken | None = None
        """After the commit, the store's generation as a token (R-ALL-12)."""
        self.changed = False

    def commit(self) -> None:
        self.changed = bool(self._journal.undo)
        self._journal.clear()
        self.committed = True

    def rollback(self) -> None:
        self._journal.rollback()
        self._tables.changed_companies.clear()
        self._tables.copied_members.clear()

    @property
    def dirty(self) -> bool:
        """Whether anything was written through this view and not committed."""
        return bool(self._journal.undo)
