"""Access tags held per source, and content decisions: ``ta.tags`` (R-TAG-*)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from teamaccess.domain.decisions import Decision
from teamaccess.domain.gate import company_gate
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.inputs import (
    MAX_TAG_LENGTH,
    check_list,
    check_tag,
)
from teamaccess.domain.seats import (
    PoolId,
    TagGrant,
    decide_content,
    direct_source,
    live_tags,
    pool_source,
)
from teamaccess.domain.windows import check_window
from teamaccess.errors import (
    AlreadyGranted,
    NotEnrolled,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore
from teamaccess.service._erasure import live_user
from teamaccess.service._tagging import grant, revoke

__all__ = ["Tags"]

MAX_SEATS = 1_000_000
_POOL = pool_source("")


class Tags:
    """Access tags held per source: ``ta.tags``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def grant(
        self,
        actor_id: str,
        user_id: str,
        tag: str,
        *,
        label: str = "manual",
        expires_at: datetime | None = None,
    ) -> TagGrant:
        """Grant a tag directly (source ``direct:<label>``); platform admins only.

        With ``expires_at`` (aware) the grant opens no content from then on, before
        any sweep, and `ta.grants.expire_due` ends it with `TagGrantExpired` (R-TIME-1,
        R-TIME-2); other sources of the tag stay (R-TAG-3).
        """
        check_id(actor_id, "user")
        check_id(user_id, "user")
        tag = check_tag(tag)
        source = direct_source(check_id(label, "label"))
        ends = check_window(None, expires_at).expires_at

        def work(tx: Transaction, now: datetime) -> TagGrant:
            self._core.require_platform_admin(actor_id, "R-SEAT-4")
            # the user's row first: a racing grant of the same source waits and then
            # sees it (AlreadyGranted, R-ALL-6); an erased person gets none (R-CO-9)
            user = live_user(tx, user_id)
            if source in tx.tags.sources(user.id, tag):
                raise AlreadyGranted(f"{user_id!r} already holds {tag!r} through {source}")
            return grant(tx, now, UserId(actor_id), None, user.id, tag, source, ends)

        return self._core.command(work)

    def revoke(self, actor_id: str, user_id: str, tag: str, *, label: str = "manual") -> None:
        """Revoke a direct grant; other sources of the same tag stay (R-TAG-3)."""
        check_id(actor_id, "user")
        check_id(user_id, "user")
        tag = check_tag(tag)
        source = direct_source(check_id(label, "label"))

        def work(tx: Transaction, now: datetime) -> None:
            self._core.require_platform_admin(actor_id, "R-SEAT-4")
            user = self._core.user(tx, user_id)
            tx.tags.lock_holders([user.id])  # a racing revocation waits, then NotEnrolled
            if source not in tx.tags.sources(user.id, tag):
                raise NotEnrolled(f"{user_id!r} holds no {source} grant of {tag!r}")
            revoke(tx, now, UserId(actor_id), None, user.id, tag, source)

        self._core.command(work)

    def of_user(self, user_id: str) -> frozenset[str]:
        """Every tag the user holds through at least one source (R-TAG-3).

        These are the facts the tag events announce (R-TAG-6), also while a source is
        paused: a tag held only through a suspended company's pool is listed, but
        opens no content (R-CO-8). Decide access with `can_access`.
        """
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return tx.tags.tags_of(UserId(user_id))

    def can_access(self, user_id: str, content_tags: Iterable[str] | str) -> Decision:
        """May the user open content protected by ``content_tags``? Deny by default (R-TAG-4).

        A tag opens content while at least one of its sources is live: a seat in a
        pool of a suspended or closed company gives no access while that lasts, and
        gives it back on resume (R-CO-8); a direct grant, a purchase or a seat in
        another pool still opens (R-TAG-3). A direct grant past its ``expires_at``
        opens nothing, swept or not (R-TIME-1).
        """
        check_id(user_id, "user")
        wanted = [content_tags] if isinstance(content_tags, str) else content_tags
        wanted = check_list(wanted, "tag", MAX_TAG_LENGTH)
        now = self._core.clock()
        with self._core.store.reader() as tx:
            grants = [
                g
                for g in tx.tags.of_users([UserId(user_id)])
                if g.tag in wanted and (g.expires_at is None or now < g.expires_at)  # R-TIME-1
            ]
            return decide_content(live_tags(grants, _shut_sources(tx, grants)), wanted)


def _shut_sources(tx: Transaction, grants: Sequence[TagGrant]) -> set[str]:
    """The pool sources among ``grants`` whose company is suspended or closed (R-CO-8).

    Only the pools of a tag that no other kind of source gives are looked up, all in
    one statement: a direct grant or a purchase opens without a lookup.
    """
    live = {g.tag for g in grants if not g.source.startswith(_POOL)}
    pooled = {PoolId(g.source[len(_POOL) :]): g.source for g in grants if g.tag not in live}
    if not pooled:
        return set()
    owners = tx.pools.owners(sorted(pooled))
    return {
        source
        for pool_id, source in pooled.items()
        if pool_id in owners and company_gate(owners[pool_id]) is not None
    }
