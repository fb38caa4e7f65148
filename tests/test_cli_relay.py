"""``teamaccess relay`` until SIGTERM, and ``outbox dead`` / ``outbox redrive`` (R-ALL-8)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from teamaccess import TeamAccess
from teamaccess.adapters.sql import SqlStore
from teamaccess.relay import Relay
from teamaccess.testing import FrozenClock

from .test_cli import SCRIPT, script


def _service(tmp_path: Path) -> tuple[str, SqlStore, TeamAccess]:
    url = f"sqlite:///{tmp_path / 'relay.sqlite'}"
    assert script("init", "--db", url).returncode == 0
    store = SqlStore.from_url(url)
    ta = TeamAccess(store)
    for user in ("anna", "ben"):
        ta.users.register(user, f"{user}@example.com")
    ta.companies.create("anna", "ACME", company_id="acme")
    return url, store, ta


def test_relay_delivers_until_sigterm_then_exits_0(tmp_path: Path) -> None:
    """R-ALL-8: the relay prints every pending event once, keeps polling, and SIGTERM ends it with 0."""
    url, store, ta = _service(tmp_path)
    expected = [m.position for m in ta.outbox.pending()]
    assert SCRIPT is not None
    process = subprocess.Popen(
        [SCRIPT, "relay", "--sink", "stdout:", "--db", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while ta.outbox.count_pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    ta.members.add("anna", "acme", "ben")  # a later event, picked up by the next poll
    while ta.outbox.count_pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["position"] for line in lines][: len(expected)] == expected
    assert lines[-1]["type"] == "MemberAdded"
    assert "started" in err
    assert "stopped" in err
    store.engine.dispose()


def test_outbox_dead_lists_parked_events_and_redrive_requeues_them(tmp_path: Path) -> None:
    """R-ALL-8: an event parked after its last attempt is listed with its error; redrive makes it pending."""
    url, store, ta = _service(tmp_path)

    def refuse(envelope) -> None:
        raise ConnectionRefusedError("crm down")

    parked = [m.position for m in ta.outbox.pending()]
    Relay(
        store, refuse, max_attempts=1, clock=FrozenClock(), retry_base=timedelta(seconds=1)
    ).drain()
    listed = script("outbox", "dead", "--json", "--db", url)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [row["position"] for row in rows] == parked
    assert len(parked) == 5  # anna, ben, and ACME's events, each dead in its turn
    assert all("ConnectionRefusedError: crm down" in row["error"] for row in rows)
    assert ta.outbox.count_pending() == 0
    one = script("outbox", "redrive", "2", "--db", url)
    assert one.stdout.strip() == "1 event(s) pending again"
    assert [m.position for m in ta.outbox.pending()] == [2]
    rest = script("outbox", "redrive", "--all", "--db", url)
    assert rest.stdout.strip() == "4 event(s) pending again"
    assert script("outbox", "redrive", "--db", url).returncode == 2  # neither positions nor --all
    store.engine.dispose()


def test_relay_refuses_an_unknown_sink_and_a_webhook_without_secret(tmp_path: Path) -> None:
    """Bad ``--sink`` values end with one line on stderr and exit 2."""
    url, store, _ = _service(tmp_path)
    unknown = script("relay", "--sink", "ftp://x", "--db", url)
    assert unknown.returncode == 2
    assert "unknown sink 'ftp://x'" in unknown.stderr
    env = {k: v for k, v in os.environ.items() if k != "TEAMACCESS_WEBHOOK_SECRET"}
    hook = script("relay", "--sink", "https://crm.example/hooks", "--db", url, env=env)
    assert hook.returncode == 2
    assert "TEAMACCESS_WEBHOOK_SECRET" in hook.stderr
    store.engine.dispose()


def test_relay_refuses_a_private_webhook_unless_allowed_and_hides_url_secrets(
    tmp_path: Path, monkeypatch
) -> None:
    """R-ALL-11: a webhook sink on a link-local address exits 2 without the URL's token; --allow-host lets it through."""
    from teamaccess.cli._relay import sink_of
    from teamaccess.relay.webhook import WebhookSink

    url, store, _ = _service(tmp_path)
    env = {**os.environ, "TEAMACCESS_WEBHOOK_SECRET": "whsec_c2VjcmV0"}
    metadata = "http://169.254.169.254/latest?token=t0ken"
    refused = script("relay", "--sink", metadata, "--db", url, env=env)
    assert refused.returncode == 2
    assert "not a public address" in refused.stderr
    assert "t0ken" not in refused.stderr
    unknown = script("relay", "--sink", "ftp://bob:pa55@x/", "--db", url)
    assert "pa55" not in unknown.stderr
    monkeypatch.setenv("TEAMACCESS_WEBHOOK_SECRET", "whsec_c2VjcmV0")
    sink, awaitable = sink_of("http://127.0.0.1:9/hooks", ("127.0.0.1",))
    assert isinstance(sink, WebhookSink)
    assert not awaitable
    store.engine.dispose()
