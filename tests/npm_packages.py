"""The npm packages some tests read (axe-core, ical.js), installed by `npm ci` from
package-lock.json. Missing while npm is on the PATH, the setup forgot `npm ci`: the test fails
and says so. Without npm (and node) at all, it is skipped with one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def installed(path: Path, package: str) -> Path:
    """`path` (inside node_modules) if it is there; else a failure with npm, a skip without."""
    if path.exists():
        return path
    if shutil.which("npm"):
        pytest.fail(f"{package} is not installed although npm is: run `npm ci` (make install-dev does)")
    pytest.skip(f"{package} needs npm and node: not on this machine")
