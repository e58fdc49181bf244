"""The agenda's own line folding gives exactly the bytes icalendar's does."""

from __future__ import annotations

import random

import icalendar
from icalendar.parser.string import _foldline

from app.matching.agenda.ical import fold, to_ical

ALPHABET = "ab ,;:\\^\u1ea1\u00e9\u0110\u20ac\U0001f600"


def test_fold_matches_icalendar_on_random_lines():
    rng = random.Random(2025)
    for _ in range(3000):
        line = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 400)))
        assert fold(line) == _foldline(line).encode("utf-8"), line


def test_fold_keeps_escapes_and_characters_whole():
    for line in (
        "x" * 73 + "\\n" + "y" * 100,
        "x" * 73 + "ạ" * 40,
        "^" * 200,
        "\\" * 200,
        "a" * 74,
        "a" * 75,
    ):
        assert fold(line) == _foldline(line).encode("utf-8")


def test_to_ical_matches_icalendar():
    calendar = icalendar.Calendar.new(prodid="-//test//", method="PUBLISH")
    calendar.add("X-WR-CALNAME", icalendar.vText("Lịch — Hợp tác xã, Hội chợ OCOP; " * 4))
    event = icalendar.Event()
    event.add("UID", "meeting-1@example.org")
    event.add("DESCRIPTION", "Với: Hợp tác xã Mật ong\nSản phẩm: mật ong, trà; \\ ^ " * 6)
    calendar.add_component(event)
    assert to_ical(calendar) == calendar.to_ical()
