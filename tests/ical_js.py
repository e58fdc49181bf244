"""Calendar feeds read by Mozilla's ical.js, the parser inside Thunderbird, as a third reader beside
the Python ones (icalendar, vobject).

ical.js comes from package.json (`make install-dev` runs `npm ci`): a test that needs it fails if
npm is here but the package is not (tests/npm_packages.py), and is skipped with one line without
npm and node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.npm_packages import installed

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("ical_js_read.cjs")


def read_with_ical_js(body: bytes) -> dict:
    """What ical.js reads of an iCalendar stream: name, description, and the events' text fields."""
    installed(ROOT / "node_modules" / "ical.js", "ical.js")
    node = shutil.which("node")
    if node is None:
        pytest.skip("ical.js needs node: not on this machine")
    result = subprocess.run(
        [node, str(SCRIPT)], input=body, cwd=ROOT, capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)
