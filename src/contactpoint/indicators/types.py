"""The Indicator value type shared by extraction, storage and the API.

Pure: no database, no I/O. An Indicator never holds a full payment card number (see cards.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Indicator types. Plain strings so they serialise as-is into JSON, STIX and the database.
URL = "url"
DOMAIN = "domain"
IPV4 = "ipv4"
IPV6 = "ipv6"
EMAIL = "email"
PHONE = "phone"
IBAN = "iban"
CARD = "card"
BTC = "btc"
ETH = "eth"
MD5 = "md5"
SHA1 = "sha1"
SHA256 = "sha256"
ONION = "onion"
MESSENGER = "messenger"

CORE_TYPES: tuple[str, ...] = (
    URL,
    DOMAIN,
    IPV4,
    IPV6,
    EMAIL,
    PHONE,
    IBAN,
    CARD,
    BTC,
    ETH,
    MD5,
    SHA1,
    SHA256,
    ONION,
    MESSENGER,
)

# Flags (documented in docs/indicators.md).
DEFANGED = "defanged"
PRIVATE = "private"
RESERVED = "reserved"
HOMOGRAPH = "homograph"
MIXED_SCRIPT = "mixed-script"
IDN = "idn"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator found in a text.

    `start`/`end` index the ORIGINAL text (before refanging), so `text[start:end]` is what the
    user wrote and can be highlighted. `value` is the normalised form used for linking.
    `extra` holds type-specific details (punycode, BIC, bank name, E.164, card BIN/last4...);
    it is left out of the hash so indicators can live in sets.
    """

    type: str
    value: str
    start: int
    end: int
    flags: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> str:
        """`type:value`, the form analysts search and share."""
        return f"{self.type}:{self.value}"
