"""Docs and examples run as written, so they never drift from the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from teamaccess.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
INCLUDE = re.compile(r'^--8<-- "[^"]+"$')  # an example's code, run as that example


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path) -> None:
    """Each example script exits 0 and prints something."""
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


@pytest.mark.parametrize("doc", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_python_blocks_in_docs_run(doc: Path) -> None:
    """Every ```python block of a Markdown page runs, in order, in one namespace per page.

    A block that only includes an example's code (``--8<--``) runs as that example.
    """
    blocks = [
        block
        for block in PYTHON_BLOCK.findall(doc.read_text(encoding="utf-8"))
        if not INCLUDE.match(block.strip())
    ]
    namespace: dict[str, object] = {"__name__": f"doc_{doc.stem}"}
    for block in blocks:
        exec(compile(block, str(doc), "exec"), namespace)  # noqa: S102 - our own docs


def test_demo_command_explains_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`teamaccess demo` on SQLite prints decisions with reasons and rules; twice in a row."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    for _ in range(2):  # the demo recreates its tables, so it can run again
        assert main(["demo", "--db", url]) == 0
        out = capsys.readouterr().out
        assert "denied: not_main_contact (R-MC-2)" in out
        assert "denied: networking_disabled (R-MEM-4)" in out
        assert "MainContactRequired" in out
        assert re.search(r"\d+ events in the outbox", out)
        assert "'Mitarbeiter der Spreadmind GmbH': 10/10 free" in out
        assert "enrolls hans: 9/10 free" in out
        assert "denied: not_group_leader (R-SEAT-4)" in out
        assert "CsvImportError: 1 bad row(s), nothing enrolled: row 3, column email" in out
        assert "denied: overview_only (R-PART-2)" in out
        assert "denied: license_exhausted (R-LIC-2)" in out
        assert "region=Süd | plan=Professional | members=2 | create_asset 2/2 used" in out
        assert "a second run creates 0" in out  # R-CO-1
        assert "CompanyClosed: company 'personal-heidi' is closed" in out  # R-CO-3
        assert "UnknownLead: unknown lead 'heat-pumps'" in out  # the late taker, R-ALL-9
        assert "denied: unknown_lead (R-ALL-1)" in out
        assert "heidi's picked leads: heat-pumps" in out
        assert "kira's view of the last 30 days: ['Jour fixe: content plan']" in out
        assert "denied: embargoed (R-REC-2)" in out


def test_demo_reports_unreachable_database_in_one_line() -> None:
    """A bad --db URL exits non-zero with one readable line, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "teamaccess", "demo", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "teamaccess: cannot use postgresql+psycopg://nobody@127.0.0.1:1/none" in done.stderr
