"""Every public method of ``TeamAccess`` with a valid call and the kind of each argument.

The fuzz tests (``test_fuzz.py``) build the same small world on every store, then
replace one argument of one valid call with junk of a kind it must refuse (R-ALL-7).
A public method missing from ``CALLS`` fails ``test_r_all_7_every_public_method_is_fuzzed``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from teamaccess import Store, TeamAccess
from teamaccess.testing import EPOCH, FrozenClock, make_service

ADMIN = "admin"


def world(store: Store) -> tuple[TeamAccess, dict[str, str]]:
    """A deterministic world touching every area; returns the service and named ids."""
    ta = make_service(store, clock=FrozenClock(), platform_admins={ADMIN})
    for user in (ADMIN, "anna", "ben", "carl"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    ta.companies.create("anna", "Partner", company_id="partner")
    ta.partners.create_child("anna", "partner", "Child", company_id="child")
    ta.partners.define_property("anna", "partner", "size", "text")
    ta.licenses.set(ADMIN, "child", "assets", 5)
    ta.seats.create_product(ADMIN, "course", "Course", tag="course-access")
    pool = ta.seats.purchase("anna", "course", 5, "Group", company_id="acme")
    ta.seats.enroll("anna", pool.id, "ben@example.com")
    ta.leads.set_market_roles(ADMIN, "acme", ["operator", "lead_giver", "lead_taker"])
    ta.leads.set_market_roles(ADMIN, "partner", ["lead_taker"])
    ta.leads.offer("anna", "acme", title="Pumps", taker_ids=["partner"], lead_id="pumps")
    ta.leads.offer("anna", "acme", title="Valves", taker_ids=["acme"], lead_id="valves")
    ta.leads.pick("ben", "acme", "valves")
    ta.inbox.send("acme", "contact", "kunde@example.com", "Hello", request_id="req")
    ta.records.link("anna", "acme", "partner")
    ta.records.add("anna", "partner", "acme", "minutes", "Kick-off", record_id="rec")
    issued = ta.invitations.send("anna", "acme", "dora@example.com")
    challenge = ta.domains.claim("anna", "acme", "acme.example")
    ta.domains.verify("anna", "acme", "acme.example", txt_records=[challenge.txt_record or ""])
    ta.domains.set_mode("anna", "acme", "acme.example", "suggest")
    ta.users.register("ida", "ida@acme.example")
    asked = ta.domains.request_join("ida", "acme")
    ta.roles.define("anna", "acme", "reader", permissions=[])
    support = ta.support.request(ADMIN, "acme", reason="ticket", permissions=["view_members"])
    scim = ta.provisioning.connect("anna", "acme")
    bob = ta.provisioning.create_user(scim, "bob", "bob@acme.example").record.user_id
    group = ta.provisioning.create_group(scim, "Sales", members=[bob]).record.group_id
    ids = {"pool": pool.id, "invitation": issued.invitation.id, "token": issued.token,
           "join_request": asked.id, "support": support.id, "scim": scim,
           "scim_user": bob, "scim_group": group}  # fmt: skip
    return ta, ids


def calls(ids: dict[str, str]) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """For each public method: a valid call's arguments, and the kind of each argument."""
    since = EPOCH - timedelta(days=30)
    a, b, acme, pool = "anna", "ben", "acme", ids["pool"]
    U, C = "id", "id"  # noqa: N806 - kinds read like types
    return {
        "invitations.accept": ({"user_id": "carl", "token": ids["token"]},
                              {"user_id": U, "token": "token"}),
        "partners.account_overview": ({"actor_id": a, "company_id": "child"},
                             {"actor_id": U, "company_id": C}),
        "licenses.add_article": ({"actor_id": ADMIN, "company_id": "child", "sku": "s1", "name": "Art",
                         "quantity": 2},
                        {"actor_id": U, "company_id": C, "sku": "id", "name": "name",
                         "quantity": "count"}),
        "members.add": ({"actor_id": a, "company_id": acme, "user_id": "carl", "role": "member",
                        "exist_ok": False},
                       {"actor_id": U, "company_id": C, "user_id": U, "role": "id",
                        "exist_ok": "bool"}),
        "records.add": ({"actor_id": a, "company_id": "partner", "customer_id": acme,
                        "kind": "minutes", "title": "Minutes", "record_id": "rec2"},
                       {"actor_id": U, "company_id": C, "customer_id": C, "kind": "id",
                        "title": "name", "record_id": "id"}),
        "partners.ancestors": ({"company_id": "child"}, {"company_id": C}),
        "partners.set_sight_window": ({"actor_id": a, "company_id": "child"},
                                      {"actor_id": U, "company_id": C}),
        "leads.assign": ({"actor_id": a, "company_id": acme, "lead_id": "valves",
                         "assignee_id": b},
                        {"actor_id": U, "company_id": C, "lead_id": "id", "assignee_id": "id"}),
        "inbox.assign": ({"actor_id": a, "company_id": acme, "request_id": "req",
                            "assignee_id": b},
                           {"actor_id": U, "company_id": C, "request_id": "id",
                            "assignee_id": "id"}),
        "tags.can_access": ({"user_id": b, "content_tags": ["course-access"]},
                       {"user_id": U, "content_tags": "tags"}),
        "members.change_role": ({"actor_id": a, "company_id": acme, "user_id": b, "role": "admin",
                                 "then": "member"},
                        {"actor_id": U, "company_id": C, "user_id": U, "role": "id",
                         "then": "id"}),
        "grants.set_window": ({"actor_id": a, "company_id": acme, "user_id": b},
                              {"actor_id": U, "company_id": C, "user_id": U}),
        "grants.expire_due": ({"limit": 5}, {"limit": "count"}),
        "seats.set_window": ({"actor_id": a, "pool_id": pool, "user_id": b},
                             {"actor_id": U, "pool_id": "id", "user_id": U}),
        "grants.expiring": ({"actor_id": a, "company_id": acme},
                            {"actor_id": U, "company_id": C}),
        "grants.expiring_for_user": ({"actor_id": b, "user_id": b},
                                     {"actor_id": U, "user_id": U}),
        "check": ({"actor_id": a, "company_id": acme, "action": "open_backoffice",
                   "target_user_id": b},
                  {"actor_id": U, "company_id": C, "action": "id", "target_user_id": "id"}),
        "seats.check_group": ({"actor_id": a, "pool_id": pool}, {"actor_id": U, "pool_id": "id"}),
        "leads.check": ({"actor_id": a, "company_id": acme, "lead_id": "pumps",
                        "action": "view_lead"},
                       {"actor_id": U, "company_id": C, "lead_id": "id", "action": "id"}),
        "licenses.check": ({"actor_id": a, "company_id": "child", "kind": "assets"},
                          {"actor_id": U, "company_id": C, "kind": "id"}),
        "records.check": ({"actor_id": a, "company_id": acme, "record_id": "rec"},
                         {"actor_id": U, "company_id": C, "record_id": "id"}),
        "inbox.close": ({"actor_id": a, "company_id": acme, "request_id": "req"},
                          {"actor_id": U, "company_id": C, "request_id": "id"}),
        "members.of_user": ({"user_id": a}, {"user_id": U}),
        "partners.create_child": ({"actor_id": a, "partner_id": "partner", "name": "Kid",
                                  "company_id": "kid"},
                                 {"actor_id": U, "partner_id": C, "name": "name",
                                  "company_id": "id"}),
        "companies.create": ({"actor_id": a, "name": "New", "company_id": "new"},
                           {"actor_id": U, "name": "name", "company_id": "id"}),
        "seats.create_product": ({"actor_id": ADMIN, "product_id": "p2", "name": "P2", "tag": "t2",
                            "notify_on_enroll": True},
                           {"actor_id": U, "product_id": "id", "name": "name", "tag": "tag",
                            "notify_on_enroll": "bool"}),
        "partners.define_property": ({"actor_id": a, "partner_id": "partner", "name": "tier",
                             "kind": "choice", "choices": ["gold", "silver"]},
                            {"actor_id": U, "partner_id": C, "name": "id", "kind": "id",
                             "choices": "tags"}),
        "seats.enroll": ({"actor_id": a, "pool_id": pool, "email": "erik@example.com"},
                   {"actor_id": U, "pool_id": "id", "email": "email"}),
        "seats.enroll_csv": ({"actor_id": a, "pool_id": pool, "data": "email\nfay@example.com\n"},
                       {"actor_id": U, "pool_id": "id", "data": "csv"}),
        "users.find_by_email": ({"email": "anna@example.com"}, {"email": "email"}),
        "companies.get": ({"company_id": acme}, {"company_id": C}),
        "users.get": ({"user_id": a}, {"user_id": U}),
        "users.change_email": ({"user_id": a, "email": "anna@example.org"},
                               {"user_id": U, "email": "email"}),
        "tags.grant": ({"actor_id": ADMIN, "user_id": "carl", "tag": "extra", "label": "gift"},
                      {"actor_id": U, "user_id": U, "tag": "tag", "label": "id"}),
        "seats.group": ({"actor_id": a, "pool_id": pool}, {"actor_id": U, "pool_id": "id"}),
        "inbox.list": ({"actor_id": a, "company_id": acme, "state": "open", "after": "a", "limit": 5},
                  {"actor_id": U, "company_id": C, "state": "id", "after": "id",
                   "limit": "count"}),
        "invitations.list": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "invitations.send": ({"actor_id": a, "company_id": acme, "email": "gus@example.com",
                    "role": "member"},
                   {"actor_id": U, "company_id": C, "email": "email", "role": "id"}),
        "leads.get": ({"actor_id": a, "company_id": acme, "lead_id": "pumps"},
                 {"actor_id": U, "company_id": C, "lead_id": "id"}),
        "members.leave": ({"actor_id": b, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "records.link": ({"actor_id": a, "customer_id": "child", "partner_id": "partner",
                          "kind": "provider"},
                         {"actor_id": U, "customer_id": C, "partner_id": C, "kind": "id"}),
        "members.main_contact": ({"company_id": acme}, {"company_id": C}),
        "outbox.mark_delivered": ({"positions": [1]}, {"positions": "positions"}),
        "members.list": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "lifecycle.merge": ({"actor_id": ADMIN, "source_id": "child", "target_id": acme},
                            {"actor_id": U, "source_id": C, "target_id": C}),
        "lifecycle.migrate_users": ({"actor_id": ADMIN, "names": {"carl": "Carl"}},
                                       {"actor_id": U, "names": "names"}),
        "partners.move": ({"actor_id": a, "company_id": "child", "new_parent_id": acme},
                         {"actor_id": U, "company_id": C, "new_parent_id": "id"}),
        "leads.offer": ({"actor_id": a, "company_id": acme, "title": "Gears",
                        "taker_ids": ["partner"], "operator_id": acme, "giver_id": acme,
                        "lead_id": "gears"},
                       {"actor_id": U, "company_id": C, "title": "name", "taker_ids": "ids",
                        "operator_id": C, "giver_id": C, "lead_id": "id"}),
        "partners.overview": ({"actor_id": a, "partner_id": "partner", "after": "a", "limit": 5},
                     {"actor_id": U, "partner_id": C, "after": "id", "limit": "count"}),
        "outbox.pending": ({"limit": 5}, {"limit": "count"}),
        "leads.pick": ({"actor_id": a, "company_id": "partner", "lead_id": "pumps"},
                      {"actor_id": U, "company_id": C, "lead_id": "id"}),
        "seats.get": ({"pool_id": pool}, {"pool_id": "id"}),
        "seats.led_by": ({"actor_id": a}, {"actor_id": U}),
        "members.public_contacts": ({"company_id": acme}, {"company_id": C}),
        "seats.purchase": ({"buyer_id": a, "product_id": "course", "seats": 3, "title": "G2",
                            "occupy_seat": False, "company_id": acme},
                           {"buyer_id": U, "product_id": "id", "seats": "count", "title": "name",
                            "occupy_seat": "bool", "company_id": "id"}),
        "seats.purchase_single_access": ({"buyer_id": "carl", "product_id": "course"},
                                   {"buyer_id": U, "product_id": "id"}),
        "records.get": ({"actor_id": a, "company_id": acme, "record_id": "rec"},
                   {"actor_id": U, "company_id": C, "record_id": "id"}),
        "users.register": ({"user_id": "hal", "email": "hal@example.com",
                           "attributes": {"networking": "on"}, "exist_ok": False},
                          {"user_id": U, "email": "email", "attributes": "attributes",
                           "exist_ok": "bool"}),
        "users.find": ({"user_id": a}, {"user_id": U}),
        "companies.find": ({"company_id": acme}, {"company_id": C}),
        "seats.validate_csv": ({"actor_id": a, "pool_id": pool, "data": "email\nfay@example.com\n"},
                               {"actor_id": U, "pool_id": "id", "data": "csv"}),
        "outbox.count_pending": ({}, {}),
        "companies.suspend": ({"actor_id": ADMIN, "company_id": acme, "reason": "unpaid"},
                              {"actor_id": U, "company_id": C, "reason": "name"}),
        "companies.resume": ({"actor_id": ADMIN, "company_id": acme},
                             {"actor_id": U, "company_id": C}),
        "outbox.dead": ({"limit": 5}, {"limit": "count"}),
        "access.who_may": ({"actor_id": a, "company_id": acme, "action": "remove_member",
                            "target_user_id": b, "after": "a", "limit": 5},
                           {"actor_id": U, "company_id": C, "action": "id",
                            "target_user_id": "id", "after": "id", "limit": "count"}),
        "access.where_may": ({"actor_id": b, "user_id": b, "action": "view_members",
                              "after": "a", "limit": 5},
                             {"actor_id": U, "user_id": U, "action": "id", "after": "id",
                              "limit": "count"}),
        "access.who_sees_lead": ({"actor_id": ADMIN, "lead_id": "valves",
                                  "after": '["a", "b"]', "limit": 5},
                                 {"actor_id": U, "lead_id": "id", "after": "id",
                                  "limit": "count"}),
        "access.who_sees_record": ({"actor_id": ADMIN, "record_id": "rec",
                                    "after": '["a", "b"]', "limit": 5},
                                   {"actor_id": U, "record_id": "id", "after": "id",
                                    "limit": "count"}),
        "access.expand": ({"actor_id": a, "user_id": b, "company_id": acme,
                           "action": "remove_member", "target_user_id": b},
                          {"actor_id": U, "user_id": U, "company_id": C, "action": "id",
                           "target_user_id": "id"}),
        "access.review": ({"actor_id": a, "company_id": acme, "subtree": True},
                          {"actor_id": U, "company_id": C, "subtree": "bool"}),
        "privacy.export": ({"actor_id": b, "user_id": b}, {"actor_id": U, "user_id": U}),
        "privacy.erase": ({"actor_id": ADMIN, "user_id": "carl"},
                          {"actor_id": U, "user_id": U}),
        "outbox.redrive": ({"positions": [1]}, {"positions": "positions"}),
        "seats.reinvite": ({"actor_id": a, "pool_id": pool, "user_id": b},
                     {"actor_id": U, "pool_id": "id", "user_id": U}),
        "licenses.release": ({"actor_id": a, "company_id": "child", "kind": "assets",
                             "amount": 1},
                            {"actor_id": U, "company_id": C, "kind": "id", "amount": "count"}),
        "members.remove": ({"actor_id": a, "company_id": acme, "user_id": b},
                          {"actor_id": U, "company_id": C, "user_id": U}),
        "seats.remove": ({"actor_id": a, "pool_id": pool, "user_id": b},
                               {"actor_id": U, "pool_id": "id", "user_id": U}),
        "require": ({"actor_id": a, "company_id": acme, "action": "open_backoffice",
                     "target_user_id": b},
                    {"actor_id": U, "company_id": C, "action": "id", "target_user_id": "id"}),
        "invitations.resend": ({"actor_id": a, "company_id": acme,
                               "invitation_id": ids["invitation"]},
                              {"actor_id": U, "company_id": C, "invitation_id": "id"}),
        "seats.resize": ({"actor_id": a, "pool_id": pool, "seats": 9},
                        {"actor_id": U, "pool_id": "id", "seats": "count"}),
        "invitations.revoke": ({"actor_id": a, "company_id": acme,
                               "invitation_id": ids["invitation"]},
                              {"actor_id": U, "company_id": C, "invitation_id": "id"}),
        "tags.revoke": ({"actor_id": ADMIN, "user_id": b, "tag": "course-access",
                        "label": "manual"},
                       {"actor_id": U, "user_id": U, "tag": "tag", "label": "id"}),
        "inbox.send": ({"company_id": acme, "kind": "meeting", "sender_email": "k@example.com",
                          "subject": "Meet", "sender_id": "carl", "request_id": "req2"},
                         {"company_id": C, "kind": "id", "sender_email": "email",
                          "subject": "name", "sender_id": "id", "request_id": "id"}),
        "members.set_handler": ({"actor_id": a, "company_id": acme, "user_id": b, "is_handler": True},
                        {"actor_id": U, "company_id": C, "user_id": U, "is_handler": "bool"}),
        "licenses.set": ({"actor_id": ADMIN, "company_id": "child", "kind": "loggers",
                         "limit": 3},
                        {"actor_id": U, "company_id": C, "kind": "id", "limit": "count"}),
        "leads.set_market_roles": ({"actor_id": ADMIN, "company_id": "child",
                              "roles": ["lead_taker"]},
                             {"actor_id": U, "company_id": C, "roles": "ids"}),
        "partners.set_pricing_model": ({"actor_id": ADMIN, "company_id": "child",
                               "pricing_model": "pro"},
                              {"actor_id": U, "company_id": C, "pricing_model": "name"}),
        "partners.set_properties": ({"actor_id": a, "company_id": "child", "values": {"size": "XL"}},
                           {"actor_id": U, "company_id": C, "values": "properties"}),
        "members.set_show_as_contact": ({"actor_id": b, "company_id": acme, "user_id": b,
                                 "show": False},
                                {"actor_id": U, "company_id": C, "user_id": U, "show": "bool"}),
        "tags.of_user": ({"user_id": b}, {"user_id": U}),
        "records.timeline": ({"actor_id": a, "company_id": acme, "customer_id": acme, "since": since,
                      "kinds": ["minutes"], "after": "a", "limit": 5},
                     {"actor_id": U, "company_id": C, "customer_id": C, "since": "time",
                      "kinds": "ids", "after": "id", "limit": "count"}),
        "members.transfer_main_contact": ({"actor_id": a, "company_id": acme, "to_user_id": b},
                                  {"actor_id": U, "company_id": C, "to_user_id": U}),
        "companies.update_profile": ({"actor_id": a, "company_id": acme, "name": "ACME AG"},
                                   {"actor_id": U, "company_id": C, "name": "name"}),
        "leads.update": ({"actor_id": a, "company_id": acme, "lead_id": "valves",
                         "title": "Valves 2", "state": "won"},
                        {"actor_id": U, "company_id": C, "lead_id": "id", "title": "name",
                         "state": "id"}),
        "licenses.use": ({"actor_id": a, "company_id": "child", "kind": "assets", "amount": 1},
                        {"actor_id": U, "company_id": C, "kind": "id", "amount": "count"}),
        "leads.visible": ({"actor_id": a, "company_id": acme, "state": "offered", "after": "a",
                           "limit": 5},
                          {"actor_id": U, "company_id": C, "state": "id", "after": "id",
                           "limit": "count"}),
        "domains.claim": ({"actor_id": a, "company_id": acme, "domain": "acme2.example",
                           "method": "dns_txt", "address": None},
                          {"actor_id": U, "company_id": C, "domain": "domain", "method": "id",
                           "address": "email"}),
        "domains.verify": ({"actor_id": a, "company_id": acme, "domain": "acme.example",
                            "txt_records": ["x"], "code": None, "address": None},
                           {"actor_id": U, "company_id": C, "domain": "domain",
                            "txt_records": "txt", "code": "code", "address": "email"}),
        "domains.set_mode": ({"actor_id": a, "company_id": acme, "domain": "acme.example",
                              "mode": "suggest", "default_role": "member"},
                             {"actor_id": U, "company_id": C, "domain": "domain", "mode": "id",
                              "default_role": "id"}),
        "domains.release": ({"actor_id": a, "company_id": acme, "domain": "acme.example"},
                            {"actor_id": U, "company_id": C, "domain": "domain"}),
        "domains.list": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "domains.requests": ({"actor_id": a, "company_id": acme},
                             {"actor_id": U, "company_id": C}),
        "domains.matching": ({"user_id": "ida"}, {"user_id": U}),
        "domains.register": ({"user_id": "ivy", "email": "ivy@acme.example",
                              "attributes": {"networking": "on"}, "exist_ok": False},
                             {"user_id": U, "email": "email", "attributes": "attributes",
                              "exist_ok": "bool"}),
        "domains.request_join": ({"user_id": "ida", "company_id": acme},
                                 {"user_id": U, "company_id": C}),
        "domains.approve": ({"actor_id": a, "company_id": acme, "request_id": ids.get("join_request", "jr")},
                            {"actor_id": U, "company_id": C, "request_id": "id"}),
        "domains.decline": ({"actor_id": a, "company_id": acme, "request_id": ids.get("join_request", "jr")},
                            {"actor_id": U, "company_id": C, "request_id": "id"}),
        "roles.define": ({"actor_id": a, "company_id": acme, "name": "payer",
                          "permissions": ["manage_team"], "label": "Payer"},
                         {"actor_id": U, "company_id": C, "name": "id", "permissions": "tags",
                          "label": "name"}),
        "roles.change": ({"actor_id": a, "company_id": acme, "name": "reader",
                          "permissions": [], "label": "Readers"},
                         {"actor_id": U, "company_id": C, "name": "id", "permissions": "tags",
                          "label": "name"}),
        "roles.delete": ({"actor_id": a, "company_id": acme, "name": "reader", "move_to": "member"},
                         {"actor_id": U, "company_id": C, "name": "id", "move_to": "id"}),
        "roles.list": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "members.add_role": ({"actor_id": a, "company_id": acme, "user_id": b, "role": "reader"},
                             {"actor_id": U, "company_id": C, "user_id": U, "role": "id"}),
        "members.remove_role": ({"actor_id": a, "company_id": acme, "user_id": b,
                                 "role": "reader"},
                                {"actor_id": U, "company_id": C, "user_id": U, "role": "id"}),
        "support.request": ({"staff_id": ADMIN, "company_id": acme, "reason": "ticket",
                             "permissions": ["view_members"]},
                            {"staff_id": U, "company_id": C, "reason": "reason",
                             "permissions": "ids"}),
        "support.approve": ({"actor_id": a, "grant_id": ids.get("support", "sg")},
                            {"actor_id": U, "grant_id": "id"}),
        "support.decline": ({"actor_id": a, "grant_id": ids.get("support", "sg")},
                            {"actor_id": U, "grant_id": "id"}),
        "support.end": ({"actor_id": a, "grant_id": ids.get("support", "sg")},
                        {"actor_id": U, "grant_id": "id"}),
        "support.list": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "support.of_staff": ({"actor_id": ADMIN, "staff_id": ADMIN},
                             {"actor_id": U, "staff_id": U}),
        "support.expire_due": ({"limit": 5}, {"limit": "count"}),
        "audit.search": ({"actor_id": a, "company_id": acme, "by": a, "about": b,
                          "kinds": ["MemberAdded"], "since": EPOCH, "after": "1", "limit": 5},
                         {"actor_id": U, "company_id": C, "by": U, "about": U, "kinds": "ids",
                          "since": "time", "after": "id", "limit": "count"}),
        "audit.purge": ({"actor_id": ADMIN}, {"actor_id": U}),
        "audit.verify": ({"actor_id": a, "company_id": acme}, {"actor_id": U, "company_id": C}),
        "access.check_many": ({"actor_id": a, "pairs": [(acme, "view_members")]},
                              {"actor_id": U, "pairs": "pairs"}),
        "access.company_filter": ({"user_id": a, "action": "view_members"},
                                  {"user_id": U, "action": U}),
        **_provisioning(ids),
        "audit.export": ({"actor_id": a, "company_id": acme, "by": a, "about": b,
                          "kinds": ["MemberAdded"], "since": EPOCH},
                         {"actor_id": U, "company_id": C, "by": U, "about": U, "kinds": "ids",
                          "since": "time"}),
    }  # fmt: skip


def _provisioning(ids: dict[str, str]) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """``ta.provisioning``: the admin's commands and the directory's token methods."""
    a, acme, U, T = "anna", "acme", "id", "token"  # noqa: N806 - kinds read like types
    token, user, group = ids.get("scim", "t"), ids.get("scim_user", "u"), ids.get("scim_group", "g")
    who = {"admin_id": a, "company_id": acme}
    who_kinds = {"admin_id": U, "company_id": U}
    return {
        "provisioning.connect": ({**who, "groups": "pools"}, {**who_kinds, "groups": U}),
        "provisioning.disconnect": (who, who_kinds),
        "provisioning.get": (who, who_kinds),
        "provisioning.map_group": ({**who, "group_id": group, "target": "admin"},
                                   {**who_kinds, "group_id": U, "target": U}),
        "provisioning.authenticate": ({"token": token}, {"token": T}),
        "provisioning.users": ({"token": token}, {"token": T}),
        "provisioning.groups": ({"token": token}, {"token": T}),
        "provisioning.user": ({"token": token, "user_id": user}, {"token": T, "user_id": U}),
        "provisioning.group": ({"token": token, "group_id": group}, {"token": T, "group_id": U}),
        "provisioning.delete_user": ({"token": token, "user_id": user},
                                     {"token": T, "user_id": U}),
        "provisioning.delete_group": ({"token": token, "group_id": group},
                                      {"token": T, "group_id": U}),
        "provisioning.create_user": (
            {"token": token, "user_name": "cleo", "email": "cleo@acme.example",
             "external_id": "ext", "active": True},
            {"token": T, "user_name": "username", "email": "email", "external_id": "name",
             "active": "bool"},
        ),
        "provisioning.update_user": (
            {"token": token, "user_id": user, "user_name": "bob", "active": True,
             "external_id": "ext", "email": "bob@acme.example", "version": 1},
            {"token": T, "user_id": U, "user_name": "username", "active": "bool",
             "external_id": "name", "email": "email", "version": "count"},
        ),
        "provisioning.create_group": (
            {"token": token, "display_name": "Ops", "external_id": "ext", "members": [user]},
            {"token": T, "display_name": "name", "external_id": "name", "members": "ids"},
        ),
        "provisioning.update_group": (
            {"token": token, "group_id": group, "display_name": "Sales", "external_id": "ext",
             "members": [user], "add": [], "remove": [], "version": 1},
            {"token": T, "group_id": U, "display_name": "name", "external_id": "name",
             "members": "ids", "add": "ids", "remove": "ids", "version": "count"},
        ),
    }  # fmt: skip


_BIG = "x" * 1_000_000
_TEXT_JUNK: list[object] = [
    "\ud800", "a\udfffb", "a\x00b", "\x00", "a\x1bb", "\x07bell", "line\nbreak",
    "a\u2028b", _BIG, None, 7, 3.5, b"bytes", ["list"], {"k": "v"}, True,
]  # fmt: skip
_ID_JUNK: list[object] = [*_TEXT_JUNK, "", " lead", "trail ", "\u00a0nbsp", "x" * 65, "a\u200db"]
_NAME_JUNK: list[object] = [*_TEXT_JUNK, "", "   ", "x" * 201]
_LONG_ID = "x" * 65
JUNK: dict[str, list[object]] = {
    "id": _ID_JUNK,
    "token": [j for j in _ID_JUNK if j != _LONG_ID] + ["x" * 257],
    "tag": [j for j in _ID_JUNK if j != _LONG_ID] + ["x" * 101],
    "tags": [[j] for j in _ID_JUNK if j not in (_LONG_ID, None)] + [["x" * 101], 7, b"ab"],
    "name": _NAME_JUNK,
    "reason": [*_TEXT_JUNK, "", "   ", "x" * 501],
    "email": [*_ID_JUNK, "a..b@x.de", ".a@x.de", "a@ex\u200dample.com", "nobody"],
    "count": [-1, 0.5, "3", None, True, 10**12, b"1", [1]],
    "bool": [1, 0, "true", None, "False", [True]],
    "ids": [[x] for x in _ID_JUNK if x is not None] + [7, None, b"ab"],
    "csv": [None, 7, ["email"], {"email": "x"}, 3.5],
    "time": [None, "2026-01-01", 7, EPOCH.replace(tzinfo=None)],
    "positions": [["1"], [None], "1", None, [True], [-1], [1.5]],
    "attributes": [["a"], "a=b", 7, {1: "x"}, {"k": 1}, {"k": "\x00"}, {"\ud800": "v"},
                   {f"k{i}": "v" for i in range(51)}, {"k": "x" * 1001}, {"": "v"}],
    "names": [["a"], "a", 7, {1: "x"}, {"anna": 1}, {"anna": "\x00"}, {"\ud800": "N"}],
    "properties": [["a"], "a", 7, {1: "x"}, {"size": "x" * 1001}, {"\ud800": "v"},
                   {"size": _BIG}],
    "domain": [*_ID_JUNK, "localhost", "a..b.example", "-x.example", "a@b.example",
               "a\u200db.example", "x" * 64 + ".example", "exa mple.com"],
    "txt": [None, "v=spf1", 7, b"ab", [7], [None], ["x"] * 101, {"k": "v"}],
    "code": [j for j in _ID_JUNK if j != _LONG_ID] + ["x" * 513],
    "username": [*_TEXT_JUNK, "", "   ", "x" * 255],
    "pairs": [7, None, "ab", [("acme",)], [("acme", "x", "y")], [(None, "view_members")],
              [("acme", None)], [("acme", "\x00")], [7]],
}  # fmt: skip
"""Values each kind of argument must refuse with an ``InvalidInput`` (R-ALL-7).

Ids that are unknown but well formed are not junk: they are denied or not found."""


def method_of(ta: TeamAccess, path: str) -> Callable[..., Any]:
    """The bound method ``ta.<namespace>.<name>`` (or ``ta.check``) for a dotted path."""
    target: Any = ta
    for part in path.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def public_methods(ta: TeamAccess) -> dict[str, Callable[..., Any]]:
    """Every public method of the facade and its namespaces, by dotted path."""
    found = {name: getattr(ta, name) for name in ("check", "require")}
    for space, namespace in vars(ta).items():
        if space.startswith("_"):
            continue
        for name in dir(namespace):
            if not name.startswith("_") and callable(getattr(namespace, name)):
                found[f"{space}.{name}"] = getattr(namespace, name)
    return found


def optional(ta: TeamAccess, method: str, param: str) -> bool:
    """Whether ``None`` is a valid value of this argument (so not junk)."""
    parameter = inspect.signature(method_of(ta, method)).parameters[param]
    return parameter.default is None or "None" in str(parameter.annotation)
