"""URLs, IP addresses and e-mail addresses: candidate patterns and their validation.

Every pattern is bounded and anchored by a lookbehind so that a long run without separators is
tried from its first character only: matching stays linear on any input.
"""

from __future__ import annotations

import ipaddress
import re

from contactpoint.indicators.types import PRIVATE, RESERVED

# Characters that end a URL: whitespace, quotes, angle brackets, and CJK / fullwidth text that
# is written glued to it ("访问https://example.com/login然后付款").
_URL_STOP = (
    r"\s<>\"'`\u2E80-\uA4CF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\u3000-\u303F"
    r"\u00ab\u00bb\u201c\u201d\u2018\u2019"
)
URL_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:https?|ftp|sftp)://[^{_URL_STOP}]{{1,2048}}", re.IGNORECASE
)
_TRAILING = ".,;:!?'\"*»”’…"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}

# Digit first (the engine skips to digits), then "not glued on the left"; octet ranges and
# leading zeros are checked by ipaddress afterwards.
IPV4_RE = re.compile(
    r"(?P<ip>[0-9](?<![\w.\-][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3})(?::(?P<port>[0-9]{1,5}))?"
    r"(?![\w\-]|\.[\w])",
    re.ASCII,
)
IPV6_RE = re.compile(
    r"(?<![\w:.\-])(\[)?"
    r"((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4}))"
    r"(?:%[\w.]{1,16})?(\])?(?::([0-9]{1,5}))?(?![\w:]|\.\w)",
    re.ASCII,
)
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]{1,64})@((?:[\w\-]{1,63}\.){1,10}[\w\-]{2,63})"
)
# Words just before a dotted quad that make it a version number, not an address.
VERSION_CONTEXT = re.compile(
    r"(?:\b(?:version|versions|ver\.?|v|build|release|firmware|fw|update|patch|wersj\w*|"
    r"(?:updated?|upgraded?) to|"
    r"versión|versione|versie|verze)|верси[яиюей]|έκδοσ[ηεις]+|版本|الإصدار)\W{0,3}$",
    re.IGNORECASE,
)


def trim_url(raw: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets; cut at a glued second URL."""
    lower = raw.lower()
    for scheme in ("http://", "https://", "ftp://"):
        cut = lower.find(scheme, 8)
        if cut > 0:
            raw, lower = raw[:cut], lower[:cut]
    while raw:
        last = raw[-1]
        unbalanced = last in _PAIRS and raw.count(last) > raw.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            raw = raw[:-1]
        else:
            break
    return raw


def ip_flags(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> frozenset[str]:
    """`private` for RFC 1918 / ULA and other non-global space; `reserved` for loopback,
    link-local, multicast, unspecified and IETF-reserved blocks. Flagged, never dropped."""
    flags = set()
    if (
        addr.is_reserved
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_unspecified
    ):
        flags.add(RESERVED)
    elif addr.is_private or not addr.is_global:
        flags.add(PRIVATE)
    return frozenset(flags)


def parse_ipv4(s: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(s)
    except ValueError:
        return None


def parse_ipv6(s: str) -> ipaddress.IPv6Address | None:
    if s.count(":") < 7 and "::" not in s:
        return None
    if not any(c.isalnum() for c in s):
        return None  # "::" alone is a C++ scope, not an address
    try:
        return ipaddress.IPv6Address(s)
    except ValueError:
        return None


_AUTHORITY_END = re.compile(r"[/?#\\]")


def split_authority(rest: str) -> tuple[int, int, str | None]:
    """Host span (relative to `rest`, the text after "://") and port, skipping userinfo."""
    stop = _AUTHORITY_END.search(rest)
    end = stop.start() if stop else len(rest)
    authority = rest[:end]
    at = authority.rfind("@")
    host_start = at + 1
    host = authority[host_start:]
    port = None
    if host.startswith("["):
        close = host.find("]")
        if close > 0:
            tail = host[close + 1 :]
            if tail.startswith(":") and tail[1:].isdigit():
                port = tail[1:]
            return host_start + 1, host_start + close, port
    colon = host.rfind(":")
    if colon >= 0 and host[colon + 1 :].isdigit():
        port = host[colon + 1 :]
        host = host[:colon]
    return host_start, host_start + len(host), port
