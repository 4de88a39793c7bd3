"""Admin pages: organisations, users, roles, password reset, tokens (shown once), MFA policy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.deps import sha256_hex
from contactpoint.accounts.models import ApiToken
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from factories import enrol_totp, login, make_org, make_user, post_form


@pytest.fixture
def admin(client: TestClient, factory: sessionmaker[Session]) -> TestClient:
    with transaction(factory) as s:
        user = make_user(
            s, make_org(s, "EU CP", "eu-contact-point", "EU"), roles=["admin"], email="admin@eu.int"
        )
        secret = enrol_totp(s, user)
    login(client, "admin@eu.int", totp_secret=secret)
    return client


def test_admin_creates_org_and_user_with_roles(
    admin: TestClient, factory: sessionmaker[Session]
) -> None:
    r = post_form(
        admin,
        "/admin/organisations",
        "/admin/organisations",
        {"name": "Politie NL", "kind": "law-enforcement", "country": "NL"},
    )
    assert r.status_code == 303
    assert "Politie NL" in admin.get("/admin/organisations").text
    with transaction(factory) as s:
        org_id = str(service.get_organisation(s, "Politie NL").id)
    r = post_form(
        admin,
        "/admin/users",
        "/admin/users",
        {
            "email": "jan@politie.nl",
            "organisation": org_id,
            "roles": ["analyst", "investigator"],
            "password": "a long password!",
        },
    )
    assert r.status_code == 303
    detail = admin.get(r.headers["location"])
    assert "jan@politie.nl" in detail.text
    with transaction(factory) as s:
        assert service.get_user(s, "jan@politie.nl").roles == ["analyst", "investigator"]


def test_bad_form_input_is_shown_and_nothing_written(
    admin: TestClient, factory: sessionmaker[Session]
) -> None:
    r = post_form(
        admin,
        "/admin/organisations",
        "/admin/organisations",
        {"name": "Bad", "kind": "isp", "country": "France"},
    )
    assert r.status_code == 422 and "country &#39;France&#39;" in r.text
    with transaction(factory) as s:
        assert [o.name for o in service.list_organisations(s)] == ["EU CP"]


def test_roles_password_reset_and_totp_reset(
    admin: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        user = make_user(s, roles=["analyst"], email="x@isp.de")
        enrol_totp(s, user)
        url = f"/admin/users/{user.id}"
    assert post_form(admin, url, f"{url}/roles", {"roles": ["auditor"]}).status_code == 303
    r = post_form(admin, url, f"{url}/password", {"password": ""})
    generated = r.text.split('id="generated-password">')[1].split("<")[0]
    assert post_form(admin, url, f"{url}/totp-reset", {}).status_code == 303
    with transaction(factory) as s:
        user = service.get_user(s, "x@isp.de")
        assert user.roles == ["auditor"] and not user.totp_confirmed
        assert service.verify_password(user.password_hash, generated)
        acts = set(s.scalars(select(AuditEntry.action)))
    assert {"user.set_roles", "user.reset_password", "user.totp_disable"} <= acts


def test_token_is_shown_once_and_stored_hashed(
    admin: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        user = make_user(s, make_org(s, "ISP", "isp", "DE"), roles=["provider-operator"])
        uid = str(user.id)
    r = post_form(
        admin,
        "/admin/tokens",
        "/admin/tokens",
        {"user": uid, "name": "rpz sync", "permissions": ["blocklists:read"], "expires_days": "90"},
    )
    assert r.status_code == 200
    text = r.text.split('id="new-token">')[1].split("<")[0]
    assert text.startswith("cp_")
    listing = admin.get("/admin/tokens").text
    assert text not in listing and "rpz sync" in listing
    with transaction(factory) as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash == sha256_hex(text)
    auth = {"Authorization": f"Bearer {text}"}
    assert admin.get("/api/v1/accounts/me", headers=auth).json()["permissions"] == [
        "blocklists:read"
    ]
    revoke = post_form(admin, "/admin/tokens", f"/admin/tokens/{row.id}/revoke", {})
    assert revoke.status_code == 303
    assert admin.get("/api/v1/accounts/me", headers=auth).status_code == 401


def test_token_beyond_the_users_roles_is_refused(
    admin: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        uid = str(make_user(s, roles=["bank-operator"]).id)
    r = post_form(
        admin,
        "/admin/tokens",
        "/admin/tokens",
        {"user": uid, "name": "x", "permissions": ["admin:manage"]},
    )
    assert r.status_code == 422 and "do not allow: admin:manage" in r.text
    assert "new-token" not in r.text


def test_mfa_policy_page(admin: TestClient, factory: sessionmaker[Session]) -> None:
    r = post_form(admin, "/admin/mfa", "/admin/mfa", {"required": ["admin", "investigator"]})
    assert r.status_code == 303
    with transaction(factory) as s:
        assert service.mfa_required_roles(s) == {"admin", "investigator"}
    post_form(admin, "/admin/mfa", "/admin/mfa", {"required": ["admin"]})
    with transaction(factory) as s:
        assert service.mfa_required_roles(s) == {"admin"}


@pytest.mark.parametrize(
    "url", ["/admin", "/admin/organisations", "/admin/users", "/admin/tokens", "/admin/mfa"]
)
def test_admin_pages_require_admin(
    client: TestClient, factory: sessionmaker[Session], url: str
) -> None:
    with transaction(factory) as s:
        make_user(s, roles=["analyst", "auditor"], email="a@police.fr")
    login(client, "a@police.fr")
    assert client.get(url).status_code == 403
