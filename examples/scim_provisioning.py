"""Directory provisioning over SCIM 2.0: an identity provider manages a company's people.

ACME's admin connects its directory and hands the token to the identity provider
(Okta, Entra ID, ...). The provider then creates people, puts them in a group named
after the ``admin`` role, and deactivates one: the membership ends at once, as if an
admin had removed them (R-PROV-1, R-PROV-2). The same requests through HTTP go to
``teamaccess.contrib.fastapi.scim_router`` or ``teamaccess.contrib.django.scim``.

Run: ``python examples/scim_provisioning.py`` (needs ``pip install "teamaccess[scim]"``).
"""

from __future__ import annotations

import json

from teamaccess import MemoryStore, TeamAccess
from teamaccess.scim import ScimRequest, ScimServer

ta = TeamAccess(MemoryStore())
ta.users.register("anna", "anna@acme.example")
ta.companies.create("anna", "ACME GmbH", company_id="acme")
token = ta.provisioning.connect("anna", "acme")  # shown once; only its hash is kept
scim = ScimServer(ta)


def call(method: str, path: str, body: object = None, **query: str) -> dict[str, object]:
    """One SCIM request as the identity provider sends it."""
    answer = scim.handle(
        ScimRequest(
            method,
            path,
            query,
            authorization=f"Bearer {token}",
            body=b"" if body is None else json.dumps(body).encode(),
        )
    )
    print(f"{method} {path} -> {answer.status}")
    return answer.document or {}


USER = "urn:ietf:params:scim:schemas:core:2.0:User"
people = {}
for name in ("bob", "bea"):
    created = call(
        "POST",
        "/Users",
        {"schemas": [USER], "userName": name, "externalId": f"okta-{name}",
         "emails": [{"value": f"{name}@acme.example"}]},
    )  # fmt: skip
    people[name] = str(created["id"])
admins = call(
    "POST",
    "/Groups",
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "admin",
     "members": [{"value": people["bob"]}]},
)  # fmt: skip
print("bob may manage the team:", ta.check(people["bob"], "acme", "manage_team").allowed)
found = call("GET", "/Users", filter='userName sw "b"', count="1")
print("users named b*:", found["totalResults"], "- first page holds", found["itemsPerPage"])
call(
    "PATCH",
    f"/Users/{people['bea']}",
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations": [{"op": "replace", "value": {"active": False}}]},
)  # fmt: skip
print(
    "members now:",
    sorted(m.user_id for m in ta.members.list("anna", "acme")) == sorted(["anna", people["bob"]]),
)
ta.provisioning.connect("anna", "acme")  # rotated: the provider's old token stops at once
print(
    "old token:", scim.handle(ScimRequest("GET", "/Users", authorization=f"Bearer {token}")).status
)
