"""Demo organisations and users for `contactpoint demo`: one user per role, fixed passwords.

The passwords and the admin's TOTP secret are printed by the demo on purpose; a demo database
is for trying the product, never for real data. Running it twice adds nothing new.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts import service
from contactpoint.accounts.models import Organisation, Role, User
from contactpoint.core.actor import SYSTEM

DEMO_PASSWORD = "contactpoint-demo"  # noqa: S105  (printed by the demo on purpose)
# Base32, fixed so the printed secret can be typed into an authenticator app once.
DEMO_ADMIN_TOTP = "CONTACTPOINTDEMOADMINTOTPSECRETA"
DOMAIN = "demo.contactpoint.eu"

EU_CP = "EU Cyber Crime Contact Point"
# (name, kind, country)
ORGANISATIONS: list[tuple[str, str, str]] = [
    (EU_CP, "eu-contact-point", "EU"),
    ("Police nationale — cyber unit (FR)", "law-enforcement", "FR"),
    ("Bundeskriminalamt — cyber unit (DE)", "law-enforcement", "DE"),
    ("Politie — high tech crime unit (NL)", "law-enforcement", "NL"),
    ("Meldpunt hotline (NL)", "hotline", "NL"),
    ("Lumière Fibre ISP (FR)", "isp", "FR"),
    ("Nordnetz ISP (DE)", "isp", "DE"),
    ("Polder Hosting (NL)", "hosting", "NL"),
    ("Banque Exemple (FR)", "bank", "FR"),
    ("National CSIRT (DE)", "csirt", "DE"),
]

# (email user part, roles, organisation)
USERS: list[tuple[str, list[Role], str]] = [
    ("admin", [Role.ADMIN], EU_CP),
    ("analyst", [Role.ANALYST], EU_CP),
    ("officer", [Role.CONTACT_POINT_OFFICER], EU_CP),
    ("auditor", [Role.AUDITOR], EU_CP),
    ("investigator", [Role.INVESTIGATOR], "Police nationale — cyber unit (FR)"),
    ("analyst.fr", [Role.ANALYST], "Police nationale — cyber unit (FR)"),
    ("analyst.de", [Role.ANALYST], "Bundeskriminalamt — cyber unit (DE)"),
    ("analyst.nl", [Role.ANALYST], "Politie — high tech crime unit (NL)"),
    ("hotline", [Role.ANALYST], "Meldpunt hotline (NL)"),
    ("provider", [Role.PROVIDER_OPERATOR], "Polder Hosting (NL)"),
    ("isp", [Role.PROVIDER_OPERATOR], "Lumière Fibre ISP (FR)"),
    ("bank", [Role.BANK_OPERATOR], "Banque Exemple (FR)"),
    ("csirt", [Role.ANALYST], "National CSIRT (DE)"),
    ("officer.fr", [Role.CONTACT_POINT_OFFICER], "Police nationale — cyber unit (FR)"),
    ("officer.de", [Role.CONTACT_POINT_OFFICER], "Bundeskriminalamt — cyber unit (DE)"),
    ("officer.nl", [Role.CONTACT_POINT_OFFICER], "Politie — high tech crime unit (NL)"),
]


def _org(session: Session, name: str, kind: str, country: str) -> Organisation:
    found = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    return found or service.create_organisation(session, SYSTEM, name, kind, country)


def seed_accounts(session: Session) -> list[tuple[str, str, list[str], str, str | None]]:
    """Create the demo organisations and users; returns (email, password, roles, org, totp)."""
    orgs = {name: _org(session, name, kind, country) for name, kind, country in ORGANISATIONS}
    if Role.ADMIN.value not in service.mfa_required_roles(session):
        service.set_mfa_required(session, SYSTEM, Role.ADMIN.value, True)
    out: list[tuple[str, str, list[str], str, str | None]] = []
    for local, roles, org_name in USERS:
        email = f"{local}@{DOMAIN}"
        role_names = [r.value for r in roles]
        user = session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = service.create_user(
                session, SYSTEM, email, orgs[org_name], role_names, DEMO_PASSWORD
            )
        totp = None
        if Role.ADMIN.value in role_names:
            if not user.totp_confirmed:
                user.totp_secret = DEMO_ADMIN_TOTP
                user.totp_confirmed = True
                session.flush()
            totp = DEMO_ADMIN_TOTP
        out.append((email, DEMO_PASSWORD, role_names, org_name, totp))
    return out
