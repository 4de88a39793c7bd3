"""Builders for the notice tests (takedown/test_notice*.py, test_portal*.py): a sending
authority, a hotline, and a hosting provider on the platform with its directory entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from contactpoint.accounts.models import User
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderKind
from factories import make_org, make_user

TCO_FIELDS = {
    "issuing_authority": "OCLCTIC, Nanterre; +33 1 00 00 00 00",
    "authority_reference": "OCLCTIC-TCO-2026-17",
    "addressee_contact": "HostCo abuse desk, tco@hostco.net",
    "reasons": "Video glorifying a terrorist attack and inciting its repetition (Art. 2(7)).",
    "redress": "Appeal to the administrative court of Paris; complaint to the provider.",
}
DSA_FIELDS = {
    "explanation": "Phishing page imitating a French bank's log-in form.",
    "good_faith": "I believe in good faith that this notice is accurate and complete.",
}
FIELDS_BY_KIND: dict[str, dict[str, str]] = {
    "tco-removal-order": TCO_FIELDS,
    "dsa-art16": DSA_FIELDS,
    "voluntary-referral": {"reasons": "Recruitment propaganda against the host's terms."},
    "hotline-ntd": {
        "assessment": "baseline",
        "explanation": "Images of a child, INTERPOL baseline.",
    },
}
CATEGORY_BY_KIND = {
    "tco-removal-order": "terrorist-content",
    "dsa-art16": "phishing",
    "voluntary-referral": "terrorist-content",
    "hotline-ntd": "csam",
}


@dataclass
class World:
    police: User  # law-enforcement analyst (may issue TCO orders)
    hotline: User  # hotline analyst
    operator: User  # HostCo's provider operator
    other_operator: User  # another provider's operator
    provider: Provider
    other_provider: Provider


def make_provider(
    session: Session, name: str, domain: str, org_id: Any = None, country: str = "DE"
) -> Provider:
    provider = Provider(
        name=name, kind=ProviderKind.HOSTING, country=country, org_id=org_id, active=True
    )
    session.add(provider)
    session.flush()
    session.add(ProviderDomain(provider_id=provider.id, domain=domain))
    session.flush()
    return provider


def world(session: Session) -> World:
    police = make_user(session, make_org(session, kind="law-enforcement", country="FR"))
    hotline = make_user(session, make_org(session, kind="hotline", country="NL"))
    host_org = make_org(session, kind="hosting", country="DE")
    operator = make_user(session, host_org, ["provider-operator"])
    other_org = make_org(session, kind="hosting", country="IE")
    other_operator = make_user(session, other_org, ["provider-operator"])
    provider = make_provider(session, f"HostCo {host_org.id.hex[:6]}", "hostco.net", host_org.id)
    other = make_provider(
        session, f"OtherHost {other_org.id.hex[:6]}", "otherhost.org", other_org.id, "IE"
    )
    return World(police, hotline, operator, other_operator, provider, other)


def notice_data(kind: str = "tco-removal-order", **overrides: Any) -> dict[str, Any]:
    """A valid API body of ``kind`` about a page at HostCo; override any key."""
    data: dict[str, Any] = {
        "kind": kind,
        "urls": ["https://files.hostco.net/v/attack.mp4"],
        "category": CATEGORY_BY_KIND[kind],
        "fields": dict(FIELDS_BY_KIND[kind]),
    }
    if kind == "dsa-art16":
        data |= {"notifier_name": "Anne Analyst", "notifier_email": "anne@police.example"}
    data.update(overrides)
    return data
