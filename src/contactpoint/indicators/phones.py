"""Phone numbers: cheap candidate regex, context filters, then `phonenumbers` validation.

`phonenumbers.PhoneNumberMatcher` is thorough but slow on long texts; we find digit runs that
could be a phone number with one linear regex and let `phonenumbers.parse` decide. National
formats ("06 12 34 56 78") need the victim's country as region hint; without one, only
international forms (+33..., 0033...) are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import phonenumbers

# Starts with "+", "(" or a digit not glued to a word; the body is possessive so a long digit
# run costs one pass. Trailing separators are trimmed afterwards.
PHONE_RE = re.compile(
    r"[+(\d](?<![0-9A-Za-z\u00c0-\u024f\u0370-\u052f_+/.#№\-][+(\d])(?<!\d\d)(?<!\d[ .\-]\d)"
    r"(?:(?<=\+)\d|(?<=\()\+?\d|(?<=\d))[\d \u00a0\-./()]{5,22}+"
)

_DATE_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}|\b(?:19|20)\d\d\b.*\b(?:19|20)\d\d\b"
)
_DOTTED_PAIRS = re.compile(r"0\d(?:\.\d\d){4}")
_VERSION_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){2,}$")
# "12 345 678" is an amount; "512 346 959" (3-3-3) is how Poland writes mobile numbers.
_AMOUNT_RE = re.compile(r"^\d{1,2}(?:[ .\u00a0]\d{3})+(?:[.,]\d{1,2})?$")
# Words before a number that make it an amount, an order/reference number or a version.
_NEG_CONTEXT = re.compile(
    r"(?:€|\$|£|¥|₽|₴|zł|kč|eur|euro|usd|gbp|chf|pln|czk|sek|dkk|huf|ron|rub|руб|元|"
    r"order|invoice|ref|reference|ticket|tracking|parcel|case|id|no\.|nr\.?|n°|nº|#|№|"
    r"commande|facture|référence|bestell|rechnung|auftrag|sendung|pedido|factura|ordine|"
    r"fattura|zamówienie|faktura|bestelling|заказ|счёт|счет|накладн|παραγγελ|τιμολ|订单|"
    r"單號|单号|طلب|فاتورة|version|ver\.|build|release|v\.|iban|bic|swift|card|karte|carte|"
    r"tarjeta|carta|karta|карт|κάρτα|卡|account|konto|compte|cuenta|conto|rachunek|"
    r"счёт|λογαριασμ|حساب)\W{0,3}$",
    re.IGNORECASE,
)
_NEG_AFTER = re.compile(
    r"^\s{0,2}(?:€|\$|£|eur|euro|usd|gbp|chf|pln|zł|czk|kč|rub|руб|₽|元|円|%|kg|km|mb|gb)",
    re.IGNORECASE,
)


def _trim(raw: str) -> str:
    raw = raw.rstrip(" \u00a0-./(")
    # drop an unbalanced trailing ")"
    while raw.endswith(")") and raw.count(")") > raw.count("("):
        raw = raw[:-1].rstrip(" \u00a0-./")
    return raw


def find_phones(text: str, region: str | None) -> Iterator[tuple[int, int, str, dict[str, Any]]]:
    """(start, end, E.164, extra) for each valid phone number."""
    for m in PHONE_RE.finditer(text):
        raw = _trim(m.group())
        start, end = m.start(), m.start() + len(raw)
        if end < len(text) and text[end].isdigit():
            continue  # the run went on past the bound: a longer number, not a phone
        found = check(raw, region, text[max(0, start - 24) : start], text[end : end + 8])
        if found is not None:
            yield start, end, found[0], found[1]


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _count_digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def check(
    raw: str, region: str | None, before: str = "", after: str = ""
) -> tuple[str, dict[str, Any]] | None:
    """E.164 and details when `raw` (with its context) is a valid phone number."""
    digits = len(raw) - len(raw.translate(_NO_DIGITS)) if raw.isascii() else _count_digits(raw)
    international = raw.lstrip("(").startswith(("+", "00"))
    if not 7 <= digits <= 17:
        return None
    if not international:
        if region is None:
            return None
        dotted_fr = _DOTTED_PAIRS.fullmatch(raw) is not None  # "06.12.34.56.78"
        if not dotted_fr and ("." in raw or _DATE_RE.search(raw) or _AMOUNT_RE.match(raw)):
            return None  # dots in a national number: a version, date or amount
        if _NEG_CONTEXT.search(before) or _NEG_AFTER.match(after):
            return None
    else:
        if _NEG_AFTER.match(after) or _VERSION_RE.match(raw):
            return None
        if raw.startswith("00"):
            raw = "+" + raw[2:]
    found = _parse(raw, None if international else region)
    return (found[0], dict(found[1])) if found is not None else None


@lru_cache(maxsize=65536)
def _parse(raw: str, region: str | None) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
    """phonenumbers is the slow part; the same numbers recur across reports."""
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    # is_valid_number() would look the region up again; do it once.
    country = phonenumbers.region_code_for_number(num)
    if country is None or not phonenumbers.is_valid_number_for_region(num, country):
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return e164, (("e164", e164), ("country", country))


def _e164(v: str, region: str | None) -> str | None:
    try:
        num = phonenumbers.parse(v, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def normalise(value: str, region: str | None = None) -> str:
    """E.164 when the value parses as a valid number, else '+' and its digits. Idempotent:
    E.164 parses back to itself, and the fallback is re-parsed once as international."""
    v = value.strip()
    e164 = _e164(v, region)
    if e164 is not None:
        return e164
    digits = "".join(c for c in v if c.isascii() and c.isdigit())
    if not digits:
        return v
    return _e164("+" + digits, None) or "+" + digits
