"""teamaccess inside a Django site: one transaction with the host's models, DRF, the app."""

import io

import pytest
from django.core.management import call_command
from shipping.models import Shipment


def test_a_saved_django_user_is_a_teamaccess_user(site):
    """The post_save signal registers each new user with its e-mail."""
    ta, ids = site
    assert ta.users.get(ids["ben"]).email == "ben@example.com"


def test_r_all_3_an_exception_in_atomic_rolls_back_the_model_and_the_command(site, client):
    """R-ALL-3: the view's atomic() fails after both writes: neither the shipment nor the membership stays."""
    ta, ids = site
    with pytest.raises(RuntimeError):
        client.get("/companies/acme/shipments?title=Pumps&carrier=ben&fail=1", HTTP_X_USER="anna")
    assert Shipment.objects.count() == 0
    assert [m.user_id for m in ta.members.list(ids["anna"], "acme")] == [ids["anna"]]


def test_r_all_4_success_keeps_the_model_and_the_command_with_its_events(site, client):
    """R-ALL-4: the view's atomic() succeeds: the shipment, the membership and its outbox events are kept."""
    ta, ids = site
    before = ta.outbox.count_pending()
    answer = client.get("/companies/acme/shipments?title=Pumps&carrier=ben", HTTP_X_USER="anna")
    assert answer.json() == {"shipments": 1}
    assert [m.user_id for m in ta.members.list(ids["anna"], "acme")] == [ids["anna"], ids["ben"]]
    assert ta.outbox.count_pending() == before + 1


def test_r_mem_6_drf_permission_answers_403_as_a_problem_naming_the_rule(site, client):
    """R-MEM-6: a non-member gets 403 application/problem+json with reason and rule; a member the list."""
    _, ids = site
    denied = client.get("/api/companies/acme/members", HTTP_X_USER="carla")
    assert denied.status_code == 403
    assert denied["Content-Type"] == "application/problem+json"
    assert {k: denied.json()[k] for k in ("status", "code", "reason", "rule")} == {
        "status": 403,
        "code": "NotAMember",
        "reason": "not_a_member",
        "rule": "R-MEM-6",
    }
    assert client.get("/api/companies/acme/members", HTTP_X_USER="anna").json() == [ids["anna"]]


def test_r_all_4_request_context_middleware_stamps_the_views_events(site, client):
    """R-ALL-4: the events of a view's command carry REMOTE_ADDR, the User-Agent and X-Request-ID."""
    ta, _ = site
    before = {m.position for m in ta.outbox.pending(limit=1000)}
    client.get(
        "/companies/acme/shipments?title=Pumps&carrier=ben", HTTP_X_USER="anna",
        HTTP_USER_AGENT="Browser/1.0", HTTP_X_REQUEST_ID="req-42",
    )  # fmt: skip
    new = [m.event for m in ta.outbox.pending(limit=1000) if m.position not in before]
    assert new
    assert {(e.context.ip, e.context.user_agent, e.context.request_id) for e in new} == {
        ("127.0.0.1", "Browser/1.0", "req-42")
    }


def test_r_all_12_token_middleware_hands_out_the_token_after_a_command(site, client):
    """R-ALL-12: a response after a command carries its token (header, cookie); reads carry none."""
    from teamaccess.consistency import ConsistencyToken

    ta, _ = site
    booked = client.get("/companies/acme/shipments?title=Pumps&carrier=ben", HTTP_X_USER="anna")
    text = booked["TeamAccess-Token"]
    token = ConsistencyToken.parse(text)
    assert token <= ta.current_token()
    assert token.kind == ta.store.token_kind
    assert client.cookies["teamaccess_token"].value == text
    assert client.cookies["teamaccess_token"]["httponly"]
    read = client.get("/companies/acme/board", HTTP_X_USER="anna")  # the cookie goes along
    assert read.status_code == 200
    assert "TeamAccess-Token" not in read
    garbage = client.get(
        "/companies/acme/board", HTTP_X_USER="anna", HTTP_TEAMACCESS_TOKEN="garbage"
    )
    assert garbage.status_code == 200


def test_r_mem_6_the_view_decorator_and_the_middleware(site, client):
    """R-MEM-6: @requires answers a non-member 403 with the rule; a teamaccess error in a view becomes a problem."""
    assert client.get("/companies/acme/board", HTTP_X_USER="anna").json() == {"company": "acme"}
    denied = client.get("/companies/acme/board", HTTP_X_USER="carla")
    assert (denied.status_code, denied.json()["rule"]) == (403, "R-MEM-6")
    refused = client.get("/companies/acme/shipments?title=X&carrier=ben", HTTP_X_USER="carla")
    assert (refused.status_code, refused.json()["code"]) == (403, "NotAMember")
    assert Shipment.objects.count() == 0  # the atomic() rolled back the shipment


@pytest.fixture
def user_none(site):
    """A teamaccess user whose id is the text "None", a member of ACME."""
    ta, ids = site
    ta.users.register("None", "none@example.com")
    ta.members.add(ids["anna"], "acme", "None")
    return ta


@pytest.mark.parametrize("user_id_setting", ["pk", "username"])
def test_r_all_1_an_anonymous_visitor_is_answered_401_and_never_checked(
    user_none, client, settings, user_id_setting
):
    """R-ALL-1: an anonymous visitor gets 401 from @requires and DRF, never the access of a user with id "None" (nor 422 with USER_ID="username")."""
    settings.TEAMACCESS = {**settings.TEAMACCESS, "USER_ID": user_id_setting}
    assert user_none.check("None", "acme", "view_members").allowed  # the lender exists
    page = client.get("/companies/acme/board")
    assert (page.status_code, page["Content-Type"]) == (401, "application/problem+json")
    assert page.json()["code"] == "NotAuthenticated"
    api = client.get("/api/companies/acme/members")
    assert api.status_code in (401, 403)
    assert api.json() == {"detail": "Authentication credentials were not provided."}


def test_r_all_1_user_id_refuses_an_anonymous_user(user_none):
    """R-ALL-1: user_id() of Django's AnonymousUser or None raises AccessDenied (not_signed_in) instead of the id "None"."""
    from django.contrib.auth.models import AnonymousUser

    from teamaccess.contrib.django.conf import user_id
    from teamaccess.errors import AccessDenied

    for visitor in (AnonymousUser(), None):
        with pytest.raises(AccessDenied) as denied:
            user_id(visitor)
        assert denied.value.decision.reason == "not_signed_in"


@pytest.mark.parametrize("path", ["/broken", "/api/broken"])
def test_r_all_9_a_storage_error_answers_503_without_its_text(client, path, caplog):
    """R-ALL-9: a StorageError quoting SQL answers 503 problem+json with a generic detail, through the middleware and DRF; the text is logged."""
    answer = client.get(path, HTTP_X_USER="")
    assert (answer.status_code, answer["Content-Type"]) == (503, "application/problem+json")
    assert answer.json()["code"] == "StorageError"
    assert "ta_invitations" not in answer.content.decode()
    assert "relation" not in answer.content.decode()
    assert "ta_invitations" in caplog.text


def test_r_all_10_an_unreachable_database_raises_storage_error(site, monkeypatch):
    """R-ALL-10: when Django cannot reach its database, a check, a read and a command raise StorageError, never Django's OperationalError."""
    from django.db import OperationalError, connections

    from teamaccess.errors import StorageError

    ta, ids = site
    connection = connections["default"]

    def unreachable():
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "ensure_connection", unreachable)
    calls = [
        lambda: ta.check(ids["anna"], "acme", "view_members"),
        lambda: ta.members.list(ids["anna"], "acme"),
        lambda: ta.companies.update_profile(ids["anna"], "acme", name="ACME AG"),
    ]
    try:
        for call in calls:
            with pytest.raises(StorageError) as caught:
                call()
            assert isinstance(caught.value.__cause__, OperationalError)
    finally:
        monkeypatch.undo()  # before pytest-django rolls the test's transaction back


def test_management_commands_explain_and_relay(site):
    """teamaccess_explain prints the decision; teamaccess_relay --drain delivers the outbox."""
    ta, ids = site
    out = io.StringIO()
    call_command("teamaccess_explain", ids["anna"], "edit_profile", "acme", stdout=out)
    assert "allowed" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command(
            "teamaccess_explain", ids["carla"], "edit_profile", "acme", stdout=io.StringIO()
        )
    pending = ta.outbox.count_pending()
    relayed = io.StringIO()
    call_command("teamaccess_relay", sink="stdout:", drain=True, stdout=relayed)
    assert relayed.getvalue().strip().endswith(f"{pending} events delivered")
    assert ta.outbox.count_pending() == 0
