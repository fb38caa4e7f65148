"""teamaccess: the B2B rules of "several people working for one company".

The facade, the stores, decisions and the values a host handles most are importable
from here; every other value from [teamaccess.values][], the events from
[teamaccess.events][], the errors from [teamaccess.errors][], the ports (for a
store of your own) from [teamaccess.ports][]. The SQL adapter lives in
``teamaccess.adapters.sql`` (extra ``teamaccess[sql]``) and test helpers in
``teamaccess.testing``.

>>> from teamaccess import MemoryStore, TeamAccess
>>> ta = TeamAccess(MemoryStore())
>>> _ = ta.users.register("anna", "anna@example.com")
>>> acme = ta.companies.create("anna", "ACME GmbH")
>>> str(ta.check("anna", acme.id, "edit_profile"))
'allowed: is_main_contact (R-MC-2)'
"""

from teamaccess import consistency, errors, events, ports, values
from teamaccess.adapters.memory import (
    MemoryStore,
)
from teamaccess.domain.csvimport import (
    CsvLimits,
)
from teamaccess.domain.decisions import (
    Action,
    Decision,
    Reason,
)
from teamaccess.domain.emails import (
    normalize_email,
)
from teamaccess.domain.leads import (
    InboxRequest,
    Lead,
    LeadAction,
    LeadState,
    Page,
)
from teamaccess.domain.lifecycle import (
    Migration,
)
from teamaccess.domain.models import (
    AddMembersBy,
    Company,
    CompanySettings,
    Invitation,
    InvitationStatus,
    Membership,
    User,
)
from teamaccess.domain.records import (
    RecordKind,
    SharedRecord,
)
from teamaccess.domain.roles import (
    DEFAULT_POLICY,
    MANAGE_TEAM,
    REASSIGN_MAIN_CONTACT,
    Policy,
    RolePolicy,
)
from teamaccess.domain.seats import (
    Enrollment,
    GroupView,
    Product,
    ReplacementPolicy,
    SeatPool,
)
from teamaccess.ports import (
    Store,
)
from teamaccess.service.async_facade import (
    AsyncTeamAccess,
)
from teamaccess.service.facade import (
    TeamAccess,
)
from teamaccess.service.invitations import (
    IssuedInvitation,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_POLICY",
    "MANAGE_TEAM",
    "REASSIGN_MAIN_CONTACT",
    "Action",
    "AddMembersBy",
    "AsyncTeamAccess",
    "Company",
    "CompanySettings",
    "CsvLimits",
    "Decision",
    "Enrollment",
    "GroupView",
    "InboxRequest",
    "Invitation",
    "InvitationStatus",
    "IssuedInvitation",
    "Lead",
    "LeadAction",
    "LeadState",
    "Membership",
    "MemoryStore",
    "Migration",
    "Page",
    "Policy",
    "Product",
    "Reason",
    "RecordKind",
    "ReplacementPolicy",
    "RolePolicy",
    "SeatPool",
    "SharedRecord",
    "Store",
    "TeamAccess",
    "User",
    "__version__",
    "consistency",
    "errors",
    "events",
    "normalize_email",
    "ports",
    "values",
]
