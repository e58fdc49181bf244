"""The one rule for names kept in three languages (app/names.py): the reader's language, then
English, then Vietnamese; text not in the page's language is marked with `lang`."""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale

from app.names import local_name, marked, name_and_lang, pick


def test_the_fallback_order_is_the_readers_language_then_english_then_vietnamese():
    every = {"vi": "Nhà A", "en": "Hall A", "fr": "Salle A"}
    assert pick(every, "fr") == ("Salle A", "fr")
    assert pick(every | {"fr": None}, "fr") == ("Hall A", "en")
    assert pick({"vi": "Nhà A", "en": "", "fr": None}, "fr") == ("Nhà A", "vi")
    assert pick({"vi": "Nhà A", "en": "Hall A"}, "vi") == ("Nhà A", "vi")  # not English for vi readers
    assert pick({"vi": "Nhà A", "en": "  "}, "en") == ("Nhà A", "vi")  # blanks count as missing


def test_items_with_a_plain_name_column_read_it_as_vietnamese():
    hall = SimpleNamespace(name="Nhà A", name_en="Hall A", name_fr=None)
    product = SimpleNamespace(name_vi="Chè", name_en=None, name_fr=None)
    assert name_and_lang(hall, "fr") == ("Hall A", "en")
    assert name_and_lang(product, "en") == ("Chè", "vi")


def test_only_text_in_another_language_is_wrapped_and_everything_is_escaped(app):
    with app.test_request_context("/"), force_locale("en"):
        assert str(marked("Hall A", "en")) == "Hall A"
        assert str(marked("Nhà <A>", "vi")) == '<span lang="vi">Nhà &lt;A&gt;</span>'
        hall = SimpleNamespace(name="Nhà A", name_en=None, name_fr=None)
        assert str(local_name(hall)) == '<span lang="vi">Nhà A</span>'
