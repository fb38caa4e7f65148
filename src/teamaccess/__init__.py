"""teamaccess: the B2B rules of "several people working for one company".

Everything a host needs is importable from here; the SQL adapter lives in
:mod:`teamaccess.adapters.sql` (extra ``teamaccess[sql]``) and test helpers in
:mod:`teamaccess.testing`.

>>> from teamaccess import MemoryStore, TeamAccess
>>> ta = TeamAccess(MemoryStore())
>>> _ = ta.register_user("anna", "anna@example.com")
>>> acme = ta.create_company("anna", "ACME GmbH")
>>> str(ta.check("anna", acme.id, "edit_profile"))
'allowed: is_main_contact (R-MC-2)'
"""

from teamaccess.adapters.memory import MemoryStore
from teamaccess.domain.csvimport import (
    CsvLimits,
    CsvRow,
    RowError,
    parse_enrollment_csv,
    read_enrollment_csv,
)
from teamaccess.domain.decisions import Action, Decision, Reason
from teamaccess.domain.emails import normalize_email
from teamaccess.domain.events import (
    CompanyCreated,
    CompanyProfileUpdated,
    ContactVisibilityChanged,
    EnrollmentNotificationRequested,
    Event,
    InvitationAccepted,
    InvitationSent,
    InvitationWithdrawn,
    MainContactChanged,
    MemberAdded,
    MemberRemoved,
    OutboxMessage,
    ParticipantEnrolled,
    ParticipantRemoved,
    ProductCreated,
    RoleChanged,
    SeatPoolResized,
    SeatsPurchased,
    SingleAccessPurchased,
    TagGranted,
    TagRevoked,
    UserRegistered,
    event_from_dict,
    event_to_dict,
)
from teamaccess.domain.ids import CompanyId, InvitationId, UserId
from teamaccess.domain.models import (
    AddMembersBy,
    Company,
    CompanySettings,
    Invitation,
    InvitationStatus,
    Membership,
    User,
    hash_token,
)
from teamaccess.domain.partner_events import (
    AccountParentChanged,
    AccountPropertiesChanged,
    ArticleAdded,
    LicenseReleased,
    LicenseSet,
    LicenseUsed,
    PricingModelChanged,
    PropertyDefined,
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
from teamaccess.domain.roles import (
    DEFAULT_POLICY,
    MANAGE_TEAM,
    REASSIGN_MAIN_CONTACT,
    Policy,
    RolePolicy,
)
from teamaccess.domain.seats import (
    Enrollment,
    PoolId,
    Product,
    ProductId,
    ReplacementPolicy,
    SeatPool,
    TagGrant,
)
from teamaccess.ports import (
    Clock,
    Eligibility,
    IdFactory,
    Store,
    TokenFactory,
    Transaction,
    UserDirectory,
)
from teamaccess.service.facade import IssuedInvitation, TeamAccess
from teamaccess.service.partners import CHILD_ACCOUNT_SETTINGS
from teamaccess.service.seats import GroupView

__version__ = "0.1.0.dev0"

__all__ = [
    "CHILD_ACCOUNT_SETTINGS",
    "DEFAULT_POLICY",
    "MANAGE_TEAM",
    "REASSIGN_MAIN_CONTACT",
    "AccountOverview",
    "AccountParentChanged",
    "AccountPropertiesChanged",
    "Action",
    "AddMembersBy",
    "Article",
    "ArticleAdded",
    "Clock",
    "Company",
    "CompanyCreated",
    "CompanyId",
    "CompanyProfileUpdated",
    "CompanySettings",
    "ContactVisibilityChanged",
    "CsvLimits",
    "CsvRow",
    "Decision",
    "Eligibility",
    "Enrollment",
    "EnrollmentNotificationRequested",
    "Event",
    "GroupView",
    "IdFactory",
    "Invitation",
    "InvitationAccepted",
    "InvitationId",
    "InvitationSent",
    "InvitationStatus",
    "InvitationWithdrawn",
    "IssuedInvitation",
    "License",
    "LicenseReleased",
    "LicenseSet",
    "LicenseUsed",
    "MainContactChanged",
    "MemberAdded",
    "MemberRemoved",
    "Membership",
    "MemoryStore",
    "OutboxMessage",
    "OverviewPage",
    "ParticipantEnrolled",
    "ParticipantRemoved",
    "Policy",
    "PoolId",
    "PricingModelChanged",
    "Product",
    "ProductCreated",
    "ProductId",
    "PropertyDefined",
    "PropertyDefinition",
    "PropertyKind",
    "PropertyValue",
    "Reason",
    "ReplacementPolicy",
    "RoleChanged",
    "RolePolicy",
    "RowError",
    "SeatPool",
    "SeatPoolResized",
    "SeatsPurchased",
    "SingleAccessPurchased",
    "Store",
    "TagGrant",
    "TagGranted",
    "TagRevoked",
    "TeamAccess",
    "TokenFactory",
    "Transaction",
    "User",
    "UserDirectory",
    "UserId",
    "UserRegistered",
    "__version__",
    "event_from_dict",
    "event_to_dict",
    "hash_token",
    "normalize_email",
    "parse_enrollment_csv",
    "read_enrollment_csv",
]
