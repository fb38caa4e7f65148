"""Every exception teamaccess raises on purpose.

One root, [TeamAccessError][teamaccess.errors.TeamAccessError]; each specific error also inherits
the builtin it
resembles, so ``except LookupError`` or ``except PermissionError`` in a host keeps
working. A command that raises any of these has changed nothing (R-ALL-6).

::

    TeamAccessError
    ├── InvalidInput (ValueError)
    │   ├── InvalidEmail
    │   ├── InvalidName
    │   ├── UnknownRole
    │   ├── CsvImportError
    │   ├── CsvTooLarge
    │   ├── InvalidPropertyValue
    │   ├── InvalidToken
    │   ├── InvalidDomain
    │   │   └── ConsumerDomain
    │   ├── InvalidDuration
    │   └── SupportActionForbidden
    ├── NotFound (LookupError)
    │   ├── UnknownUser
    │   ├── UnknownCompany
    │   ├── MembershipNotFound
    │   ├── InvitationNotFound
    │   ├── UnknownProduct
    │   ├── UnknownGroup
    │   ├── NotEnrolled
    │   ├── UnknownProperty
    │   ├── UnknownLicense
    │   ├── UnknownLead
    │   ├── UnknownRequest
    │   ├── UnknownRecord
    │   ├── DomainNotFound
    │   ├── JoinRequestNotFound
    │   ├── UnknownSupportGrant
    │   └── UnknownDirectoryResource
    ├── Conflict
    │   ├── AlreadyAMember
    │   ├── AlreadyInvited
    │   ├── UserAlreadyExists
    │   ├── EmailTaken
    │   ├── CompanyAlreadyExists
    │   ├── MainContactRequired
    │   ├── AlreadyEnrolled
    │   ├── AlreadyGranted
    │   ├── SeatsExhausted
    │   ├── SeatsInUse
    │   ├── HierarchyCycle
    │   ├── HierarchyTooDeep
    │   ├── LicenseExhausted
    │   ├── MissingMarketRole
    │   ├── LeadAlreadyPicked
    │   ├── CompanyClosed
    │   ├── MergeConflict
    │   ├── DomainTaken
    │   ├── DomainNotVerified
    │   ├── JoinRequestClosed
    │   ├── SupportGrantClosed
    │   ├── DirectoryNameTaken
    │   ├── DirectoryActorRequired
    │   └── DirectoryVersionMismatch
    ├── DomainProofRejected (ValueError)
    ├── InvalidProvisioningToken (PermissionError)
    ├── InvitationError
    │   ├── InvitationExpired
    │   ├── InvitationRevoked
    │   ├── InvitationUsed
    │   └── InvitationEmailMismatch
    ├── AccessDenied (PermissionError)
    │   ├── NotAMember
    │   └── NotEligible
    └── StorageError
        ├── TransientStorageError
        ├── SchemaMissing
        └── ReadOnlyStorage
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from teamaccess.domain.decisions import Decision

__all__ = [
    "AccessDenied",
    "AlreadyAMember",
    "AlreadyEnrolled",
    "AlreadyGranted",
    "AlreadyInvited",
    "CompanyAlreadyExists",
    "CompanyClosed",
    "Conflict",
    "ConsumerDomain",
    "CsvImportError",
    "CsvTooLarge",
    "DirectoryActorRequired",
    "DirectoryNameTaken",
    "DirectoryVersionMismatch",
    "DomainNotFound",
    "DomainNotVerified",
    "DomainProofRejected",
    "DomainTaken",
    "EmailTaken",
    "HierarchyCycle",
    "HierarchyTooDeep",
    "InvalidDomain",
    "InvalidDuration",
    "InvalidEmail",
    "InvalidInput",
    "InvalidName",
    "InvalidPropertyValue",
    "InvalidProvisioningToken",
    "InvalidToken",
    "InvitationEmailMismatch",
    "InvitationError",
    "InvitationExpired",
    "InvitationNotFound",
    "InvitationRevoked",
    "InvitationUsed",
    "JoinRequestClosed",
    "JoinRequestNotFound",
    "LeadAlreadyPicked",
    "LicenseExhausted",
    "MainContactRequired",
    "MembershipNotFound",
    "MergeConflict",
    "MissingMarketRole",
    "NotAMember",
    "NotEligible",
    "NotEnrolled",
    "NotFound",
    "ReadOnlyStorage",
    "RoleExists",
    "RoleInUse",
    "RoleLimitExceeded",
    "SchemaMissing",
    "SeatsExhausted",
    "SeatsInUse",
    "StorageError",
    "SupportActionForbidden",
    "SupportGrantClosed",
    "SuspensionConflict",
    "TeamAccessError",
    "TransientStorageError",
    "UnknownCompany",
    "UnknownDirectoryResource",
    "UnknownGroup",
    "UnknownLead",
    "UnknownLicense",
    "UnknownPermission",
    "UnknownProduct",
    "UnknownProperty",
    "UnknownRecord",
    "UnknownRequest",
    "UnknownRole",
    "UnknownSupportGrant",
    "UnknownUser",
    "UserAlreadyExists",
]


class TeamAccessError(Exception):
    """Root of every error teamaccess raises on purpose."""


# -- bad input -----------------------------------------------------------------


class InvalidInput(TeamAccessError, ValueError):
    """An argument has the wrong shape or value; nothing was changed."""


class InvalidEmail(InvalidInput):
    """An e-mail address could not be normalized (R-INV-4).

    Attributes:
        address: The address as the caller gave it.
        reason: Why it was refused, e.g. ``"missing '@'"``.
    """

    def __init__(self, address: str, reason: str) -> None:
        shown = repr(address)
        if len(shown) > 80:
            shown = f"{shown[:72]}...{shown[-3:]}"
        super().__init__(f"invalid e-mail address {shown}: {reason}")
        self.address = address
        self.reason = reason


class InvalidToken(InvalidInput):
    """A consistency token is malformed, of an unknown version, or of another store kind."""


class InvalidName(InvalidInput):
    """A name or identifier is empty, too long or not a string."""


class UnknownRole(InvalidInput):
    """A role is not known to the role policy (R-MEM-8, R-ALL-1)."""

    def __init__(self, role: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown role {role!r}; the policy knows {', '.join(known)}")
        self.role = role


@attrs.frozen
class RowError:
    """One problem in one row of an import; `CsvImportError` carries one per bad row.

    Defined here, beside the error that carries it, so that this module imports
    nothing of ``teamaccess.domain`` at run time (``domain.csvimport`` imports it from
    here); it is public as ``teamaccess.values.RowError``.

    Attributes:
        row: The line number in the file (1 is the first line; 0 is the whole file).
        column: The column it concerns, or ``""``.
        reason: What is wrong.
    """

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return f"{where}, column {self.column or '-'}: {self.reason}"


class CsvImportError(InvalidInput):
    """An enrollment CSV has bad rows; nothing was enrolled (R-SEAT-7).

    Attributes:
        errors: Every problem found, each with its row number, column and reason.
    """

    def __init__(self, errors: Sequence[RowError]) -> None:
        shown = "; ".join(str(e) for e in errors[:10])
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        super().__init__(f"{len(errors)} bad row(s), nothing enrolled: {shown}{more}")
        self.errors = list(errors)


class CsvTooLarge(InvalidInput):
    """An import file exceeds the configured size or row limit (R-ALL-6)."""


class UnknownPermission(InvalidInput):
    """A company's role names a permission not on the host's permission list (R-ROLE-1)."""


class InvalidDomain(InvalidInput):
    """A domain name is not a valid IDNA 2008 host name (R-DOM-1)."""


class InvalidDuration(InvalidInput):
    """A duration is not a positive ``timedelta`` within its maximum (R-SUP-1, R-ALL-6)."""


class SupportActionForbidden(InvalidInput):
    """A support grant may not name this action: it hands out access (R-SUP-2)."""


class ConsumerDomain(InvalidDomain):
    """The domain is a consumer mail provider's, which no company may claim (R-DOM-1)."""


# -- lookups -------------------------------------------------------------------


class NotFound(TeamAccessError, LookupError):
    """Something a command names does not exist."""


class UnknownUser(NotFound):
    """No user with this id is registered."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"unknown user {user_id!r}")
        self.user_id = user_id


class UnknownCompany(NotFound):
    """No company with this id exists."""

    def __init__(self, company_id: str) -> None:
        super().__init__(f"unknown company {company_id!r}")
        self.company_id = company_id


class MembershipNotFound(NotFound):
    """The named user is not a member of the named company."""

    def __init__(self, company_id: str, user_id: str) -> None:
        super().__init__(f"user {user_id!r} is not a member of company {company_id!r}")
        self.company_id = company_id
        self.user_id = user_id


class InvitationNotFound(NotFound):
    """No invitation matches this id or token (R-INV-3)."""


class UnknownProduct(NotFound):
    """No product with this id exists."""


class UnknownGroup(NotFound):
    """No seat pool (group) with this id exists."""


class NotEnrolled(NotFound):
    """The user holds no seat in this group."""


class InvalidPropertyValue(InvalidInput):
    """A custom property value does not match the property's type (R-PART-4)."""


# -- conflicts with the current state -------------------------------------------


class UnknownProperty(NotFound):
    """The partner defined no custom property of this name (R-PART-4)."""


class UnknownLicense(NotFound):
    """The account holds no license for this action kind (R-LIC-2)."""


class UnknownLead(NotFound):
    """No lead with this id exists (R-LEAD-2)."""


class UnknownRequest(NotFound):
    """No contact or meeting request with this id is in the company's inbox (R-LEAD-6)."""


class UnknownRecord(NotFound):
    """No shared record with this id exists for this customer (R-REC-1)."""


class DomainNotFound(NotFound):
    """The company has no claim of this domain (R-DOM-1)."""


class JoinRequestNotFound(NotFound):
    """No join request with this id in this company (R-DOM-3)."""


class UnknownSupportGrant(NotFound):
    """No support grant with this id that the caller may see (R-SUP-1, R-ALL-9)."""


class Conflict(TeamAccessError):
    """The command contradicts the current state; nothing was changed."""


class AlreadyAMember(Conflict):
    """The user is already a member of the company (R-MEM-2)."""

    def __init__(self, company_id: str, user_id: str) -> None:
        super().__init__(f"user {user_id!r} is already a member of company {company_id!r}")
        self.company_id = company_id
        self.user_id = user_id


class RoleExists(Conflict):
    """A role of that name counts in the company already: built in or its own (R-ROLE-1)."""


class RoleInUse(Conflict):
    """A company's role is still held or handed out; name a role to move it to (R-ROLE-3)."""


class RoleLimitExceeded(Conflict):
    """The plan or the host's cap allows no more roles, or not that permission (R-ROLE-1)."""


class AlreadyInvited(Conflict):
    """A pending invitation for this address exists; re-send it instead (R-INV-2)."""


class UserAlreadyExists(Conflict):
    """A user with this id is already registered."""


class EmailTaken(Conflict):
    """Another user is already registered with this normalized e-mail."""


class CompanyAlreadyExists(Conflict):
    """A company with this id already exists."""


class MainContactRequired(Conflict):
    """The main contact cannot leave while other members remain (R-MC-4).

    Transfer the role first with ``ta.members.transfer_main_contact``.
    """


class AlreadyEnrolled(Conflict):
    """The user already holds a seat in this group (R-SEAT-5)."""


class AlreadyGranted(Conflict):
    """This source already grants this tag to this user (R-TAG-3)."""


class SeatsExhausted(Conflict):
    """No free seat is left in the pool (R-SEAT-6)."""


class SeatsInUse(Conflict):
    """A pool cannot shrink below the seats in use (R-SEAT-11)."""


class HierarchyCycle(Conflict):
    """The move would make an account its own ancestor (R-PART-3)."""


class HierarchyTooDeep(Conflict):
    """The account would sit deeper than the configured maximum depth (R-PART-3)."""


class LicenseExhausted(Conflict):
    """The license is at its limit (R-LIC-2); ``decision`` names the license and limit."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.detail)
        self.decision = decision


class MissingMarketRole(Conflict):
    """A company does not play the marketplace role the command needs (R-LEAD-1)."""


class LeadAlreadyPicked(Conflict):
    """Another company picked the lead first; a pick is exclusive (R-LEAD-3).

    No longer raised: a lead picked by another company is out of the acting company's
    sight, and [UnknownLead][teamaccess.errors.UnknownLead] answers, as for a lead that
    does not exist (R-ALL-9). Kept so that hosts catching it still import.
    """


class SuspensionConflict(Conflict):
    """Suspending a suspended company, or resuming one that is not suspended (R-CO-5)."""


class CompanyClosed(Conflict):
    """The company was closed (merged into another); it refuses new actions (R-CO-3).

    Attributes:
        company_id: The closed company.
        merged_into: The company it was merged into, if any.
    """

    def __init__(self, company_id: str, merged_into: str | None) -> None:
        where = f"; it was merged into {merged_into!r}" if merged_into else ""
        super().__init__(f"company {company_id!r} is closed{where} (R-CO-3)")
        self.company_id = company_id
        self.merged_into = merged_into


class MergeConflict(Conflict):
    """Two companies cannot be merged as asked; nothing was changed (R-CO-2)."""


# -- invitations ---------------------------------------------------------------


class DomainTaken(Conflict):
    """Another company holds the domain verified; it names no company (R-DOM-1, R-ALL-9)."""


class DomainNotVerified(Conflict):
    """The command needs a verified domain and the claim is still pending (R-DOM-2)."""


class JoinRequestClosed(Conflict):
    """The join request was decided or withdrawn already (R-DOM-3)."""


class SupportGrantClosed(Conflict):
    """The support grant is not in a state that allows this (approved, ended, ...) (R-SUP-1)."""


class DirectoryNameTaken(Conflict):
    """The company's directory has this ``userName``, address or group already (R-PROV-1)."""


class DirectoryActorRequired(Conflict):
    """The admin a directory acts as cannot be deprovisioned through it (R-PROV-2).

    Connect the directory as another admin first (``ta.provisioning.connect``).
    """


class DirectoryVersionMismatch(Conflict):
    """The directory's resource changed since the version the request was based on."""


class UnknownDirectoryResource(NotFound):
    """The company's directory has no user or group with this id (R-PROV-1).

    Said alike whether the id exists elsewhere or not at all (R-ALL-9).
    """


class InvalidProvisioningToken(TeamAccessError, PermissionError):
    """The provisioning token is unknown, rotated or disconnected (R-PROV-2).

    One message for every cause, so a guessed token learns nothing.
    """

    def __init__(self) -> None:
        super().__init__("invalid provisioning token")


class DomainProofRejected(TeamAccessError, ValueError):
    """The host's proof does not match the claim's challenge, or it expired (R-DOM-1).

    Nothing was changed; issue a new challenge by claiming the domain again.
    """


class InvitationError(TeamAccessError):
    """An invitation token cannot be used (R-INV-3)."""


class InvitationExpired(InvitationError):
    """The invitation's token has expired; ask for it to be re-sent."""


class InvitationRevoked(InvitationError):
    """The invitation was revoked, or replaced by a re-sent one."""


class InvitationUsed(InvitationError):
    """The invitation was already accepted; tokens are single-use."""


class InvitationEmailMismatch(InvitationError):
    """The accepting user's e-mail differs from the invited address."""


# -- access --------------------------------------------------------------------


class AccessDenied(TeamAccessError, PermissionError):
    """A check denied the command; ``decision`` says why and by which rule (R-ALL-2).

    Attributes:
        decision: The denied [Decision][teamaccess.Decision].
    """

    def __init__(self, decision: Decision) -> None:
        super().__init__(str(decision) + (f": {decision.detail}" if decision.detail else ""))
        self.decision = decision


class NotAMember(AccessDenied):
    """The acting user is not a member of the acting company (R-MEM-1, R-MEM-6)."""


class NotEligible(AccessDenied):
    """The host's eligibility predicate refused to add the user (R-MEM-4)."""


# -- storage -------------------------------------------------------------------


class StorageError(TeamAccessError):
    """The storage adapter failed in a way the library does not model."""


class TransientStorageError(StorageError):
    """A serialization failure or deadlock; the command may be retried as a whole."""


class SchemaMissing(StorageError):
    """A teamaccess table is not in the database: the schema was never created there.

    The message says how to create it: ``store.create_schema()``, ``teamaccess init``,
    or the host's Alembic upgrade.
    """


class ReadOnlyStorage(StorageError):
    """A write reached a read-only database node (a replica, a read-only session).

    PostgreSQL's SQLSTATE 25006, MariaDB's errors 1290, 1792 and 1836, SQLite's
    ``SQLITE_READONLY``: commands belong on the primary (R-ALL-12). Not retried.
    """
