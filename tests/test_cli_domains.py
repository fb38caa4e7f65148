"""``teamaccess domains``: claim, verify, mode and list from the command line (R-DOM-1, R-DOM-2)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.cli import main

pytestmark = pytest.mark.sqlite


@pytest.fixture
def domains_db(tmp_path: Path) -> str:
    """A database `teamaccess init` made, with company acme (anna admin, ben member)."""
    url = f"sqlite:///{tmp_path / 'domains.sqlite'}"
    assert main(["init", "--db", url], out=io.StringIO()) == 0
    store = SqlStore.from_url(url)
    service = TeamAccess(store)
    for user in ("anna", "ben"):
        service.users.register(user, f"{user}@acme.example")
    service.companies.create("anna", "ACME GmbH", company_id="acme")
    service.members.add("anna", "acme", "ben")
    store.engine.dispose()
    return url


def _run(db: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args, "--db", db], out=out)
    return code, out.getvalue()


def test_r_dom_1_claim_verify_mode_and_list_from_the_command_line(domains_db: str) -> None:
    """R-DOM-1, R-DOM-2: the operator claims, verifies with the TXT value, sets join mode, lists."""
    code, out = _run(
        domains_db, "--as", "anna", "domains", "claim", "acme", "ACME.example", "--json"
    )
    assert code == 0
    txt = json.loads(out)["txt_record"]
    assert txt.startswith("teamaccess-domain-verification=")
    code, _ = _run(domains_db, "--as", "anna", "domains", "verify", "acme", "acme.example",
                   "--txt", "unrelated", "--txt", "teamaccess-domain-verification=wrong")  # fmt: skip
    assert code == 2  # DomainProofRejected: one line, nothing changed
    code, out = _run(domains_db, "--as", "anna", "domains", "verify", "acme", "acme.example",
                     "--txt", txt)  # fmt: skip
    assert (code, out.strip()) == (0, "verified acme.example for acme")
    code, out = _run(domains_db, "--as", "anna", "domains", "mode", "acme", "acme.example", "join")
    assert (code, out.strip()) == (0, "acme.example: join as member")
    code, out = _run(domains_db, "--as", "anna", "domains", "list", "acme", "--json")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["domain"], row["state"], row["mode"]) == ("acme.example", "verified", "join")
    code, _ = _run(domains_db, "--as", "ben", "domains", "list", "acme")
    assert code == 2  # AccessDenied: ben lacks manage_team (one line, exit 2)


def test_r_dom_1_email_claim_prints_the_code_once(domains_db: str) -> None:
    """R-DOM-1: an e-mail claim prints the code and the address to mail it to."""
    code, out = _run(domains_db, "--as", "anna", "domains", "claim", "acme", "acme.example",
                     "--email", "it@acme.example")  # fmt: skip
    assert code == 0
    assert "mail this code to it@acme.example" in out
    secret = out.strip().splitlines()[-1]
    code, out = _run(domains_db, "--as", "anna", "domains", "verify", "acme", "acme.example",
                     "--code", secret, "--address", "it@acme.example")  # fmt: skip
    assert code == 0, out


def test_r_dom_1_a_code_that_would_start_with_a_dash_is_never_handed_out(
    domains_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-DOM-1: a code is never read as an option; a draw starting with ``-`` is drawn again."""
    draws = iter(["-looks-like-an-option", "plain-code"])
    monkeypatch.setattr("secrets.token_urlsafe", lambda _n: next(draws))
    code, out = _run(domains_db, "--as", "anna", "domains", "claim", "acme", "acme.example",
                     "--email", "it@acme.example")  # fmt: skip
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret == "plain-code"
    code, out = _run(domains_db, "--as", "anna", "domains", "verify", "acme", "acme.example",
                     "--code", secret, "--address", "it@acme.example")  # fmt: skip
    assert code == 0, out
