"""IBANs: find them (compact or printed in groups), validate with schwifty, add BIC and bank."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from schwifty import IBAN
from schwifty import registry as schwifty_registry

# Country code, check digits, then 10-32 alphanumerics each optionally after ONE separator.
# Every repetition consumes exactly one alphanumeric, so there is no ambiguity to backtrack over.
IBAN_RE = re.compile(
    r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:[ \u00a0\-]?[0-9A-Za-z]){10,32}", re.ASCII
)


@lru_cache(maxsize=512)
def iban_length(country: str) -> int | None:
    try:
        return int(schwifty_registry.get_iban_spec(country).iban_length)
    except Exception:
        return None


def find_ibans(text: str) -> Iterator[tuple[int, int, str, dict[str, Any]]]:
    """(start, end, compact IBAN, extra) for each checksum-valid IBAN in `text`."""
    for m in IBAN_RE.finditer(text):
        raw = m.group()
        country = raw[:2].upper()
        if raw[:2] not in (country, country.lower()):
            continue  # "De89..." is a word, not an IBAN
        length = iban_length(country)
        if length is None:
            continue
        chars: list[str] = []
        end = m.start()
        for i, c in enumerate(raw):
            if c.isalnum():
                chars.append(c)
                if len(chars) == length:
                    end = m.start() + i + 1
                    break
        if len(chars) < length:
            continue
        nxt = text[end : end + 1]
        if _ascii_alnum(nxt) or (nxt == "-" and _ascii_alnum(text[end + 1 : end + 2])):
            continue  # the IBAN would end inside a longer token
        compact = "".join(chars).upper()
        extra = validate(compact)
        if extra is not None:
            yield m.start(), end, compact, dict(extra)


@lru_cache(maxsize=65536)
def validate(compact: str) -> tuple[tuple[str, Any], ...] | None:
    """Checksum, structure and registry details of a compact IBAN (cached: a bank's IBANs
    recur across reports, and the registry lookups are the slow part)."""
    try:
        iban = IBAN(compact)
    except (ValueError, TypeError):
        return None
    return tuple(_details(iban).items())


def _ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _details(iban: IBAN) -> dict[str, Any]:
    extra: dict[str, Any] = {"country": iban.country_code}
    try:
        bic = iban.bic
        if bic is not None:
            extra["bic"] = str(bic)
        name = iban.bank_name
        if name:
            extra["bank"] = name
    except Exception:  # noqa: S110 - the registry may not know the bank; that's fine
        pass
    return extra


def normalise(value: str) -> str:
    """Compact upper-case form: "de89 3704 ..." -> "DE89370400440532013000". Idempotent."""
    return "".join(c for c in value if c.isalnum()).upper()
