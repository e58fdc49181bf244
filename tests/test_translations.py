"""The interface catalogs: complete Vietnamese and French, English from the source strings.

The catalogs are app/translations/<lang>/LC_MESSAGES/messages.po; `make` compiles them to
.mo files (not committed). These tests compile them too when the .mo files are missing or
older than the .po files, so they also pass on a fresh clone run without `make`.
When a check fails because strings were added or changed, run scripts/update_translations.sh
and translate the new entries.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TRANSLATED = ("vi", "fr")  # every message must be translated
LOCALES = ("vi", "en", "fr")  # English keeps empty msgstrs: the msgid is shown
PLURAL_FORMS = {"vi": (1, "0"), "fr": (2, "(n > 1)")}
# The keywords scripts/update_translations.sh passes to `pybabel extract`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2), "_ln": (1, 2)}
SKIPPED_DIRS = {"instance", "migrations", "tests", "scripts", "node_modules", "__pycache__"}

# A printf-style conversion as Python's % operator reads it: %(name)s, %d, %%, ...
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>.)")


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read(locale: str):
    with open(_po_path(locale), "rb") as handle:
        return read_po(handle, locale=locale)


def _messages(catalog) -> list:
    return [message for message in catalog if message.id]


def _key(message) -> tuple[str, str | None]:
    """A message's identity in a catalog: its (singular) msgid and its context."""
    return (_forms(message.id)[0], message.context)


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _placeholders(text: str) -> Counter:
    """The conversions in a format string (`%%` is a literal percent sign, not one)."""
    found = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match["type"] != "%":
            found[(match["name"], match["type"])] += 1
    return found


def _compile_catalogs() -> bool:
    """Write each locale's .mo when it is missing or older than its .po; True if any was written."""
    written = False
    for locale in LOCALES:
        po_file = _po_path(locale)
        mo_file = po_file.with_suffix(".mo")
        if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
            continue
        catalog = _read(locale)
        # A temporary file then a rename, so parallel test workers never read half a file.
        handle, temporary = tempfile.mkstemp(dir=mo_file.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as output:
            write_mo(output, catalog, use_fuzzy=True)
        os.replace(temporary, mo_file)
        written = True
    return written


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs(app):
    if _compile_catalogs():
        # Flask-Babel keeps loaded catalogs for the whole process; drop any loaded before.
        from app.extensions import babel

        with app.app_context():
            babel.domain_instance.cache.clear()


# ---------------------------------------------------------------- the catalog files


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_exists_for_every_interface_language(locale):
    from config import Config

    assert locale in Config.LANGUAGES
    assert _po_path(locale).is_file()
    assert _po_path(locale).with_suffix(".mo").is_file()


def test_catalogs_cover_exactly_the_template():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = {_key(message) for message in _messages(read_po(handle))}
    for locale in LOCALES:
        catalog = {_key(message) for message in _messages(_read(locale))}
        assert catalog == template, (
            f"{locale}: run scripts/update_translations.sh "
            f"(missing {sorted(map(str, template - catalog))}, extra {sorted(map(str, catalog - template))})"
        )


def test_every_string_in_the_code_is_in_the_catalogs():
    """Strings wrapped in _() / _l() / ngettext in app/ that no catalog knows yet."""
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)

    def wanted(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith(".") and name not in SKIPPED_DIRS

    in_code = set()
    for filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        in_code.add((filename, msgid, context))
    known = {_key(message) for message in _messages(_read("vi"))}
    new = sorted(
        f"{filename}: {msgid!r}" for filename, msgid, context in in_code if (msgid, context) not in known
    )
    assert not new, "Not in the catalogs yet; run scripts/update_translations.sh:\n" + "\n".join(new)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_plural_rules(locale):
    catalog = _read(locale)
    count, rule = PLURAL_FORMS[locale]
    assert catalog.num_plurals == count
    assert catalog.plural_expr == rule


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_not_fuzzy(locale):
    catalog = _read(locale)
    assert not catalog.fuzzy, f"{locale}: the catalog header is marked fuzzy"
    untranslated, fuzzy = [], []
    for message in _messages(catalog):
        forms = _forms(message.string)
        expected = catalog.num_plurals if message.pluralizable else 1
        if len(forms) != expected or not all(form.strip() for form in forms):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{locale}: untranslated {untranslated}"
    assert not fuzzy, f"{locale}: fuzzy {fuzzy}"
    assert len(_messages(catalog)) > 200


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_match(locale):
    catalog = _read(locale)
    wrong = []
    for message in _messages(catalog):
        ids = _forms(message.id)
        for index, form in enumerate(_forms(message.string)):
            source = ids[min(index, len(ids) - 1)] if locale != "vi" else ids[-1]
            if _placeholders(form) != _placeholders(source):
                wrong.append((message.id, form))
    assert not wrong, f"{locale}: placeholders differ: {wrong}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_format_without_error(locale):
    """Templates always %-format a translation (Jinja's new-style gettext), so a stray % breaks a page."""
    catalog = _read(locale)
    for message in _messages(catalog):
        for form in _forms(message.string):
            values = {name: 1 if kind in "di" else "x" for name, kind in _placeholders(form) if name}
            form % values  # raises on a malformed conversion
    errors = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert not errors


# ---------------------------------------------------------------- the pages


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Đăng nhập", "Mật khẩu", "Duy trì đăng nhập", "Chưa có tài khoản?", "Mỗi xã một sản phẩm"]),
        ("fr", ["Se connecter", "Mot de passe", "Rester connecté", "S'inscrire", "Une commune, un produit"]),
        ("en", ["Log in", "Password", "Keep me logged in", "No account yet?", "One Commune, One Product"]),
    ],
)
def test_login_page_in_each_language(client, lang, expected):
    response = client.get(f"/login?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for text in expected:
        assert text in html or text.replace("'", "&#39;") in html, (lang, text)
    if lang != "vi":
        assert "Đăng nhập" not in html


def test_vietnamese_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["Danh mục sản phẩm", "2 sản phẩm", "Đồ uống", "Chè", "4 sao OCOP", "Sắp xếp theo"]),
        ("fr", ["Catalogue", "2 produits", "Boissons", "Étoiles OCOP\u00a0: 4", "Trier par"]),
        ("en", ["Catalogue", "2 products", "Beverages", "4 OCOP stars", "Sort by"]),
    ],
)
def test_catalogue_page_in_each_language(client, make_product, lang, expected):
    make_product()
    make_product()
    response = client.get(f"/catalogue?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in expected:
        assert text in html, (lang, text)


@pytest.mark.parametrize(
    ("lang", "one", "none"),
    [("vi", "1 sản phẩm", "0 sản phẩm"), ("fr", "1 produit", "0 produit"), ("en", "1 product", "0 products")],
)
def test_plural_forms_on_the_catalogue(client, make_product, lang, one, none):
    html = client.get(f"/catalogue?lang={lang}").get_data(as_text=True)
    assert none in html
    make_product()
    html = client.get(f"/catalogue?lang={lang}").get_data(as_text=True)
    assert one in html


def test_english_falls_back_to_the_source_strings(app):
    from flask_babel import force_locale, gettext, lazy_gettext, ngettext

    with app.test_request_context("/"), force_locale("en"):
        assert gettext("Log in") == "Log in"
        assert str(lazy_gettext("Household business")) == "Household business"
        assert ngettext("%(num)d product", "%(num)d products", 1) == "1 product"
        assert ngettext("%(num)d product", "%(num)d products", 3) == "3 products"
    with app.test_request_context("/"), force_locale("vi"):
        assert gettext("Log in") == "Đăng nhập"
        assert str(lazy_gettext("Household business")) == "Hộ kinh doanh"
        assert gettext("Welcome, %(name)s.", name="Lan") == "Xin chào, Lan."
    with app.test_request_context("/"), force_locale("fr"):
        assert str(lazy_gettext("Household business")) == "Entreprise familiale"
        assert ngettext("%(num)d product", "%(num)d products", 1) == "1 produit"
        assert ngettext("%(num)d product", "%(num)d products", 2) == "2 produits"
