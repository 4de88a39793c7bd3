"""Payment card numbers: find, keep only BIN + last 4, and redact.

A "card-shaped run" is 13-19 digits (any Unicode decimal digits), optionally grouped by single
spaces or hyphens, not glued to a digit or a Latin/Greek/Cyrillic letter (CJK text is
written without spaces, so "卡号4111..." still counts), not preceded by "+" (an international phone
number), "wa.me/" or "phone=" (WhatsApp links carry phone numbers), with a first digit 1-9,
that passes the Luhn check and is not the tail of a valid IBAN written in groups
("GB27 MEFM 2368 6965 1057 69"). Every card-shaped run is redacted by `redact()` and never appears
in any extracted indicator. Only runs with a payment card prefix (2-6: Mastercard 2-series,
Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay/Maestro) become `card` indicators, so
order numbers that pass Luhn by chance are not "cards".

The full number never leaves this module: not in a value, extra, repr, log or exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The lookbehinds: not after a letter or digit, not the tail of a grouped number such as
# "DE89 3704 0044 ...", not a phone number in "+..." or a WhatsApp link. Bounded, and each
# digit run can start only once, so matching is linear.
_GLUE = r"0-9A-Za-z\u00c0-\u024f\u0370-\u052f_"  # Latin, Greek, Cyrillic letters; digits
# Starts with a plain \d so the regex engine can skip to digits; the lookbehinds then look
# at the character before that first digit.
CARD_RUN_RE = re.compile(
    rf"\d(?<![{_GLUE}]\d)(?<!\d\d)(?<!\+\d)(?<!\+ \d)(?<!\d[ \-]\d)"
    rf"(?<!wa\.me/\d)(?<!wa\[\.\]me/\d)(?<!phone=\d)"
    rf"(?:[ \-]?\d){{12,18}}(?![ \-]?\d)(?![{_GLUE}])"
)
_SEP = str.maketrans("", "", " -")
_NO_DIGITS = str.maketrans("", "", "0123456789")
REDACTION = "[card {bin6}…{last4}]"


def _ascii_digits(s: str) -> str:
    s = s.translate(_SEP)
    return s if s.isascii() else "".join(str(int(c)) for c in s)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# The start of an IBAN written in groups ("GB27 MEFM "): a run of digits right after it is the
# IBAN's account part, not a card, when the whole passes the IBAN check.
_IBAN_HEAD_RE = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4})*(?: ?[A-Z0-9]{1,3})? ?$")


def _iban_mod97_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _ends_iban(text: str, start: int, digits: str) -> bool:
    head = _IBAN_HEAD_RE.search(text, max(0, start - 40), start)
    if head is None or not head.group().rstrip()[-1].isalpha():
        return False  # only a letter group can sit right before a run (digits glue to it)
    candidate = head.group().replace(" ", "") + digits
    return 15 <= len(candidate) <= 34 and _iban_mod97_ok(candidate)


def card_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, ascii digits) of every card-shaped run. The digits stay internal."""
    if len(text) < 13:
        return
    if text.isascii() and len(text) - len(text.translate(_NO_DIGITS)) < 13:
        return  # fewer than 13 digits in all: no card (cheap check, most texts stop here)
    for m in CARD_RUN_RE.finditer(text):
        digits = _ascii_digits(m.group())
        if digits[0] != "0" and luhn_ok(digits) and not _ends_iban(text, m.start(), digits):
            yield m.start(), m.end(), digits


def is_payment_card(digits: str) -> bool:
    """Plausible issuer prefix and length for a payment card."""
    first, n = digits[0], len(digits)
    if first == "4":
        return n in (13, 16, 19)
    if first == "3":
        return (digits[:2] in ("34", "37") and n == 15) or digits[:2] in (
            "30",
            "36",
            "38",
            "39",
            "35",
        )
    if first == "5":
        return n in (16, 19) or digits[:2] in ("50", "56", "57", "58")
    if first == "2":
        return n == 16 and 2221 <= int(digits[:4]) <= 2720
    if first == "6":
        return n in (16, 17, 18, 19)
    return False


def masked(digits: str) -> str:
    """The only form of a card number that leaves this module: BIN (6) … last 4."""
    return f"{digits[:6]}…{digits[-4:]}"


def redact(text: str) -> str:
    """`text` with every card-shaped run replaced by `[card 411111…1111]`. Never raises."""
    try:
        out: list[str] = []
        last = 0
        for start, end, digits in card_runs(text):
            out.append(text[last:start])
            out.append(REDACTION.format(bin6=digits[:6], last4=digits[-4:]))
            last = end
        out.append(text[last:])
        return "".join(out)
    except Exception:
        return _redact_all_digits(text)


def _redact_all_digits(text: str) -> str:
    return re.sub(r"\d", "#", text) if isinstance(text, str) else ""
