"""The import graph of teamaccess has no circles, module by module (issue 33).

The import-linter contract in pyproject.toml (``acyclic_siblings``) checks packages and
ignores one import made for the type checker only; this test checks every module of
the graph grimp builds, TYPE_CHECKING imports included, with nothing ignored.
"""

from __future__ import annotations

import grimp


def cycles_of(graph: grimp.ImportGraph) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), each as its modules."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or graph.direct_import_exists(importer=module, imported=module):
                found.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others() -> None:
    """No chain of imports among teamaccess modules leads back to where it started."""
    assert cycles_of(grimp.build_graph("teamaccess")) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    """The finder reports a circle of three modules, so an empty answer above means none."""
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles_of(graph) == [["p.a", "p.b", "p.c"]]
