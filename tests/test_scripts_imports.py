"""The scripts outside the packages (the load test, the load generator) import the project's
modules by name, often inside functions: every such name must exist, so that a module moved in
the code cannot leave a script broken until someone runs it (the load test's import of the scheme
service was found that way)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "scripts").glob("*.py"))
OURS = ("emulation", "clusters", "scoring")


def project_imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(OURS):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.startswith(OURS)]
    return found


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_project_name_a_script_imports_exists(script):
    for module, name in project_imports(script):
        imported = importlib.import_module(module)
        if name:
            assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}"), (
                f"{script.name}: {module}.{name}"
            )


def test_the_check_sees_the_load_tests_imports():
    names = project_imports(next(p for p in SCRIPTS if p.name == "loadtest.py"))
    assert ("scoring.schemes.services", "scheme_create_version") in names
