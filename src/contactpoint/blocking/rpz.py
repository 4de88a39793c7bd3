"""Response Policy Zone (RPZ) output (pure).

Two ways to the same zone: :func:`build_zone` makes a ``dns.zone.Zone`` with dnspython (the
reference, used by tests and small lists) and :func:`write_rpz` writes the master-file text
directly, which is what exports use because it is many times faster for a million names.
A test keeps the two equal by parsing the text back with dnspython.

Policy: ``CNAME .`` is NXDOMAIN; ``CNAME <landing host>.`` rewrites to the stop page host.
Whole domains get a ``*.`` wildcard too, so their subdomains are blocked. IP entries become
``rpz-ip`` triggers (response IP), e.g. ``32.4.3.2.1.rpz-ip`` for 1.2.3.4/32.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

TTL = 300
SOA_TIMERS = "3600 600 604800 60"  # refresh, retry, expire, minimum (negative-cache TTL)


@dataclass(frozen=True)
class ZoneSpec:
    origin: str  # e.g. "fr.rpz.contactpoint."
    serial: int  # the list version; resolvers transfer when it grows
    landing_host: str | None  # None: NXDOMAIN
    wildcard: bool  # also block *.domain
    published_at: datetime | None = None


def zone_origin(country: str) -> str:
    return f"{country.lower()}.rpz.contactpoint."


def rpz_ip_owner(ip: str) -> str:
    """The rpz-ip trigger name of an address (RFC draft-vixie-dnsop-dns-rpz, 'rpz-ip')."""
    addr = ipaddress.ip_address(ip)
    if addr.version == 4:
        return "32." + ".".join(reversed(str(addr).split("."))) + ".rpz-ip"
    groups = [format(int(g, 16), "x") for g in addr.exploded.split(":")]
    # Replace the longest run of zero groups (at least two) by "zz", as the format asks.
    best_start, best_len, i = -1, 1, 0
    while i < 8:
        if groups[i] == "0":
            j = i
            while j < 8 and groups[j] == "0":
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_start >= 0:
        groups[best_start : best_start + best_len] = ["zz"]
    return "128." + ".".join(reversed(groups)) + ".rpz-ip"


def _target(spec: ZoneSpec) -> str:
    return (spec.landing_host.rstrip(".") + ".") if spec.landing_host else "."


def owners(spec: ZoneSpec, names: Iterable[str], ips: Iterable[str]) -> list[str]:
    """Every owner name the zone holds, relative to the origin, in the order given (the
    caller passes names without repeats, in the snapshot's order)."""
    out: list[str] = []
    for name in names:
        out.append(name)
        if spec.wildcard:
            out.append("*." + name)
    out.extend(rpz_ip_owner(ip) for ip in ips)
    return out


def soa_line(spec: ZoneSpec) -> str:
    return f"@ {TTL} IN SOA localhost. hostmaster.localhost. {spec.serial} {SOA_TIMERS}"


def write_rpz(spec: ZoneSpec, names: Iterable[str], ips: Iterable[str]) -> str:
    target = _target(spec)
    head = [
        f"; contactpoint RPZ serial {spec.serial}"
        + (f" published {spec.published_at.isoformat()}" if spec.published_at else ""),
        f"$ORIGIN {spec.origin}",
        f"$TTL {TTL}",
        soa_line(spec),
        f"@ {TTL} IN NS localhost.",
    ]
    suffix = f" CNAME {target}\n"
    if spec.wildcard:  # one f-string per name: this loop is the hot path of a big export
        body = "".join([f"{n}{suffix}*.{n}{suffix}" for n in names])
    else:
        body = "".join([n + suffix for n in names])
    body += "".join([rpz_ip_owner(ip) + suffix for ip in ips])
    return "\n".join(head) + "\n" + body


def build_zone(spec: ZoneSpec, names: Iterable[str], ips: Iterable[str]) -> dns.zone.Zone:
    origin = dns.name.from_text(spec.origin)
    zone = dns.zone.Zone(origin)
    IN = dns.rdataclass.IN

    def add(owner: str, rtype: dns.rdatatype.RdataType, text: str) -> None:
        node = zone.find_node(dns.name.from_text(owner, origin), create=True)
        rds = node.find_rdataset(IN, rtype, create=True)
        rds.add(dns.rdata.from_text(IN, rtype, text, origin=origin), TTL)

    add("@", dns.rdatatype.SOA, f"localhost. hostmaster.localhost. {spec.serial} {SOA_TIMERS}")
    add("@", dns.rdatatype.NS, "localhost.")
    for owner in owners(spec, names, ips):
        add(owner, dns.rdatatype.CNAME, _target(spec))
    return zone


def is_valid_owner(name: str) -> bool:
    """Whether ``name`` (ASCII, no trailing dot) can be an owner name under an RPZ origin."""
    try:
        dns.name.from_text(name, dns.name.from_text("rpz.contactpoint."))
    except (dns.exception.DNSException, ValueError):
        return False
    return True
