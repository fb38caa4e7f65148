"""docs/rules.md is the rule catalogue of the project, and it cannot drift from the tests.

Every rule ID that the code or the tests name is on the page; every rule on the page is
named by a test; every test the page cites
exists; and nothing in the project sends a reader to a catalogue outside it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
RULE = re.compile(r"R-(?:MEM|MC|INV|SEAT|TAG|PART|LIC|LEAD|REC|CO|TIME|DOM|SUP|ALL)-\d+")


def _entries() -> dict[str, str]:
    """Each rule's section of the page, by ID."""
    parts = re.split(r"^### (R-[A-Z]+-\d+)$", PAGE, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _named_in(folder: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(RULE.findall(text))
        alt = r"r_(?:mem|mc|inv|seat|tag|part|lic|lead|rec|co|time|dom|sup|all)_\d+"
        found |= {m.upper().replace("_", "-") for m in re.findall(alt, text)}
    return found


def test_every_rule_named_in_code_or_tests_is_on_the_page() -> None:
    """A rule ID used by src/ or tests/ has its entry on docs/rules.md."""
    used = _named_in("src") | _named_in("tests")
    assert used - set(_entries()) == set()


def test_every_rule_on_the_page_is_named_by_a_test() -> None:
    """Each rule on the page is named by a test, unless its entry says it is not proved yet."""
    named = _named_in("tests") | _named_in("src/teamaccess/testing/contract")
    unproved = {rule for rule, text in _entries().items() if "*Status:* not yet proved" in text}
    assert set(_entries()) - named == unproved
    assert unproved == set()


def test_cited_tests_exist() -> None:
    """Every `file::test` the page cites is a test function in that file."""
    cited = re.findall(r"`((?:tests|src/teamaccess/testing/contract)/[\w/]+\.py)::(\w+)`", PAGE)
    assert len(cited) > 60
    for file, name in cited:
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        assert name in names, f"{file}::{name}"


def test_no_page_points_outside_the_project_for_the_rules() -> None:
    """README, docs and the package never send a reader to ../shared/RULES.md."""
    texts = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "src").rglob("*.py")]
    assert [str(p) for p in texts if "shared/RULES" in p.read_text(encoding="utf-8")] == []
