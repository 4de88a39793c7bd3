"""Benign indicators (google.com, 8.8.8.8, the empty file's hash) from the MISP warninglists.

The lists ship inside the `pymispwarninglists` package; they are read from its data
directory and never fetched. Lists that would hide criminal infrastructure are left out:
the million-site popularity lists, dynamic DNS, URL shorteners, cloud and hosting ranges,
disposable mail, link-in-bio and "living off trusted sites" domains, where fraud is hosted.
Names change rarely; a list added upstream is used unless it matches an excluded name.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from functools import lru_cache
from glob import glob
from pathlib import Path
from typing import Any

from pymispwarninglists.api import WarningList

from contactpoint.indicators import types as t

EXCLUDED_NAME_PARTS = (
    "1,000,000",
    "1million",
    "majestic",
    "dynamic dns",
    "url shorteners",
    "disposable",
    "university",
    "vpn",
    "aws",
    "azure",
    "gcp",
    "google cloud",
    "ovh",
    "akamai",
    "stackpath",
    "cloudflare",
    "fastly",
    "github ip",
    "ipfs",
    "link in bio",
    "lots (",
    "parking",
    "tlds",
    "phone number",
    "e-mail",
    "bank domains",
    "covid",
    "dax30",
    "smtp",
)
CHECKED_TYPES = frozenset({t.DOMAIN, t.IPV4, t.IPV6, t.MD5, t.SHA1, t.SHA256, t.URL})


def _data_dir() -> Path:
    module = sys.modules["pymispwarninglists"].__file__
    assert module is not None
    return Path(module).parent / "data" / "misp-warninglists" / "lists"


def _excluded(name: str) -> bool:
    low = name.lower()
    return any(part in low for part in EXCLUDED_NAME_PARTS)


class _CidrIndex:
    """Networks by prefix length: a lookup masks the address once per length present
    (a few dozen set probes), where the package's own CIDR search takes seconds to build."""

    def __init__(self, name: str, networks: list[str]) -> None:
        self.name = name
        self.by_len: dict[tuple[int, int], set[int]] = {}
        for raw in networks:
            try:
                net = ipaddress.ip_network(raw.strip(), strict=False)
            except ValueError:
                continue
            key = (net.version, net.prefixlen)
            self.by_len.setdefault(key, set()).add(int(net.network_address))

    def __contains__(self, value: str) -> bool:
        try:
            ip = ipaddress.ip_address(value.strip("[]"))
        except ValueError:
            return False
        bits = 32 if ip.version == 4 else 128
        num = int(ip)
        for (version, plen), nets in self.by_len.items():
            if version == ip.version and (num >> (bits - plen) << (bits - plen)) in nets:
                return True
        return False


@lru_cache(maxsize=1)
def _lists() -> tuple[WarningList | _CidrIndex, ...]:
    out: list[WarningList | _CidrIndex] = []
    for path in sorted(glob(str(_data_dir() / "*" / "list.json"))):
        with open(path, encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
        name = str(data.get("name", ""))
        if _excluded(name):
            continue
        if data.get("type") == "cidr":
            out.append(_CidrIndex(name, list(data.get("list", []))))
        else:
            # Exact matches: a subdomain of a benign site (sites.google.com/...) can still
            # host a fraud, so no suffix search.
            out.append(WarningList(data, slow_search=False))
    return tuple(out)


def _host_of_bare_url(value: str) -> str | None:
    """The host of a URL that is only a site's home page; deeper URLs are not benign."""
    _, sep, rest = value.partition("://")
    if not sep:
        return None
    host, _, path = rest.partition("/")
    if path or "@" in host or "?" in host:
        return None
    return host.split(":")[0] if not host.startswith("[") else None


def match(type_: str, value: str) -> str | None:
    """The name of the first warninglist that holds ``value``, or None."""
    if type_ not in CHECKED_TYPES:
        return None
    probe = _host_of_bare_url(value) if type_ == t.URL else value
    if not probe:
        return None
    for wl in _lists():
        try:
            if probe in wl:
                return str(wl.name)
        except (ValueError, TypeError):
            continue  # a CIDR list asked about a non-address
    return None


def loaded_names() -> list[str]:
    return [str(wl.name) for wl in _lists()]
