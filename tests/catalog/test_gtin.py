"""GS1 GTIN-13 barcodes: the check digit, the bars, and what a product accepts."""

from __future__ import annotations

import pytest

from app.catalog import gtin

# Standard EAN-13 facts, independent of the module's tables: R codes are the complements of
# L codes, G codes are the R codes reversed; the L code of 0 is 0001101.
L_ZERO = "0001101"


@pytest.mark.parametrize("code", ["4006381333931", "5901234123457", "8934588012112"])
def test_a_real_gtin_passes_its_check_digit(code):
    assert gtin.problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("8934588012113", "check"),  # last digit off by one
        ("893458801211", "length"),
        ("89345880121123", "length"),
        ("89345880121a2", "digits"),
        ("８９３４５８８０１２１１２", "digits"),  # full-width digits are not GTIN digits
    ],
)
def test_a_wrong_gtin_says_what_is_wrong(code, problem):
    assert gtin.problem(code) == problem


def test_spaces_and_hyphens_typed_between_groups_are_dropped():
    assert gtin.normalise(" 893 4588-012112 ") == "8934588012112"
    assert gtin.normalise("   ") is None


def _decode(bars: str) -> str:
    """Read the 13 digits back from the 95 modules with tables built from the standard's rules."""
    assert bars[:3] == "101" and bars[45:50] == "01010" and bars[92:] == "101"
    left = [bars[3 + 7 * i : 10 + 7 * i] for i in range(6)]
    right = [bars[50 + 7 * i : 57 + 7 * i] for i in range(6)]
    l_codes = {code: str(d) for d, code in enumerate(gtin._L)}
    r_codes = {"".join("1" if c == "0" else "0" for c in code): str(d) for d, code in enumerate(gtin._L)}
    g_codes = {code[::-1]: digit for code, digit in r_codes.items()}
    parity = "".join("0" if code in l_codes else "1" for code in left)
    first = str(gtin._PARITY.index(parity))
    digits = [l_codes.get(code) or g_codes[code] for code in left] + [r_codes[code] for code in right]
    return first + "".join(digits)


@pytest.mark.parametrize("code", ["4006381333931", "5901234123457", "8934588012112", "0012345678905"])
def test_the_bars_read_back_as_the_code(code):
    bars = gtin.modules(code)
    assert len(bars) == 95
    assert gtin._L[0] == L_ZERO
    assert _decode(bars) == code


def test_the_svg_is_an_image_with_its_digits_and_a_title():
    svg = gtin.svg("8934588012112")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>GTIN 8934588012112</title>" in svg
    assert ">934588<" in svg and ">012112<" in svg


def test_a_bad_code_is_never_drawn():
    with pytest.raises(ValueError):
        gtin.modules("8934588012113")
