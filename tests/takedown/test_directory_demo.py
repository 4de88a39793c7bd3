"""The demo directory: the demo's provider organisations, documentation networks, and the
demo reports' domains placed so their URLs resolve; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.takedown import directory
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderNetwork
from contactpoint.training.demo_accounts import seed_accounts
from contactpoint.training.demo_providers import PROVIDERS, seed_providers
from factories import make_report


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_demo_providers_resolve_demo_urls_and_reseed_adds_nothing(db: Session) -> None:
    seed_accounts(db)
    make_report(
        db,
        SYSTEM,
        description="The parcel site https://parcel-track.top/pay asked for my card again.",
    )
    assert seed_providers(db) == len(PROVIDERS)
    counts = (_count(db, Provider), _count(db, ProviderNetwork), _count(db, ProviderDomain))
    assert seed_providers(db) == 0
    assert (_count(db, Provider), _count(db, ProviderNetwork), _count(db, ProviderDomain)) == counts

    polder = directory.find_by_name(db, "Polder Hosting")
    assert polder is not None and polder.org_id is not None and polder.country == "NL"
    # Every documentation range resolves; the /36 inside Polder's 2001:db8::/32 wins.
    for ip, name in [
        ("192.0.2.10", "OVHcloud"),
        ("192.0.2.200", "Hetzner Online"),
        ("198.51.100.7", "Lumière Fibre"),
        ("198.51.100.250", "Nordnetz"),
        ("203.0.113.5", "Polder Hosting"),
        ("203.0.113.200", "Cloudflare"),
        ("[2001:db8:2000::1]", "Hetzner Online"),
        ("[2001:db8:ffff::1]", "Polder Hosting"),
    ]:
        r = directory.resolve_url(db, f"http://{ip}/x")
        assert r is not None and r.provider.name == name, ip
    # The demo report's domain was placed with one of the hosting providers.
    r = directory.resolve_url(db, "https://parcel-track.top/pay", resolver=lambda h: [])
    assert r is not None and r.matched_by == "domain" and r.matched == "parcel-track.top"
    assert r.provider.name in {s.name for s in PROVIDERS if s.hosts_demo_domains}
