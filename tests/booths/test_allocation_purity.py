"""The allocation engine is pure: its modules import neither Flask nor the database (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "app" / "booths" / "allocation"
MODULES = sorted(ENGINE.glob("*.py"))
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "app.extensions", "app.database", "werkzeug")
ALLOWED_APP_IMPORTS = ("app.booths.allocation",)


def _imported_names(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import stays inside the engine's folder
                continue
            names.append(node.module or "")
    return names


def test_the_engine_folder_has_modules():
    assert any(path.stem != "__init__" for path in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_an_engine_module_imports_no_framework_no_database_and_no_models(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in _imported_names(tree):
        assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
        if name == "app" or name.startswith("app."):
            # Only the engine itself: no app.extensions, app.database, models or services.
            assert name.startswith(ALLOWED_APP_IMPORTS), f"{path.name} imports {name}"
