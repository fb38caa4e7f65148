"""SCIM 2.0 over HTTP (R-PROV-1, R-PROV-2): a real SCIM client and a compliance checker.

scim2-client drives ``teamaccess.contrib.fastapi.scim_router`` through Starlette's test
client: it creates, patches, filters, pages and deletes users and groups; scim2-tester
checks everything ``/ServiceProviderConfig`` declares. On SQLite, served from the app's
thread pool (the service's rules run on every store in
``tests/contract/test_provisioning.py``, the Django site's SCIM on all three databases).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("scim2_models", reason="the scim extra needs Python 3.11 or later")

from fastapi import FastAPI
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Email, Group, GroupMember, ListResponse, PatchOp, SearchRequest, User
from scim2_tester import Status, check_server
from starlette.testclient import TestClient

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.contrib.fastapi import scim_router
from teamaccess.scim import SCIM_MEDIA_TYPE

BASE = "http://testserver/scim/v2"

pytestmark = pytest.mark.sqlite


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TeamAccess]:
    """ACME (anna) and Beta (dora); a seat product."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'scim.sqlite'}")
    store.create_schema()
    ta = TeamAccess(store, platform_admins={"ops"})
    for user, company in (("anna", "acme"), ("dora", "beta")):
        ta.users.register(user, f"{user}@{company}.example")
        ta.companies.create(user, company.upper(), company_id=company)
    ta.users.register("ops", "ops@example.com")
    ta.seats.create_product("ops", "course", "Course", tag="course")
    yield ta
    store.engine.dispose()


def _client(ta: TeamAccess, token: str) -> SyncSCIMClient:
    app = FastAPI()
    app.include_router(scim_router(ta))
    http = TestClient(app, base_url=BASE, headers={"Authorization": f"Bearer {token}"})
    return SyncSCIMClient(http)


def _discovered(ta: TeamAccess, token: str) -> SyncSCIMClient:
    """A client that read the server's schemas, as an identity provider does first."""
    client = _client(ta, token)
    client.discover()
    return client


def _http(ta: TeamAccess) -> TestClient:
    app = FastAPI()
    app.include_router(scim_router(ta))
    return TestClient(app, base_url=BASE)


def test_r_prov_1_scim2_tester_finds_no_failure(service: TeamAccess) -> None:
    """R-PROV-1: the compliance checker runs every check the server's configuration calls for."""
    token = service.provisioning.connect("anna", "acme")
    results = check_server(_client(service, token))
    failed = [(r.title, r.reason) for r in results if r.status is Status.ERROR]
    assert failed == []
    assert sum(r.status is Status.SUCCESS for r in results) >= 40


def test_r_prov_1_a_scim_client_creates_filters_pages_patches_and_deletes(
    service: TeamAccess,
) -> None:
    """R-PROV-1: users and groups through scim2-client; the library's members follow."""
    token = service.provisioning.connect("anna", "acme")
    client = _discovered(service, token)
    made = {}
    for name in ("bob", "bea", "carl"):
        user = User(
            user_name=name, emails=[Email(value=f"{name}@acme.example")], external_id=f"ext-{name}"
        )
        created = client.create(user)
        assert (created.user_name, created.external_id) == (name, f"ext-{name}")
        made[name] = created.id
    found = client.query(User, query_parameters=SearchRequest(filter='userName sw "b"', count=1))
    assert isinstance(found, ListResponse)
    assert (found.total_results, len(found.resources or [])) == (2, 1)
    second = client.query(
        User, query_parameters=SearchRequest(filter='userName sw "b"', start_index=2, count=1)
    )
    pages = [r.user_name for r in (found.resources or []) + (second.resources or [])]
    assert sorted(pages) == ["bea", "bob"]  # two pages of one, in the directory's order
    both = client.query(
        User, query_parameters=SearchRequest(filter='userName eq "carl" or externalId eq "ext-bea"')
    )
    assert sorted(r.user_name for r in both.resources or []) == ["bea", "carl"]
    group = client.create(Group(display_name="admin", members=[GroupMember(value=made["bob"])]))
    assert [m.value for m in group.members] == [made["bob"]]
    roles = {m.user_id: m.roles for m in service.members.list("anna", "acme")}
    assert "admin" in roles[made["bob"]]
    patch = PatchOp[Group].model_validate(
        {
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": made["carl"]}]},
                {"op": "remove", "path": f'members[value eq "{made["bob"]}"]'},
            ]
        }
    )
    patched = client.modify(Group, group.id, patch)
    assert [m.value for m in patched.members or []] == [made["carl"]]
    roles = {m.user_id: m.roles for m in service.members.list("anna", "acme")}
    assert (roles[made["bob"]], "admin" in roles[made["carl"]]) == (("member",), True)
    off = PatchOp[User].model_validate(
        {"Operations": [{"op": "replace", "value": {"active": False}}]}
    )
    assert client.modify(User, made["carl"], off).active is False
    assert made["carl"] not in {m.user_id for m in service.members.list("anna", "acme")}
    client.delete(User, made["bea"])
    assert {r.user_name for r in client.query(User).resources or []} == {"bob", "carl"}


def test_r_prov_2_deprovisioning_over_scim_frees_the_seat_and_revokes_the_tag(
    service: TeamAccess,
) -> None:
    """R-PROV-2, R-SEAT-10, R-TAG-3: DELETE of a pool group's member ends seat and tag at once."""
    pool = service.seats.purchase("anna", "course", 1, "Course group", company_id="acme")
    token = service.provisioning.connect("anna", "acme", groups="pools")
    client = _discovered(service, token)
    bob = client.create(User(user_name="bob", emails=[Email(value="bob@acme.example")]))
    client.create(Group(display_name=pool.id, members=[GroupMember(value=bob.id)]))
    assert "course" in service.tags.of_user(bob.id)
    assert service.seats.get(pool.id).free == 0
    client.delete(User, bob.id)
    assert "course" not in service.tags.of_user(bob.id)
    assert service.seats.get(pool.id).free == 1
    assert not service.check(bob.id, "acme", "open_backoffice").allowed


def test_r_prov_2_one_companys_token_gets_404_on_anothers_and_a_bad_one_401(
    service: TeamAccess,
) -> None:
    """R-PROV-2, R-ALL-9: beta's token sees none of acme's resources; 404 alike for made-up ids."""
    acme = service.provisioning.connect("anna", "acme")
    beta = service.provisioning.connect("dora", "beta")
    bob = _discovered(service, acme).create(
        User(user_name="bob", emails=[Email(value="bob@acme.example")])
    )
    http = _http(service)
    as_beta = {"Authorization": f"Bearer {beta}"}
    answers = []
    for user_id in (bob.id, "user_made_up"):
        for method in ("GET", "DELETE", "PUT", "PATCH"):
            body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x"}
            if method == "PATCH":
                body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "value": {"active": False}}]}  # fmt: skip
            answer = http.request(method, f"/Users/{user_id}", headers=as_beta, json=body)
            assert answer.status_code == 404
            assert answer.headers["content-type"] == SCIM_MEDIA_TYPE
            answers.append(answer.json()["detail"].replace(user_id, "<id>"))
    assert len(set(answers)) == 1
    listed = http.get("/Users", headers=as_beta).json()
    assert listed["totalResults"] == 0
    for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {acme}"}):
        answer = http.get("/Users", headers=header)
        assert (answer.status_code, answer.headers["www-authenticate"]) == (
            401,
            'Bearer realm="scim"',
        )
    assert service.check(bob.id, "acme", "open_backoffice").allowed


def test_r_prov_1_scim_errors_are_scim_documents(service: TeamAccess) -> None:
    """R-PROV-1, R-ALL-6: bad JSON, a bad filter, a taken userName: SCIM errors, nothing changed."""
    token = service.provisioning.connect("anna", "acme")
    http = _http(service)
    auth = {"Authorization": f"Bearer {token}"}
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bob",
            "emails": [{"value": "bob@acme.example"}]}  # fmt: skip
    assert http.post("/Users", headers=auth, json=user).status_code == 201
    cases = [
        (http.post("/Users", headers=auth, content=b"{not json"), 400, "invalidSyntax"),
        (http.get("/Users", headers=auth, params={"filter": 'userName eq "'}), 400, "invalidFilter"),
        (http.post("/Users", headers=auth, json=user), 409, "uniqueness"),
        (http.post("/Users", headers=auth, json={**user, "userName": "x", "emails": [{"value": "nope"}]}), 400, "invalidValue"),
        (http.get("/Users", headers=auth, params={"count": "abc"}), 400, "invalidValue"),
        (http.post("/Bulk", headers=auth, json={}), 404, None),
    ]  # fmt: skip
    for answer, status, scim_type in cases:
        document = answer.json()
        assert answer.status_code == status, document
        assert document["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert document.get("scimType") == scim_type
    assert [u.record.user_name for u in service.provisioning.users(token)] == ["bob"]
