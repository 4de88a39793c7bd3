"""A deterministic synthetic scenario: reports in the JSON Lines schema of docs/reports.md.

``generate(n, seed)`` gives the same reports for the same arguments, always. Most reports
belong to a *campaign*: a crime with shared suspect identifiers (mule IBANs, phone
numbers, phishing domains, wallets) that reaches victims in several countries and
languages, so the correlation engine has something to link and benchmarks have ground
truth (``ScenarioReport.campaign``). Everything is invented: IBANs pass the ISO 7064
checksum but belong to nobody, IP addresses are documentation ranges (RFC 5737), and
domains are random syllables.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers

from contactpoint.indicators.crypto_addrs import segwit_encode
from contactpoint.training.narratives import ITEMS, NARRATIVES

LANGUAGE_COUNTRIES: dict[str, list[str]] = {
    "en": ["IE", "MT"],
    "fr": ["FR", "BE", "LU"],
    "de": ["DE", "AT"],
    "es": ["ES"],
    "it": ["IT"],
    "nl": ["NL", "BE"],
    "pl": ["PL"],
}
CURRENCY = {"PL": "PLN"}  # everyone else here pays in EUR
_BBAN = {
    "DE": "n18",
    "LT": "n16",
    "NL": "a4n10",
    "ES": "n20",
    "FR": "n23",
    "PL": "n24",
    "AT": "n16",
    "BE": "n12",
    "IT": "a1n22",
    "IE": "a4n14",
    "LU": "n16",
}
_PHONE = {
    "FR": ("+33", "6", 8),
    "BE": ("+32", "47", 7),
    "LU": ("+352", "621", 6),
    "DE": ("+49", "15", 9),
    "AT": ("+43", "664", 7),
    "ES": ("+34", "6", 8),
    "IT": ("+39", "3", 9),
    "NL": ("+31", "6", 8),
    "PL": ("+48", "5", 8),
    "IE": ("+353", "8", 8),
    "MT": ("+356", "79", 6),
    "LT": ("+370", "6", 7),
}
_TLDS = ["com", "net", "info", "top", "shop", "online", "xyz"]
_LURES = {
    "phishing": ["parcel", "colis", "paket", "secure", "verify", "douane", "zoll"],
    "fraud": ["annonce", "markt", "deal", "shop"],
    "csam": ["img", "gallery", "files"],
    "terrorist-content": ["video", "media", "news"],
    "illegal-content": ["forum", "board"],
    "identity-theft": ["rent", "housing", "flat"],
}
KINDS = list(NARRATIVES)
# Kind mix: fraud and phishing dominate intake, as they do in practice.
_WEIGHTS = {
    "fraud": 30,
    "phishing": 28,
    "identity-theft": 8,
    "hacking": 8,
    "denial-of-service": 6,
    "csam": 6,
    "terrorist-content": 5,
    "illegal-content": 9,
}
_PAYMENT = {"fraud": "bank-transfer", "phishing": "card", "identity-theft": "other"}


@dataclass
class Campaign:
    id: str
    kind: str
    languages: list[str]
    identifiers: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ScenarioReport:
    campaign: str | None  # ground truth for correlation benchmarks
    report: dict[str, Any]


def iban(rng: random.Random, country: str) -> str:
    """A random IBAN whose ISO 7064 mod-97 check digits are right."""
    bban = ""
    for kind, count in _pairs(_BBAN[country]):  # "a4n10": 4 letters, then 10 digits
        alphabet = string.ascii_uppercase if kind == "a" else string.digits
        bban += "".join(rng.choice(alphabet) for _ in range(count))
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def _pairs(spec: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(spec):
        kind = spec[i]
        j = i + 1
        while j < len(spec) and spec[j].isdigit():
            j += 1
        out.append((kind, int(spec[i + 1 : j])))
        i = j
    return out


def iban_ok(value: str) -> bool:
    value = value.replace(" ", "").upper()
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def phone(rng: random.Random, country: str) -> str:
    """A mobile number that libphonenumber accepts, printed the international way."""
    prefix, lead, rest = _PHONE[country]
    for _ in range(50):
        digits = lead + "".join(rng.choice(string.digits) for _ in range(rest))
        number = phonenumbers.parse(prefix + digits)
        if phonenumbers.is_valid_number(number):
            break
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def domain(rng: random.Random, lure: str) -> str:
    syllables = ["ka", "lo", "mi", "tra", "vex", "no", "ri", "sel", "da", "pu", "zen"]
    word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
    return f"{lure}-{word}.{rng.choice(_TLDS)}"


def wallet(rng: random.Random) -> str:
    """A bech32 (segwit v0) address with a valid checksum; nobody holds its key."""
    return segwit_encode("bc", 0, bytes(rng.randrange(256) for _ in range(20)))


def doc_ip(rng: random.Random) -> str:
    return f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"


def defang(url: str) -> str:
    return url.replace("http", "hxxp", 1).replace(".", "[.]")


def _campaigns(rng: random.Random, count: int, kind: str | None = None) -> list[Campaign]:
    """Every kind gets at least one campaign; the rest are fraud and phishing."""
    out = []
    languages = list(LANGUAGE_COUNTRIES)
    for i in range(count):
        if kind is None:
            kind = KINDS[i] if i < len(KINDS) else rng.choice(["fraud", "phishing"])
        langs = rng.sample(languages, rng.randint(2, 4))  # campaigns cross borders
        mule = rng.choice(["LT", "DE", "NL", "ES", "IE"])
        lure = rng.choice(_LURES.get(kind, ["portal"]))
        dom = domain(rng, lure)
        out.append(
            Campaign(
                f"C{i + 1:02d}",
                kind,
                langs,
                {
                    "iban": [iban(rng, mule) for _ in range(rng.randint(1, 2))],
                    "phone": [phone(rng, rng.choice(list(_PHONE)))],
                    "domain": [dom],
                    "url": [f"https://{dom}/{rng.choice(['login', 'pay', 'track', 'v', 'id'])}"],
                    "email": [f"{rng.choice(['support', 'info', 'service', 'admin'])}@{dom}"],
                    "wallet": [wallet(rng)],
                    "ip": [doc_ip(rng) for _ in range(3)],
                },
            )
        )
        kind = None if count > 1 else kind
    return out


def _money(rng: random.Random, kind: str, country: str, lang: str) -> tuple[str, str, str]:
    low, high = {"fraud": (80, 6000), "phishing": (50, 4000)}.get(kind, (300, 9000))
    amount = Decimal(rng.randint(low, high)) + Decimal(rng.choice([0, 0, 50, 99])) / 100
    currency = CURRENCY.get(country, "EUR")
    if lang == "en":
        return str(amount), currency, f"€{amount:,.2f}"
    # 2 699,99 € (fr, pl) or 2.699,99 € (de, es, it, nl)
    group = " " if lang in ("fr", "pl") else "."
    shown = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", group)
    return str(amount), currency, f"{shown} {'zł' if currency == 'PLN' else '€'}"


def generate(
    n: int = 300, seed: int = 2007, *, campaigns: int = 14, anchor: datetime | None = None
) -> Iterator[ScenarioReport]:
    """``n`` reports, the same for the same ``seed``. ``anchor`` is "now" for the dates
    (default 2026-10-31, fixed so the output never changes); reports lie up to 120 days
    before it."""
    rng = random.Random(seed)
    anchor = anchor or datetime(2026, 10, 31, 12, tzinfo=UTC)
    pool = _campaigns(rng, campaigns)
    kinds, weights = zip(*_WEIGHTS.items(), strict=True)
    for i in range(n):
        camp = rng.choice(pool) if rng.random() < 0.7 else None
        kind = camp.kind if camp else rng.choices(kinds, weights)[0]
        lang = rng.choice(camp.languages) if camp else rng.choice(list(LANGUAGE_COUNTRIES))
        country = rng.choice(LANGUAGE_COUNTRIES[lang])
        own = camp or _campaigns(random.Random(rng.random()), 1, kind)[0]  # a lone offender
        yield ScenarioReport(
            camp.id if camp else None, _report(rng, i, seed, kind, lang, country, own, anchor)
        )


def _report(
    rng: random.Random,
    i: int,
    seed: int,
    kind: str,
    lang: str,
    country: str,
    camp: Campaign,
    anchor: datetime,
) -> dict[str, Any]:
    ids = camp.identifiers
    url = rng.choice(ids["url"])
    shown_url = defang(url) if rng.random() < 0.3 else url
    amount, currency, amount_text = _money(rng, kind, country, lang)
    values = {
        "iban": rng.choice(ids["iban"]),
        "phone": ids["phone"][0],
        "url": shown_url,
        "domain": ids["domain"][0],
        "email": ids["email"][0],
        "wallet": ids["wallet"][0],
        "ip": rng.choice(ids["ip"]),
        "amount": amount_text,
        "item": rng.choice(ITEMS[lang]),
        "days": rng.randint(2, 9),
    }
    template = rng.choice(NARRATIVES[kind][lang])
    used = [k for k in ("iban", "phone", "url", "email", "wallet", "ip") if f"{{{k}}}" in template]
    kinds = {"wallet": "crypto-wallet"}
    report: dict[str, Any] = {
        "external_id": f"SCN-{seed}-{i + 1:05d}",
        "crime_kind": kind,
        "victim_country": country,
        "victim_type": (
            "business"
            if kind in ("hacking", "denial-of-service")
            else rng.choice(["person"] * 5 + ["business"])
            if kind in ("fraud", "phishing")
            else "person"
        ),
        "occurred_at": (
            anchor - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1439))
        ).isoformat(),
        "description": template.format(**values),
        # Victims often give only part of what they mention; correlation must read the text.
        "suspect_identifiers": [
            {"type": kinds.get(k, k), "value": str(values[k])} for k in used if rng.random() < 0.7
        ],
    }
    if "{amount}" in template:
        report.update(
            loss_amount=amount, loss_currency=currency, payment_method=_PAYMENT.get(kind, "crypto")
        )
    if kind == "csam" and rng.random() < 0.6:
        report["anonymous"] = True
    elif rng.random() < 0.5:
        first = rng.choice(["Anna", "Marc", "Jana", "Luca", "Eva", "Piotr", "Sofia", "Tom"])
        report.update(
            reporter_name=f"{first} Example",
            reporter_email=f"{first.lower()}.{i}@example.org",
            contact_consent=True,
            share_with_other_authorities=rng.random() < 0.7,
        )
    if kind in ("terrorist-content", "illegal-content") and rng.random() < 0.5:
        report["tlp"] = "GREEN"
    return report


def reports(n: int = 300, seed: int = 2007, **kw: Any) -> list[dict[str, Any]]:
    """Just the report dicts (what `contactpoint reports import` reads as JSON Lines)."""
    return [s.report for s in generate(n, seed, **kw)]
