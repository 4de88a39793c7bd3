"""Card numbers never stored in full (ARCHITECTURE.md): keep BIN, last 4 and a keyed token.

The finding and masking rules are indicators.cards' (one definition of "a card number" for
extraction and intake); this module applies them to a report. The token function is
passed in so this module needs no keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from contactpoint.indicators import cards


def redact_text(text: str) -> str:
    """``text`` with every card-shaped number replaced by ``[card 411111…1111]``."""
    return cards.redact(text)


def card_digits(value: str) -> str | None:
    """The digits of a full card number given as an identifier, or None."""
    digits = re.sub(r"[ -]", "", value.strip())
    full = digits.isascii() and digits.isdigit() and 13 <= len(digits) <= 19
    return digits if full and digits[0] != "0" and cards.luhn_ok(digits) else None


def card_identifier(value: str, token: Callable[[str, str], str]) -> dict[str, str]:
    """A suspect identifier of type card, with the full number replaced by BIN…last4."""
    digits = card_digits(value)
    if digits is None:
        return {"type": "card", "value": redact_text(value)}
    return {
        "type": "card",
        "value": cards.masked(digits),
        "bin": digits[:6],
        "last4": digits[-4:],
        "token": token("card", digits),
    }
