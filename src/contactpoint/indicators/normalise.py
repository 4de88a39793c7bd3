"""Normal form of an indicator value typed by a person (search box, API path, bulk file).

`normalise(type, value)` refangs first, so `hxxps://evil[.]com` and `evil(dot)com` find the
same records as what extraction stored. Every normaliser is idempotent.
"""

from __future__ import annotations

import ipaddress

from contactpoint.indicators import banking, domains, phones
from contactpoint.indicators import types as t
from contactpoint.indicators.refang import refang


def _url(v: str) -> str:
    scheme, sep, rest = v.partition("://")
    if not sep:
        return v
    end = len(rest)
    for i, c in enumerate(rest):
        if c in "/?#":
            end = i
            break
    authority, path = rest[:end], rest[end:]
    userinfo, at, hostport = authority.rpartition("@")
    host, port = hostport, ""
    if not host.startswith("[") and host.count(":") == 1:
        host, _, p = host.partition(":")
        port = ":" + p
    host_n = host if host.startswith("[") else domains.normalise(host)
    return f"{scheme.lower()}://{userinfo}{at}{host_n.lower()}{port}{path or '/'}"


def _ip(v: str) -> str:
    try:
        return ipaddress.ip_address(v.strip("[]")).compressed
    except ValueError:
        return v


def _email(v: str) -> str:
    local, at, dom = v.rpartition("@")
    if not at:
        return v.lower()
    return f"{local.lower()}@{domains.normalise(dom)}"


def _messenger(v: str) -> str:
    platform, sep, handle = v.partition(":")
    if not sep:
        return v.lower().lstrip("@")
    handle = handle.strip().lstrip("@")
    if platform.lower() == "whatsapp":
        return "whatsapp:" + phones.normalise(handle)
    return f"{platform.lower()}:{handle.lower()}"


def _btc(v: str) -> str:
    return v.lower() if v[:3].lower() == "bc1" else v


def _onion(v: str) -> str:
    """The onion service name without subdomains. Loops because IDNA mapping may reveal
    another dot; every round makes the value shorter, so it ends."""
    v = domains.normalise(v)
    while True:
        parts = v.split(".")
        if len(parts) <= 2 or parts[-1] != "onion" or not parts[-2]:
            return v
        shorter = domains.normalise(parts[-2] + ".onion")
        if len(shorter) >= len(v):
            return v
        v = shorter


def normalise(type_: str, value: str, *, country_hint: str | None = None) -> str:
    """Normal form of `value` as indicator type `type_` (unknown types: stripped, refanged)."""
    v = refang(value).strip()
    if type_ == t.URL:
        return _url(v)
    if type_ in (t.DOMAIN,):
        return domains.normalise(v)
    if type_ == t.ONION:
        return _onion(v)
    if type_ in (t.IPV4, t.IPV6):
        return _ip(v)
    if type_ == t.EMAIL:
        return _email(v)
    if type_ == t.PHONE:
        return phones.normalise(v, country_hint.upper() if country_hint else None)
    if type_ == t.IBAN:
        return banking.normalise(v)
    if type_ in (t.MD5, t.SHA1, t.SHA256, t.ETH):
        return v.lower()
    if type_ == t.BTC:
        return _btc(v)
    if type_ == t.MESSENGER:
        return _messenger(v)
    return v
