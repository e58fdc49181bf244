"""Start-up stays cheap: building the app and listing its commands import no heavy library.

numpy, numba, scipy, networkx, openpyxl, PIL, icalendar, qrcode, Alembic and Celery are imported by the
functions that use them (benchmarks/startup_bench.py has the figures). Each check runs in a
fresh interpreter, since the test session has long imported them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app import create_app

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "numpy",
    "numba",
    "scipy",
    "networkx",
    "openpyxl",
    "PIL",
    "icalendar",
    "qrcode",
    "alembic",
    "flask_migrate",
    "celery",
    "kombu",
    "redis",
)

PROBE = """
import json, sys
HEAVY = {heavy!r}

def loaded():
    return sorted(name for name in HEAVY if name in sys.modules)

report = {{}}
import app
report["import app"] = loaded()
app.create_app("testing", UPLOAD_FOLDER={uploads!r})
report["create_app"] = loaded()
from flask.cli import main
sys.argv = ["flask", "--help"]
try:
    main()
except SystemExit:
    pass
report["flask --help"] = loaded()
print("REPORT " + json.dumps(report))
"""


def run_probe(tmp_path) -> tuple[dict, str]:
    uploads = str(tmp_path / "uploads")
    code = PROBE.format(heavy=HEAVY, uploads=uploads)
    env = dict(os.environ, FLASK_APP="wsgi", OCOPFAIR_CONFIG="testing", UPLOAD_FOLDER=uploads)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT ")), done.stdout


def test_importing_building_the_app_and_listing_its_commands_import_no_heavy_library(tmp_path):
    report, output = run_probe(tmp_path)

    assert report == {"import app": [], "create_app": [], "flask --help": []}
    # ... and every command is still listed, `flask db` (Flask-Migrate) included.
    for command in ("accounts", "booths", "db", "demo", "matching", "outbox", "scheduler"):
        assert f"\n  {command} " in output


def test_flask_db_binds_flask_migrate_when_it_runs(tmp_path, capsys):
    from flask_migrate import Migrate

    app = create_app("testing", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    assert "migrate" not in app.extensions

    result = app.test_cli_runner().invoke(args=["db", "--help"])

    assert result.exit_code == 0, result.output
    assert "--directory" in result.output and "upgrade" in result.output
    bound = app.extensions["migrate"]
    assert isinstance(bound.migrate, Migrate)
    assert bound.db is app.extensions["sqlalchemy"]
    assert bound.configure_args == {"compare_type": True, "render_as_batch": True}
    assert bound.directory == "migrations"

    result = app.test_cli_runner().invoke(args=["db", "heads"])  # the migrations folder, read by Alembic
    assert result.exit_code == 0, result.output
    assert "(head)" in capsys.readouterr().out  # Alembic writes to sys.stdout itself
