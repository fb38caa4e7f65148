"""A SCIM 2.0 service provider for companies' directories (RFC 7643, RFC 7644).

A company's admin connects its identity provider with
``token = ta.provisioning.connect(admin, company)``; the identity provider then
creates, changes and removes the company's people and groups at the SCIM endpoints
with ``Authorization: Bearer <token>`` (R-PROV-1, R-PROV-2).
[ScimServer][teamaccess.scim.ScimServer] answers those requests for any framework;
``teamaccess.contrib.fastapi.scim_router`` and ``teamaccess.contrib.django.scim``
mount it.

Needs the ``scim`` extra (``pip install "teamaccess[scim]"``, Python 3.11 or later):
the SCIM models, their validation per request, the filters and the PATCH operations
are those of [scim2-models](https://scim2-models.readthedocs.io/).
"""

from __future__ import annotations

from teamaccess._extras import needs_extra

with needs_extra("teamaccess.scim", "scim"):
    from teamaccess.scim._server import (
        SCIM_MEDIA_TYPE,
        ScimRequest,
        ScimResponse,
        ScimServer,
    )

__all__ = ["SCIM_MEDIA_TYPE", "ScimRequest", "ScimResponse", "ScimServer"]
