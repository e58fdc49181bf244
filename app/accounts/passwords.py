"""What a new password must be, and hashing that costs the same whether an account exists or not.

A password has at least `MIN_LENGTH` characters, is not among the 30,000 most common
passwords (zxcvbn's list), and does not contain the e-mail's local part or the
organisation's name; letters are compared without case or accents ("Đường" is "duong").
"""

from __future__ import annotations

import functools
import unicodedata

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
# A local part or name shorter than this ("an@...") would refuse too many good passwords.
MIN_NAME_LENGTH = 3


def _folded(text: str) -> str:
    """Lower case, no accents, "đ" as "d"."""
    text = (text or "").casefold().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in _folded(text) if c.isalnum())


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 30,000 passwords: read on first use

    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, *, email: str | None = None, organisation_name: str | None = None):
    """Why `password` is refused (a message), or None when it is fine."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(num)d characters.", num=MAX_LENGTH)
    if _folded(password) in _common_passwords():
        return _l("This password is one of the most common ones; choose another.")
    letters = _letters_and_digits(password)
    local_part = _letters_and_digits((email or "").partition("@")[0])
    if len(local_part) >= MIN_NAME_LENGTH and local_part in letters:
        return _l("The password must not contain your e-mail address.")
    name = _letters_and_digits(organisation_name or "")
    if len(name) >= MIN_NAME_LENGTH and name in letters:
        return _l("The password must not contain your organisation's name.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Check `password` against `password_hash`; with no hash (no such account), against a dummy
    hash of the same scheme, so the answer takes as long as for a wrong password."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password or "")
        return False
    return check_password_hash(password_hash, password or "")


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password: nobody has this account")
