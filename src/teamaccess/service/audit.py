"""The audit trail of a company, searched, exported and verified: ``ta.audit``.

"Who removed Ben, and when?" The outbox holds every change as an event (R-ALL-4);
``ta.audit`` lets the people who may review a company's grants (R-CO-6: its main
contact, a member with ``manage_team``, a platform admin) search its events by actor,
target, kind and time, a page at a time, and export them as JSON or CSV, and check
that no stored event was changed since it was written (``verify``, the sealed chain
of ``teamaccess.domain.audit_chain``); platform admins purge what is older than the
retention they keep.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import attrs

from teamaccess.domain.audit import (
    KEPT_ON_PURGE,
    AuditEntry,
    AuditFilter,
    AuditLog,
    AuditTrailPurged,
)
from teamaccess.domain.audit_chain import AuditVerification, ChainCheck
from teamaccess.domain.events import stamp
from teamaccess.domain.ids import CompanyId, UserId, check_id, shown
from teamaccess.domain.inputs import check_count, check_instant, check_list, check_optional_id
from teamaccess.domain.leads import Page
from teamaccess.errors import InvalidDuration, InvalidInput
from teamaccess.ports import Transaction
from teamaccess.service._core import MAX_PAGE, ServiceCore, page_of
from teamaccess.service.access import reviewed_company

__all__ = ["Audit"]

_EXPORT_BATCH = MAX_PAGE
DEFAULT_RETENTION = timedelta(days=365)
"""How long `Audit.purge` keeps events unless told otherwise."""
MIN_RETENTION = timedelta(days=1)
"""The shortest retention a purge accepts: a typo never empties the trail."""


class Audit:
    """A company's audit trail, searched, exported and verified: ``ta.audit``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def search(
        self,
        actor_id: str,
        company_id: str,
        *,
        by: str | None = None,
        about: str | None = None,
        kinds: Collection[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[AuditEntry]:
        """One page of the company's events, oldest first.

        ``by`` keeps the events a user did, ``about`` those about a user (the member
        removed, the participant enrolled: see [targets_of][teamaccess.values.targets_of]),
        ``kinds`` those of these event type names (``"MemberRemoved"``), ``since`` and
        ``until`` those in ``[since, until)``. Pass the page's ``next_after`` as
        ``after`` for the next one. Erased people appear under their pseudonym (R-CO-7).

        Raises:
            NotAMember: The company is unknown or the actor is not in it (the same answer).
            AccessDenied: The actor is neither the company's main contact, nor a member
                with ``manage_team``, nor a platform admin (R-CO-6).
            InvalidInput: A malformed filter, cursor or limit (R-ALL-7).
        """
        check_count(limit, "limit", 1, MAX_PAGE)
        query = _query(actor_id, company_id, by, about, kinds, since, until, after)
        core = self._core
        with core.store.reader() as tx:
            reviewed_company(core, tx, actor_id, company_id, core.clock())
            found = tx.outbox.search(query, limit + 1)
        entries = [AuditEntry(m.position, m.event) for m in found]
        return page_of(entries, limit, lambda e: str(e.position))

    def export(
        self,
        actor_id: str,
        company_id: str,
        *,
        by: str | None = None,
        about: str | None = None,
        kinds: Collection[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AuditLog:
        """Every event `search` finds with these filters, for ``to_json`` or ``to_csv``.

        Read in one transaction, so the export is one consistent picture. The CSV's
        cells that a spreadsheet would run as a formula are neutralized.

        Raises:
            NotAMember: As for `search`.
            AccessDenied: As for `search`.
            InvalidInput: As for `search`.
        """
        query = _query(actor_id, company_id, by, about, kinds, since, until, None)
        core = self._core
        entries: list[AuditEntry] = []
        with core.store.reader() as tx:
            reviewed_company(core, tx, actor_id, company_id, core.clock())
            while True:
                found = tx.outbox.search(query, _EXPORT_BATCH)
                entries += [AuditEntry(m.position, m.event) for m in found]
                if len(found) < _EXPORT_BATCH:
                    break
                query = attrs.evolve(query, after=found[-1].position)
        return AuditLog(CompanyId(company_id), tuple(entries))

    def verify(self, actor_id: str, company_id: str | None) -> AuditVerification:
        """Check the company's sealed audit chain: is every stored event as it was written?

        Walks the company's events in outbox order and recomputes each seal (a SHA-256
        over its kind, company, actor, time, payload and request context and the seal
        before it), then compares the last with the chain's head. The answer names the
        first event that does not fit and why: ``changed`` (an event was edited),
        ``unlinked`` (one before it was deleted, inserted or moved), ``unsealed``, or
        ``truncated`` (the last events were deleted). The library's own rewrites
        (erasure, a changed e-mail, `purge`) seal again what they change, so they pass.
        ``company_id=None`` checks the chain of the events without a company (user
        registrations, erasures, purges): platform admins only. Read in one
        transaction; it reads the whole chain.

        It cannot catch someone who can write the tables and recomputes every seal and
        the head: keep ``head`` elsewhere (a log, another system) to compare later.

        Raises:
            NotAMember: As for `search`.
            AccessDenied: As for `search`; for ``None``, the actor is not a platform admin.
            InvalidInput: A malformed id (R-ALL-7).
        """
        check_id(actor_id, "user")
        core = self._core
        if company_id is None:
            core.require_platform_admin(actor_id, "R-ALL-4")
            company = None
        else:
            company = CompanyId(check_id(company_id, "company"))
        check = ChainCheck(company)
        with core.store.reader() as tx:
            if company is not None:
                reviewed_company(core, tx, actor_id, company, core.clock())
            after = 0
            while not check.broken:
                found = tx.outbox.chain(company, after, _EXPORT_BATCH)
                check.feed(found)
                if len(found) < _EXPORT_BATCH:
                    break
                after = found[-1].position
            return check.result(tx.outbox.head(company))

    def purge(self, actor_id: str, *, older_than: timedelta = DEFAULT_RETENTION) -> int:
        """Delete the trail's events older than ``older_than`` (a year by default); how many.

        Only events a consumer no longer waits for go (delivered, or dead letters);
        the records of erasures (``UserErased``) stay, as proof that the erasure was
        done (R-CO-7). The audit chains that lost events are sealed again from the
        first one deleted, so `verify` passes after a purge. The purge is itself an
        event, [AuditTrailPurged][teamaccess.events.AuditTrailPurged], in the same
        transaction, which says how many chains it sealed again.

        Raises:
            AccessDenied: The actor is not a platform admin.
            InvalidDuration: ``older_than`` is not a ``timedelta`` of at least one day.
        """
        check_id(actor_id, "user")
        if not isinstance(older_than, timedelta) or older_than < MIN_RETENTION:
            raise InvalidDuration(
                f"older_than must be a timedelta of at least 1 day, got {shown(older_than)}"
            )
        self._core.require_platform_admin(actor_id, "R-ALL-4")

        def work(tx: Transaction, now: datetime) -> int:
            before = now - older_than
            purged = tx.outbox.purge(before, KEPT_ON_PURGE)
            resealed = tx.outbox.reseal()  # each chain from its first deleted event on
            tx.outbox.append(
                AuditTrailPurged(
                    **stamp(now, UserId(actor_id), None),
                    before=before,
                    purged=purged,
                    resealed=len(resealed),
                )
            )
            return purged

        return self._core.command(work)


def _query(
    actor_id: str,
    company_id: str,
    by: str | None,
    about: str | None,
    kinds: Collection[str],
    since: datetime | None,
    until: datetime | None,
    after: str | None,
) -> AuditFilter:
    """The search's filter from its checked arguments (R-ALL-7)."""
    check_id(actor_id, "user")
    check_id(company_id, "company")
    by = check_optional_id(by, "user")
    about = check_optional_id(about, "user")
    kinds = check_list(kinds, "event kind", 64)
    since = None if since is None else check_instant(since, "since")
    until = None if until is None else check_instant(until, "until")
    cursor = 0
    if after is not None:
        digits = isinstance(after, str) and after.isascii() and after.isdigit()
        if not digits or len(after) > 19:  # a position: at most 19 ASCII digits
            raise InvalidInput(f"not an audit cursor: {shown(after)}")
        cursor = int(after)
    return AuditFilter(
        company_id=CompanyId(company_id),
        actor_id=None if by is None else UserId(by),
        target_id=None if about is None else UserId(about),
        kinds=frozenset(kinds),
        since=since,
        until=until,
        after=cursor,
    )
