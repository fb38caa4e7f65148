"""The contract suite ships in the package: a host runs it against its store with one fixture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import teamaccess.testing.contract as contract


def test_host_runs_the_shipped_suite_with_one_fixture(tmp_path: Path) -> None:
    """A project with only a store_factory fixture and a star import runs every contract test, green."""
    (tmp_path / "conftest.py").write_text(
        "from hypothesis import settings\n"
        "settings.register_profile('quick', max_examples=3)\n"
        "settings.load_profile('quick')\n"
    )
    (tmp_path / "test_my_store.py").write_text(
        "import pytest\n"
        "from teamaccess import MemoryStore\n"
        "from teamaccess.testing.contract import *  # noqa: F403\n\n"
        "@pytest.fixture\n"
        "def store_factory():\n"
        "    return MemoryStore\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:cov", "-p", "no:benchmark", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    tests = [name for name in contract.__all__ if name.startswith("test_")]
    summary = done.stdout.splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= len(tests) > 120, summary  # parametrized tests run more than once
    assert "failed" not in summary
    assert "error" not in summary


def test_a_fixture_name_means_one_fixture_across_the_contract_modules() -> None:
    """The star import keeps one fixture per name: modules that share a name must share its code."""
    import importlib
    import inspect

    sources: dict[str, tuple[str, str]] = {}
    for area in contract.AREAS:
        module = importlib.import_module(f"teamaccess.testing.contract.{area}")
        for name, value in vars(module).items():
            if (
                not contract._is_fixture(value)
                or getattr(value, "__module__", module.__name__) != module.__name__
            ):
                continue
            unwrap = getattr(value, "_get_wrapped_function", None)  # pytest >= 8.4
            code = inspect.getsource(unwrap() if unwrap else value)
            first = sources.setdefault(name, (area, code))
            assert first[1] == code, (
                f"fixture {name!r} of {area} differs from the one of {first[0]}"
            )
