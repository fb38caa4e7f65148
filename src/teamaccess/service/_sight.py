"""What a caller may learn of a company before any rule decides (R-ALL-9).

A caller has sight of a company if they are a platform admin, a member of it, or a
member of one of its ancestors (R-PART-2). Without sight, every read and command
answers as for a company that does not exist: the same `NotAMember` denial, with no
word on whether it exists, is suspended, or who its members are. A closed company
answers `CompanyClosed` to everyone, as the check does (R-CO-3): its history stays
readable and its successor is named.
"""

from __future__ import annotations

from teamaccess.domain.ids import CompanyId, UserId, check_id
from teamaccess.domain.models import Company
from teamaccess.domain.policy import not_a_member
from teamaccess.errors import NotAMember, UnknownCompany
from teamaccess.ports import Transaction
from teamaccess.service._core import ServiceCore

__all__ = ["has_sight", "sighted"]


def has_sight(core: ServiceCore, tx: Transaction, company: Company | None, actor_id: str) -> bool:
    """Whether the actor is a platform admin, a member, or a member of an ancestor."""
    if actor_id in core.platform_admins:
        return True
    if company is None:
        return False
    user = UserId(actor_id)
    if tx.memberships.get(company.id, user) is not None:
        return True
    return (
        company.parent_id is not None and core.ancestor_membership(tx, company.id, user) is not None
    )


def sighted(
    core: ServiceCore,
    tx: Transaction,
    company_id: str,
    actor_id: str,
    action: str,
    *,
    lock: bool = False,
) -> Company:
    """The company, if the actor has sight of it; else the answer for a missing one.

    Raises:
        UnknownCompany: To a platform admin, for a company that does not exist.
        NotAMember: To anyone else without sight, whether the company exists or not
            (R-ALL-9), with the denial a non-member of an existing company gets.
    """
    company = tx.companies.get(CompanyId(check_id(company_id, "company")), for_update=lock)
    if company is None and actor_id in core.platform_admins:
        raise UnknownCompany(company_id)
    if company is not None and company.is_closed:
        return company  # its closing is public, as the check says (R-CO-3)
    if company is None or not has_sight(core, tx, company, actor_id):
        raise NotAMember(not_a_member(action, company_id))
    return company
