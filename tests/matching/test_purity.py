"""The solver core is pure: its modules import neither Flask nor the database (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = [
    "__init__",
    "instance",
    "selection",
    "scheduling",
    "solver",
    "validate",
    "generator",
    "graph",
    "baseline",
]
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "app.extensions", "app.database", "werkzeug")
ALLOWED_APP_IMPORTS = {f"app.matching.{name}" for name in CORE} | {"app.matching"}


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_no_framework_and_no_database(module):
    path = Path(__file__).resolve().parents[2] / "app" / "matching" / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{module} imports {name}"
            if name.startswith("app"):
                assert name in ALLOWED_APP_IMPORTS, f"{module} imports {name}"
