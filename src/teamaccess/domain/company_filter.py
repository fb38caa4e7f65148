"""Which companies one user may do one action in, as facts a store can match (issue 32).

A `CompanyFilter` is what ``teamaccess.domain.reverse.company_filter`` learns by asking
``decide``, the check's one function, about probe memberships: which roles and
permissions let a member act, whether the main contact or a company setting does,
whether a member of an ancestor does (R-PART-2, R-PART-5), and whether a support grant
can (R-SUP-1). A store matches it with one query over its rows (companies,
memberships, the closure of the hierarchy, support grants) at the instant ``now``
(R-TIME-1), in the shape below; which roles, permissions and settings allow is the
domain's answer, never the store's. The property tests of issue 32 compare the
store's rows with the check for random worlds on every SQL database.

The check allows ``action`` in company ``C`` exactly when ``C`` exists, is neither
closed nor suspended (R-CO-3, R-CO-8), and one of these holds:

1. **Own membership.** The user's membership in ``C`` counts at ``now`` (its window,
   R-TIME-1), its role at ``now`` (a temporary role that ended counts as the role after
   it) is known in ``C`` (a built-in role or one ``C`` defined, R-ROLE-1, R-ALL-1), and
   ``member_any``, or ``member_main_contact`` and the member is the main contact, or
   ``member_by_setting`` and ``C`` lets any member add members (R-MEM-3), or one of the
   member's roles grants one of ``member_permissions`` (R-ROLE-3).
2. **Sight from above.** The user has no membership in ``C`` that counts at ``now``,
   their membership in the nearest ancestor ``A`` of ``C`` they belong to counts at
   ``now``, ``A`` is open (R-CO-8), every link between ``A`` and ``C`` lets sight
   through at ``now`` (R-TIME-1), and ``ancestor_any``, or the membership's role at
   ``now`` is known in ``A`` and one of its roles grants one of
   ``ancestor_permissions`` there (R-PART-5).
3. **Support grant** (``support``: the user is platform staff). The user has no
   membership in ``C`` at all, nor one that counts at ``now`` in the nearest ancestor
   they belong to, and holds an approved support grant for ``C`` in force at ``now``
   that names ``action`` (R-SUP-1).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from teamaccess.domain.ids import UserId

__all__ = ["CompanyFilter"]


@attrs.frozen
class CompanyFilter:
    """The companies in which the check allows one user one action, as matchable facts.

    A store matches it as the module ``teamaccess.domain.company_filter`` describes;
    take it from ``ta.access.company_filter`` (learnt from the check's own rules),
    never build it by hand.

    Attributes:
        user_id: The user.
        action: The action.
        now: The instant every window is judged at (the service's clock, R-TIME-1).
        built_in: The policy's role names; a company's own role of the same name
            never counts (R-ROLE-1).
        member_any: Any member whose role is known may.
        member_main_contact: The main contact may.
        member_by_setting: Any member may where the company lets any member add members.
        member_permissions: A member holding one of these (through any role) may.
        member_roles: The built-in roles that grant one of ``member_permissions``.
        ancestor_any: A member of the nearest ancestor may, whatever their role.
        ancestor_permissions: A member of the nearest ancestor holding one of these there may.
        ancestor_roles: The built-in roles that grant one of ``ancestor_permissions``.
        support: The user is platform staff, and a support grant naming the action
            allows it.
    """

    user_id: UserId
    action: str
    now: datetime
    built_in: frozenset[str]
    member_any: bool = False
    member_main_contact: bool = False
    member_by_setting: bool = False
    member_permissions: frozenset[str] = frozenset()
    member_roles: frozenset[str] = frozenset()
    ancestor_any: bool = False
    ancestor_permissions: frozenset[str] = frozenset()
    ancestor_roles: frozenset[str] = frozenset()
    support: bool = False

    @property
    def members_may(self) -> bool:
        """Whether some membership of the company itself can allow it."""
        return bool(
            self.member_any
            or self.member_main_contact
            or self.member_by_setting
            or self.member_permissions
        )

    @property
    def ancestors_may(self) -> bool:
        """Whether some membership of an ancestor can allow it (R-PART-2, R-PART-5)."""
        return bool(self.ancestor_any or self.ancestor_permissions)

    @property
    def nobody(self) -> bool:
        """Whether no company at all can allow it (e.g. an action aimed at a member)."""
        return not (self.members_may or self.ancestors_may or self.support)
