"""Django's users kept in step with teamaccess: create, change, delete, and a backfill."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save

from teamaccess.contrib.django.users import SYNC_ACTOR, register_user
from teamaccess.errors import MainContactRequired

User = get_user_model()


def _types(ta):
    """The types of the pending outbox events, oldest first."""
    return [m.event.type for m in ta.outbox.pending(limit=1000)]


def test_r_dom_4_an_e_mail_change_is_carried_over(site):
    """R-DOM-4: a changed e-mail in Django becomes the teamaccess user's, with UserEmailChanged; the membership stays."""
    ta, ids = site
    ben = User.objects.get(username="ben")
    ta.members.add(ids["anna"], "acme", ids["ben"])
    ben.email = "Ben.New@Example.com"
    ben.save()
    assert ta.users.get(ids["ben"]).email == "ben.new@example.com"
    assert _types(ta)[-1] == "UserEmailChanged"
    assert ids["ben"] in [m.user_id for m in ta.members.list(ids["anna"], "acme")]
    ben.save()  # nothing changed: nothing emitted
    assert _types(ta)[-1] == "UserEmailChanged"
    assert ta.outbox.count_pending() == len(_types(ta))


def test_a_save_of_other_fields_leaves_the_e_mail_alone(site, django_assert_num_queries):
    """A save with update_fields that leave out the e-mail (a login's last_login) syncs nothing and reads nothing of teamaccess."""
    ta, ids = site
    ben = User.objects.get(username="ben")
    ben.email = "unsaved@example.com"
    with django_assert_num_queries(1):  # the UPDATE of last_login, nothing else
        ben.save(update_fields=["last_login"])
    assert ta.users.get(ids["ben"]).email == "ben@example.com"


def test_a_user_who_adds_an_e_mail_later_is_registered(teamaccess):
    """A user saved without an e-mail is left out, and registered when the e-mail comes."""
    dora = User.objects.create_user("dora")
    assert teamaccess.users.find(str(dora.pk)) is None
    dora.email = "dora@example.com"
    dora.save()
    assert teamaccess.users.get(str(dora.pk)).email == "dora@example.com"


def test_r_mem_7_a_deleted_user_is_erased_and_their_membership_ends(site):
    """R-MEM-7, R-CO-9: deleting a Django user ends their membership with MemberRemoved and frees their e-mail for a new user."""
    ta, ids = site
    ta.members.add(ids["anna"], "acme", ids["ben"])
    User.objects.get(username="ben").delete()
    assert [m.user_id for m in ta.members.list(ids["anna"], "acme")] == [ids["anna"]]
    assert ta.members.of_user(ids["ben"]) == []
    assert ta.users.find_by_email("ben@example.com") is None
    events = ta.outbox.pending(limit=1000)
    removed = [m.event for m in events if m.event.type == "MemberRemoved"]
    assert [(e.user_id, e.actor_id) for e in removed] == [(ids["ben"], SYNC_ACTOR)]
    assert events[-1].event.type == "UserErased"
    again = User.objects.create_user("ben2", "ben@example.com")
    assert ta.users.get(str(again.pk)).email == "ben@example.com"


def test_r_mc_4_deleting_the_main_contact_of_a_team_is_refused(site):
    """R-MC-4: deleting the main contact of a company with other members raises MainContactRequired and deletes nothing."""
    ta, ids = site
    ta.members.add(ids["anna"], "acme", ids["ben"])
    with pytest.raises(MainContactRequired), transaction.atomic():
        User.objects.get(username="anna").delete()
    assert User.objects.filter(username="anna").exists()
    assert ta.members.main_contact("acme").user_id == ids["anna"]


def test_sync_users_backfills_existing_users(teamaccess):
    """teamaccess_sync_users registers users made before the app (no signal) and carries e-mails over; a second run changes nothing."""
    post_save.disconnect(register_user, sender=User)
    try:
        old = [User.objects.create_user(f"old{n}", f"old{n}@example.com") for n in range(3)]
        User.objects.create_user("noemail")
    finally:
        post_save.connect(register_user, sender=User, weak=False)
    assert [teamaccess.users.find(str(u.pk)) for u in old] == [None, None, None]
    out = io.StringIO()
    call_command("teamaccess_sync_users", stdout=out)
    assert out.getvalue().strip() == "3 registered, 0 updated, 0 unchanged, 1 skipped, 0 refused"
    assert [teamaccess.users.get(str(u.pk)).email for u in old] == [u.email for u in old]
    User.objects.filter(pk=old[0].pk).update(email="renamed@example.com")  # no signal
    out = io.StringIO()
    call_command("teamaccess_sync_users", stdout=out)
    assert out.getvalue().strip() == "0 registered, 1 updated, 2 unchanged, 1 skipped, 0 refused"
    assert teamaccess.users.get(str(old[0].pk)).email == "renamed@example.com"


def test_explain_accepts_the_id_username_and_e_mail(site):
    """teamaccess_explain finds the user by primary key, username or e-mail (any case); an unknown user is a clear error with exit status 2."""
    from django.core.management.base import CommandError

    _, ids = site
    for given in (ids["anna"], "anna", "ANNA@example.com"):
        out = io.StringIO()
        call_command("teamaccess_explain", given, "edit_profile", "acme", stdout=out)
        assert out.getvalue().startswith("allowed"), given
    with pytest.raises(SystemExit):
        call_command("teamaccess_explain", "carla", "edit_profile", "acme", stdout=io.StringIO())
    for unknown in ("nobody", "nobody@example.com", "999999"):
        with pytest.raises(CommandError, match="unknown user") as error:
            call_command("teamaccess_explain", unknown, "edit_profile", "acme")
        assert error.value.returncode == 2


def test_sync_users_reports_a_refused_user_and_exits_1(teamaccess):
    """teamaccess_sync_users names a user teamaccess refuses (an e-mail another user has) on stderr, counts it and exits with status 1; the others are registered."""
    post_save.disconnect(register_user, sender=User)
    try:
        first = User.objects.create_user("twin1", "twin@example.com")
        second = User.objects.create_user("twin2", "TWIN@example.com")
    finally:
        post_save.connect(register_user, sender=User, weak=False)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("teamaccess_sync_users", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert out.getvalue().strip() == "1 registered, 0 updated, 0 unchanged, 0 skipped, 1 refused"
    assert err.getvalue().startswith(f"user {second.pk}: ")
    assert teamaccess.users.get(str(first.pk)).email == "twin@example.com"
