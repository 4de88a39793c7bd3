"""Extract indicators (URLs, domains, IPs, e-mails, phones, IBANs, cards, wallets, hashes,
onion services, messenger handles) from free text.

`extract()` is pure, never raises and runs in time linear in the text: it refangs once
(refang.py), runs bounded candidate patterns over the refanged text, validates each candidate
with the right library or checksum, and maps spans back into the original text.
See docs/indicators.md for the rules.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from contactpoint.indicators import banking, cards, domains, netaddr, phones
from contactpoint.indicators import types as t
from contactpoint.indicators.crypto_addrs import CHAINS, onion_check
from contactpoint.indicators.refang import Refanged, refang_map
from contactpoint.indicators.types import Indicator

log = logging.getLogger(__name__)

DOMAIN_RE = re.compile(r"(?<![\w.@\-])[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,10}(?![\w\-]|\.[\w\-])")
# ASCII names may follow CJK/Arabic/... text directly ("访问paypal.com"), but not a Latin,
# Greek or Cyrillic letter (then they are the tail of an IDN such as "bücher.de").
_ASCII_DOMAIN_RE = re.compile(
    r"(?<![0-9A-Za-z\u00c0-\u024f\u0370-\u052f\u1e00-\u1fff.\-_@])"
    r"[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,10}"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9\-])"
)
_LATIN_DOMAIN_RE = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f\u0370-\u052f\u1e00-\u1fff\-]{1,63}"
    r"(?:\.[0-9A-Za-z\u00c0-\u024f\u0370-\u052f\u1e00-\u1fff\-]{1,63}){1,10}"
)
# Hashes (32+) and wallets (26+) are long runs of ASCII letters and digits ("0x" included).
_LONG_TOKEN_RE = re.compile(r"[0-9A-Za-z_]{26,}")
HASH_RE = re.compile(
    r"(?<![0-9A-Za-z_])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})(?![0-9A-Za-z_])"
)
_HASH_TYPES = {32: t.MD5, 40: t.SHA1, 64: t.SHA256}
ONION_RE = re.compile(r"(?<![A-Za-z2-7])([A-Za-z2-7]{56})\.onion(?![0-9A-Za-z\-_])")
MESSENGER_RE = re.compile(
    r"(?<![0-9A-Za-z\u00c0-\u024f\u0370-\u052f_.@/\-])(?:https?://)?(?:www\.)?"
    r"(t\.me|telegram\.me|telegram\.dog|wa\.me)"
    r"/(\+?[A-Za-z0-9_]{1,40})",
    re.IGNORECASE,
)
HANDLE_RE = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})(?![\w@])")
_TELEGRAM_CONTEXT = re.compile(
    r"telegram|телеграм|τηλεγρ|电报|電報|تيليجرام|تلغرام|تليجرام|\btg\b", re.IGNORECASE
)
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_TG_RESERVED = {"joinchat", "addstickers", "share", "proxy", "socks", "iv", "s", "c"}

CardToken = Callable[[str], str]
_NON_DIGITS = re.compile(r"[^0-9]")
_DEFANGED = frozenset({t.DEFANGED})


class _Spans:
    """Occupied spans of the refanged text.

    `starts`/`ends` hold merged, disjoint intervals. Each stage adds spans left to right, so
    new spans go to a sorted `pending` run and are merged in one linear pass when a span
    arrives out of order (a new loop over the text). Inserting into the middle of a big
    list for every span would make a text with 100,000 indicators quadratic.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.p_starts: list[int] = []
        self.p_ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        i = bisect_right(self.p_starts, end - 1) - 1
        return i >= 0 and self.p_ends[i] > start

    def add(self, start: int, end: int) -> None:
        if self.p_starts and (start < self.p_starts[-1] or start < self.p_ends[-1]):
            self._merge()
        self.p_starts.append(start)
        self.p_ends.append(end)

    def _merge(self) -> None:
        pairs = sorted(
            [
                *zip(self.starts, self.ends, strict=True),
                *zip(self.p_starts, self.p_ends, strict=True),
            ]
        )
        starts: list[int] = []
        ends: list[int] = []
        for s, e in pairs:
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        self.starts, self.ends = starts, ends
        self.p_starts, self.p_ends = [], []


class _Run:
    """One extraction: the refanged text, what was found, and the occupied spans."""

    def __init__(self, text: str, region: str | None, card_token: CardToken | None) -> None:
        self.original = text
        self.rf: Refanged = refang_map(text)
        self.text = self.rf.text
        self.region = region
        self.card_token = card_token
        self.found: list[Indicator] = []
        self.taken = _Spans()
        # Card-shaped runs of the ORIGINAL text: (start, end, digits). Kept only for the
        # duration of one extract() call; the digits never leave it.
        self.card_runs = list(cards.card_runs(text))

    def emit(
        self,
        type_: str,
        value: str,
        start: int,
        end: int,
        flags: frozenset[str] | set[str] = frozenset(),
        extra: dict[str, object] | None = None,
        *,
        original_span: bool = False,
    ) -> None:
        fl = flags if isinstance(flags, frozenset) else frozenset(flags)
        o_start, o_end = start, end
        if not original_span and self.rf.replacements:
            o_start, o_end = self.rf.span(start, end)
            if self.rf.defanged(start, end):
                fl = fl | _DEFANGED
        # callers hand over a fresh dict; no copy needed
        self.found.append(Indicator(type_, value, o_start, o_end, fl, extra if extra else {}))


def extract(
    text: str,
    *,
    country_hint: str | None = None,
    lang: str | None = None,
    card_token: CardToken | None = None,
) -> list[Indicator]:
    """All indicators in `text`, sorted by position. Never raises.

    `country_hint` (ISO 3166 alpha-2, the victim's country) is the region for national phone
    formats. `lang` is accepted for callers that know it; extraction rules do not depend on it.
    `card_token` (e.g. a keyed HMAC) receives each full card number and its result is kept
    as `extra["token"]`; the number itself never leaves the card stage.
    """
    if not isinstance(text, str) or not text:
        return []
    region = country_hint.upper() if isinstance(country_hint, str) and country_hint else None
    try:
        run = _Run(text, region, card_token)
    except Exception:
        log.warning("indicator refang failed")
        return []
    for stage in _STAGES:
        try:
            stage(run)
        except Exception:
            log.warning("indicator stage %s failed", stage.__name__)
    try:
        return _finish(run)
    except Exception:
        log.warning("indicator finishing failed")
        return []


def _cards(run: _Run) -> None:
    # On the original text: redaction and the leak guarantee are defined on what was written.
    for start, end, digits in run.card_runs:
        if not cards.is_payment_card(digits):
            continue
        extra: dict[str, object] = {"bin": digits[:6], "last4": digits[-4:], "length": len(digits)}
        if run.card_token is not None:
            extra["token"] = run.card_token(digits)
        run.emit(t.CARD, cards.masked(digits), start, end, extra=extra, original_span=True)


def _urls(run: _Run) -> None:
    text = run.text
    if "://" not in text:
        return
    pos = 0
    while (m := netaddr.URL_RE.search(text, pos)) is not None:
        raw = netaddr.trim_url(m.group())
        start, end = m.start(), m.start() + len(raw)
        pos = max(end, start + 1)  # a glued second URL ("...x,https://...") is matched next
        scheme, _, rest = raw.partition("://")
        h_start, h_end, port = netaddr.split_authority(rest)
        host = rest[h_start:h_end].lower().rstrip(".")
        if not host:
            continue
        base = start + len(scheme) + 3
        hs, he = base + h_start, base + h_start + len(host)
        host_norm = _host(run, host, hs, he)
        if host_norm is None:
            continue
        path = rest[h_end:]
        port_part = ""
        if port is not None:
            path = path[len(port) + 1 :] if path.startswith(":" + port) else path
            port_part = ":" + port
        if path.startswith("]"):
            path = path[1:]
            if port is not None and path.startswith(":" + port):
                path = path[len(port) + 1 :]
        if not path:
            path = "/"
        host_txt = f"[{host_norm}]" if ":" in host_norm else host_norm
        value = f"{scheme.lower()}://{host_txt}{port_part}{path}"
        run.emit(t.URL, value, start, end)
        run.taken.add(start, end)
        if host_norm in _TELEGRAM_HOSTS or host_norm == "wa.me":
            _messenger_link(run, host_norm, path.lstrip("/"), start, end)


def _host(run: _Run, host: str, hs: int, he: int) -> str | None:
    """Emit the URL's host as ipv4/ipv6/onion/domain; return its normal form."""
    ip4 = netaddr.parse_ipv4(host)
    if ip4 is not None:
        run.emit(t.IPV4, str(ip4), hs, he, netaddr.ip_flags(ip4))
        return str(ip4)
    if ":" in host:
        ip6 = netaddr.parse_ipv6(host.split("%")[0])
        if ip6 is None:
            return None
        run.emit(t.IPV6, ip6.compressed, hs, he, netaddr.ip_flags(ip6))
        return ip6.compressed
    if host.endswith(".onion"):
        label = host[:-6].rsplit(".", 1)[-1]
        if len(label) == 56 and onion_check(label):
            run.emit(t.ONION, label + ".onion", hs + len(host) - 62, he)
        return host
    if any(c in host for c in " <>\"'{}|\\^`"):
        return None
    forms = domains.check(host, in_url=True)
    if forms is None:
        return host if "." not in host or host.isascii() else None
    run.emit(t.DOMAIN, forms[0], hs, he, domains.script_flags(forms[0]), _puny(forms))
    return forms[0]


def _puny(forms: tuple[str, str]) -> dict[str, object]:
    return {"punycode": forms[1]} if forms[0] != forms[1] else {}


def _messenger_link(run: _Run, host: str, path: str, start: int, end: int) -> None:
    name = re.match(r"\+?[A-Za-z0-9_]{1,40}", path)
    if name is None:
        return
    handle = name.group()
    if host == "wa.me":
        found = phones.check("+" + handle.lstrip("+"), None)
        if found is None:
            return
        run.emit(t.MESSENGER, f"whatsapp:{found[0]}", start, end, extra={"platform": "whatsapp"})
        run.emit(t.PHONE, found[0], start, end, extra=found[1])
        return
    if handle.startswith("+"):
        return  # a private invite link, no public name
    if handle.lower() in _TG_RESERVED or len(handle) < 4:
        return
    run.emit(t.MESSENGER, f"telegram:{handle.lower()}", start, end, extra={"platform": "telegram"})


def _schemeless_messenger(run: _Run) -> None:
    text = run.text
    if ".me/" not in text and ".dog/" not in text and ".ME/" not in text:
        return
    for m in MESSENGER_RE.finditer(text):
        if run.taken.overlaps(m.start(), m.end()):
            continue
        _messenger_link(run, m.group(1).lower(), m.group(2), m.start(), m.end())


def _emails(run: _Run) -> None:
    text = run.text
    if "@" not in text:
        return
    for m in netaddr.EMAIL_RE.finditer(text):
        local, dom = m.group(1), m.group(2)
        lead = len(local) - len(local.lstrip("."))
        local = local.strip(".")
        if not local or ".." in local:
            continue
        forms = domains.check(dom.lower(), in_url=True)
        if forms is None and not dom.isascii():
            dom = _before_other_script(dom)
            forms = domains.check(dom.lower(), in_url=True)
        if forms is None:
            continue
        start = m.start() + lead
        end = m.start(2) + len(dom)
        if run.taken.overlaps(start, end):
            continue
        run.emit(t.EMAIL, f"{local.lower()}@{forms[0]}", start, end, domains.script_flags(forms[0]))
        run.taken.add(start, end)


def _before_other_script(name: str) -> str:
    """`name` up to CJK/Arabic... text glued after it ("mail.ru。服务器" refangs to
    "mail.ru.服务器")."""
    for i, c in enumerate(name):
        if domains.is_other_script(c):
            return name[:i].rstrip(".-")
    return name


def _onions(run: _Run) -> None:
    text = run.text
    if ".onion" not in text and ".ONION" not in text and ".Onion" not in text:
        return
    for m in ONION_RE.finditer(text):
        if run.taken.overlaps(m.start(), m.end()):
            continue
        label = m.group(1).lower()
        if onion_check(label):
            run.emit(t.ONION, label + ".onion", m.start(), m.end())
            run.taken.add(m.start(), m.end())


def _ips(run: _Run) -> None:
    text = run.text
    for m in netaddr.IPV4_RE.finditer(text) if text.count(".") >= 3 else ():
        if run.taken.overlaps(m.start(), m.end()):
            continue
        if netaddr.VERSION_CONTEXT.search(text, max(0, m.start() - 24), m.start()):
            continue
        port = m.group("port")
        if port is not None and int(port) > 65535:
            continue
        ip = netaddr.parse_ipv4(m.group("ip"))
        if ip is None:
            continue
        extra: dict[str, object] = {"port": int(port)} if port else {}
        run.emit(t.IPV4, str(ip), m.start(), m.end(), netaddr.ip_flags(ip), extra)
        run.taken.add(m.start(), m.end())
    if "::" not in text and text.count(":") < 7:
        return
    for m in netaddr.IPV6_RE.finditer(text):
        bracketed = m.group(1) is not None and m.group(3) is not None
        # Only "[addr]:port" carries a port; a bare "addr:port" is ambiguous in IPv6.
        start, end = (m.start(), m.end()) if bracketed else (m.start(2), m.end(2))
        port = m.group(4) if bracketed else None
        if run.taken.overlaps(start, end):
            continue
        ip6 = netaddr.parse_ipv6(m.group(2))
        if ip6 is None:
            continue
        extra6: dict[str, object] = {"port": int(port)} if port and int(port) <= 65535 else {}
        run.emit(t.IPV6, ip6.compressed, start, end, netaddr.ip_flags(ip6), extra6)
        run.taken.add(start, end)


def _domains(run: _Run) -> None:
    text = run.text
    if "." not in text:
        return
    for m in _ASCII_DOMAIN_RE.finditer(text):
        _domain_candidate(run, m.group(), m.start())
    if text.isascii() or not _has_idn_candidate(text):
        return
    # Internationalised names: candidates with at least one non-ASCII character.
    for m in DOMAIN_RE.finditer(text):
        cand = m.group()
        if not cand.isascii():
            _domain_candidate(run, cand, m.start(), glued_check=True)


def _has_idn_candidate(text: str) -> bool:
    """Whether some dot sits inside a token that has a non-ASCII character: the only place an
    IDN can be. Plain string scans, each token visited once, so linear; most non-Latin
    report text (sentence-ending dots, dotted dates) needs no Unicode domain pass at all."""
    n = len(text)
    d = text.find(".")
    while d != -1:
        if 0 < d < n - 1 and _label_char(text[d - 1]) and _label_char(text[d + 1]):
            left = d - 1
            while left > 0 and (text[left - 1].isalnum() or text[left - 1] in "-."):
                left -= 1
            right = d + 1
            while right < n and (text[right].isalnum() or text[right] in "-."):
                right += 1
            if not text[left:right].isascii():
                return True
            d = right
        d = text.find(".", d + 1)
    return False


def _label_char(c: str) -> bool:
    return c.isalnum() or c in "-."


def _mixes_other_script(cand: str) -> bool:
    for label in cand.split("."):
        other = [domains.is_other_script(c) for c in label if c.isalpha()]
        if any(other) and not all(other):
            return True
    return False


def _domain_candidate(run: _Run, cand: str, start: int, *, glued_check: bool = False) -> bool:
    if glued_check and _mixes_other_script(cand):
        # CJK/Arabic text glued to a Latin-script name: "域名zakupy-łatwe.pl开网店".
        found = False
        for sub in _LATIN_DOMAIN_RE.finditer(cand):
            if not sub.group().isascii():  # ASCII names were found by the ASCII pass
                found |= _domain_candidate(run, sub.group(), start + sub.start())
        return found
    end = start + len(cand)
    if run.taken.overlaps(start, end):
        return False
    if not cand[0].isalnum() or cand.lower().endswith(".onion"):
        return False
    last = cand.rsplit(".", 1)[-1]
    if len(last) > 1 and last[0].isupper() and last[1:].islower() and last.isalpha():
        return False  # "paid.Then": a missing space after a full stop, not a domain
    if "_" in cand:
        return False
    forms = domains.check(cand.lower())
    if forms is None:
        return False
    run.emit(t.DOMAIN, forms[0], start, end, domains.script_flags(forms[0]), _puny(forms))
    run.taken.add(start, end)
    return True


def _hashes_and_wallets(run: _Run) -> None:
    # Every hash and wallet is one long alphanumeric token: find those once (cheap), then run
    # the exact patterns only inside them. Hashes and wallets are also taken from inside URLs
    # (".../address/bc1q..."), so they only give way to each other.
    text = run.text
    own = _Spans()
    tokens = [(m.start(), m.end()) for m in _LONG_TOKEN_RE.finditer(text)]
    for t_start, t_end in tokens:
        for m in HASH_RE.finditer(text, t_start, t_end):
            h = m.group()
            if h.isdigit() or h.isalpha():
                continue
            run.emit(_HASH_TYPES[len(h)], h.lower(), m.start(), m.end())
            run.taken.add(m.start(), m.end())
            own.add(m.start(), m.end())
    for chain in CHAINS.values():
        spans = tokens if chain.long_token else [(0, len(text))]
        for t_start, t_end in spans:
            for m in chain.pattern.finditer(text, t_start, t_end):
                if own.overlaps(m.start(), m.end()):
                    continue
                value = chain.check(m.group())
                if value is not None:
                    run.emit(chain.type, value, m.start(), m.end())
                    run.taken.add(m.start(), m.end())
                    own.add(m.start(), m.end())


def _ibans(run: _Run) -> None:
    for start, end, compact, extra in banking.find_ibans(run.text):
        if run.taken.overlaps(start, end):
            continue
        run.emit(t.IBAN, compact, start, end, extra=extra)
        run.taken.add(start, end)


def _phones_and_handles(run: _Run) -> None:
    text = run.text
    for start, end, e164, extra in phones.find_phones(text, run.region):
        if run.taken.overlaps(start, end):
            continue
        run.emit(t.PHONE, e164, start, end, extra=extra)
        run.taken.add(start, end)
    if "@" not in text:
        return
    for m in HANDLE_RE.finditer(text):
        if run.taken.overlaps(m.start(), m.end()):
            continue
        if not _TELEGRAM_CONTEXT.search(text, max(0, m.start() - 80), m.start()):
            continue
        run.emit(
            t.MESSENGER,
            f"telegram:{m.group(1).lower()}",
            m.start(),
            m.end(),
            extra={"platform": "telegram"},
        )


def _occupy_cards(run: _Run) -> None:
    # Card spans are in original coordinates; occupy the refanged text's digits too so that
    # no phone or IBAN stage reads the number again.
    reps = run.rf.replacements
    old_starts = [r[2] for r in reps]
    shifts = [0]  # shifts[k] = length change made by the first k replacements
    for new_s, new_e, old_s, old_e in reps:
        shifts.append(shifts[-1] + (new_e - new_s) - (old_e - old_s))
    for ind in run.found:
        if ind.type == t.CARD:
            shift = shifts[bisect_left(old_starts, ind.start)]
            run.taken.add(ind.start + shift, ind.end + shift)


_STAGES: tuple[Callable[[_Run], None], ...] = (
    _cards,
    _occupy_cards,
    _urls,
    _emails,
    _onions,
    _ips,
    _hashes_and_wallets,
    _ibans,
    _schemeless_messenger,
    _domains,
    _phones_and_handles,
)


def _finish(run: _Run) -> list[Indicator]:
    """Drop anything that would carry a full card number, de-duplicate, sort."""
    secrets = {digits for _, _, digits in run.card_runs}
    out: list[Indicator] = []
    seen: set[tuple[str, str, int, int]] = set()
    n = len(run.original)
    for ind in run.found:
        key = (ind.type, ind.value, ind.start, ind.end)
        if key in seen or not 0 <= ind.start < ind.end <= n:
            continue
        if secrets and ind.type != t.CARD and _leaks(ind, secrets):
            continue
        seen.add(key)
        out.append(ind)
    out.sort(key=lambda i: (i.start, -i.end, i.type))
    return out


def _leaks(ind: Indicator, secrets: set[str]) -> bool:
    """Whether the value or an extra field carries a card-shaped run, in any digit script.
    Looks up each 13-19 digit window in the set, so the cost does not grow with the number
    of cards in the text."""
    for field in (ind.value, *map(str, ind.extra.values())):
        if field.isascii():
            digits = _NON_DIGITS.sub("", field)
        else:
            digits = "".join(str(int(c)) for c in field if c.isdecimal())
        n = len(digits)
        if n < 13:
            continue
        for width in range(13, min(n, 19) + 1):
            for k in range(n - width + 1):
                if digits[k : k + width] in secrets:
                    return True
    return False
