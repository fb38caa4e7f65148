"""Domain claims racing from several companies for one domain, on every SQL database.

Each round, 8 companies hold a pending claim of the same fresh domain with a valid
proof, and their admins verify at once (threads released together by a barrier):
exactly one company ends up the verified owner and every other verification is
refused with `DomainTaken`, never a driver exception (R-DOM-1). The storage decides:
a unique constraint over verified domains, so the service's own look-up before the
update (which two transactions can pass together) is not what holds the rule. 20
rounds by default; set ``TEAMACCESS_DOMAIN_RACE_ROUNDS`` to race longer.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore, create_engine
from teamaccess.errors import DomainTaken, TeamAccessError
from teamaccess.testing import dump, make_service

from ..backends import SQL_BACKENDS
from .test_races import _race

COMPANIES = 8
ROUNDS = int(
    os.environ.get("TEAMACCESS_DOMAIN_RACE_ROUNDS", "12" if os.environ.get("CI") else "20")
)

pytestmark = pytest.mark.slow


@pytest.fixture(params=SQL_BACKENDS)
def domain_racing_service(request: pytest.FixtureRequest) -> Iterator[TeamAccess]:
    """A service on the backend's tables with a pool large enough for every thread."""
    session_store = request.param.store()
    session_store.clear()
    engine = create_engine(session_store.engine.url, pool_size=2 * COMPANIES + 2)
    yield make_service(SqlStore(engine, prefix=session_store.tables.prefix))
    engine.dispose()


def test_r_dom_1_racing_verifications_leave_exactly_one_owner(
    domain_racing_service: TeamAccess,
) -> None:
    """R-DOM-1: 8 companies verifying one domain at once: one owner, 7 get DomainTaken."""
    ta = domain_racing_service
    admins = [f"a{i}" for i in range(COMPANIES)]
    for i, admin in enumerate(admins):
        ta.users.register(admin, f"{admin}@home{i}.example")
        ta.companies.create(admin, f"Company {i}", company_id=f"c{i}")
    for round_no in range(ROUNDS):
        domain = f"race{round_no}.example"
        proofs = [
            ta.domains.claim(a, f"c{i}", domain).txt_record or "" for i, a in enumerate(admins)
        ]
        outcomes = _race(
            [
                lambda i=i, a=a, p=p, d=domain: ta.domains.verify(a, f"c{i}", d, txt_records=[p])
                for i, (a, p) in enumerate(zip(admins, proofs, strict=True))
            ]
        )
        kinds: Counter[str] = Counter()
        for outcome in outcomes:
            if isinstance(outcome, TeamAccessError):
                kinds[type(outcome).__name__] += 1
            elif isinstance(outcome, BaseException):
                raise AssertionError(f"a loser got a non-library error: {outcome!r}") from outcome
            else:
                kinds["won"] += 1
        assert kinds == Counter({"won": 1, DomainTaken.__name__: COMPANIES - 1}), kinds
        owners = [c for c in dump(ta.store).domains if c.domain == domain and c.verified]
        assert len(owners) == 1, owners
