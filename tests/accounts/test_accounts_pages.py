"""Sign-in pages, the session cookie, CSRF, redirects and the home page per role."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.deps import SESSION_COOKIE, sha256_hex
from contactpoint.accounts.models import LoginSession
from contactpoint.accounts.ui import safe_next
from contactpoint.core.actor import SYSTEM
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from factories import PASSWORD, csrf_of, enrol_totp, login, make_org, make_user


def seed(factory: sessionmaker[Session], roles: list[str], email: str = "u@police.fr") -> None:
    with transaction(factory) as s:
        make_user(s, make_org(s, "Police FR"), roles=roles, email=email)


def post_login(client: TestClient, email: str, password: str, next: str = "/"):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password, "next": next},
        follow_redirects=False,
    )


def test_anonymous_home_links_to_report_and_login(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/report"' in page.text and 'href="/login"' in page.text


def test_wrong_login_says_the_same_for_unknown_user(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    seed(factory, ["analyst"])
    unknown = post_login(client, "ghost@police.fr", PASSWORD)
    wrong = post_login(client, "u@police.fr", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "invalid email or password" in unknown.text and "invalid email or password" in wrong.text
    assert SESSION_COOKIE not in client.cookies
    with transaction(factory) as s:  # the failure was counted although the page said no
        assert service.get_user(s, "u@police.fr").failed_logins == 1


def test_login_sets_a_safe_cookie_and_shows_the_role_home(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    seed(factory, ["analyst"])
    resp = post_login(client, "u@police.fr", PASSWORD, next="/admin")
    assert resp.status_code == 303 and resp.headers["location"] == "/admin"
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    secret = client.cookies[SESSION_COOKIE]
    with transaction(factory) as s:
        row = s.scalars(select(LoginSession)).one()
        assert row.token_hash == sha256_hex(secret) and row.mfa_passed
    home = client.get("/")
    assert "Report queue" in home.text and "u@police.fr" in home.text
    assert 'href="/campaigns"' in home.text  # an analyst reads the campaigns
    assert "Administration" not in home.text
    # An analyst is refused the admin pages.
    assert client.get("/admin/users").status_code == 403


def test_logout_ends_the_session(client: TestClient, factory: sessionmaker[Session]) -> None:
    seed(factory, ["auditor"])
    login(client, "u@police.fr")
    home = client.get("/")
    assert "Audit log" in home.text
    resp = client.post("/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/"
    assert 'href="/login"' in client.get("/").text
    with transaction(factory) as s:
        assert s.scalars(select(LoginSession)).one().ended_at is not None


def test_form_post_without_csrf_token_is_403(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    seed(factory, ["analyst"])
    client.get("/login")
    resp = client.post("/login", data={"email": "u@police.fr", "password": PASSWORD})
    assert resp.status_code == 403 and "CSRF" in resp.json()["detail"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/reports?x=1", "/reports?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_is_only_a_local_path(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_open_redirect_is_refused(client: TestClient, factory: sessionmaker[Session]) -> None:
    seed(factory, ["analyst"])
    resp = post_login(client, "u@police.fr", PASSWORD, next="https://evil.example/")
    assert resp.headers["location"] == "/"


def test_signed_out_page_redirects_to_login(client: TestClient) -> None:
    resp = client.get("/admin/users", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=/admin/users"


def test_mfa_required_role_enrols_then_uses_the_code(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        make_user(
            s, make_org(s, "EU CP", "eu-contact-point", "EU"), roles=["admin"], email="admin@eu.int"
        )
        service.set_mfa_required(s, SYSTEM, "admin", True)
    resp = post_login(client, "admin@eu.int", PASSWORD)
    assert resp.headers["location"].startswith("/login/mfa")
    # Half signed in: no access yet.
    assert client.get("/admin", follow_redirects=False).status_code == 303
    page = client.get("/login/mfa")
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    assert "otpauth://totp/" in page.text
    before = client.cookies[SESSION_COOKIE]
    bad = client.post("/login/mfa", data={"csrf_token": csrf_of(page.text), "code": "12345x"})
    assert bad.status_code == 401 and "invalid or already used code" in bad.text
    ok = client.post(
        "/login/mfa",
        data={"csrf_token": csrf_of(page.text), "code": pyotp.TOTP(secret).now()},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.cookies[SESSION_COOKIE] != before, "the cookie is rotated after MFA"
    assert client.get("/admin").status_code == 200
    with transaction(factory) as s:
        assert service.get_user(s, "admin@eu.int").totp_confirmed
        acts = set(s.scalars(select(AuditEntry.action)))
    assert {"user.totp_enrol", "user.totp_confirm", "login.mfa_failure", "login.success"} <= acts


def test_enrolled_user_needs_the_code(client: TestClient, factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        user = make_user(s, roles=["investigator"], email="i@bka.de")
        secret = enrol_totp(s, user)
    login(client, "i@bka.de", totp_secret=secret)
    assert "Cases" in client.get("/").text


def test_lockout_through_the_page(
    client: TestClient, factory: sessionmaker[Session], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.login_max_failures = 2
    seed(factory, ["analyst"])
    post_login(client, "u@police.fr", "wrong wrong wrong")
    post_login(client, "u@police.fr", "wrong wrong wrong")
    resp = post_login(client, "u@police.fr", PASSWORD)
    assert resp.status_code == 401 and "invalid email or password" in resp.text


def test_rate_limit_through_the_page(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.login_rate_per_minute = 2
    post_login(client, "a@b.org", "x" * 12)
    post_login(client, "a@b.org", "x" * 12)
    resp = post_login(client, "a@b.org", "x" * 12)
    assert resp.status_code == 429 and "too many" in resp.text
