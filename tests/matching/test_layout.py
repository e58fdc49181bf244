"""The matching module's skeleton: signals between its features, a package that imports nothing.
(No file commits or rolls back: tests/test_layout.py checks the whole app.)"""

from __future__ import annotations

import ast
from pathlib import Path

from app import signals

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


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
