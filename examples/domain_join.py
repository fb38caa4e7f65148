"""A SaaS whose staff join their company by domain, and a contractor who leaves on a date.

(R-DOM-1..4, R-TIME-1..3.) Projectly, a project-management SaaS, lets each customer
company prove that it owns
its e-mail domain. From then on colleagues who sign up with an address at that domain
join their company at once (``join``), or ask to and are let in by an admin
(``suggest``). Projectly publishes nothing and mails nothing for this: it looks up the
DNS record (or mails the code) itself and tells teamaccess what it saw.
Run it: ``python examples/domain_join.py``.
"""

# --8<-- [start:setup]
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from teamaccess import MemoryStore, TeamAccess
from teamaccess.errors import ConsumerDomain, DomainTaken
from teamaccess.testing import FrozenClock

# A clock the story can move (a real app leaves the default, the system's UTC clock).
clock = FrozenClock(datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
# Projectly's own free-mail domain joins the shipped list of consumer providers.
ta = TeamAccess(MemoryStore(), clock=clock, consumer_domains=["mail.projectly.example"])
ta.users.register("maria", "maria@bäckerei-müller.example")
ta.companies.create("maria", "Bäckerei Müller GmbH", company_id="mueller")
ta.users.register("tom", "tom@werkstatt.example")
ta.companies.create("tom", "Werkstatt Schmidt KG", company_id="werkstatt")


def dns_lookup(domain: str, published: dict[str, list[str]]) -> list[str]:
    """Projectly's DNS look-up, faked here: the TXT strings found at ``domain``."""
    return published.get(domain, [])


# --8<-- [end:setup]


def main() -> None:
    """Verify two customers' domains and let their colleagues in by them."""
    # --8<-- [start:claim]
    challenge = ta.domains.claim("maria", "mueller", "Bäckerei-Müller.example")
    print("claimed:", challenge.claim.domain, challenge.claim.state.value)
    # Maria adds the TXT record at her DNS provider; Projectly looks it up later.
    published = {challenge.claim.domain: ["v=spf1 -all", challenge.txt_record or ""]}
    found = dns_lookup(challenge.claim.domain, published)
    claim = ta.domains.verify("maria", "mueller", challenge.claim.domain, txt_records=found)
    print("verified:", claim.domain, claim.state.value)
    for domain in ("gmail.com", "mail.projectly.example"):
        try:
            ta.domains.claim("maria", "mueller", domain)
        except ConsumerDomain as refused:
            print("refused:", refused)
    # --8<-- [end:claim]

    # --8<-- [start:join]
    ta.domains.set_mode("maria", "mueller", claim.domain, "join")
    joined = ta.domains.register("jonas", "Jonas@BÄCKEREI-MÜLLER.example")
    print(
        "jonas joins:", joined.membership and (joined.membership.company_id, joined.membership.role)
    )
    sub = ta.domains.register("lea", "lea@filiale.bäckerei-müller.example")
    print("a subdomain joins nothing:", sub.membership, sub.matches)
    # --8<-- [end:join]

    # --8<-- [start:suggest]
    mailed = ta.domains.claim("tom", "werkstatt", "werkstatt.example", method="email",
                              address="it@werkstatt.example")  # fmt: skip
    # Projectly mails mailed.secret to it@werkstatt.example; the person types it in.
    ta.domains.verify("tom", "werkstatt", "werkstatt.example", code=mailed.secret,
                      address="it@werkstatt.example")  # fmt: skip
    ta.domains.set_mode("tom", "werkstatt", "werkstatt.example", "suggest")
    ta.users.register("uwe", "uwe@werkstatt.example")
    for match in ta.domains.matching("uwe"):
        print(f"uwe is shown: {match.company_name} ({match.mode.value})")
    request = ta.domains.request_join("uwe", "werkstatt")
    member = ta.domains.approve("tom", "werkstatt", request.id)
    print("tom approves uwe:", member.role)
    try:
        ta.domains.claim("maria", "mueller", "werkstatt.example")
    except DomainTaken as taken:
        print("taken:", taken)
    # --8<-- [end:suggest]

    # --8<-- [start:change]
    ta.users.change_email("uwe", "uwe@bäckerei-müller.example")
    print("uwe after moving address:", [m.company_id for m in ta.members.of_user("uwe")])
    print("last event:", type(ta.outbox.pending(limit=1000)[-1].event).__name__)
    # --8<-- [end:change]

    # --8<-- [start:contractor]
    # Kai, a freelancer with his own address, helps the bakery until his contract ends.
    ta.users.register("kai", "kai@freelance.example")
    contract_ends = clock.now + timedelta(days=30)
    ta.members.add("maria", "mueller", "kai", expires_at=contract_ends)
    print("kai during the contract:", ta.check("kai", "mueller", "open_backoffice"))
    for grant in ta.grants.expiring("maria", "mueller", within=timedelta(days=31)):
        print(f"ends soon: {grant.user_id}'s {grant.kind} on {grant.ends_at:%Y-%m-%d}")
    clock.now = contract_ends  # the day comes: denied at once, before any sweep
    print("kai after it:", ta.check("kai", "mueller", "open_backoffice"))
    report = ta.grants.expire_due()  # the nightly job ends it in the store
    print("the sweep ended:", [(g.kind, g.user_id) for g in report.expired])
    print("kai's companies now:", [m.company_id for m in ta.members.of_user("kai")])
    # --8<-- [end:contractor]


if __name__ == "__main__":
    main()
