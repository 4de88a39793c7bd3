"""Synthetic reports at scale (a million in a few minutes), deterministic, with ground truth.

``generate(n, seed)`` yields report dicts in the JSON Lines schema of ``contactpoint reports
import`` (docs/reports.md); ``write_jsonl(path, n, seed)`` writes them, and the campaign of
each report to ``PATH.truth.csv`` beside it. The same arguments give the same bytes.

What the data looks like, so that correlation has a realistic job:

- 32 countries (EU-27, NO, IS, CH, UA, GB), each report in its country's language
  (bulkgen_text.py) and currency, dates spread over two years before a fixed anchor.
- Every report belongs to a *campaign* (ground truth): sizes 1 to 10,000 from a power law
  (P(size >= x) ~ 1/x), so most offenders are lone and a few reach thousands of victims.
  A campaign crosses borders (more countries the bigger it is) and holds pools of
  indicators (mule IBANs, phone numbers, URLs and their domains, e-mails, BTC/ETH wallets);
  a report mentions one to three, each picked with heavy-tailed reuse (a few are reused
  very often and become over-correlating, most by a handful of reports).
- Very common indicators: big platforms' domains and documentation-range IP addresses,
  which are warninglisted; and a few "hub" indicators (a free host, a call-centre number, an
  exchange wallet...) that appear across thousands of unrelated reports and must be stopped
  by the over-correlation cap.
- Indicators appear in the text (sometimes defanged or printed in groups) and, for about
  60 %, also as structured ``suspect_identifiers``.

Everything is invented: IBANs pass schwifty's checks but belong to nobody (real bank codes,
random account numbers), phone numbers are valid for libphonenumber but random, IPs are
RFC 5737 documentation ranges, domains are random syllables.

For benchmarks, :func:`draw` also gives each report's indicator keys (``type:normalised
value``, what extraction stores) and :attr:`Generator.warninglisted`, so that a correlation
benchmark can build the report-indicator graph without running extraction over a million
texts. tests/training/test_bulkgen.py checks on a sample that extraction finds exactly these.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from schwifty import IBAN

from contactpoint.indicators import warninglists
from contactpoint.indicators.crypto_addrs import eip55, segwit_encode
from contactpoint.training.bulkgen_text import (
    COUNTRIES,
    LANGUAGES,
    PER_EURO,
    SYMBOL,
    WHOLE_UNITS,
    Language,
)

MAX_CAMPAIGN = 10_000
MEAN_HOLDERS = 5  # reports per campaign indicator, on average (the cap is 20 by default)
HEAVY_SHARE = 0.25  # share of picks from the heavy-tailed head of a campaign's pool
HUB_RATE = 0.012  # share of reports that mention one of the hub indicators
PLATFORM_RATE = 0.35  # share of reports that mention a big platform (warninglisted)
ANCHOR = datetime(2026, 10, 31, 12, tzinfo=UTC)  # "now" of the data: fixed, so bytes repeat
SPAN_DAYS = 730
EURO_IN_BG = datetime(2026, 1, 1, tzinfo=UTC).timestamp()

# crime kind (taxonomy/data/crime_kinds.json) -> (weight in intake, themes of its text)
KINDS: dict[str, tuple[int, tuple[str, ...]]] = {
    "fraud": (30, ("shop", "shop", "invest")),
    "phishing": (28, ("bank",)),
    "identity-theft": (8, ("account",)),
    "hacking": (8, ("attack",)),
    "denial-of-service": (6, ("attack",)),
    "csam": (6, ("content",)),
    "terrorist-content": (5, ("content",)),
    "illegal-content": (9, ("content",)),
}
# theme -> {frame: probability that a report of the theme mentions it}
THEME_FRAMES: dict[str, dict[str, float]] = {
    "shop": {"iban": 0.8, "phone": 0.5, "url": 0.3, "email": 0.3, "domain": 0.2},
    "invest": {"wallet": 0.7, "url": 0.5, "iban": 0.3, "phone": 0.4, "email": 0.3},
    "bank": {"url": 0.8, "phone": 0.4, "email": 0.4, "iban": 0.2},
    "account": {"email": 0.6, "phone": 0.4, "url": 0.4, "domain": 0.3},
    "attack": {"email": 0.5, "wallet": 0.5, "domain": 0.4, "ip": 0.6},
    "content": {"url": 0.9, "domain": 0.4},
}
LOSS_EUR = {"shop": (30, 3000), "invest": (500, 50000), "bank": (100, 8000)}
PAYMENT = {"shop": "bank-transfer", "invest": "crypto", "bank": "card"}
IDENT_TYPE = {
    "iban": "iban",
    "phone": "phone",
    "url": "url",
    "email": "email",
    "wallet": "crypto-wallet",
    "domain": "domain",
    "ip": "ip",
}
PLATFORMS = [
    "facebook.com",
    "instagram.com",
    "whatsapp.com",
    "tiktok.com",
    "youtube.com",
    "google.com",
    "paypal.com",
    "amazon.com",
    "ebay.com",
    "booking.com",
    "t.me",
    "linktr.ee",
    "vinted.fr",
    "leboncoin.fr",
    "marktplaats.nl",
    "revolut.com",
    "binance.com",
    "outlook.com",
]
FREEMAIL = ["gmail.com", "outlook.com", "proton.me", "gmx.de", "yahoo.com", "web.de", "mail.ru"]
LURES = {
    "shop": ["shop", "deal", "markt", "outlet", "store", "promo"],
    "invest": ["invest", "trade", "crypto", "capital", "yield", "fx"],
    "bank": ["secure", "verify", "login", "parcel", "colis", "paket", "douane"],
    "account": ["account", "support", "recovery", "id"],
    "attack": ["pay", "decrypt", "restore", "keys"],
    "content": ["img", "gallery", "files", "media", "board"],
}
SYLLABLES = ["ka", "lo", "mi", "tra", "vex", "no", "ri", "sel", "da", "pu", "zen", "bo", "ta"]
TLDS = ["com", "net", "info", "top", "shop", "online", "xyz", "site", "live", "app"]
PATHS = ["login", "pay", "track", "verify", "v", "id", "secure", "claim", "offer"]
NAMES = ["anna", "marc", "jana", "luca", "eva", "piotr", "sofia", "tom", "nina", "ivan", "lea"]
IBAN_BASES = 4  # real bank codes per country (schwifty's registry), account numbers random
MULE_COUNTRIES = ["LT", "DE", "NL", "ES", "FR", "IE", "GB", "PT", "BE", "IT", "PL", "EE"]


@dataclass(frozen=True, slots=True)
class Drawn:
    """One generated report with its ground truth."""

    campaign: int  # every report belongs to one; a campaign of size 1 is a lone offender
    report: dict[str, object]
    keys: tuple[str, ...]  # "type:normalised value" that extraction finds, no duplicates


Entry = tuple[tuple[str, ...], tuple[str, ...]]  # (ways of writing it, keys it yields)


@dataclass(slots=True)
class _Campaign:
    kind: str
    theme: str
    countries: tuple[str, ...]
    start: float
    span: float
    frames: dict[str, float]
    pools: dict[str, list[Entry | None]]
    mule: str
    usd: bool


class Generator:
    """The state of one generation run; iterate :meth:`draw` once."""

    def __init__(self, n: int, seed: int = 2007) -> None:
        self.n = n
        self.seed = seed
        self.rng = random.Random(seed)
        self.used: set[str] = set()  # every generated value: campaigns never share by chance
        self.counter = 0
        self.warninglisted: set[str] = set()
        self.countries = list(COUNTRIES)
        # square root: small countries report more per head than their size alone says
        self.country_weights = [math.sqrt(COUNTRIES[c][2]) for c in self.countries]
        self.kinds = list(KINDS)
        self.kind_weights = [KINDS[k][0] for k in self.kinds]
        self._iban_bases = self._ibans()
        self._phone_bases = self._phones()
        self.platforms = [self._platform(d) for d in PLATFORMS]
        self.hubs = self._hubs()
        self.campaigns: list[_Campaign | None] = []
        self.order = self._order()

    # ------------------------------------------------------------------ setup

    def _order(self) -> list[int]:
        """Campaign of each report, shuffled: sizes from a power law until n are covered."""
        rng = self.rng
        cap = min(MAX_CAMPAIGN, max(2, self.n // 20))
        order: list[int] = []
        camp = 0
        while len(order) < self.n:
            size = min(cap, int(1.0 / (1.0 - rng.random())), self.n - len(order))
            order.extend([camp] * size)
            camp += 1
        rng.shuffle(order)
        self.campaigns = [None] * camp
        return order

    def _ibans(self) -> dict[str, list[str]]:
        rng = random.Random(self.seed + 1)  # schwifty's own draws stay out of the main stream
        return {
            c: [IBAN.random(country_code=c, random=rng).compact for _ in range(IBAN_BASES)]
            for c in COUNTRIES
        }

    def _phones(self) -> dict[str, tuple[int, str, str, bool]]:
        """Per country: calling code, an example mobile number, its international layout
        ("+49 {}{}{}{} {}{}...") and whether any last five digits keep it valid (then each
        number need not be checked again; libphonenumber is slow to ask a million times)."""
        rng = random.Random(self.seed + 2)
        out = {}
        for c in COUNTRIES:
            ex = phonenumbers.example_number_for_type(c, PhoneNumberType.MOBILE)
            assert ex is not None and ex.country_code is not None
            code, nat = ex.country_code, str(ex.national_number)
            shown = str(phonenumbers.format_number(ex, PhoneNumberFormat.INTERNATIONAL))
            head = f"+{code} "
            layout = head + "".join("{}" if ch.isdigit() else ch for ch in shown[len(head) :])
            free = all(
                phonenumbers.is_valid_number(
                    phonenumbers.parse(f"+{code}{nat[:-5]}{rng.randrange(10**5):05d}")
                )
                for _ in range(40)
            )
            out[c] = (code, nat, layout, free)
        return out

    def _platform(self, domain: str) -> Entry:
        if warninglists.match("domain", domain):
            self.warninglisted.add(f"domain:{domain}")
        return ((domain,), (f"domain:{domain}",))

    def _hubs(self) -> list[tuple[str, Entry]]:
        """Indicators that many unrelated offenders share: they must not link."""
        hubs: list[tuple[str, Entry]] = [
            ("domain", (("000webhostapp.com",), ("domain:000webhostapp.com",))),
            ("email", (("refunds.desk@gmx.de",), ("email:refunds.desk@gmx.de",))),
        ]
        for frame in ("phone", "wallet", "wallet", "url"):
            hubs.append((frame, self._entry(frame, "GB", "bank")))
        return hubs

    # ------------------------------------------------------------------ indicators

    def _fresh(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            value = str(make())
            if value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("the generator ran out of fresh values")  # pragma: no cover

    def _entry(self, frame: str, country: str, theme: str) -> Entry:
        rng = self.rng
        if frame == "iban":
            value = self._fresh(lambda: self._iban(country))
            grouped = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
            return (value, grouped), (f"iban:{value}",)
        if frame == "phone":
            e164, shown = self._phone(country)
            return (shown, e164), (f"phone:{e164}",)
        if frame == "domain":
            dom = self._fresh(lambda: self._domain(theme))
            return (dom, dom.replace(".", "[.]")), (f"domain:{dom}",)
        if frame == "url":
            dom = self._fresh(lambda: self._domain(theme))
            url = f"https://{dom}/{rng.choice(PATHS)}"
            if rng.random() < 0.5:
                url += f"?id={rng.randrange(10**6)}"
            defanged = url.replace("https", "hxxps", 1).replace(".", "[.]")
            return (url, defanged), (f"url:{url}", f"domain:{dom}")
        if frame == "email":
            if rng.random() < 0.5:
                dom = rng.choice(FREEMAIL)
            else:
                dom = self._fresh(lambda: self._domain(theme))
            mail = self._fresh(
                lambda: (
                    f"{rng.choice(NAMES)}{rng.choice(['', '.', '-', '_'])}"
                    f"{rng.choice(SYLLABLES)}{rng.randrange(10, 9999)}@{dom}"
                )
            )
            return (mail,), (f"email:{mail}",)
        if frame == "wallet":
            if rng.random() < 0.65:
                btc = segwit_encode("bc", 0, bytes(rng.randrange(256) for _ in range(20)))
                return (btc,), (f"btc:{btc}",)
            eth = eip55(bytes(rng.randrange(256) for _ in range(20)).hex())
            return (eth,), (f"eth:{eth.lower()}",)
        if frame == "ip":
            ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"
            key = f"ipv4:{ip}"
            if self._listed_range(ip.rsplit(".", 1)[0]):
                self.warninglisted.add(key)
            return (ip,), (key,)
        raise ValueError(f"unknown frame {frame!r}")

    @functools.lru_cache(maxsize=8)  # noqa: B019 - three ranges, one generator at a time
    def _listed_range(self, prefix: str) -> bool:
        """Is this documentation /24 warninglisted (RFC 5735 list)? Asked once per range."""
        return warninglists.match("ipv4", f"{prefix}.1") is not None

    def _iban(self, country: str) -> str:
        """A real bank's IBAN shape with a random account number; check digits recomputed."""
        base = self.rng.choice(self._iban_bases[country])
        bban = list(base[4:])
        # the six characters before the last: account number, not bank code; a digit stays
        # a digit and a letter a letter, so the national layout holds
        for i in range(len(bban) - 7, len(bban) - 1):
            alphabet = string.digits if bban[i].isdigit() else string.ascii_uppercase
            bban[i] = self.rng.choice(alphabet)
        body = "".join(bban)
        number = int("".join(str(int(ch, 36)) for ch in body + country + "00"))
        return f"{country}{98 - number % 97:02d}{body}"

    def _phone(self, country: str) -> tuple[str, str]:
        """(E.164, international format) of a fresh mobile number libphonenumber accepts."""
        code, nat, layout, free = self._phone_bases[country]
        for _ in range(200):
            national = f"{nat[:-5]}{self.rng.randrange(10**5):05d}"
            e164 = f"+{code}{national}"
            if e164 in self.used:
                continue
            if free:
                self.used.add(e164)
                return e164, layout.format(*national)
            number = phonenumbers.parse(e164)
            if phonenumbers.is_valid_number(number):
                self.used.add(e164)
                shown = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
                return e164, str(shown)
        raise RuntimeError(f"no fresh phone number for {country}")  # pragma: no cover

    def _domain(self, theme: str) -> str:
        rng = self.rng
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        if rng.random() < 0.3:
            word += str(rng.randrange(2, 99))
        return f"{rng.choice(LURES[theme])}-{word}.{rng.choice(TLDS)}"

    # ------------------------------------------------------------------ campaigns

    def _campaign(self, size: int) -> _Campaign:
        rng = self.rng
        kind = rng.choices(self.kinds, self.kind_weights)[0]
        theme = rng.choice(KINDS[kind][1])
        k = 1 if size == 1 else min(16, 1 + int(math.log2(size)) // 2 + rng.randint(0, 2))
        picked = rng.choices(self.countries, self.country_weights, k=k)
        countries = tuple(dict.fromkeys(picked))
        span = 86400.0 * min(SPAN_DAYS, 3 + rng.expovariate(1 / 20) * math.log2(size + 1))
        start = ANCHOR.timestamp() - rng.random() * (SPAN_DAYS * 86400.0 - span) - span
        frames = THEME_FRAMES[theme]
        pools: dict[str, list[Entry | None]] = {}
        for frame, p in frames.items():
            pools[frame] = [None] * max(1, round(size * p / MEAN_HOLDERS))
        mule = countries[0] if rng.random() < 0.4 else rng.choice(MULE_COUNTRIES)
        return _Campaign(
            kind, theme, countries, start, span, dict(frames), pools, mule, rng.random() < 0.1
        )

    def _pick(self, camp: _Campaign, frame: str) -> Entry:
        pool = camp.pools[frame]
        p = len(pool)
        rng = self.rng
        # a quarter of the picks favour the head of the pool (log-uniform rank): heavy reuse
        rand = rng.random
        i = int(p ** rand()) - 1 if rand() < HEAVY_SHARE else int(p * rand())
        entry = pool[i]
        if entry is None:
            country = camp.mule if frame == "iban" else rng.choice(camp.countries)
            entry = pool[i] = self._entry(frame, country, camp.theme)
        return entry

    # ------------------------------------------------------------------ reports

    def draw(self) -> Iterator[Drawn]:
        sizes: dict[int, int] = {}
        for c in self.order:
            sizes[c] = sizes.get(c, 0) + 1
        for i, c in enumerate(self.order):
            camp = self.campaigns[c]
            if camp is None:
                camp = self.campaigns[c] = self._campaign(sizes[c])
            yield self._report(i, c, camp)

    def _report(self, i: int, c: int, camp: _Campaign) -> Drawn:
        rng = self.rng
        countries = camp.countries
        # the campaign's first country gets most of its victims
        country = countries[int(len(countries) ** rng.random()) - 1]
        langs = COUNTRIES[country][0]
        lang_code = langs[0] if len(langs) == 1 else rng.choice(langs)
        lang = LANGUAGES[lang_code]
        when = camp.start + rng.random() * camp.span
        rand = rng.random
        mentioned = [f for f, p in camp.frames.items() if rand() < p]
        if not mentioned:
            mentioned = [next(iter(camp.frames))]
        elif len(mentioned) > 1 and rand() < 0.5:
            mentioned.reverse()
        parts: list[str] = []
        keys: dict[str, None] = {}
        idents: list[dict[str, str]] = []
        report: dict[str, object] = {
            "external_id": f"GEN{self.seed}-{i + 1:07d}",
            "crime_kind": camp.kind,
            "victim_country": country,
            "victim_type": "business"
            if camp.theme == "attack"
            else ("person" if rng.random() < 0.9 else "business"),
            "occurred_at": datetime.fromtimestamp(when, UTC).isoformat(timespec="minutes"),
        }
        theme_text = getattr(lang, camp.theme)
        if camp.theme in LOSS_EUR:
            amount, currency, shown = self._money(camp, country, lang, when)
            parts.append(theme_text.format(amount=shown))
            report["loss_amount"] = amount
            report["loss_currency"] = currency
            has_wallet = "wallet" in mentioned
            method = PAYMENT[camp.theme]
            if camp.theme == "invest" and not has_wallet:
                method = "bank-transfer"
            report["payment_method"] = method
        else:
            parts.append(theme_text)
        for frame in mentioned:
            self._mention(lang, frame, self._pick(camp, frame), parts, keys, idents)
        if rng.random() < HUB_RATE:
            frame, entry = rng.choice(self.hubs)
            self._mention(lang, frame, entry, parts, keys, idents)
        if rng.random() < PLATFORM_RATE:
            entry = self.platforms[int(len(self.platforms) ** rng.random()) - 1]
            self._mention(lang, "platform", entry, parts, keys, idents, structured=False)
        report["description"] = " ".join(parts)
        report["suspect_identifiers"] = idents
        r = rng.random()
        if camp.theme == "content" and r < 0.3:
            report["anonymous"] = True
        elif r < 0.4:
            name = rng.choice(NAMES)
            report["reporter_name"] = f"{name.capitalize()} Example"
            report["reporter_email"] = f"{name}.{i + 1}@example.org"
            report["contact_consent"] = True
            report["share_with_other_authorities"] = rng.random() < 0.7
        return Drawn(c, report, tuple(keys))

    def _mention(
        self,
        lang: Language,
        frame: str,
        entry: Entry,
        parts: list[str],
        keys: dict[str, None],
        idents: list[dict[str, str]],
        *,
        structured: bool = True,
    ) -> None:
        shown, entry_keys = entry
        written = shown[0] if len(shown) == 1 or self.rng.random() < 0.75 else shown[1]
        sentence = getattr(lang, frame).format(**{frame: written})
        parts.append(sentence if sentence.endswith(".") else sentence + ".")
        for k in entry_keys:
            keys[k] = None
        if structured and self.rng.random() < 0.6:
            idents.append({"type": IDENT_TYPE[frame], "value": shown[0]})

    def _money(
        self, camp: _Campaign, country: str, lang: Language, when: float
    ) -> tuple[str, str, str]:
        low, high = LOSS_EUR[camp.theme]
        euros = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        currency = COUNTRIES[country][1]
        if country == "BG" and when < EURO_IN_BG:
            currency = "BGN"
        if camp.usd and camp.theme == "invest":
            currency = "USD"
        value = euros * PER_EURO[currency]
        value = round(value) if currency in WHOLE_UNITS else round(value, 2)
        text = f"{value:,.0f}" if currency in WHOLE_UNITS else f"{value:,.2f}"
        text = text.replace(",", "\0").replace(".", lang.decimal).replace("\0", lang.group)
        symbol = SYMBOL[currency]
        shown = f"{symbol}{text}" if lang.symbol_first else f"{text} {symbol}"
        return f"{value:.2f}", currency, shown


def draw(n: int, *, seed: int = 2007) -> Iterator[Drawn]:
    """``n`` reports with their campaign and indicator keys (ground truth)."""
    yield from Generator(n, seed).draw()


def generate(n: int, *, seed: int = 2007) -> Iterator[dict[str, object]]:
    """``n`` report dicts, valid for ``contactpoint reports import`` (JSON Lines)."""
    for d in draw(n, seed=seed):
        yield d.report


def truth_path(path: Path) -> Path:
    return path.with_name(path.name + ".truth.csv")


def write_jsonl(
    path: Path, n: int, *, seed: int = 2007, progress: Callable[[int], None] | None = None
) -> Path:
    """Write ``n`` reports to ``path`` (JSON Lines, UTF-8) and the ground truth
    (``external_id,campaign``) to ``PATH.truth.csv``. Returns ``path``. ``progress`` gets
    the number of lines written so far, every 10,000 lines."""
    path = Path(path)
    with (
        path.open("w", encoding="utf-8", newline="\n") as out,
        truth_path(path).open("w", encoding="utf-8", newline="") as truth,
    ):
        writer = csv.writer(truth, lineterminator="\n")
        writer.writerow(["external_id", "campaign"])
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        lines: list[str] = []
        rows: list[tuple[object, int]] = []
        for done, d in enumerate(draw(n, seed=seed), start=1):
            lines.append(dumps(d.report))
            rows.append((d.report["external_id"], d.campaign))
            if len(lines) >= 10_000:
                out.write("\n".join(lines) + "\n")
                writer.writerows(rows)
                lines, rows = [], []
                if progress:
                    progress(done)
        if lines:
            out.write("\n".join(lines) + "\n")
            writer.writerows(rows)
    if progress:
        progress(n)
    return path
