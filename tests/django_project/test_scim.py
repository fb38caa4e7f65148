"""SCIM 2.0 in the Django site (R-PROV-1, R-PROV-2).

scim2-client and scim2-tester drive ``teamaccess.contrib.django.scim`` through Django's
WSGI handler, on the site's database.
"""

import pytest

pytest.importorskip("scim2_models", reason="the scim extra needs Python 3.11 or later")

from django.core.wsgi import get_wsgi_application
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_models import Email, Group, GroupMember, PatchOp, SearchRequest, User
from scim2_tester import Status, check_server

BASE = "http://testserver/scim/v2"


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Keep the test's connection (and its transaction) open across requests.

    Django's WSGI handler closes old connections around each request; its test client
    stops that the same way.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _client(token):
    return WSGISCIMClient(
        get_wsgi_application(), base_url=BASE, headers={"Authorization": f"Bearer {token}"}
    )


def test_r_prov_1_scim2_tester_finds_no_failure_in_the_django_site(site):
    """R-PROV-1: every check the server's configuration calls for passes."""
    ta, ids = site
    token = ta.provisioning.connect(ids["anna"], "acme")
    results = check_server(_client(token))
    assert [(r.title, r.reason) for r in results if r.status is Status.ERROR] == []
    assert sum(r.status is Status.SUCCESS for r in results) >= 40


def test_r_prov_2_provisioning_in_django_reaches_one_company_and_ends_access(site):
    """R-PROV-1, R-PROV-2: create, filter, group, deactivate; another token sees nothing."""
    ta, ids = site
    token = ta.provisioning.connect(ids["anna"], "acme")
    client = _client(token)
    client.discover()
    bob = client.create(User(user_name="bob", emails=[Email(value="bob@acme.example")]))
    found = client.query(User, query_parameters=SearchRequest(filter='userName eq "bob"'))
    assert [r.id for r in found.resources] == [bob.id]
    client.create(Group(display_name="admin", members=[GroupMember(value=bob.id)]))
    assert ta.check(bob.id, "acme", "manage_team").allowed
    off = PatchOp[User].model_validate(
        {"Operations": [{"op": "replace", "value": {"active": False}}]}
    )
    client.modify(User, bob.id, off)
    assert not ta.check(bob.id, "acme", "open_backoffice").allowed
    ta.companies.create(ids["ben"], "Beta", company_id="beta")
    other = ta.provisioning.connect(ids["ben"], "beta")
    stranger = _client(other)
    stranger.discover()
    answer = stranger.query(User, bob.id, raise_scim_errors=False)
    assert answer.status == 404
