"""A test that reads an npm package (axe-core, ical.js) fails when npm is on the PATH but
`npm ci` was not run, and skips with one line only on a machine without npm."""

from __future__ import annotations

import shutil

import pytest

from tests import ical_js
from tests.npm_packages import installed


def _npm(monkeypatch, present: bool) -> None:
    which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name: ("/usr/bin/" + name if present else None) if name == "npm" else which(name),
    )


def test_a_missing_package_fails_when_npm_is_there(monkeypatch, tmp_path):
    _npm(monkeypatch, present=True)
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        installed(tmp_path / "node_modules" / "axe-core" / "axe.min.js", "axe-core")


def test_a_missing_package_is_skipped_without_npm(monkeypatch, tmp_path):
    _npm(monkeypatch, present=False)
    with pytest.raises(pytest.skip.Exception, match="axe-core needs npm and node"):
        installed(tmp_path / "node_modules" / "axe-core" / "axe.min.js", "axe-core")


def test_an_installed_package_is_used(tmp_path):
    script = tmp_path / "axe.min.js"
    script.write_text("")
    assert installed(script, "axe-core") == script


def test_the_ical_js_reader_fails_when_npm_ci_was_forgotten(monkeypatch, tmp_path):
    monkeypatch.setattr(ical_js, "ROOT", tmp_path)  # a checkout without node_modules
    _npm(monkeypatch, present=True)
    with pytest.raises(pytest.fail.Exception, match=r"ical\.js is not installed"):
        ical_js.read_with_ical_js(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    _npm(monkeypatch, present=False)
    with pytest.raises(pytest.skip.Exception):
        ical_js.read_with_ical_js(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
