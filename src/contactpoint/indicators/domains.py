"""Domain names: is a dotted token a domain, its normal form, IDN and homograph flags.

The public suffix list is tldextract's BUNDLED snapshot (no network at run time).
"""

from __future__ import annotations

from functools import lru_cache

import idna
import tldextract

from contactpoint.indicators.types import HOMOGRAPH, IDN, MIXED_SCRIPT

_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# TLDs that are far more often a file extension in a report ("script.py", "readme.md").
# Outside a URL, `name.<ext>` with one of these is a file, not a domain.
FILE_EXT_TLDS = frozenset({"py", "md", "sh", "zip", "mov", "ps", "so", "exe", "bat"})
# Country TLDs we must keep (Poland, Serbia, Anguilla...) are files only with a file-like stem.
_FILE_STEMS = frozenset(
    {
        "main", "lib", "mod", "script", "setup", "install", "test", "tests", "index", "readme",
        "config", "run", "build", "update", "payload", "invoice", "document", "file", "photo",
        "image", "scan", "dropper", "loader", "stealer", "crypter", "utils", "helper", "app",
        "server", "client", "bot", "exploit", "shell", "backdoor",
    }
)  # fmt: skip
_SOMETIMES_FILE = frozenset({"pl", "rs", "cc", "ai", "js", "ts", "cs", "sql", "ws"})
# Technology names that parse as domains but are not meant as one in prose.
_NOT_DOMAINS = frozenset({"asp.net", "vb.net", "ado.net", "dot.net", "e.g", "i.e"})

# Latin letters that Cyrillic and Greek can imitate (the classic homograph alphabet).
_CONFUSABLE = frozenset(
    "аеорсухіјѕԁӏԛԝвкмнтѵ"  # Cyrillic lookalikes of a e o p c y x i j s d l q w b k m h t v
    "αοριντυχκεβ"  # Greek lookalikes
)


def script_of(ch: str) -> str:
    """A coarse script class, enough for homograph checks: latin, greek, cyrillic, other."""
    cp = ord(ch)
    if cp < 0x80:
        return "latin" if ch.isalpha() else "common"
    if cp < 0x250 or 0x1E00 <= cp < 0x1F00:
        return "latin" if ch.isalpha() else "common"
    if 0x370 <= cp < 0x400 or 0x1F00 <= cp < 0x2000:
        return "greek"
    if 0x400 <= cp < 0x530:
        return "cyrillic"
    return "other"


def is_other_script(ch: str) -> bool:
    """CJK, Arabic, Hebrew, Thai...: scripts that cannot be mistaken for Latin and that are
    written without spaces next to Latin IOCs ("访问paypal.com然后")."""
    return ord(ch) >= 0x530 and script_of(ch) == "other"


def script_flags(domain: str) -> frozenset[str]:
    """idn / mixed-script / homograph flags for a (Unicode, lowercased) domain."""
    flags: set[str] = set()
    if domain.isascii():
        if "xn--" not in domain:
            return frozenset()
        try:
            domain = idna.decode(domain)
        except (idna.IDNAError, UnicodeError, ValueError):
            return frozenset({IDN})
    flags.add(IDN)
    labels = domain.split(".")
    for label in labels[:-1] or labels:
        scripts = {script_of(c) for c in label if c.isalpha()}
        confusable_scripts = scripts & {"latin", "greek", "cyrillic"}
        if len(confusable_scripts) > 1:
            flags.add(MIXED_SCRIPT)
            flags.add(HOMOGRAPH)
        elif (
            confusable_scripts & {"greek", "cyrillic"}
            and labels[-1].isascii()
            and all(c in _CONFUSABLE or not c.isalpha() for c in label)
        ):
            # All-Cyrillic label made only of Latin lookalikes under a Latin TLD: "аррӏе.com".
            flags.add(HOMOGRAPH)
    return frozenset(flags)


@lru_cache(maxsize=4096)
def is_tld(word: str) -> bool:
    """Whether `word` is a public suffix on its own ("com", "de", "рф")."""
    return bool(word) and _TLD.extract_str("x." + word).suffix == word


@lru_cache(maxsize=65536)
def to_unicode(domain: str) -> tuple[str, str] | None:
    """(unicode form, punycode form) of a lowercased domain, or None when IDNA rejects it."""
    try:
        ascii_form = idna.encode(domain, uts46=True).decode("ascii")
        return idna.decode(ascii_form), ascii_form
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


@lru_cache(maxsize=65536)
def check(candidate: str, *, in_url: bool = False) -> tuple[str, str] | None:
    """Validate a lowercased dotted token. Returns (normalised unicode form, punycode form)
    or None when it is not a domain with a public suffix."""
    name = candidate.rstrip(".")
    if not 3 <= len(name) <= 253 or ".." in name or "." not in name:
        return None
    if name.isascii():
        labels = name.split(".")
        for label in labels:
            if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
                return None
        if labels[-1].isdigit():
            return None
        uni, puny = name, name
        if "xn--" in name:
            forms = to_unicode(name)
            if forms is None:
                return None
            uni, puny = forms
    else:
        forms = to_unicode(name)
        if forms is None:
            return None
        uni, puny = forms
    parts = _TLD.extract_str(uni)
    if not parts.suffix or not parts.domain:
        return None
    if not in_url:
        if uni in _NOT_DOMAINS:
            return None
        first = uni.split(".", 1)[0]
        if parts.suffix in FILE_EXT_TLDS and not uni.startswith("www.") and not parts.subdomain:
            return None
        if parts.suffix in _SOMETIMES_FILE and (first in _FILE_STEMS or "_" in first):
            return None
    return uni, puny


def normalise(value: str) -> str:
    """Normal form of a domain as typed in a search box (after refanging): lowercase, no
    trailing dot, Unicode labels where IDNA accepts them. Idempotent."""
    name = value.strip().lower()
    while name.endswith(".") or name.startswith("."):
        name = name.strip(".").strip()
    if not name.isascii() or "xn--" in name:
        forms = to_unicode(name)
        if forms is not None:
            return forms[0]
    return name
