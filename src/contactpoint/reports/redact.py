"""Card numbers never stored in full (ARCHITECTURE.md): keep BIN, last 4 and a keyed token.

Pure functions; the token function is passed in so this module needs no keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_digits(value: str) -> str | None:
    """The digits of a full card number (13-19 digits, Luhn-valid), or None."""
    digits = re.sub(r"[ -]", "", value.strip())
    # Card networks start with 2-6; this also spares phone numbers written 00.. or +..
    if digits.isdigit() and 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits):
        return digits
    return None


def mask(digits: str) -> str:
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def redact_cards(text: str) -> tuple[str, list[str]]:
    """Replace each full card number in ``text`` by its mask; return the digits found."""
    found: list[str] = []

    def repl(m: re.Match[str]) -> str:
        digits = card_digits(m.group(0))
        if digits is None:
            return m.group(0)
        found.append(digits)
        return mask(digits)

    return _CANDIDATE.sub(repl, text), found


def card_identifier(value: str, token: Callable[[str, str], str]) -> dict[str, str]:
    """A suspect identifier of type card, with the full number replaced."""
    digits = card_digits(value)
    if digits is None:
        return {"type": "card", "value": value}
    return {
        "type": "card",
        "value": mask(digits),
        "bin": digits[:6],
        "last4": digits[-4:],
        "token": token("card", digits),
    }
