"""Set one message's Vietnamese and French translations: set_translation.py MSGID VI FR."""

import sys

from babel.messages.pofile import read_po, write_po

msgid, *texts = sys.argv[1:]
for lang, text in zip(("vi", "fr"), texts, strict=True):
    path = f"app/translations/{lang}/LC_MESSAGES/messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    message = catalog.get(msgid)
    if message is None:
        sys.exit(f"{msgid!r} is not in {path}; run scripts/update_translations.sh first")
    message.string = text
    message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100)
