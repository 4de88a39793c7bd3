"""Demo provider directory for `contactpoint demo`.

The demo's provider and ISP organisations get their directory entries (so their operators
see the notices addressed to them), and a few well-known hosting providers are listed with
documentation networks only (RFC 5737 / RFC 3849: 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24, 2001:db8::/32), since the synthetic reports use those addresses. The demo
reports' domains are spread over the hosting providers, so `providers resolve` and the
notice form find a provider for the demo URLs. Running it twice adds nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.core.actor import SYSTEM
from contactpoint.core.errors import ContactpointError
from contactpoint.indicators.models import Indicator
from contactpoint.takedown import directory
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderNetwork

DEMO_NOTE = "Demo entry: the networks are documentation ranges, not the provider's own."


@dataclass(frozen=True)
class DemoProvider:
    name: str
    kind: str
    country: str
    org: str | None
    abuse_email: str | None
    networks: tuple[tuple[str, int], ...]
    domains: tuple[str, ...] = ()
    tco_contact: str | None = None
    hosts_demo_domains: bool = False


PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider(
        "Polder Hosting",
        "hosting",
        "NL",
        "Polder Hosting (NL)",
        "abuse@polderhosting.example.net",
        (("203.0.113.0/25", 64496), ("2001:db8::/32", 64496)),
        ("polderhosting.example.net",),
        tco_contact="tco@polderhosting.example.net",
        hosts_demo_domains=True,
    ),
    DemoProvider(
        "Lumière Fibre",
        "access",
        "FR",
        "Lumière Fibre ISP (FR)",
        "abuse@lumierefibre.example.com",
        (("198.51.100.0/25", 64497),),
        ("lumierefibre.example.com",),
    ),
    DemoProvider(
        "Nordnetz",
        "access",
        "DE",
        "Nordnetz ISP (DE)",
        "abuse@nordnetz.example.org",
        (("198.51.100.128/25", 64498),),
        ("nordnetz.example.org",),
    ),
    DemoProvider(
        "OVHcloud",
        "hosting",
        "FR",
        None,
        "abuse@ovh.net",
        (("192.0.2.0/25", 16276), ("2001:db8:1000::/36", 16276)),
        hosts_demo_domains=True,
    ),
    DemoProvider(
        "Hetzner Online",
        "hosting",
        "DE",
        None,
        "abuse@hetzner.com",
        (("192.0.2.128/25", 24940), ("2001:db8:2000::/36", 24940)),
        hosts_demo_domains=True,
    ),
    DemoProvider(
        "Cloudflare",
        "cdn",
        "US",
        None,
        "abuse@cloudflare.com",
        (("203.0.113.128/25", 13335),),
        hosts_demo_domains=True,
    ),
    DemoProvider(
        "Amazon Web Services",
        "hosting",
        "US",
        None,
        "abuse@amazonaws.com",
        (("2001:db8:3000::/36", 16509),),
    ),
    DemoProvider(
        "Blogspace",
        "platform",
        "IE",
        None,
        "abuse@blogspace.example.com",
        (),
        ("blogspace.example.com",),
    ),
)
MAX_DEMO_DOMAINS = 300


def seed_providers(session: Session) -> int:
    """Create the demo providers (once) and place the demo reports' domains; returns how
    many providers were created."""
    created = 0
    by_name: dict[str, Provider] = {}
    for spec in PROVIDERS:
        p = directory.find_by_name(session, spec.name)
        if p is None:
            org = (
                session.scalars(select(Organisation).where(Organisation.name == spec.org)).first()
                if spec.org
                else None
            )
            p = directory.create_provider(
                session,
                SYSTEM,
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "country": spec.country,
                    "org": org.name if org else "",
                    "abuse_email": spec.abuse_email,
                    "tco_contact": spec.tco_contact,
                    "notes": DEMO_NOTE,
                },
            )
            created += 1
        by_name[spec.name] = p
        have_nets = {n.cidr for n in directory.networks_of(session, p.id)}
        for cidr, asn in spec.networks:
            if cidr not in have_nets and not _taken_network(session, cidr):
                directory.add_network(session, SYSTEM, p.id, cidr, asn)
        for domain in spec.domains:
            if not _taken_domain(session, domain):
                directory.add_domain(session, SYSTEM, p.id, domain)
    hosts = [by_name[s.name] for s in PROVIDERS if s.hosts_demo_domains]
    _place_report_domains(session, hosts)
    return created


def _taken_network(session: Session, cidr: str) -> bool:
    return (
        session.scalars(select(ProviderNetwork.id).where(ProviderNetwork.cidr == cidr)).first()
        is not None
    )


def _taken_domain(session: Session, domain: str) -> bool:
    return (
        session.scalars(select(ProviderDomain.id).where(ProviderDomain.domain == domain)).first()
        is not None
    )


def _place_report_domains(session: Session, hosts: list[Provider]) -> None:
    """Each demo report's domain goes to one hosting provider, chosen by a hash of the name
    (the same on every run), so the demo's URLs resolve."""
    names = session.scalars(
        select(Indicator.value)
        .where(Indicator.type == "domain", Indicator.value.is_not(None))
        .order_by(Indicator.value)
        .limit(MAX_DEMO_DOMAINS)
    )
    for name in names:
        if not name:
            continue
        try:
            domain = directory.clean_domain(name)
        except ContactpointError:
            continue
        if _taken_domain(session, domain):
            continue
        pick = int(hashlib.sha256(domain.encode()).hexdigest(), 16) % len(hosts)
        directory.add_domain(session, SYSTEM, hosts[pick].id, domain)
