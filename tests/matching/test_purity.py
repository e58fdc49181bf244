"""The matching engine is pure: nothing in app/matching/engine imports Flask, the database or the app
outside the engine (DESIGN.md), so it runs from the command line and in benchmarks alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "app" / "matching" / "engine"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "app.extensions", "app.database", "werkzeug")
ALLOWED_APP_PREFIX = "app.matching.engine"
MODULES = sorted(ENGINE.rglob("*.py"))


def _imported_names(tree: ast.AST, path: Path) -> list[str]:
    """Every module an import statement names, anywhere in the file (lazy imports too)."""
    package = ".".join(path.relative_to(ENGINE.parents[2]).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + "." + "__init__"
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.rsplit(".", node.level)[0]
                names.append(f"{base}.{node.module}" if node.module else base)
            else:
                names.append(node.module or "")
    return names


def test_the_engine_folder_is_walked():
    names = {path.stem for path in MODULES}
    assert {"__init__", "instance", "solver", "selection", "scheduling", "scoring", "slots"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_an_engine_module_imports_no_framework_no_database_and_no_app_module_outside_it(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for name in _imported_names(tree, path):
        assert not (name == "flask" or name.startswith(FORBIDDEN)), f"{path.name} imports {name}"
        if name == "app" or name.startswith("app."):
            assert name == ALLOWED_APP_PREFIX or name.startswith(ALLOWED_APP_PREFIX + "."), (
                f"{path.name} imports {name}"
            )
