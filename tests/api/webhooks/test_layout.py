"""The webhooks only listen: no module of the app imports them (the factory registers their page and
connects their receivers; the clock finds their standing job through FEATURES)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app"


def test_nothing_imports_the_webhooks():
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative.startswith("api/webhooks/") or relative == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{relative} imports {n}" for n in names if n.startswith("app.api.webhooks")]
    assert offenders == []


def test_the_clock_sends_due_webhooks_every_minute_on_the_mail_queue(app):
    from app.scheduler import job_modules

    class Recorder:
        def __init__(self):
            self.jobs = {}

        def add_job(self, func, **options):
            self.jobs[options["id"]] = (func, options)

    recorder = Recorder()
    with app.app_context():
        [module] = [m for m in job_modules() if m.__name__ == "app.api.webhooks.jobs"]
    module.register_jobs(recorder)
    func, options = recorder.jobs["webhooks-send"]
    assert func == "app.tasks.queue:enqueue_call"
    assert options["args"] == ("app.api.webhooks.services:send_due",)
    assert options["kwargs"]["queue"] == "mail" and options["minutes"] == 1
