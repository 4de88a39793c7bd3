"""The precompiled warninglist lookup answers exactly as a plain walk over the lists does:
first list in file order, exact values for named lists, network containment for CIDR lists."""

from __future__ import annotations

import ipaddress
import json
import random
from functools import cache, lru_cache
from glob import glob
from typing import Any

from contactpoint.indicators import types as t
from contactpoint.indicators import warninglists

TYPES = (t.DOMAIN, t.IPV4, t.IPV6, t.URL, t.MD5, t.SHA256, t.EMAIL)


@lru_cache(maxsize=1)
def _reference_lists() -> list[tuple[str, str, Any]]:
    """(name, kind, data): kind "cidr" holds (version, network int, mask int) triples."""
    out: list[tuple[str, str, Any]] = []
    for path in sorted(glob(str(warninglists._data_dir() / "*" / "list.json"))):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        name = str(data.get("name", ""))
        if warninglists._excluded(name):
            continue
        if data.get("type") == "cidr":
            nets = []
            for raw in data["list"]:
                try:
                    net = ipaddress.ip_network(str(raw).strip(), strict=False)
                except ValueError:
                    continue
                nets.append((net.version, int(net.network_address), int(net.netmask)))
            out.append((name, "cidr", nets))
        else:
            out.append((name, "exact", set(data["list"])))
    return out


def reference_match(type_: str, value: str) -> str | None:
    if type_ not in warninglists.CHECKED_TYPES:
        return None
    probe = warninglists._host_of_bare_url(value) if type_ == t.URL else value
    return _reference_probe(probe) if probe else None


@cache
def _reference_probe(probe: str) -> str | None:
    try:
        ip = ipaddress.ip_address(probe.strip("[]"))
    except ValueError:
        ip = None
    for name, kind, data in _reference_lists():
        if kind == "exact":
            if probe in data:
                return name
        elif ip is not None:
            num = int(ip)
            if any(v == ip.version and num & mask == net for v, net, mask in data):
                return name
    return None


def _corpus(rng: random.Random) -> list[str]:
    values: list[str] = [
        "",
        "[1.1.1.1]",
        "8.8.8.8]",
        "fe80::1%eth0",
        "[::1]",
        "010.0.0.1",
        "256.1.1.1",
        "1.2.3",
        "::ffff:8.8.8.8",
        "not an address",
        "d41d8cd98f00b204e9800998ecf8427e",
        "https://google.com",
        "https://google.com:443",
        "https://user@google.com",
        "https://google.com?q=1",
        "https://[2001:db8::1]",
    ]
    for _, kind, data in _reference_lists():
        if kind == "cidr":
            for version, net, mask in rng.sample(data, min(4, len(data))):
                bits = 32 if version == 4 else 128
                last = net | (~mask & ((1 << bits) - 1))
                for num in (net, last, net - 1, last + 1, rng.randint(net, last)):
                    if 0 <= num < 1 << bits:
                        ip = ipaddress.IPv4Address(num) if version == 4 else None
                        addr = str(ip or ipaddress.IPv6Address(num))
                        values.append(addr if rng.random() < 0.8 else f"[{addr}]")
        else:
            for value in rng.sample(sorted(data), min(4, len(data))):
                values += [value, value.upper(), value + "x", "a." + value, value.rstrip(".")]
                values += [f"https://{value}", f"http://{value}/path", f"https://{value}:8080"]
    for _ in range(60):
        values.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        values.append(str(ipaddress.IPv6Address(rng.getrandbits(128))))
        size = rng.choice((32, 40, 64))
        values.append("".join(rng.choice("0123456789abcdef") for _ in range(size)))
    return values


def test_match_equals_reference_walk() -> None:
    rng = random.Random(20261128)
    hits: set[str] = set()
    checked = 0
    for value in _corpus(rng):
        for type_ in TYPES:
            expected = reference_match(type_, value)
            assert warninglists.match(type_, value) == expected, (type_, value)
            checked += 1
            if expected:
                hits.add(expected)
    # The corpus must exercise both kinds of list, or the comparison proves little.
    assert checked > 5000
    assert len(hits) > 40, sorted(hits)


def test_known_values() -> None:
    assert warninglists.match(t.IPV4, "8.8.8.8") == "List of known IPv4 public DNS resolvers"
    assert warninglists.match(t.IPV4, "192.168.1.7") is not None
    assert warninglists.match(t.DOMAIN, "google.com") is not None
    assert warninglists.match(t.DOMAIN, "fraud-example-bank-login.com") is None
    assert warninglists.match(t.URL, "https://google.com/deeper/page") is None
    assert warninglists.match(t.EMAIL, "8.8.8.8") is None
    names = warninglists.loaded_names()
    assert len(names) == len(_reference_lists())
    assert not any(warninglists._excluded(n) for n in names)
