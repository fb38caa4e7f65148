"""The read-only admin pages of teamaccess: each list renders for a superuser, none writes."""

import pytest
from django.contrib.auth import get_user_model

from teamaccess import TeamAccess
from teamaccess.contrib.django.models import Company, OutboxMessage

PAGES = ["company", "membership", "seatpool", "outboxmessage"]


@pytest.fixture
def admin_site(site):
    """ACME with ben as a member and a seat pool of 5, and a superuser "root"."""
    ta, ids = site
    ta.members.add(ids["anna"], "acme", ids["ben"])
    root = get_user_model().objects.create_superuser("root", "root@example.com", None)
    platform = TeamAccess(ta.store, platform_admins=[str(root.pk)])
    platform.seats.create_product(str(root.pk), "course", "Course", tag="course-access")
    ta.seats.purchase(ids["anna"], "course", 5, "ACME staff", company_id="acme")
    return ta, ids


@pytest.mark.parametrize("page", PAGES)
def test_each_admin_list_renders_for_a_superuser(admin_site, client, page):
    """The changelist of companies, members, seat pools and the outbox answers 200 with the stored rows, read through the prefixed tables."""
    _, ids = admin_site
    answer = client.get(f"/admin/teamaccess/{page}/", HTTP_X_USER="root")
    assert answer.status_code == 200
    text = answer.content.decode()
    expected = {
        "company": ["ACME", "acme"],
        "membership": [ids["ben"], "acme"],
        "seatpool": ["ACME staff", "course"],
        "outboxmessage": ["MemberAdded", "CompanyCreated"],
    }[page]
    assert all(value in text for value in expected), page
    assert f"/admin/teamaccess/{page}/add/" not in text


@pytest.mark.parametrize("page", PAGES)
def test_admin_pages_refuse_every_write(admin_site, client, page):
    """Adding, changing or deleting through the admin answers 403 (a membership has no such page: 404) and changes nothing."""
    ta, _ = admin_site
    first = OutboxMessage.objects.order_by("position").first()
    pool = ta.seats.led_by(_ids(admin_site)["anna"])[0]
    pk = {"company": "acme", "membership": "acme", "seatpool": pool.id, "outboxmessage": first.pk}
    base = f"/admin/teamaccess/{page}/"
    refused = 404 if page == "membership" else 403
    for url, data in [
        (f"{base}add/", {"id": "evil", "name": "Evil", "title": "Evil", "event_type": "X"}),
        (f"{base}{pk[page]}/change/", {"name": "Renamed", "title": "Renamed"}),
        (f"{base}{pk[page]}/delete/", {"post": "yes"}),
    ]:
        assert client.post(url, data, HTTP_X_USER="root").status_code == refused, url
    assert list(Company.objects.values_list("id", "name")) == [("acme", "ACME")]
    assert ta.seats.get(pool.id).title == "ACME staff"
    assert OutboxMessage.objects.filter(pk=first.pk).exists()


def _ids(admin_site):
    return admin_site[1]


def test_a_staff_user_without_the_view_permission_sees_no_list(admin_site, client):
    """A staff user who lacks the view permission gets 403 for the companies list."""
    get_user_model().objects.create_user("staff", "staff@example.com", is_staff=True)
    assert client.get("/admin/teamaccess/company/", HTTP_X_USER="staff").status_code == 403


def test_a_company_and_an_event_open_read_only(admin_site, client):
    """A company's and an outbox event's own page render for a superuser without a save button; a membership has no page of its own."""
    company = client.get("/admin/teamaccess/company/acme/change/", HTTP_X_USER="root")
    assert company.status_code == 200
    assert "ACME" in company.content.decode()
    assert 'name="_save"' not in company.content.decode()
    first = OutboxMessage.objects.order_by("position").first()
    event = client.get(f"/admin/teamaccess/outboxmessage/{first.pk}/change/", HTTP_X_USER="root")
    assert event.status_code == 200
    assert "UserRegistered" in event.content.decode()
    assert (
        client.get("/admin/teamaccess/membership/acme/change/", HTTP_X_USER="root").status_code
        == 404
    )
