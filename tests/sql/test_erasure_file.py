"""Erasure on SQLite leaves no byte of the person in the database's files (R-CO-7).

A dump shows rows; the file also holds free space and the write-ahead log, where an
updated row's old version lives on until it is overwritten. The store zeroes deleted
content (``secure_delete``) and, after an erasure, truncates the log.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.testing import make_service

EMAIL = b"erika.muster@example.com"
SECRET = b"Musterstrasse 12"


def _traces(folder: Path) -> dict[str, int]:
    return {
        path.name: path.read_bytes().count(EMAIL) + path.read_bytes().count(SECRET)
        for path in sorted(folder.glob("ta.db*"))
    }


def test_r_co_7_sqlite_files_hold_no_trace_after_erasure(tmp_path: Path) -> None:
    """R-CO-7: neither the SQLite database file nor its WAL holds the erased e-mail or attributes."""
    store = SqlStore(sa.create_engine(f"sqlite:///{tmp_path / 'ta.db'}"))
    store.create_schema()
    ta = make_service(store, platform_admins={"root"})
    for user in ("root", "anna"):
        ta.users.register(user, f"{user}@example.com")
    ta.users.register("erika", EMAIL.decode(), attributes={"address": SECRET.decode()})
    ta.companies.create("anna", "ACME", company_id="acme")
    ta.members.add("anna", "acme", "erika")
    ta.inbox.send("acme", "contact", EMAIL.decode(), "Hello", request_id="req")
    for number in range(40):  # enough rows to spread over several pages
        ta.invitations.send("anna", "acme", f"guest{number}@example.com")
    assert sum(_traces(tmp_path).values()) > 0
    ta.privacy.erase("root", "erika")
    assert set(_traces(tmp_path).values()) == {0}, _traces(tmp_path)
    store.engine.dispose()
    assert set(_traces(tmp_path).values()) == {0}
