"""The benchmark scripts run at a tiny size: they finish and their answers are right.

Times are printed, never asserted (speed targets live in benchmarks/).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .backends import POSTGRES

ROOT = Path(__file__).resolve().parent.parent


def test_checks_benchmark_smoke(tmp_path: Path) -> None:
    """benchmarks/checks.py at 200 users / 20 companies prints its table and writes JSON."""
    out = tmp_path / "rows.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "checks.py"), "--users", "200",
         "--companies", "20", "--repeat", "5", "--adapters", "memory,sqlite", "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "check: member (hit)" in done.stdout
    rows = out.read_text()
    assert '"adapter": "sqlite"' in rows
    assert '"adapter": "memory"' in rows


def test_csv_enroll_benchmark_smoke() -> None:
    """benchmarks/csv_enroll.py at 600 rows (more than one 500-row IN chunk) enrolls all, refuses overflow."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "csv_enroll.py"), "--rows", "600",
         "--adapters", "memory,sqlite"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["memory", "sqlite"]
    assert [line.split("x  ")[-1] for line in lines[2:]] == [
        "the same objects",
        "sqlite3 executemany",
    ]


def test_csv_enroll_benchmark_copy_floor_on_postgres() -> None:
    """On PostgreSQL the import's floor is COPY of the same rows (issue 18)."""
    env = {**os.environ, "TEAMACCESS_TEST_POSTGRES_URL": POSTGRES.url_of_run}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "csv_enroll.py"), "--rows", "600",
         "--adapters", "postgres"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[2]
    assert row.split()[0] == "postgres"
    assert row.endswith("COPY")


def test_overview_benchmark_smoke() -> None:
    """benchmarks/overview.py at 300 accounts: every descendant listed once, a fixed number of statements."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "overview.py"), "--accounts", "300",
         "--repeat", "3", "--adapters", "memory,sqlite"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[2:]}
    assert rows["memory"][1] == rows["sqlite"][1] == "300"
    # SELECTs per page, whatever the page size (sight: 2; the sight windows below: 1)
    assert rows["sqlite"][-1] == "10"


def test_leads_benchmark_smoke() -> None:
    """benchmarks/leads.py at 20k/40k leads: pages match brute force, 1 SELECT a page (guard included), merge runs."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "leads.py"), "--leads", "20000,40000",
         "--companies", "300", "--repeat", "3", "--adapters", "memory,sqlite"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:18]]
    assert [(r[0], r[1], r[2]) for r in rows[:4]] == [
        ("memory", "20000", "taker"), ("memory", "20000", "giver"), ("memory", "20000", "operator"),
        ("memory", "20000", "outsider"),
    ]  # fmt: skip
    sqlite = [r for r in rows if r[0] == "sqlite"]
    assert len(sqlite) == 8
    assert all(r[-2] == "1" for r in sqlite)  # the company, the membership and the page together


def test_benchmark_suite_smoke(tmp_path: Path) -> None:
    """benchmarks/run.py at smoke size runs S1..S5 and MEM, checks its answers, writes JSON."""
    out = tmp_path / "suite.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--size", "smoke",
         "--adapters", "memory,sqlite", "--json", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    seen = {(row["scenario"].split()[0], row["adapter"]) for row in rows}
    for scenario in ("S1", "S2", "S3", "S4", "S5"):
        assert {(scenario, "memory"), (scenario, "sqlite")} <= seen, scenario
    assert ("MEM", "memory") in seen
    s5 = [r for r in rows if r["scenario"].startswith("S5") and r["adapter"] == "sqlite"]
    assert all(r["selects"] == 1 for r in s5)  # one statement through the closure table
    assert "targets held" in done.stdout


def test_threads_benchmark_smoke() -> None:
    """benchmarks/threads.py on SQLite: every setting answers at 1 and 8 threads and holds none of the host's 5."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "threads.py"), "--adapters", "sqlite",
         "--seconds", "0.2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [row[1] for row in rows] == [
        "fast_path_connections=default", "fast_path_connections=0", "raw",
    ]  # fmt: skip
    assert [row[-1] for row in rows[:2]] == ["0/5", "0/5"]


def test_async_checks_benchmark_smoke() -> None:
    """benchmarks/async_checks.py at a tiny size on asyncpg: both tables, every request allowed."""
    from .backends import POSTGRES

    url = POSTGRES.url_of_run.replace("+psycopg", "+asyncpg")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "async_checks.py"), "--calls", "50",
         "--rounds", "2", "--concurrent", "10"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "TEAMACCESS_TEST_ASYNCPG_URL": url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ata.check (pooled)" in done.stdout
    assert done.stdout.count("one ata.require per request") == 2


def test_relay_benchmark_smoke() -> None:
    """benchmarks/relay.py at 50 events: every sink row printed, the relay delivers them all."""
    from .services import NATS_URL, RABBITMQ_URL, REDIS_URL, require

    for name, url in (("Redis", REDIS_URL), ("RabbitMQ", RABBITMQ_URL), ("NATS", NATS_URL)):
        require(name, url)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "relay.py"), "--events", "50"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split()[0] for line in done.stdout.splitlines()[2:]]
    assert rows == ["callable", "redis", "rabbitmq", "nats", "webhook"]


def test_observability_benchmark_smoke() -> None:
    """benchmarks/observability.py at a small size prints both cases with their ratios."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "observability.py"), "--repeat", "3000"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == ["allowed", "denied"]


def test_reverse_benchmark_smoke() -> None:
    """benchmarks/reverse.py at 300 members: every case printed, every row found."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reverse.py"), "--members", "300",
         "--stores", "memory,sqlite", "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:-1]]
    assert [row[0] for row in rows] == ["memory"] * 3 + ["sqlite"] * 4
    assert {row[-2] if row[-1].endswith("x") else row[-1] for row in rows if "all" in row} == {
        "301"
    }


def test_sql_floors_benchmark_smoke() -> None:
    """benchmarks/sql_floors.py at a tiny size on SQLite and PostgreSQL: every case, 1 statement a page."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "sql_floors.py"), "--adapters",
         "sqlite,postgres", "--users", "400", "--companies", "40", "--leads", "300",
         "--questions", "400", "--seconds", "0.1", "--repeat", "5"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "skipped" not in out, out
    pages = [line.split()[-4] for line in out.splitlines() if line.startswith("statements a page")]
    assert pages == ["1.00", "1.00"], out
    assert "warm check p50, us, 1% writes elsewhere" in out
    assert "cached check p50, us (warm) vs memory" in out
    assert "fully_consistent p50, us vs raw PK select" in out
    assert "company + membership join raw, p50 us" in out
    assert "vs the UNION building the same Leads" in out


def test_floors_benchmark_smoke() -> None:
    """benchmarks/floors.py at a small size: every row printed, the answers agree (asserted)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "floors.py"), "--users", "2000",
         "--companies", "200", "--import-rows", "500", "--seconds", "0.2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cases = [line[:44].strip() for line in done.stdout.splitlines()[1:11]]
    assert cases[0] == "check, us per call (first time, each once)"
    assert [case.split(" ", 2)[:2] for case in cases[1:4]] == [["of", "which"]] * 3
    assert cases[4] == "check, us per call (repeated, best of 5)"
    assert cases[7] == "8 threads : 1 thread"
    assert "checks during an import of 500 rows" in done.stdout


def test_memory_use_benchmark_smoke() -> None:
    """benchmarks/memory_use.py at a small size: three rows, each with both sides and a ratio."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "memory_use.py"), "--memberships", "500",
         "--leads", "500", "--big-leads", "1000"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert [row.split()[0] for row in rows] == ["bytes", "bytes", "peak"]
    assert all(row.split()[-3].endswith("x") for row in rows)


def test_tokens_benchmark_smoke() -> None:
    """benchmarks/tokens.py at a small size times commands and checks with and without tokens."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tokens.py"), "--calls", "20"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split(":")[0] for line in done.stdout.splitlines()[1:]]
    assert rows == [
        "command, token read", "command, no token", "check, no mode",
        "check, at_least(token)", "check in a scope",
    ]  # fmt: skip


def test_lock_writes_benchmark_smoke() -> None:
    """benchmarks/lock_writes.py at 10 commands on PostgreSQL: lock writes add one UPDATE per command (R-ALL-12).

    Each role change updates the membership and its company's audit chain head (issue 32).
    """
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "lock_writes.py"), "--adapters", "postgres",
         "--threads", "2", "--commands", "10"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "TEAMACCESS_TEST_POSTGRES_URL": POSTGRES.url_of_run},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("postgres")]
    assert [(row[1], row[3]) for row in rows] == [("off", "2.00"), ("on", "3.00")], done.stdout


def test_domain_register_benchmark_smoke() -> None:
    """benchmarks/domain_register.py at a small size: one row per adapter and mode, join adds all."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "domain_register.py"), "--users", "30"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [row.split()[:2] for row in done.stdout.splitlines()[1:]]
    assert rows == [
        [a, m] for a in ("memory", "sqlite") for m in ("-", "manual", "suggest", "join")
    ]


def test_relay_scale_benchmark_smoke() -> None:
    """benchmarks/relay_scale.py with 1 and 2 relay processes on SQLite: all delivered, per company in order."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "relay_scale.py"), "--stores", "sqlite",
         "--events", "200", "--companies", "20", "--sink-ms", "1", "--relays", "1,2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[2:]
    assert [row.split()[:2] for row in rows] == [["sqlite", "1"], ["sqlite", "2"]]
