"""Access tags held per source, and content decisions: ``ta.tags`` (R-TAG-*)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from teamaccess.domain.decisions import Decision
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.inputs import (
    MAX_TAG_LENGTH,
    check_list,
    check_tag,
)
from teamaccess.domain.seats import (
    TagGrant,
    decide_content,
    direct_source,
)
from teamaccess.errors import (
    AlreadyGranted,
    NotEnrolled,
)
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore
from teamaccess.service._tagging import grant, revoke

__all__ = ["Tags"]

MAX_SEATS = 1_000_000


class Tags:
    """Access tags held per source: ``ta.tags``."""

    def __init__(self, core: ServiceCore) -> None:
        self._core = core

    def grant(self, actor_id: str, user_id: str, tag: str, *, label: str = "manual") -> TagGrant:
        """Grant a tag directly (source ``direct:<label>``); platform admins only."""
        check_id(actor_id, "user")
        check_id(user_id, "user")
        tag = check_tag(tag)
        source = direct_source(check_id(label, "label"))

        def work(tx: Transaction, now: datetime) -> TagGrant:
            self._core.require_platform_admin(actor_id, "R-SEAT-4")
            user = self._core.user(tx, user_id)
            if source in tx.tags.sources(user.id, tag):
                raise AlreadyGranted(f"{user_id!r} already holds {tag!r} through {source}")
            return grant(tx, now, UserId(actor_id), None, user.id, tag, source)

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
            if source not in tx.tags.sources(user.id, tag):
                raise NotEnrolled(f"{user_id!r} holds no {source} grant of {tag!r}")
            revoke(tx, now, UserId(actor_id), None, user.id, tag, source)

        self._core.command(work)

    def of_user(self, user_id: str) -> frozenset[str]:
        """Every tag the user holds through at least one live source (R-TAG-3)."""
        check_id(user_id, "user")
        with self._core.store.reader() as tx:
            return tx.tags.tags_of(UserId(user_id))

    def can_access(self, user_id: str, content_tags: Iterable[str] | str) -> Decision:
        """May the user open content protected by ``content_tags``? Deny by default (R-TAG-4)."""
        check_id(user_id, "user")
        wanted = [content_tags] if isinstance(content_tags, str) else content_tags
        wanted = check_list(wanted, "tag", MAX_TAG_LENGTH)
        return decide_content(self.of_user(user_id), wanted)
