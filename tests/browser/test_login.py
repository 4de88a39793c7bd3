"""Sign in with password and TOTP in a real browser against a real server, then sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "browser test password"
SHOTS = Path("/tmp/cp-shots")
LiveServer = Any  # the live_server fixture of tests/browser/conftest.py

SEED_ENROLLED = """
from contactpoint.accounts import service
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session
with cli_session() as s:
    user = service.get_user(s, "admin@eu.example")
    print(service.begin_totp_enrolment(s, SYSTEM, user))
    user.totp_confirmed = True
"""


def sign_in(page, server: LiveServer, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.get_by_role("link", name="Staff login").click()
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_signs_in_with_totp_and_out(live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    server.cli("org", "add", "EU Contact Point", "--kind", "eu-contact-point", "--country", "EU")
    server.cli(
        "user",
        "add",
        "admin@eu.example",
        "--org",
        "EU Contact Point",
        "--role",
        "admin",
        "--password",
        PASSWORD,
    )
    server.cli("mfa", "require", "admin")
    secret = server.python(SEED_ENROLLED).strip()

    page.goto(server.url + "/")
    assert page.get_by_role("link", name="Report a cyber crime").first.is_visible()
    sign_in(page, server, "admin@eu.example")
    page.wait_for_url("**/login/mfa**")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")
    assert page.get_by_role("heading", name="Welcome, admin@eu.example").is_visible()
    assert page.locator("#roles").inner_text() == "admin"
    assert page.get_by_role("link", name="Administration").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

    page.get_by_role("link", name="Users").first.click()
    assert page.get_by_role("cell", name="admin@eu.example").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(server.url + "/")
    assert page.get_by_role("link", name="Staff login").is_visible()
    assert page.get_by_role("button", name="Log out").count() == 0
    page.goto(server.url + "/admin")
    assert "/login?next=/admin" in page.url


def test_first_sign_in_enrols_the_authenticator(live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    server.cli("org", "add", "Politie NL", "--kind", "law-enforcement", "--country", "NL")
    server.cli(
        "user",
        "add",
        "inv@politie.example",
        "--org",
        "Politie NL",
        "--role",
        "investigator",
        "--password",
        PASSWORD,
    )
    server.cli("mfa", "require", "investigator")

    sign_in(page, server, "inv@politie.example")
    page.wait_for_url("**/login/mfa**")
    assert page.get_by_role("heading", name="Set up your authenticator app").is_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(server.url + "/")
    assert page.get_by_role("heading", name="Cases").is_visible()
