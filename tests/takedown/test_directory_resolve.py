"""Finding the provider of a URL: domain suffix first, then longest network prefix."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.audit import AuditEntry
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput
from contactpoint.takedown import directory
from contactpoint.takedown import directory_net as netaddr
from contactpoint.takedown.directory_models import Provider
from factories import actor_of, make_org, make_user


def _provider(db: Session, name: str, country: str = "FR") -> Provider:
    return directory.create_provider(db, SYSTEM, {"name": name, "country": country})


def _resolver(table: dict[str, list[str]]) -> directory.Resolver:
    return lambda host: table.get(host, [])


def test_domain_suffix_then_longest_prefix(db: Session) -> None:
    big = _provider(db, "Big Hosting")
    small = _provider(db, "Small Reseller", "DE")
    platform = _provider(db, "Blog Platform")
    directory.add_network(db, SYSTEM, big.id, "198.51.100.0/24", "AS64500")
    directory.add_network(db, SYSTEM, small.id, "198.51.100.128/25", 64501)
    directory.add_network(db, SYSTEM, big.id, "2001:db8::/32", 64500)
    directory.add_network(db, SYSTEM, small.id, "2001:db8:42::/48", 64501)
    directory.add_domain(db, SYSTEM, platform.id, "Blogs.Example.ORG.")
    directory.add_domain(db, SYSTEM, big.id, "example.org")

    # The longest registered suffix wins over a shorter one and over any address.
    r = directory.resolve_url(db, "https://alice.blogs.example.org/x?y=1", resolver=_resolver({}))
    assert r is not None and (r.provider.name, r.matched_by, r.matched, r.ip) == (
        "Blog Platform",
        "domain",
        "blogs.example.org",
        None,
    )
    r = directory.resolve_url(db, "http://www.example.org/", resolver=_resolver({}))
    assert r is not None and r.provider.name == "Big Hosting" and r.matched == "example.org"

    # IP literals: the /25 inside the /24 wins for its half, the /24 for the other half.
    r = directory.resolve_url(db, "http://198.51.100.200/a")
    assert r is not None and (r.provider.name, r.matched, r.ip) == (
        "Small Reseller",
        "198.51.100.128/25 (AS64501)",
        "198.51.100.200",
    )
    r = directory.resolve_url(db, "http://198.51.100.7/a")
    assert r is not None and r.provider.name == "Big Hosting"
    r = directory.resolve_url(db, "http://[2001:db8:42::1]/a")
    assert r is not None and r.provider.name == "Small Reseller" and r.ip == "2001:db8:42::1"
    r = directory.resolve_url(db, "http://[2001:db8:43::1]/a")
    assert r is not None and r.provider.name == "Big Hosting"

    # A host unknown by domain is found through the resolver's addresses; private ones skip.
    table = {"shop.example.net": ["10.0.0.1", "198.51.100.130"]}
    r = directory.resolve_url(db, "https://shop.example.net/", resolver=_resolver(table))
    assert r is not None and r.matched_by == "ip" and r.ip == "198.51.100.130"
    assert directory.resolve_url(db, "https://nothing.example.net/", resolver=_resolver({})) is None
    assert directory.resolve_url(db, "http://203.0.113.9/") is None


def test_ipv4_and_ipv6_keys_do_not_collide(db: Session) -> None:
    v6 = _provider(db, "Six")
    directory.add_network(db, SYSTEM, v6.id, "2001:db8::/32")
    # An IPv4 address whose integer lies in the IPv6 network's would-be range is not in it.
    assert directory.resolve_url(db, "http://192.0.2.1/") is None
    start, end = netaddr.bounds(netaddr.parse_network("192.0.2.0/24"))
    assert start.endswith("ffffc0000200") and end.endswith("ffffc00002ff") and len(start) == 32


def test_deactivated_provider_is_not_resolved(db: Session) -> None:
    p = _provider(db, "Gone Hosting")
    directory.add_network(db, SYSTEM, p.id, "203.0.113.0/24")
    assert directory.resolve_url(db, "http://203.0.113.5/") is not None
    directory.set_active(db, SYSTEM, p.id, False)
    assert directory.resolve_url(db, "http://203.0.113.5/") is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://[::1", "not a URL"),
        ("http://localhost/x", "not a domain name"),
        ("http://10.1.2.3/", "private"),
        ("http://127.0.0.1:8080/", "private"),
        ("http://[fe80::1]/", "private"),
        ("http://[::ffff:192.168.1.1]/", "private"),
        ("mailto:abuse@example.org", "http(s) URL"),
        ("http://exa mple.com/", "not a domain name"),
    ],
)
def test_bad_targets_are_named(db: Session, url: str, words: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        directory.resolve_url(db, url, resolver=_resolver({}))
    assert words in exc.value.detail and exc.value.errors[0]["field"] == "url"
    assert exc.value.status == 422


def test_editing_checks_permission_conflicts_and_audits(db: Session) -> None:
    analyst = actor_of(make_user(db, roles=["analyst"]))
    officer = actor_of(make_user(db, roles=["contact-point-officer"]))
    provider_op = actor_of(make_user(db, make_org(db, kind="hosting"), ["provider-operator"]))
    with pytest.raises(Forbidden):
        directory.create_provider(db, analyst, {"name": "X", "country": "FR"})
    with pytest.raises(Forbidden):
        directory.list_providers(db, provider_op)
    p = directory.create_provider(db, officer, {"name": "Host A", "country": "fr"})
    assert p.country == "FR" and p.kind.value == "hosting"
    # The analyst (takedown:manage) may read the directory.
    assert [x.name for x in directory.list_providers(db, analyst, q="host")] == ["Host A"]
    with pytest.raises(Conflict):
        directory.create_provider(db, officer, {"name": "Host A", "country": "DE"})
    directory.add_network(db, officer, p.id, "192.0.2.0/24", 64500)
    with pytest.raises(Conflict):
        directory.add_network(db, officer, p.id, "192.0.2.0/24")
    for cidr, words in [("192.0.2.7/24", "host bits"), ("10.0.0.0/8", "private"), ("x", "CIDR")]:
        with pytest.raises(InvalidInput) as exc:
            directory.add_network(db, officer, p.id, cidr)
        assert words in exc.value.detail and exc.value.errors[0]["field"] == "cidr"
    with pytest.raises(InvalidInput) as exc:
        directory.update_provider(db, officer, p.id, {"abuse_email": "nope"})
    assert exc.value.errors[0]["field"] == "abuse_email"
    directory.update_provider(db, officer, p.id, {"abuse_email": "abuse@host-a.example"})
    actions = list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-3:] == [
        "takedown.provider.created",
        "takedown.provider.network_added",
        "takedown.provider.updated",
    ]
