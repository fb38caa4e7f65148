"""``teamaccess audit verify``: the sealed audit chain from the command line (R-ALL-4).

A cron job runs it and alerts on exit code 1: 0 while every stored event of the
company is as written, 1 with the first broken position once a row was changed.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from teamaccess.adapters.sql import SqlStore
from teamaccess.cli import main
from teamaccess.testing import make_service

pytestmark = pytest.mark.sqlite


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(args), out=out)
    return code, out.getvalue(), err.getvalue()


def test_r_all_4_audit_verify_exits_1_on_a_changed_event(tmp_path: Path) -> None:
    """R-ALL-4: verify prints ok and exits 0; after an UPDATE of a stored event it names the position and exits 1; --platform checks the platform's chain."""
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    assert _run("init", "--db", url)[0] == 0
    store = SqlStore.from_url(url)
    ta = make_service(store, platform_admins={"ops"})
    for user in ("ops", "anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME GmbH", company_id="acme")
    ta.members.add("anna", "acme", "ben")
    common = ("--db", url, "--as", "anna")
    code, out, _ = _run("audit", "verify", "acme", *common)
    assert (code, out.startswith("ok: ")) == (0, True), out
    code, out, _ = _run("audit", "verify", "--platform", "--db", url, "--as", "ops",
                        "--platform-admin", "ops")  # fmt: skip
    assert (code, out.startswith("ok: ")) == (0, True), out
    outbox = store.tables.outbox
    with store.engine.begin() as conn:
        position = conn.execute(
            sa.select(sa.func.max(outbox.c.position)).where(outbox.c.company_id == "acme")
        ).scalar_one()
        conn.execute(outbox.update().where(outbox.c.position == position).values(actor_id="x"))
    code, out, _ = _run("audit", "verify", "acme", "--json", *common)
    data = json.loads(out)
    assert code == 1
    assert (data["ok"], data["broken_at"], data["reason"]) == (False, position, "changed")
    code, _, err = _run("audit", "verify", "acme", "--platform", *common)
    assert code == 2
    assert "not both" in err
    store.engine.dispose()
