"""The house plan holds: one transaction boundary, no cycles between feature packages,
no module importing another's routes, pure engines free of Flask and the database."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

APP = Path(__file__).resolve().parent.parent / "app"
FEATURES = (
    "accounts",
    "tasks",
    "catalog",
    "events",
    "booths",
    "matching",
    "notifications",
    "onsite",
    "followup",
    "demo",
    "api",
)
# The only places that commit or roll back: the boundary itself, and the outbox sender,
# which commits once per message so a sent mail is never sent twice.
MAY_COMMIT = {"transaction.py", "notifications/services.py"}


def _python_files():
    return sorted(APP.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(APP).as_posix()


def _imports(tree: ast.AST) -> list[str]:
    """Modules imported anywhere in the file (lazy ones too), except under TYPE_CHECKING."""
    names: list[str] = []

    def visit(node):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "app" and parts[1] in FEATURES:
        return parts[1]
    return None


def test_only_the_transaction_boundary_commits_or_rolls_back():
    offenders = []
    for path in _python_files():
        if _relative(path) in MAY_COMMIT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
            ):
                offenders.append(f"{_relative(path)}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


def test_feature_packages_import_each_other_without_cycles():
    graph = nx.DiGraph()
    why: dict[tuple[str, str], str] = {}
    for path in _python_files():
        source = _package_of("app." + _relative(path).replace("/", "."))
        if source is None:
            continue
        graph.add_node(source)
        for module in _imports(ast.parse(path.read_text())):
            target = _package_of(module)
            if target and target != source:
                graph.add_edge(source, target)
                why.setdefault((source, target), f"{_relative(path)} imports {module}")
    cycles = [[why[(a, b)] for a, b in zip(c, c[1:] + c[:1], strict=True)] for c in nx.simple_cycles(graph)]
    assert cycles == []


def test_no_module_imports_another_modules_routes():
    offenders = []
    for path in _python_files():
        own = _package_of("app." + _relative(path).replace("/", "."))
        for module in _imports(ast.parse(path.read_text())):
            if (module.endswith(".routes") or ".routes." in module) and _package_of(module) != own:
                offenders.append(f"{_relative(path)} imports {module}")
    assert [o for o in offenders if not o.startswith("__init__.py")] == []


def test_no_page_probes_the_url_map():
    offenders = [
        _relative(path)
        for path in [*_python_files(), *(APP / "templates").rglob("*.html")]
        if any(probe in path.read_text() for probe in ("view_functions", "iter_rules", "has_endpoint("))
    ]
    assert offenders == []


def test_every_feature_keeps_the_skeleton():
    """Pages live in a feature folder's routes.py, beside (or under) the services.py they call."""
    for path in _python_files():
        assert not path.name.endswith("_routes.py"), f"{_relative(path)}: pages go in a feature's routes.py"
        if path.name == "routes.py":
            folder = path.parent
            assert (folder / "services.py").exists() or (folder.parent / "services.py").exists(), (
                f"{_relative(path)}: a feature's routes call its services.py"
            )


def test_nothing_imports_the_followup_survey():
    """app/followup reads matching, events and notifications; none of the app's modules imports it
    (the app factory registers its blueprint; its clock job is found by app/scheduler.py)."""
    offenders = []
    for path in _python_files():
        relative = _relative(path)
        if relative.startswith("followup/") or relative == "__init__.py":
            continue
        offenders += [
            f"{relative} imports {m}"
            for m in _imports(ast.parse(path.read_text()))
            if m.startswith("app.followup")
        ]
    assert offenders == []
