"""company_q: a queryset of the host's model keeps the rows check allows (issue 32)."""

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from shipping.models import Shipment

from teamaccess.contrib.django.filters import company_q
from teamaccess.testing import FrozenClock, make_service
from teamaccess.testing.worlds import WORLD_ACTIONS, WORLD_OPTIONS, WORLD_USERS, build_world, worlds

_COMPANIES = ("w0", "w1", "w2", "w3", "nowhere")


class _Rollback(Exception):
    """Ends an example: its world and shipments go with the savepoint."""


@settings(
    max_examples=3 if os.environ.get("CI") else 15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_r_part_2_r_co_8_r_time_1_company_q_keeps_the_rows_check_allows(teamaccess, world):
    """R-PART-2, R-PART-5, R-CO-8, R-TIME-1, R-ROLE-3, R-SUP-1, R-ALL-1: Shipment.objects.filter(company_q(user, action)) holds exactly the shipments of companies where ta.check allows, in a random world; check_many on the Django store gives the decisions of check (R-ALL-2)."""
    clock = FrozenClock()
    ta = make_service(teamaccess.store, clock=clock, **WORLD_OPTIONS)
    with pytest.raises(_Rollback):
        _compare(ta, clock, world)


def _compare(ta, clock, world):
    """Build the world and compare in a savepoint; roll it back by raising `_Rollback`."""
    with transaction.atomic():
        build_world(ta, clock, world)
        Shipment.objects.bulk_create(Shipment(company_id=c, title=c) for c in _COMPANIES)
        for user in WORLD_USERS:
            for action in WORLD_ACTIONS:
                kept = Shipment.objects.filter(company_q(user, action, ta=ta)).order_by("id")
                expected = [c for c in _COMPANIES if ta.check(user, c, action)]
                assert [s.company_id for s in kept] == expected, (user, action)
            pairs = [(c, a) for c in _COMPANIES for a in WORLD_ACTIONS]
            assert ta.access.check_many(user, pairs) == [ta.check(user, *p) for p in pairs]
        raise _Rollback
