"""The documentation site builds strictly and cannot drift from the code.

Tutorials are their examples, the API reference names every public name, and the
command-line page names every command.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import griffe
import pytest
import yaml

import teamaccess
import teamaccess.adapters.sql as sql
import teamaccess.events
import teamaccess.ports
import teamaccess.relay as relay
import teamaccess.testing as testing
import teamaccess.values
from teamaccess.cli._app import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TUTORIALS = sorted((DOCS / "tutorials").glob("*.md"))
INCLUDE = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')
SECTION = re.compile(r"^\s*# --8<-- \[(start|end):([\w-]+)\]$")
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `mkdocs build --strict` builds it (once for this module)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.mark.xdist_group("docs_site")  # one worker builds the site once for all three
def test_mkdocs_build_strict(site: Path) -> None:
    """`mkdocs build --strict` passes: no broken link, missing snippet or bad reference."""
    assert (site / "reference" / "service" / "index.html").exists()


@pytest.mark.xdist_group("docs_site")
def test_built_site_has_no_raw_sphinx_roles(site: Path) -> None:
    """No page shows an unrendered `:class:`, `:meth:` or `:func:` role as text."""
    raw = [
        f"{page.relative_to(site)}: {match}"
        for page in site.rglob("*.html")
        for match in re.findall(r":(?:class|meth|func|mod|attr|data|exc):`", page.read_text())
    ]
    assert raw == []


@pytest.mark.xdist_group("docs_site")
def test_reference_names_every_method_of_every_namespace(site: Path) -> None:
    """Each namespace has a page that renders every one of its public methods."""
    ta = teamaccess.TeamAccess(teamaccess.MemoryStore())
    namespaces = {name: space for name, space in vars(ta).items() if not name.startswith("_")}
    assert len(namespaces) == 21
    for name, space in namespaces.items():
        page = (site / "reference" / "namespaces" / name / "index.html").read_text()
        path = f"{type(space).__module__}.{type(space).__name__}"
        methods = [m for m in dir(space) if not m.startswith("_") and callable(getattr(space, m))]
        assert methods, name
        for method in methods:
            assert f'id="{path}.{method}"' in page, f"ta.{name}.{method}"
    facade = (site / "reference" / "service" / "index.html").read_text()
    for method in ("check", "require"):
        assert f'id="teamaccess.TeamAccess.{method}"' in facade


def sections(example: Path) -> dict[str, list[str]]:
    """The snippet sections of an example: name -> its lines, markers left out."""
    found: dict[str, list[str]] = {}
    open_: list[str] = []
    for line in example.read_text(encoding="utf-8").splitlines():
        marker = SECTION.match(line)
        if marker and marker[1] == "start":
            found[marker[2]] = []
            open_.append(marker[2])
        elif marker:
            assert open_.pop() == marker[2], f"{example.name}: unbalanced section {marker[2]}"
        else:
            for name in open_:
                found[name].append(line)
    assert not open_, f"{example.name}: sections left open: {open_}"
    return found


def uncovered_lines(example: Path, shown: set[str]) -> list[str]:
    """Code lines of the example (after its docstring) that no shown section holds."""
    source = example.read_text(encoding="utf-8")
    body = ast.parse(source).body
    start = (body[0].end_lineno or 0) if isinstance(body[0], ast.Expr) else 0
    covered = {line for name in shown for line in sections(example)[name]}
    code = source.splitlines()[start:]
    code = code[: code.index('if __name__ == "__main__":')]  # the guard is not the lesson
    scaffold = ("def main() -> None:", '    """')  # main's own line and docstring
    return [
        line
        for line in code
        if line.strip()
        and not SECTION.match(line)
        and line not in covered
        and not line.startswith(scaffold)
    ]


@pytest.mark.parametrize("tutorial", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_code_is_its_example(tutorial: Path) -> None:
    """Every code block of a tutorial includes its example; together they show all of it."""
    blocks = PYTHON_BLOCK.findall(tutorial.read_text(encoding="utf-8"))
    includes = [INCLUDE.match(block.strip()) for block in blocks]
    assert blocks
    assert all(includes), f"{tutorial.name}: a python block that is not an include"
    files = {match[1] for match in includes if match}
    assert len(files) == 1, f"{tutorial.name} includes {files}; one example per tutorial"
    example = ROOT / files.pop()
    known = sections(example)
    shown = [match[2] for match in includes if match]
    assert set(shown) <= set(known), f"unknown sections {set(shown) - set(known)}"
    assert shown == [name for name in known if name in shown], "sections out of file order"
    assert set(shown) == set(known), f"sections never shown: {set(known) - set(shown)}"
    assert uncovered_lines(example, set(shown)) == []


def test_every_example_is_in_the_docs() -> None:
    """Each script in examples/ is named in a documentation page (and run by the tests)."""
    text = "".join(page.read_text(encoding="utf-8") for page in DOCS.rglob("*.md"))
    for example in (ROOT / "examples").glob("*.py"):
        assert f"examples/{example.name}" in text, example.name


def reference_targets() -> set[str]:
    """The dotted paths after `:::` on the API reference pages."""
    pages = (DOCS / "reference").rglob("*.md")
    return {
        match
        for page in pages
        for match in re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.M)
    }


MODULES = {"consistency", "errors", "events", "ports", "values", "__version__"}


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("teamaccess", set(teamaccess.__all__) - MODULES),
        ("teamaccess.values", set(teamaccess.values.__all__) - set(teamaccess.__all__)),
        ("teamaccess.events", set(teamaccess.events.__all__)),
        ("teamaccess.ports", set(teamaccess.ports.__all__) - set(teamaccess.__all__)),
        ("teamaccess.adapters.sql", set(sql.__all__)),
        ("teamaccess.testing", set(testing.__all__)),
        ("teamaccess.relay", set(relay.__all__)),
        ("teamaccess.consistency", set(teamaccess.consistency.__all__)),
    ],
)
def test_reference_names_every_public_name_and_each_has_a_docstring(
    module: str, names: set[str]
) -> None:
    """The API reference renders each public name, and griffe finds a docstring for it."""
    targets = reference_targets()
    assert {f"{module}.{name}" for name in names} <= targets
    loaded = griffe.load(module, search_paths=[str(ROOT / "src")])
    undocumented = [
        name
        for name in sorted(names)
        if not (loaded[name].docstring and loaded[name].docstring.value.strip())
    ]
    assert undocumented == []
    assert {"teamaccess.errors", "teamaccess.testing.strategies"} <= targets


def test_nav_lists_every_page() -> None:
    """No page is built but unreachable, and the nav names no missing page."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [page for value in node.values() for page in pages(value)]
        assert isinstance(node, list)
        return [page for item in node for page in pages(item)]

    in_nav = pages(config["nav"])
    on_disk = [str(page.relative_to(DOCS)) for page in DOCS.rglob("*.md")]
    assert sorted(in_nav) == sorted(on_disk)


def test_cli_page_names_every_command() -> None:
    """docs/cli.md shows every command of the script, so the page cannot fall behind."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = []
    for action in parser._actions:
        for name, sub in (action.choices or {}).items() if isinstance(action.choices, dict) else ():
            nested = [a for a in sub._actions if isinstance(a.choices, dict)]
            commands += [f"{name} {child}" for a in nested for child in a.choices] or [name]
    assert len(commands) == 47
    for command in commands:
        assert f"teamaccess {command}" in text, command


def test_web_frameworks_page_shows_the_examples_code_in_its_source() -> None:
    """docs/web-frameworks.md carries each example section inline (readable on a code host) and equal to the file."""
    text = (DOCS / "web-frameworks.md").read_text(encoding="utf-8")
    shown = re.findall(
        r"<!-- the code of ([\w/.]+):([\w-]+), kept equal by tests/test_docs_site.py -->\n```py\n(.*?)\n```",
        text,
        re.S,
    )
    assert len(shown) == 7
    for file, section, code in shown:
        assert code.strip() == "\n".join(sections(ROOT / file)[section]).strip(), (
            f"{file}:{section}"
        )
    assert "--8<--" not in text
