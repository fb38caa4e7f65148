"""Every value a host handles: ids, companies, memberships, seats, leads, records, ...

All are frozen ``attrs`` classes (or enums, ``NewType`` ids and constants), defined in
``teamaccess.domain`` and re-exported here, so a host imports them from one place:
``from teamaccess.values import SeatPool, LeadId``. The most used ones are importable
from `teamaccess` itself too.
"""

from __future__ import annotations

from teamaccess.domain.audit import (
    KEPT_ON_PURGE,
    AuditEntry,
    AuditFilter,
    AuditLog,
    kind_of,
    targets_of,
)
from teamaccess.domain.audit_chain import AuditVerification, SealedEvent
from teamaccess.domain.company_roles import RoleLimits, RolePlan
from teamaccess.domain.csvimport import (
    CsvLimits,
    CsvRow,
    RowError,
    parse_enrollment_csv,
    read_enrollment_csv,
)
from teamaccess.domain.decisions import ActingAs
from teamaccess.domain.domains import (
    CONSUMER_DOMAINS,
    DNS_CHALLENGE_TTL,
    EMAIL_CHALLENGE_TTL,
    TXT_PREFIX,
    ChallengeMethod,
    DomainClaim,
    DomainState,
    EnrollmentMode,
    JoinRequest,
    JoinRequestState,
    normalize_domain,
)
from teamaccess.domain.events import RequestContext
from teamaccess.domain.ids import (
    CompanyId,
    InvitationId,
    LeadId,
    RecordId,
    RequestId,
    UserId,
)
from teamaccess.domain.leads import (
    InboxRequest,
    Lead,
    LeadAction,
    LeadState,
    MarketRole,
    Page,
    RequestKind,
    RequestState,
)
from teamaccess.domain.lifecycle import (
    Migration,
    MigrationConflict,
    personal_company_id,
)
from teamaccess.domain.models import (
    AddMembersBy,
    Company,
    CompanyRole,
    CompanySettings,
    Invitation,
    InvitationStatus,
    Membership,
    User,
    hash_token,
)
from teamaccess.domain.partners import (
    AccountOverview,
    Article,
    License,
    OverviewPage,
    PropertyDefinition,
    PropertyKind,
    PropertyValue,
)
from teamaccess.domain.provisioning import (
    Directory,
    DirectoryGroup,
    DirectoryUser,
    GroupsAre,
    ProvisionedGroup,
    ProvisionedUser,
)
from teamaccess.domain.records import (
    DEFAULT_TIMELINE_EMBARGO,
    LinkKind,
    RecordKind,
    ServiceLink,
    SharedRecord,
)
from teamaccess.domain.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from teamaccess.domain.reverse import (
    Expansion,
    Holder,
    Step,
)
from teamaccess.domain.review import (
    AccessReview,
    ReviewDiff,
    ReviewRow,
    neutralize,
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
    PoolId,
    Product,
    ProductId,
    ReplacementPolicy,
    SeatPool,
    TagGrant,
)
from teamaccess.domain.support import (
    FORBIDDEN_SUPPORT_ACTIONS,
    MAX_SUPPORT_DURATION,
    SUPPORT_DURATION_CAP,
    SupportGrant,
    SupportStatus,
)
from teamaccess.domain.windows import (
    Window,
    WindowState,
)
from teamaccess.service._domain_enrolment import (
    DomainMatch,
    DomainRegistration,
)
from teamaccess.service.domains import (
    DomainChallenge,
)
from teamaccess.service.grants import (
    ExpiredGrant,
    ExpiringGrant,
    ExpiryReport,
)
from teamaccess.service.invitations import (
    IssuedInvitation,
)
from teamaccess.service.partners import (
    CHILD_ACCOUNT_SETTINGS,
)
from teamaccess.service.support import (
    SupportExpiry,
)

__all__ = [
    "CHILD_ACCOUNT_SETTINGS",
    "CONSUMER_DOMAINS",
    "DEFAULT_POLICY",
    "DEFAULT_RETRY_POLICY",
    "DEFAULT_TIMELINE_EMBARGO",
    "DNS_CHALLENGE_TTL",
    "EMAIL_CHALLENGE_TTL",
    "FORBIDDEN_SUPPORT_ACTIONS",
    "KEPT_ON_PURGE",
    "MANAGE_TEAM",
    "MAX_SUPPORT_DURATION",
    "REASSIGN_MAIN_CONTACT",
    "SUPPORT_DURATION_CAP",
    "TXT_PREFIX",
    "AccessReview",
    "AccountOverview",
    "ActingAs",
    "AddMembersBy",
    "Article",
    "AuditEntry",
    "AuditFilter",
    "AuditLog",
    "AuditVerification",
    "ChallengeMethod",
    "Company",
    "CompanyId",
    "CompanyRole",
    "CompanySettings",
    "CsvLimits",
    "CsvRow",
    "Directory",
    "DirectoryGroup",
    "DirectoryUser",
    "DomainChallenge",
    "DomainClaim",
    "DomainMatch",
    "DomainRegistration",
    "DomainState",
    "Enrollment",
    "EnrollmentMode",
    "Expansion",
    "ExpiredGrant",
    "ExpiringGrant",
    "ExpiryReport",
    "GroupView",
    "GroupsAre",
    "Holder",
    "InboxRequest",
    "Invitation",
    "InvitationId",
    "InvitationStatus",
    "IssuedInvitation",
    "JoinRequest",
    "JoinRequestState",
    "Lead",
    "LeadAction",
    "LeadId",
    "LeadState",
    "License",
    "LinkKind",
    "MarketRole",
    "Membership",
    "Migration",
    "MigrationConflict",
    "OverviewPage",
    "Page",
    "Policy",
    "PoolId",
    "Product",
    "ProductId",
    "PropertyDefinition",
    "PropertyKind",
    "PropertyValue",
    "ProvisionedGroup",
    "ProvisionedUser",
    "RecordId",
    "RecordKind",
    "ReplacementPolicy",
    "RequestContext",
    "RequestId",
    "RequestKind",
    "RequestState",
    "RetryPolicy",
    "ReviewDiff",
    "ReviewRow",
    "RoleLimits",
    "RolePlan",
    "RolePolicy",
    "RowError",
    "SealedEvent",
    "SeatPool",
    "ServiceLink",
    "SharedRecord",
    "Step",
    "SupportExpiry",
    "SupportGrant",
    "SupportStatus",
    "TagGrant",
    "User",
    "UserId",
    "Window",
    "WindowState",
    "hash_token",
    "kind_of",
    "neutralize",
    "normalize_domain",
    "parse_enrollment_csv",
    "personal_company_id",
    "read_enrollment_csv",
    "targets_of",
]
