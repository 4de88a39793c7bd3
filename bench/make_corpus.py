"""Generate the labelled indicator-extraction corpus (bench/corpus/extraction.jsonl).

Seeded, so the committed file is reproducible:  .venv/bin/python bench/make_corpus.py

Each line: {"id", "lang", "country", "text", "gold": [{"type", "value", "start", "end"}]}.
Gold values follow docs/indicators.md: a URL (with scheme) also yields its host as domain/IP;
an e-mail yields only the e-mail; t.me / wa.me links yield messenger (and phone for wa.me)
plus the host as domain; card values are "BIN6…LAST4". Negatives (file names, versions,
dates, amounts, order numbers, bad checksums) carry no gold at all.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import idna
import phonenumbers
from schwifty import IBAN

from contactpoint.indicators import crypto_addrs as ca

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from frames import COUNTRY, FRAMES, TG_WORD
from hard import HARD

OUT = Path(__file__).parent / "corpus" / "extraction.jsonl"
SEED = 20261128
N_TEXTS = 484  # 44 per language

Gold = list[tuple[str, str, int, int]]  # (type, value, start, end) relative to the slot

WORDS = [
    "secure", "login", "verify", "account", "update", "paypa1", "amaz0n", "bank", "wallet",
    "support", "refund", "invest", "crypto", "delivery", "parcel", "post", "billing", "help",
    "service", "online", "pay", "trade", "profit", "coin", "market", "shop", "deal", "mybank",
    "client", "portal", "auth", "alert", "safe", "ident", "tax", "gov",
]  # fmt: skip
TLDS = ["com", "net", "org", "info", "xyz", "top", "shop", "online", "site", "ru", "de",
        "fr", "it", "es", "pl", "nl", "gr", "eu", "co.uk", "com.br", "cn", "io", "app",
        "live"]  # fmt: skip
IDNS = ["bücher-shop.de", "пример-банк.рф", "παράδειγμα.gr", "例子.中国", "müller-bank.at",
        "société-générale-secure.fr", "banco-españa.es", "zakupy-łatwe.pl"]  # fmt: skip
HOMOGRAPHS = ["раураl.com", "аррӏе.com", "gοοgle.com", "miсrosoft.com", "amazоn.de"]
FILES = ["invoice.pdf", "script.py", "readme.md", "setup.exe", "photo.jpg", "archive.zip",
         "Rechnung_2024.pdf", "document.docx", "payload.sh", "notes.txt", "report.final.pdf",
         "main.rs", "install.ps1", "faktura.xlsx", "scan_001.png", "update.apk"]  # fmt: skip
PHONE_REGIONS = ["FR", "DE", "ES", "IT", "PL", "NL", "GR", "GB", "BE", "AT", "PT", "SE", "RO"]
IBAN_COUNTRIES = ["DE", "FR", "ES", "IT", "NL", "PL", "GR", "BE", "AT", "PT", "LT", "GB", "IE"]


def domain(r: random.Random) -> str:
    k = r.random()
    if k < 0.08:
        return r.choice(IDNS)
    if k < 0.14:
        return r.choice(HOMOGRAPHS)
    name = "-".join(r.sample(WORDS, r.choice([1, 2, 2, 3])))
    if r.random() < 0.3:
        name += str(r.randint(1, 99))
    sub = r.choice(["", "", "", "www.", "login.", "secure.", "m."])
    return f"{sub}{name}.{r.choice(TLDS)}"


def defang_domain(d: str, r: random.Random, lang: str) -> str:
    k = r.random()
    if k < 0.55:
        return d
    forms = ["[.]", "[.]", "(.)", "{.}", "[dot]", "(dot)"]
    if lang == "zh":
        forms += ["。", "．"]
    form = r.choice(forms)
    if r.random() < 0.5:  # only the last dot, as analysts often do
        head, _, tail = d.rpartition(".")
        return f"{head}{form}{tail}"
    return d.replace(".", form)


def uni(d: str) -> str:
    return idna.decode(idna.encode(d, uts46=True))


def gen_domain(r: random.Random, lang: str) -> tuple[str, Gold]:
    d = domain(r)
    shown = d
    if not d.isascii() and r.random() < 0.25:
        shown = idna.encode(d, uts46=True).decode()  # written as punycode
    shown = defang_domain(shown, r, lang)
    return shown, [("domain", uni(d), 0, len(shown))]


def gen_url(r: random.Random, lang: str) -> tuple[str, Gold]:
    d = domain(r)
    use_ip = r.random() < 0.1
    host = gen_ipv4_value(r) if use_ip else d
    scheme = r.choice(["https", "https", "http"])
    path = r.choice(["/", "/login", "/verify?id=" + str(r.randint(1000, 99999)),
                     "/wp-admin/x.php", "/account/update.html",
                     "/track/" + str(r.randint(10**5, 10**6)), ""])  # fmt: skip
    port = f":{r.choice([8080, 8443, 4444])}" if r.random() < 0.1 else ""
    shown_host = host if use_ip or r.random() < 0.5 else defang_domain(host, r, lang)
    shown_scheme = scheme
    sep = "://"
    if r.random() < 0.35:
        shown_scheme = scheme.replace("tt", "xx")
        if r.random() < 0.4:
            sep = "[:]//"
    shown = f"{shown_scheme}{sep}{shown_host}{port}{path}"
    value_host = host if use_ip else uni(host)
    gold: Gold = [("url", f"{scheme}://{value_host}{port}{path or '/'}", 0, len(shown))]
    hs = len(shown_scheme) + len(sep)
    gold.append(("ipv4" if use_ip else "domain", value_host, hs, hs + len(shown_host)))
    return shown, gold


def gen_email(r: random.Random, lang: str) -> tuple[str, Gold]:
    local = r.choice(["support", "info", "noreply", "j.smith", "kontakt", "service+ticket",
                      "refund.dept", "admin", "m_rossi"])  # fmt: skip
    d = domain(r)
    while not d.isascii():
        d = domain(r)
    at = "@"
    if r.random() < 0.25:
        at = r.choice(["[at]", "(at)", "[@]"])
        d = defang_domain(d, r, lang) if r.random() < 0.7 else d
    shown = f"{local}{at}{d}"
    clean = d
    for form in ["[.]", "(.)", "{.}", "[dot]", "(dot)", "。", "．"]:
        clean = clean.replace(form, ".")
    return shown, [("email", f"{local}@{clean}", 0, len(shown))]


def gen_ipv4_value(r: random.Random) -> str:
    if r.random() < 0.15:
        return r.choice(["192.168.1.", "10.0.0.", "172.16.5."]) + str(r.randint(2, 250))
    first = r.choice([5, 31, 45, 62, 77, 85, 91, 103, 141, 176, 185, 193, 212, 217])
    return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def gen_ip(r: random.Random, lang: str) -> tuple[str, Gold]:
    if r.random() < 0.25:
        groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(4)]
        value = f"2a02:{groups[0]}:{groups[1]}::{groups[2]}"
        shown = f"[{value}]:{r.choice([443, 8443])}" if r.random() < 0.3 else value
        return shown, [("ipv6", value, 0, len(shown))]
    value = gen_ipv4_value(r)
    shown = value
    if r.random() < 0.2:
        shown = f"{value}:{r.choice([22, 443, 3389, 8080])}"
    elif r.random() < 0.25:
        shown = value.replace(".", "[.]")
    return shown, [("ipv4", value, 0, len(shown))]


def _valid_phone(r: random.Random, region: str) -> phonenumbers.PhoneNumber:
    base = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(base.national_number)
    for _ in range(50):
        tail = "".join(r.choice("0123456789") for _ in range(4))
        cand = phonenumbers.parse(f"+{base.country_code}{national[:-4]}{tail}")
        if phonenumbers.is_valid_number(cand):
            return cand
    return base


def gen_phone(r: random.Random, lang: str, country: str) -> tuple[str, Gold]:
    national = r.random() < 0.35
    region = country if national else r.choice(PHONE_REGIONS)
    num = _valid_phone(r, region)
    fmt = phonenumbers.PhoneNumberFormat
    if national:
        shown = phonenumbers.format_number(num, fmt.NATIONAL)
    else:
        shown = phonenumbers.format_number(num, r.choice([fmt.INTERNATIONAL, fmt.E164]))
    return shown, [("phone", phonenumbers.format_number(num, fmt.E164), 0, len(shown))]


def _luhn_complete(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card_number(r: random.Random) -> str:
    prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("37", 15),
                               ("4", 16), ("6011", 16)])  # fmt: skip
    body = prefix + "".join(r.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return _luhn_complete(body)


def gen_card(r: random.Random, lang: str) -> tuple[str, Gold]:
    n = card_number(r)
    sep = r.choice(["", " ", " ", "-"])
    shown = sep.join(n[i : i + 4] for i in range(0, len(n), 4)) if len(n) == 16 else n
    return shown, [("card", f"{n[:6]}…{n[-4:]}", 0, len(shown))]


def gen_iban(r: random.Random, lang: str) -> tuple[str, Gold]:
    iban = IBAN.random(country_code=r.choice(IBAN_COUNTRIES), random=r)
    compact = str(iban.compact)
    shown = iban.formatted if r.random() < 0.6 else compact
    return shown, [("iban", compact, 0, len(shown))]


def gen_wallet(r: random.Random, lang: str) -> tuple[str, Gold]:
    k = r.random()
    if k < 0.25:
        addr = ca.b58encode_check(bytes([0x00]) + r.randbytes(20))
    elif k < 0.4:
        addr = ca.b58encode_check(bytes([0x05]) + r.randbytes(20))
    elif k < 0.6:
        addr = ca.segwit_encode("bc", 0, r.randbytes(20))
    elif k < 0.7:
        addr = ca.segwit_encode("bc", 1, r.randbytes(32))
    else:
        body = r.randbytes(20).hex()
        addr = ca.eip55(body) if r.random() < 0.7 else "0x" + body
        return addr, [("eth", addr.lower(), 0, len(addr))]
    return addr, [("btc", addr, 0, len(addr))]


def gen_hash(r: random.Random, lang: str) -> tuple[str, Gold]:
    n, type_ = r.choice([(16, "md5"), (20, "sha1"), (32, "sha256")])
    h = r.randbytes(n).hex()
    shown = h.upper() if r.random() < 0.2 else h
    return shown, [(type_, h, 0, len(shown))]


def gen_onion(r: random.Random, lang: str) -> tuple[str, Gold]:
    onion = ca.onion_encode(r.randbytes(32))
    if r.random() < 0.3:
        shown = "http://" + onion + "/"
        return shown, [("url", shown, 0, len(shown)), ("onion", onion, 7, 7 + len(onion))]
    return onion, [("onion", onion, 0, len(onion))]


def gen_tg(r: random.Random, lang: str) -> tuple[str, Gold]:
    name = "_".join(r.sample(["fast", "refund", "support", "crypto", "invest", "help", "desk",
                              "official", "bot", "admin", "team"], 2))  # fmt: skip
    if r.random() < 0.5:
        shown = f"{TG_WORD[lang]} @{name}"
        at = len(TG_WORD[lang]) + 1
        return shown, [("messenger", f"telegram:{name}", at, len(shown))]
    scheme = r.choice(["", "https://"])
    shown = f"{scheme}t.me/{name}"
    gold: Gold = [("messenger", f"telegram:{name}", 0, len(shown))]
    gold.append(("domain", "t.me", len(scheme), len(scheme) + 4))
    if scheme:
        gold.append(("url", shown, 0, len(shown)))
    return shown, gold


def gen_wa(r: random.Random, lang: str) -> tuple[str, Gold]:
    num = _valid_phone(r, r.choice(PHONE_REGIONS))
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    scheme = r.choice(["", "https://"])
    shown = f"{scheme}wa.me/{e164[1:]}"
    gold: Gold = [("messenger", f"whatsapp:{e164}", 0, len(shown)), ("phone", e164, 0, len(shown))]
    gold.append(("domain", "wa.me", len(scheme), len(scheme) + 5))
    if scheme:
        gold.append(("url", shown, 0, len(shown)))
    return shown, gold


# --- negatives: the slot value must yield nothing ---
def neg_file(r: random.Random) -> str:
    return r.choice(FILES)


def neg_version(r: random.Random) -> str:
    return r.choice([f"{r.randint(1, 20)}.{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
                     f"{r.randint(1, 17)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
                     f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}"])  # fmt: skip


def neg_date(r: random.Random) -> str:
    d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(2019, 2026)
    return r.choice([f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{m:02d}/{d:02d}/{y}",
                     f"{d}.{m}.{y} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}"])  # fmt: skip


def neg_amount(r: random.Random) -> str:
    a = r.randint(100, 99999)
    return r.choice([f"€{a:,}.00".replace(",", "."), f"{a:,}.{r.randint(10, 99)} USD",
                     f"{a:,} руб".replace(",", " "), f"{a} zł", f"USD {a:,}.99",
                     f"{a:,},00 EUR".replace(",", "."), f"¥{a:,}"])  # fmt: skip


def neg_order(r: random.Random) -> str:
    return r.choice([f"#{r.randint(10**8, 10**10)}",
                     f"{r.randint(100, 999)}-{r.randint(10**6, 10**7 - 1)}-"
                     f"{r.randint(10**6, 10**7 - 1)}",
                     f"INV-{r.randint(2019, 2026)}-{r.randint(1, 99999):05d}",
                     f"1Z{r.randint(100, 999)}AA1{r.randint(10**8, 10**9 - 1)}",
                     f"Nr. {r.randint(10**6, 10**9)}",
                     # look-alikes that fail their checksum
                     "DE89 3704 0044 0532 0130 01", "4111 1111 1111 1112",
                     "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"])  # fmt: skip


POSITIVE = {
    "iban": gen_iban, "url": gen_url, "domain": gen_domain, "email": gen_email, "card": gen_card,
    "wallet": gen_wallet, "hash": gen_hash, "ip": gen_ip, "onion": gen_onion, "tg": gen_tg,
    "wa": gen_wa,
}  # fmt: skip
NEGATIVE = {"file": neg_file, "version": neg_version, "date": neg_date, "amount": neg_amount,
            "order": neg_order}  # fmt: skip
POS_WEIGHTS = {"iban": 3, "url": 4, "domain": 4, "email": 3, "phone": 4, "card": 2, "wallet": 3,
               "hash": 2, "ip": 3, "onion": 1, "tg": 2, "wa": 1}  # fmt: skip


def make_text(r: random.Random, lang: str, idx: int) -> dict[str, object]:
    country = COUNTRY[lang]
    frames = FRAMES[lang]
    kinds: list[str] = []
    if r.random() > 0.22:  # ~22% pure negatives
        kinds += r.choices(list(POS_WEIGHTS), weights=list(POS_WEIGHTS.values()), k=r.randint(1, 3))
    kinds += r.sample(list(NEGATIVE), r.randint(0 if kinds else 1, 3))
    r.shuffle(kinds)
    joiner = "" if lang == "zh" else " "
    text = ""
    gold: list[dict[str, object]] = []
    for kind in kinds:
        frame = r.choice(frames[kind])
        if kind in NEGATIVE:
            slot, slot_gold = NEGATIVE[kind](r), []
        elif kind == "phone":
            slot, slot_gold = gen_phone(r, lang, country)
        else:
            slot, slot_gold = POSITIVE[kind](r, lang)
        if text:
            text += joiner
        at = len(text) + frame.index("{x}")
        text += frame.replace("{x}", slot)
        for type_, value, s, e in slot_gold:
            gold.append({"type": type_, "value": value, "start": at + s, "end": at + e})
    return {"id": f"{lang}-{idx:03d}", "lang": lang, "country": country, "text": text, "gold": gold}


def hard_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, (lang, country, text, items) in enumerate(HARD):
        gold: list[dict[str, object]] = []
        for type_, value, surface in items:
            at = text.find(surface)
            if at < 0:
                raise ValueError(f"hard case {i}: {surface!r} not in text")
            gold.append({"type": type_, "value": value, "start": at, "end": at + len(surface)})
        row = {"id": f"hard-{i:03d}", "lang": lang, "country": country, "text": text, "gold": gold}
        rows.append(row)
    return rows


def main() -> int:
    r = random.Random(SEED)
    langs = list(FRAMES)
    rows = [make_text(r, lang, i) for lang in langs for i in range(N_TEXTS // len(langs))]
    rows += hard_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    n_gold = sum(len(row["gold"]) for row in rows)  # type: ignore[arg-type]
    print(f"wrote {len(rows)} texts, {n_gold} gold indicators, {len(langs)} languages -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
