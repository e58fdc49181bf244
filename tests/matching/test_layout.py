"""The matching module's skeleton (DESIGN.md, "Layout"): one transaction boundary, signals
between features, a package that imports nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import signals

APP = Path(__file__).resolve().parents[2] / "app"
FEATURE_FILES = sorted(
    path
    for folder in (APP / "matching", APP / "onsite")
    for path in folder.rglob("*.py")
    if path.name in ("routes.py", "services.py", "cli.py", "jobs.py", "mail.py", "guards.py")
)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


@pytest.mark.parametrize("path", FEATURE_FILES, ids=lambda p: str(p.relative_to(APP)))
def test_no_feature_file_commits_or_rolls_back(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
            pytest.fail(f"{path.relative_to(APP)}:{node.lineno} calls {node.attr}(): use app.transaction")


def test_the_matching_package_imports_nothing():
    tree = ast.parse((APP / "matching" / "__init__.py").read_text(encoding="utf-8"))
    assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


def test_the_sessions_service_leaves_the_mail_to_the_agenda():
    imported = _imports(APP / "matching" / "sessions" / "services.py")
    assert not {name for name in imported if name.startswith(("app.notifications", "app.matching.agenda"))}


def test_the_agenda_mail_listens_to_the_meeting_signals(app):
    from app.matching.agenda import mail

    for signal, receiver in (
        (signals.meetings_published, mail._meetings_published),
        (signals.meeting_moved, mail._meeting_moved),
        (signals.meeting_cancelled, mail._meeting_cancelled),
    ):
        assert receiver in [ref() for ref in signal.receivers.values()], signal.name
