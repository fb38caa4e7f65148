"""Verified company domains and enrollment by domain (R-DOM-1..4).

A company claims an e-mail domain; the claim is verified only through a proof the
host carried out: a DNS TXT record holding a value the library issued, or a code
mailed to an address at the domain. The library never looks up DNS nor sends mail:
the host passes what it saw. One company at a time holds a domain verified; consumer
mail providers (`CONSUMER_DOMAINS`, which the host extends) are never claimable.

Domains are compared in the form e-mail addresses are (R-INV-4): Unicode NFKC, then
IDNA 2008 with UTS-46 mapping, non-transitional (the ``idna`` package), lower-case
ASCII, without a trailing dot. ``Bücher.Example`` and ``xn--bcher-kva.example`` are one
domain.

Subdomains: a claim matches its own domain exactly, never a subdomain.
``anna@eng.example.com`` does not match a claim of ``example.com``: a subdomain may
be run by someone else (a department, a customer of a hosting company, a university
institute), and the proof was given for the parent only. A company that wants
``eng.example.com`` claims and proves it too.

Challenges expire: a DNS token after `DNS_CHALLENGE_TTL` (7 days, propagation can be
slow), an e-mail code after `EMAIL_CHALLENGE_TTL` (24 hours). Only the SHA-256 hash
of a token or code is stored, as for invitation tokens (R-INV-2).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs
import idna

from teamaccess.domain.ids import CompanyId, UserId
from teamaccess.errors import ConsumerDomain, InvalidDomain

__all__ = [
    "CONSUMER_DOMAINS",
    "DNS_CHALLENGE_TTL",
    "EMAIL_CHALLENGE_TTL",
    "TXT_PREFIX",
    "ChallengeMethod",
    "DomainClaim",
    "DomainState",
    "EnrollmentMode",
    "JoinRequest",
    "JoinRequestId",
    "JoinRequestState",
    "consumer_domains",
    "domain_of",
    "normalize_domain",
    "require_claimable",
    "txt_value",
]

DNS_CHALLENGE_TTL = timedelta(days=7)
"""How long a DNS TXT challenge can be proved after it was issued."""
EMAIL_CHALLENGE_TTL = timedelta(hours=24)
"""How long a mailed verification code can be proved after it was issued."""
TXT_PREFIX = "teamaccess-domain-verification="
"""The start of the TXT record value the host publishes: ``TXT_PREFIX + token``."""

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MAX_DOMAIN = 253

CONSUMER_DOMAINS: frozenset[str] = frozenset(
    {
        # global
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
        "hotmail.de", "hotmail.fr", "live.com", "live.de", "msn.com", "yahoo.com",
        "yahoo.co.uk", "yahoo.de", "yahoo.fr", "ymail.com", "rocketmail.com", "aol.com",
        "aol.de", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com",
        "pm.me", "tutanota.com", "tutanota.de", "tuta.io", "zoho.com", "yandex.com",
        "yandex.ru", "mail.ru", "gmx.com", "gmx.net", "mail.com", "fastmail.com",
        "hey.com", "qq.com", "163.com", "126.com", "naver.com",
        # German-speaking
        "gmx.de", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "arcor.de",
        "posteo.de", "mailbox.org", "online.de", "bluewin.ch", "email.de",
        # elsewhere in Europe
        "orange.fr", "free.fr", "laposte.net", "libero.it", "virgilio.it", "wp.pl",
        "o2.pl", "interia.pl", "seznam.cz", "btinternet.com",
    }
)  # fmt: skip
"""Consumer mail providers, whose domains no company may claim (R-DOM-1).

``TeamAccess(consumer_domains=...)`` adds the host's own to these.
"""


class DomainState(str, enum.Enum):
    """Where a domain claim stands."""

    PENDING = "pending"
    """Claimed; waiting for the host's proof."""
    VERIFIED = "verified"
    """Proved; the company owns the domain (one company at a time)."""


class ChallengeMethod(str, enum.Enum):
    """How the host proves control of a domain (R-DOM-1)."""

    DNS_TXT = "dns_txt"
    """A DNS TXT record at the domain holding ``TXT_PREFIX + token``."""
    EMAIL = "email"
    """A code the host mailed to an address at the domain."""


class EnrollmentMode(str, enum.Enum):
    """How people with a matching address join (R-DOM-2)."""

    MANUAL = "manual"
    """Nothing happens: the company adds or invites people itself (the default)."""
    SUGGEST = "suggest"
    """The user is shown the company and may ask to join; a manager decides (R-DOM-3)."""
    INVITE = "invite"
    """An invitation with the default role is issued when such a user registers."""
    JOIN = "join"
    """Such a user becomes a member with the default role when they register."""


@attrs.frozen
class DomainClaim:
    """A company's claim of an e-mail domain (R-DOM-1, R-DOM-2).

    Attributes:
        company_id: The claiming company.
        domain: The normalized domain (see `normalize_domain`).
        state: Pending or verified.
        method: How the current challenge is proved.
        challenge_hash: ``hash_token`` of the challenge token or code.
        challenge_address: For ``email``: the address at the domain the code goes to.
        challenge_expires_at: When the challenge stops being accepted.
        claimed_by: The member who claimed it.
        claimed_at: When it was claimed (or the challenge last issued).
        mode: How matching people join (R-DOM-2); ``manual`` until set.
        default_role: The role ``invite`` and ``join`` give; ``None`` for the
            service's member role.
        mode_set_by: Who last set the mode; the issuer of invitations in ``invite`` mode.
        verified_at: When it was verified.
        verified_by: Who confirmed the proof.
    """

    company_id: CompanyId
    domain: str
    state: DomainState
    method: ChallengeMethod
    challenge_hash: str | None
    challenge_address: str | None
    challenge_expires_at: datetime | None
    claimed_by: UserId
    claimed_at: datetime
    mode: EnrollmentMode = EnrollmentMode.MANUAL
    default_role: str | None = None
    mode_set_by: UserId | None = None
    verified_at: datetime | None = None
    verified_by: UserId | None = None

    @property
    def verified(self) -> bool:
        """Whether the company holds the domain verified."""
        return self.state is DomainState.VERIFIED


JoinRequestId = str
"""The id of a join request (a plain string, like every id)."""


class JoinRequestState(str, enum.Enum):
    """Where a join request stands (R-DOM-3)."""

    PENDING = "pending"
    """Waiting for a member with ``manage_team``."""
    APPROVED = "approved"
    """Approved; the membership was created."""
    DECLINED = "declined"
    """Declined by a manager."""
    WITHDRAWN = "withdrawn"
    """Ended: the person joined by another way (as R-INV-5)."""


@attrs.frozen
class JoinRequest:
    """A user's request to join a company whose verified domain matches them (R-DOM-3).

    Attributes:
        id: The request's id.
        company_id: The company asked.
        user_id: The user asking.
        domain: The matching domain when it was asked.
        state: Its [JoinRequestState][teamaccess.values.JoinRequestState].
        created_at: When it was asked.
        decided_by: The manager who approved or declined it.
        closed_at: When it was decided or withdrawn.
    """

    id: JoinRequestId
    company_id: CompanyId
    user_id: UserId
    domain: str
    state: JoinRequestState
    created_at: datetime
    decided_by: UserId | None = None
    closed_at: datetime | None = None


def normalize_domain(value: object) -> str:
    """The canonical form of a domain, or raise `InvalidDomain` (R-INV-4 for domains).

    >>> normalize_domain(" Bücher.Example. ")
    'xn--bcher-kva.example'
    """
    if not isinstance(value, str):
        raise InvalidDomain(f"a domain must be a string: {value!r}")
    if len(value) > 4 * _MAX_DOMAIN:
        raise InvalidDomain(f"domain longer than {_MAX_DOMAIN} characters")
    text = unicodedata.normalize("NFKC", value.strip())
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise InvalidDomain("empty domain")
    if "@" in text:
        raise InvalidDomain(f"{value!r} is an e-mail address, not a domain")
    try:
        ascii_domain = idna.encode(text, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise InvalidDomain(f"domain {value!r} is not a valid IDNA 2008 name: {error}") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        raise InvalidDomain(f"domain {value!r} needs at least one dot")
    if len(ascii_domain) > _MAX_DOMAIN:
        raise InvalidDomain(f"domain longer than {_MAX_DOMAIN} characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidDomain(f"domain label {label!r} of {value!r} is not valid")
    return ascii_domain


def domain_of(normalized_email: str) -> str:
    """The domain of an address normalized by ``normalize_email``."""
    return normalized_email.rpartition("@")[2]


def consumer_domains(extra: Iterable[str]) -> frozenset[str]:
    """`CONSUMER_DOMAINS` and the host's ``extra`` ones, each normalized.

    Raises:
        InvalidDomain: One of ``extra`` is not a valid domain.
    """
    if isinstance(extra, str):
        raise InvalidDomain("consumer_domains takes a collection of domains, not one string")
    return CONSUMER_DOMAINS | {normalize_domain(domain) for domain in extra}


def require_claimable(domain: str, consumer: frozenset[str]) -> str:
    """``domain`` unless it is a consumer provider's (R-DOM-1)."""
    if domain in consumer:
        raise ConsumerDomain(
            f"{domain!r} is a consumer mail provider's domain; no company may claim it"
        )
    return domain


def txt_value(token: str) -> str:
    """The TXT record value the host publishes for a DNS challenge token."""
    return TXT_PREFIX + token
