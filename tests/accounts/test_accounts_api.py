"""/api/v1/accounts: bearer tokens, permissions, problem+json errors, tokens stored hashed."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.deps import sha256_hex
from contactpoint.accounts.models import ApiToken
from contactpoint.core.actor import SYSTEM
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction, utcnow
from factories import make_org, make_token, make_user


def admin_token(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as s:
        admin = make_user(s, make_org(s, "EU CP", "eu-contact-point", "EU"), roles=["admin"])
        return make_token(s, admin, ["admin:manage"])[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(resp, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert words in resp.json()["detail"]


def test_create_org_user_token_and_me(client: TestClient, factory: sessionmaker[Session]) -> None:
    h = bearer(admin_token(factory))
    r = client.post(
        "/api/v1/accounts/organisations",
        headers=h,
        json={"name": "BKA", "kind": "law-enforcement", "country": "DE"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/accounts/users",
        headers=h,
        json={
            "email": "k@bka.de",
            "organisation": "BKA",
            "roles": ["analyst"],
            "password": "a long enough password",
        },
    )
    assert r.status_code == 201, r.text
    assert "password" not in r.text
    r = client.post(
        "/api/v1/accounts/tokens",
        headers=h,
        json={
            "organisation": "BKA",
            "user": "k@bka.de",
            "name": "feed",
            "permissions": ["reports:read"],
            "expires_days": 7,
        },
    )
    assert r.status_code == 201, r.text
    text = r.json()["token"]
    with transaction(factory) as s:
        row = s.get(ApiToken, uuid.UUID(r.json()["id"]))
        assert row is not None and row.token_hash == sha256_hex(text)
        assert text not in str(s.execute(select(ApiToken.__table__)).all())
    me = client.get("/api/v1/accounts/me", headers=bearer(text))
    assert me.status_code == 200
    assert me.json()["organisation"]["name"] == "BKA"
    assert me.json()["permissions"] == ["reports:read"]
    # The new token lacks admin:manage: permission denied is 403 problem+json.
    assert_problem(client.get("/api/v1/accounts/users", headers=bearer(text)), 403, "admin:manage")
    with transaction(factory) as s:
        acts = set(s.scalars(select(AuditEntry.action)))
    assert {"organisation.create", "user.create", "token.create"} <= acts


def test_bad_input_names_the_field(client: TestClient, factory: sessionmaker[Session]) -> None:
    h = bearer(admin_token(factory))
    r = client.post(
        "/api/v1/accounts/organisations",
        headers=h,
        json={"name": "X", "kind": "isp", "country": "fr"},
    )
    assert_problem(r, 422, "country 'fr'")
    assert r.json()["errors"][0]["field"] == "country"


def test_revoked_and_expired_tokens_are_401(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    h = bearer(admin_token(factory))
    with transaction(factory) as s:
        user = make_user(s, roles=["analyst"])
        _, expired = make_token(s, user, ["reports:read"], expires_days=1)
        row = s.scalars(select(ApiToken).where(ApiToken.token_hash == sha256_hex(expired))).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        victim, revoked = make_token(s, user, ["reports:read"])
    assert client.get("/api/v1/accounts/me", headers=bearer(revoked)).status_code == 200
    assert client.delete(f"/api/v1/accounts/tokens/{victim.id}", headers=h).status_code == 204
    assert_problem(client.get("/api/v1/accounts/me", headers=bearer(revoked)), 401, "revoked")
    assert_problem(client.get("/api/v1/accounts/me", headers=bearer(expired)), 401, "expired")
    assert_problem(
        client.get("/api/v1/accounts/me", headers=bearer("cp_nope_nope")), 401, "not valid"
    )
    assert_problem(client.get("/api/v1/accounts/me"), 401, "bearer token is required")


def test_token_permissions_limited_to_the_users_roles(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    h = bearer(admin_token(factory))
    with transaction(factory) as s:
        bank = make_org(s, "Bank", "bank", "NL")
        make_user(s, bank, roles=["bank-operator"], email="ops@bank.nl")
    r = client.post(
        "/api/v1/accounts/tokens",
        headers=h,
        json={
            "organisation": "Bank",
            "user": "ops@bank.nl",
            "name": "t",
            "permissions": ["cases:manage"],
        },
    )
    assert_problem(r, 422, "do not allow: cases:manage")


def test_lists_are_paginated_with_a_cursor(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    h = bearer(admin_token(factory))
    with transaction(factory) as s:
        for i in range(5):
            make_org(s, f"Org {i:02d}", "isp", "FR")
    seen: list[str] = []
    url = "/api/v1/accounts/organisations?limit=2"
    while True:
        page = client.get(url, headers=h).json()
        seen += [o["name"] for o in page["items"]]
        if not page["next_cursor"]:
            break
        url = f"/api/v1/accounts/organisations?limit=2&cursor={page['next_cursor']}"
    assert seen == sorted(seen) and len(seen) == 6
    with transaction(factory) as s:
        assert len(service.list_organisations(s)) == 6


def test_token_of_a_deactivated_organisation_is_401(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    h = bearer(admin_token(factory))
    with transaction(factory) as s:
        user = make_user(s, make_org(s, "Gone", "isp", "FR"), roles=["provider-operator"])
        _, text = make_token(s, user, ["blocklists:read"])
        org_id = user.organisation_id
    assert client.get("/api/v1/accounts/me", headers=bearer(text)).status_code == 200
    with transaction(factory) as s:
        service.deactivate_organisation(s, SYSTEM, service.get_organisation(s, org_id))
    assert_problem(client.get("/api/v1/accounts/me", headers=bearer(text)), 401, "not active")
    assert client.get("/api/v1/accounts/me", headers=h).status_code == 200
