"""Pure address arithmetic for the provider directory: one key space for IPv4 and IPv6.

Every address is stored as a 32-hex-digit string of its 128-bit value, IPv4 addresses as
their IPv4-mapped IPv6 form (::ffff:a.b.c.d), so the two families never collide and plain
string comparison orders them like integers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import ipaddress
from typing import Final

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_BASE: Final = 0xFFFF_0000_0000  # ::ffff:0:0/96


def key(addr: IPAddress) -> int:
    """The 128-bit integer key of an address."""
    if addr.version == 4:
        return _V4_BASE + int(addr)
    return int(addr)


def hexkey(value: int) -> str:
    return f"{value:032x}"


def bounds(net: IPNetwork) -> tuple[str, str]:
    """(range_start, range_end) of a network as hex keys."""
    return hexkey(key(net.network_address)), hexkey(key(net.broadcast_address))


def parse_network(text: str) -> IPNetwork:
    """A CIDR in normal form; ValueError when it is not one (host bits set are refused,
    because "192.0.2.7/24" is more likely a typo than a network)."""
    raw = text.strip()
    try:
        return ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        raise ValueError(f"'{raw}' is not a network in CIDR form: {exc}") from None


def candidate_starts(addr: IPAddress) -> list[str]:
    """The start of every network that could contain `addr`, one per prefix length.

    A stored network contains the address exactly when its start is one of these and its
    end is at or above the address, so the lookup is an indexed IN on range_start."""
    bits = addr.max_prefixlen
    value = int(addr)
    out = []
    for plen in range(bits, -1, -1):
        mask = ((1 << plen) - 1) << (bits - plen) if plen else 0
        start = value & mask
        out.append(hexkey(_V4_BASE + start if addr.version == 4 else start))
    return out


# The documentation ranges (RFC 5737, RFC 3849) are not global, but demo data, examples and
# exercises use them as stand-ins for public hosts, so the directory accepts them.
DOCUMENTATION: Final = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


def is_public(addr: IPAddress) -> bool:
    """Whether a notice can be about this address: a global unicast address, or one of the
    documentation ranges; private, loopback, link-local, reserved and multicast are not."""
    if addr.is_multicast:
        return False
    if addr.is_global:
        return True
    return any(addr.version == n.version and addr in n for n in DOCUMENTATION)
