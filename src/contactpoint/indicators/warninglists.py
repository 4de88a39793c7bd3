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
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from glob import glob
from heapq import heappop, heappush
from pathlib import Path
from typing import Any

import pymispwarninglists  # noqa: F401  (its data directory holds the lists)

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


@dataclass(frozen=True)
class _Ranges:
    """One IP version's CIDR lists flattened into disjoint intervals: ``starts`` is sorted and
    ``owner[i]`` is the position (in list order) of the first list covering
    ``[starts[i], starts[i + 1])``, or -1; one bisect answers "which list comes first"."""

    starts: list[int]
    owner: list[int]

    def first(self, num: int) -> int:
        i = bisect_right(self.starts, num) - 1
        return self.owner[i] if i >= 0 else -1


def _flatten(spans: list[tuple[int, int, int]]) -> _Ranges:
    """Sweep (start, end-exclusive, list position) spans into disjoint owner intervals."""
    events: dict[int, list[tuple[int, int]]] = {}
    for lo, hi, pos in spans:
        events.setdefault(lo, []).append((1, pos))
        events.setdefault(hi, []).append((-1, pos))
    active: dict[int, int] = {}
    heap: list[int] = []
    starts: list[int] = []
    owner: list[int] = []
    for point in sorted(events):
        for delta, pos in events[point]:
            count = active.get(pos, 0) + delta
            if count:
                active[pos] = count
            else:
                active.pop(pos, None)
            if delta > 0 and count == 1:
                heappush(heap, pos)
        while heap and heap[0] not in active:
            heappop(heap)  # lazily drop lists whose last range ended
        best = heap[0] if heap else -1
        if owner and owner[-1] == best:
            continue
        starts.append(point)
        owner.append(best)
    return _Ranges(starts, owner)


@dataclass(frozen=True)
class _Index:
    """Every kept list, parsed once: exact values map to the first list holding them, CIDR
    lists become one interval table per IP version (was: a parse and an exception per list
    and probe, ~0.5 ms a value)."""

    names: tuple[str, ...]
    exact: dict[str, int]
    cidr: dict[int, _Ranges]


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _index() -> _Index:
    names: list[str] = []
    exact: dict[str, int] = {}
    spans: dict[int, list[tuple[int, int, int]]] = {4: [], 6: []}
    for path in sorted(glob(str(_data_dir() / "*" / "list.json"))):
        with open(path, encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
        name = str(data.get("name", ""))
        if _excluded(name):
            continue
        pos = len(names)
        names.append(name)
        if data.get("type") == "cidr":
            # Only addresses can match a CIDR list; entries that are not networks are skipped.
            for raw in data.get("list", []):
                try:
                    net = ipaddress.ip_network(str(raw).strip(), strict=False)
                except ValueError:
                    continue
                lo = int(net.network_address)
                size = 1 << (net.max_prefixlen - net.prefixlen)
                spans[net.version].append((lo, lo + size, pos))
        else:
            # Exact matches: a subdomain of a benign site (sites.google.com/...) can still
            # host a fraud, so no suffix search.
            for value in data.get("list", []):
                if isinstance(value, str):
                    exact.setdefault(value, pos)
    return _Index(tuple(names), exact, {v: _flatten(s) for v, s in spans.items()})


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
    index = _index()
    best = index.exact.get(probe, -1)
    # Only something ending in a digit (IPv4, maybe bracketed) or holding a colon (IPv6)
    # can parse as an address; skipping the rest spares a raised exception per domain.
    ip = _parse_ip(probe) if ":" in probe or probe.rstrip("]")[-1:].isdigit() else None
    if ip is not None:
        hit = index.cidr[ip.version].first(int(ip))
        if hit >= 0 and (best < 0 or hit < best):
            best = hit
    return index.names[best] if best >= 0 else None


def loaded_names() -> list[str]:
    return list(_index().names)
