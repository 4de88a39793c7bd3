"""The demo accounts: every role present, passwords that work, the admin needs TOTP."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.models import OrgKind, Role
from contactpoint.core.db import transaction
from contactpoint.training.demo_accounts import seed_accounts
from factories import login


def test_every_role_and_org_kind_needed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        rows = seed_accounts(s)
        orgs = service.list_organisations(s)
        kinds = {(o.kind, o.country) for o in orgs}
        assert (OrgKind.EU_CONTACT_POINT, "EU") in kinds
        assert {"FR", "DE", "NL"} <= {c for k, c in kinds if k is OrgKind.LAW_ENFORCEMENT}
        for kind in (OrgKind.HOTLINE, OrgKind.HOSTING, OrgKind.BANK, OrgKind.CSIRT):
            assert kind in {k for k, _ in kinds}
        assert sum(1 for k, _ in kinds if k is OrgKind.ISP) == 2
        assert {r.value for r in Role} <= {role for row in rows for role in row[2]}
        analysts = {row[3] for row in rows if "analyst" in row[2]}
        assert sum(1 for name in analysts if "cyber" in name or "crime" in name) == 3
        for email, password, *_ in rows:
            assert service.verify_password(service.get_user(s, email).password_hash, password)
        assert service.mfa_required_roles(s) == {"admin"}
    with transaction(factory) as s:
        again = seed_accounts(s)  # a second run adds nothing and returns the same logins
        assert again == rows and len(service.list_organisations(s)) == len(orgs)


def test_demo_admin_signs_in_with_the_printed_totp(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        rows = seed_accounts(s)
    email, password, _, _, secret = next(r for r in rows if "admin" in r[2])
    assert secret and pyotp.TOTP(secret).now()
    login(client, email, password, totp_secret=secret)
    assert client.get("/admin").status_code == 200
