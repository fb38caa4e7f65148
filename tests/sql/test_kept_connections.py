"""A read that ends in the caller's own error gives its kept connection back.

Reads run on a few connections the store keeps open (``fast_path_connections``). A
denial raised inside a read (``NotAMember`` from a review, ``AccessDenied`` from an
audit search) passes through the read's connection handling: the connection is
healthy and goes back to the kept ones. Were it dropped, every denied read would
leave one checked out of the store's own pool until the garbage collector found it
(a ``ResourceWarning``), and after a few the checks would lose their kept connections.
"""

from __future__ import annotations

import pytest

from teamaccess.adapters.sql import SqlStore
from teamaccess.errors import NotAMember
from teamaccess.testing import make_service


def test_denied_reads_give_their_kept_connection_back(sql_store: SqlStore) -> None:
    """Ten denied reviews in a row: every connection out of the own pool is back among the kept."""
    ta = make_service(sql_store)
    ta.users.register("anna", "anna@example.com")
    ta.users.register("eve", "eve@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    own = sql_store._own_pool
    assert own is not None
    denials = []  # kept alive, as a host's error handler or log record may keep them
    for _ in range(10):
        with pytest.raises(NotAMember) as denied:
            ta.access.review("eve", "acme")
        denials.append(denied)
    kept = sql_store._readers.qsize() + sql_store._plain_readers.qsize()
    assert own.checkedout() == kept  # every connection out of the own pool is a kept one
    assert kept >= 1
    assert ta.check("anna", "acme", "edit_profile")
