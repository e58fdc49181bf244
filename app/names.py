"""Names kept in three languages (products, sessions, tables, booth types, halls), shown alike.

The order is the reader's language, then English, then Vietnamese (the organisers' own
language, always filled). When the text shown is not in the page's language it is marked
with `lang`, so screen readers and hyphenation read it right.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

LANGUAGES = ("vi", "en", "fr")


def current_locale() -> str:
    """The page's language (or the forced one in mails and jobs)."""
    locale = get_locale()  # honours force_locale, unlike g.locale
    return str(locale) if locale else "vi"


def fallback_order(locale: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((locale, "en", "vi")))


def pick(texts: Mapping[str, str | None], locale: str) -> tuple[str, str]:
    """(text, its language): the first filled of `locale`, English, Vietnamese."""
    for lang in fallback_order(locale):
        text = (texts.get(lang) or "").strip()
        if text:
            return text, lang
    return "", locale


def texts_of(item, field: str = "name") -> dict[str, str | None]:
    """An item's three versions of `field`: `<field>_vi` (or plain `<field>`), `_en`, `_fr`."""
    vi = getattr(item, f"{field}_vi", None) if hasattr(item, f"{field}_vi") else getattr(item, field, None)
    return {"vi": vi, "en": getattr(item, f"{field}_en", None), "fr": getattr(item, f"{field}_fr", None)}


def name_and_lang(item, locale: str | None = None, field: str = "name") -> tuple[str, str]:
    """The item's name for a reader of `locale` (the page's by default) and the language it is in."""
    if item is None:
        return "", locale or current_locale()
    return pick(texts_of(item, field), locale or current_locale())


def name_in(item, locale: str | None = None, field: str = "name") -> str:
    """Plain text, for attributes, titles, mails and calendars."""
    return name_and_lang(item, locale, field)[0]


def marked(text: str, lang: str, locale: str | None = None) -> Markup:
    """Escaped text, wrapped in <span lang> when it is not in the page's language."""
    if not text or lang == (locale or current_locale()):
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def local_name(item, field: str = "name") -> Markup:
    """Jinja filter: `{{ product|local_name }}`, `{{ session|local_name }}`."""
    locale = current_locale()
    return marked(*name_and_lang(item, locale, field), locale)


def lang_text(value) -> Markup:
    """Jinja filter for a ready (text, lang) pair such as a table's label."""
    if isinstance(value, tuple):
        return marked(*value)
    return escape(value)


# ---------------------------------------------------------------- matchmaking tables


def table_names_of(session) -> dict[str, str | None]:
    return {"vi": session.table_names, "en": session.table_names_en, "fr": session.table_names_fr}


@functools.lru_cache(maxsize=64)
def _lines(text: str | None) -> tuple[str, ...]:
    """The names, one a line, split once: a national session names over a thousand tables,
    and its outcomes and check-in pages ask for one table after another."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def default_table_name(index: int) -> str:
    """'Bàn 3' / 'Table 3' in the current language (index is 0-based)."""
    # "Table" is the one-word column header, already translated; a number follows it in all three.
    return f"{gettext('Table')} {index + 1}"


def table_labels(session, locale: str | None = None) -> list[tuple[str, str]]:
    """(label, lang) of every table: the organiser's name in the fallback order, else numbered
    in the reader's language. Call inside force_locale for mails and calendars."""
    locale = locale or current_locale()
    lists = {lang: _lines(text) for lang, text in table_names_of(session).items()}
    word = gettext("Table")
    labels = []
    for index in range(session.tables):
        for lang in fallback_order(locale):
            names = lists.get(lang) or ()
            if index < len(names):
                labels.append((names[index], lang))
                break
        else:
            labels.append((f"{word} {index + 1}", locale))
    return labels


def table_label(session, index: int, locale: str | None = None) -> tuple[str, str]:
    """(label, lang) of one table (0-based)."""
    locale = locale or current_locale()
    for lang in fallback_order(locale):
        names = _lines(table_names_of(session).get(lang))
        if index < len(names):
            return names[index], lang
    return default_table_name(index), locale
