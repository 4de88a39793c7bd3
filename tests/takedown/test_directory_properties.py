"""Properties of the pure parts of the directory: address keys, prefix candidates, the
ip2asn line parser (which reads bytes from outside)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpoint.takedown import asn
from contactpoint.takedown import directory_net as net

v4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)
v6 = st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address)
addresses = st.one_of(v4, v6)


@given(addresses, addresses)
def test_hex_keys_order_like_the_addresses(a: net.IPAddress, b: net.IPAddress) -> None:
    ka, kb = net.hexkey(net.key(a)), net.hexkey(net.key(b))
    assert len(ka) == len(kb) == 32
    if a.version == b.version:
        assert (ka < kb) == (a < b)  # type: ignore[operator]
        assert (ka == kb) == (a == b)
    else:
        assert ka != kb  # the families never share a key


@given(addresses, st.integers(0, 128))
def test_a_network_contains_an_address_iff_the_lookup_finds_it(
    addr: net.IPAddress, plen: int
) -> None:
    plen = min(plen, addr.max_prefixlen)
    network = ipaddress.ip_network(f"{addr}/{plen}", strict=False)
    start, end = net.bounds(network)
    here = net.hexkey(net.key(addr))
    # Any network that contains the address is found by the indexed condition...
    assert start in net.candidate_starts(addr) and start <= here <= end


@given(addresses, addresses, st.integers(0, 128))
def test_the_lookup_condition_never_finds_a_network_without_the_address(
    addr: net.IPAddress, other: net.IPAddress, plen: int
) -> None:
    plen = min(plen, other.max_prefixlen)
    network = ipaddress.ip_network(f"{other}/{plen}", strict=False)
    start, end = net.bounds(network)
    here = net.hexkey(net.key(addr))
    found = start in net.candidate_starts(addr) and end >= here
    assert found == (addr.version == network.version and addr in network)


@given(st.text(max_size=200))
def test_ip2asn_parser_names_a_column_or_parses(line: str) -> None:
    try:
        r = asn.parse_line(1, line)
    except ValueError as exc:
        assert str(exc).split(": ", 1)[0] in {
            "columns",
            "range_start",
            "range_end",
            "AS_number",
        }
        return
    if r is not None:
        assert r.start <= r.end and len(r.country) == 2  # type: ignore[operator]
        assert asn.cidrs(r)[0].network_address == r.start


@given(v4, st.integers(0, 5000), st.integers(0, 2**32 - 1))
def test_ip2asn_ranges_split_into_exact_cidrs(
    start: ipaddress.IPv4Address, size: int, a: int
) -> None:
    end_int = min(int(start) + size, 2**32 - 1)
    end = ipaddress.IPv4Address(end_int)
    r = asn.parse_line(1, f"{start}\t{end}\t{a}\tFR\tX")
    assert r is not None
    blocks = asn.cidrs(r)
    assert sum(b.num_addresses for b in blocks) == end_int - int(start) + 1
    assert blocks[0].network_address == start and blocks[-1].broadcast_address == end


@pytest.mark.parametrize("text", ["192.0.2.7/24", "10.0.0.0/33", "bogus", ""])
def test_parse_network_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="CIDR"):
        net.parse_network(text)
