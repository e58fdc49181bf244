#!/usr/bin/env bash
# Re-extract the interface strings and merge them into the vi, en and fr catalogs.
#
#   scripts/update_translations.sh
#
# Afterwards translate the new (empty) entries in app/translations/{vi,fr}/LC_MESSAGES/messages.po
# (the en catalog stays empty on purpose: English is the source language, so the msgid is shown),
# then check with `.venv/bin/python -m pytest -q tests/test_translations.py`.
# The .mo files are built by `make` (pybabel compile); they are not committed.
set -euo pipefail

cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
PYTHON="${PYTHON:-.venv/bin/python}"
DIR=app/translations
POT="$DIR/messages.pot"
LOCALES=(vi en fr)
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)"

# babel.cfg's patterns (app/**.py, app/templates/**.html) are relative to the scanned
# directory, so the scan starts at the repository root. Directories starting with a dot
# (.venv, .git, caches) are skipped, and so are instance data, migrations and tests.
"$PYBABEL" --quiet extract \
    -F babel.cfg \
    -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _ln:1,2 \
    --add-comments=TRANSLATORS: \
    --ignore-dirs='.* ._ instance migrations tests scripts node_modules' \
    --project=ocopfair \
    --version="${VERSION:-0}" \
    --copyright-holder=ocopfair \
    --msgid-bugs-address=ocopfair@localhost \
    -o "$POT" \
    .

for locale in "${LOCALES[@]}"; do
    if [[ -f "$DIR/$locale/LC_MESSAGES/messages.po" ]]; then
        # No fuzzy matching: a guessed translation of a similar string is worse than none.
        "$PYBABEL" --quiet update --no-fuzzy-matching -i "$POT" -d "$DIR" -l "$locale"
    else
        "$PYBABEL" --quiet init -i "$POT" -d "$DIR" -l "$locale"
    fi
done

# What is left to translate (English needs nothing: it falls back to the msgid).
"$PYTHON" - "$DIR" <<'EOF'
import sys
from pathlib import Path

from babel.messages.pofile import read_po

root = Path(sys.argv[1])
for locale in ("vi", "fr"):
    with open(root / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    todo = [m for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m for m in messages if m.fuzzy]
    print(f"{locale}: {len(messages)} messages, {len(todo)} untranslated, {len(fuzzy)} fuzzy")
    for message in todo:
        print(f"   - {message.id if isinstance(message.id, str) else message.id[0]!r}")
EOF
