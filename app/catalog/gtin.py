"""GS1 GTIN-13 (EAN-13) barcodes: the check digit and the bars, as plain values and SVG.

A pure module: no Flask, no database. GS1 prefix 893 is Vietnam's (GS1 Vietnam); other
prefixes are valid GTINs too (an imported product, a producer registered abroad).
"""

from __future__ import annotations

from html import escape

VIETNAM_PREFIX = "893"

# The three sets of seven-module patterns of EAN-13 digits (1 = bar).
_L = (
    "0001101",
    "0011001",
    "0010011",
    "0111101",
    "0100011",
    "0110001",
    "0101111",
    "0111011",
    "0110111",
    "0001011",
)
_G = (
    "0100111",
    "0110011",
    "0011011",
    "0100001",
    "0011101",
    "0111001",
    "0000101",
    "0010001",
    "0001001",
    "0010111",
)
_R = (
    "1110010",
    "1100110",
    "1101100",
    "1000010",
    "1011100",
    "1001110",
    "1010000",
    "1000100",
    "1001000",
    "1110100",
)
# Which of L (0) or G (1) each of the six left digits uses, chosen by the first digit.
_PARITY = ("000000", "001011", "001101", "001110", "010011", "011001", "011100", "010101", "010110", "011010")


def check_digit(first_twelve: str) -> int:
    """The GS1 check digit of twelve digits: weights 1 and 3 alternating from the left."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return (10 - total % 10) % 10


def normalise(value: str | None) -> str | None:
    """Digits only (spaces and hyphens people type between groups are dropped); None when empty."""
    if value is None:
        return None
    cleaned = "".join(value.split()).replace("-", "")
    return cleaned or None


def problem(code: str) -> str | None:
    """Why `code` is not a GTIN-13 ("length", "digits", "check"), or None when it is one."""
    if not code.isascii() or not code.isdigit():
        return "digits"
    if len(code) != 13:
        return "length"
    if check_digit(code[:12]) != int(code[12]):
        return "check"
    return None


def is_vietnamese(code: str) -> bool:
    return code.startswith(VIETNAM_PREFIX)


def modules(code: str) -> str:
    """The 95 modules of an EAN-13 symbol, '1' for a bar and '0' for a space."""
    if problem(code) is not None:
        raise ValueError(f"not a GTIN-13: {code!r}")
    parity = _PARITY[int(code[0])]
    left = "".join((_G if parity[i] == "1" else _L)[int(d)] for i, d in enumerate(code[1:7]))
    right = "".join(_R[int(d)] for d in code[7:13])
    return "101" + left + "01010" + right + "101"


def svg(code: str, *, module_width: int = 2, height: int = 60, title: str | None = None) -> str:
    """An EAN-13 symbol as an SVG document (quiet zones included, digits written below)."""
    bars = modules(code)
    quiet = 11
    width = (len(bars) + 2 * quiet) * module_width
    text_height = 14
    guard = {0, 1, 2, 45, 46, 47, 48, 49, 92, 93, 94}
    rects = []
    index = 0
    while index < len(bars):
        if bars[index] == "1":
            run = 1
            while (
                index + run < len(bars)
                and bars[index + run] == "1"
                and (index + run in guard) == (index in guard)
            ):
                run += 1
            bar_height = height + (text_height // 2 if index in guard else 0)
            x = (quiet + index) * module_width
            rects.append(f'<rect x="{x}" y="0" width="{run * module_width}" height="{bar_height}"/>')
            index += run
        else:
            index += 1
    y = height + text_height
    font = f'font-family="monospace" font-size="{text_height}" text-anchor="middle"'
    texts = [
        f'<text x="{(quiet - 4) * module_width}" y="{y}" {font}>{code[0]}</text>',
        f'<text x="{(quiet + 3 + 21) * module_width}" y="{y}" {font}>{code[1:7]}</text>',
        f'<text x="{(quiet + 50 + 21) * module_width}" y="{y}" {font}>{code[7:]}</text>',
    ]
    label = escape(title or f"GTIN {code}")
    total_height = height + text_height + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" '
        f'width="{width}" height="{total_height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect width="{width}" height="{total_height}" fill="#fff"/>'
        f'<g fill="#000">{"".join(rects)}{"".join(texts)}</g></svg>'
    )
