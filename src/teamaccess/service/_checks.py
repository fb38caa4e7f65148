"""Many checks at once, and the filter a store matches the host's rows with (issue 32).

``ta.access.check_many`` answers a list of (company, action) pairs for one user with the
decisions ``ta.check`` gives, reading the facts of every company in one go (one
statement on SQL). ``ta.access.company_filter`` is the domain's
[CompanyFilter][teamaccess.domain.company_filter.CompanyFilter] for a user and an
action at the service's clock, which ``teamaccess.adapters.sql.company_filter`` and
``teamaccess.contrib.django.filters.company_q`` turn into a clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from teamaccess.domain.company_filter import CompanyFilter
from teamaccess.domain.consistency import Consistency
from teamaccess.domain.decisions import Decision, Reason
from teamaccess.domain.ids import UserId, check_id
from teamaccess.domain.policy import decide
from teamaccess.domain.reverse import company_filter
from teamaccess.errors import InvalidInput
from teamaccess.ports import CheckFacts
from teamaccess.service._core import MAX_PAGE, ServiceCore, log_decision

__all__ = ["BatchFacts", "check_many", "filter_of"]

_NO_FACTS: CheckFacts = (None, None, None, None, None)


@runtime_checkable
class BatchFacts(Protocol):
    """A store that reads the check's facts of many companies together (SQL: one statement)."""

    def check_facts_many(
        self, company_ids: Sequence[str], user_id: str
    ) -> Mapping[str, CheckFacts]:
        """The facts of ``check_facts`` for each of ``company_ids`` that exists."""
        ...


def check_many(
    core: ServiceCore,
    actor_id: str,
    pairs: Iterable[tuple[str, str]],
    consistency: Consistency | None = None,
) -> list[Decision]:
    """The decisions of ``check(actor_id, company, action)`` for each pair, in order.

    Raises:
        InvalidInput: ``pairs`` is not a collection of (company id, action) pairs, or
            has more than 1000 of them (R-ALL-6).
        InvalidName: A malformed id or action (R-ALL-7).
    """
    check_id(actor_id, "user")
    items = _pairs(pairs)
    store = core.reads(consistency)
    companies = sorted({company for company, _ in items})
    if isinstance(store, BatchFacts):
        found = store.check_facts_many(companies, actor_id)
    else:  # a store without a batch read: one read per company
        found = {c: store.check_facts(c, actor_id) for c in companies}
    now = core.clock()
    decisions: list[Decision] = []
    for company_id, action in items:
        company, actor, above, ancestor, sight = found.get(company_id, _NO_FACTS)
        decision = decide(
            action, company=company, actor=actor, policy=core.policy, ancestor_member=above,
            ancestor=ancestor, company_id=company_id, now=now, sight=sight,
        )  # fmt: skip
        if (
            company is not None
            and not decision.allowed
            and actor_id in core.staff
            and decision.reason == Reason.NOT_A_MEMBER.value
        ):  # platform staff: their support grants, as the check reads them (R-SUP-1)
            with store.reader() as tx:
                support = core.support_decision(tx, company, actor_id, action)
            decision = decision if support is None else support
        if not decision.allowed:
            log_decision(decision, actor_id, company_id, action)
        decisions.append(decision)
    return decisions


def filter_of(core: ServiceCore, user_id: str, action: str) -> CompanyFilter:
    """The domain's filter of the companies where ``check`` allows the user ``action`` now."""
    check_id(user_id, "user")
    check_id(action, "action")
    return company_filter(
        action, core.policy, user_id=UserId(user_id), now=core.clock(),
        staff=user_id in core.staff,
    )  # fmt: skip


def _pairs(pairs: object) -> list[tuple[str, str]]:
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise InvalidInput(f"pairs must be a collection of (company, action) pairs: {pairs!r}")
    items: list[tuple[str, str]] = []
    for pair in pairs:
        if len(items) >= MAX_PAGE:
            raise InvalidInput(f"check_many takes at most {MAX_PAGE} pairs")
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidInput(f"not a (company, action) pair: {_shown(pair)}")
        company_id, action = pair
        items.append((check_id(company_id, "company"), check_id(action, "action")))
    return items


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
