"""/account: a user changes their own password and sets up TOTP without an administrator."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.models import LoginSession
from contactpoint.core.db import transaction
from factories import PASSWORD, csrf_of, login, make_user, post_form

NEW = "a brand new password"


def test_change_own_password(client: TestClient, app, factory: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        make_user(s, email="me@bank.fr", roles=["bank-operator"])
    other = TestClient(app)
    login(other, "me@bank.fr")  # a second browser
    login(client, "me@bank.fr")
    wrong = post_form(client, "/account", "/account/password", {"current": "nope", "new": NEW})
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    short = post_form(client, "/account", "/account/password", {"current": PASSWORD, "new": "x"})
    assert short.status_code == 422 and "at least 12" in short.text
    ok = post_form(client, "/account", "/account/password", {"current": PASSWORD, "new": NEW})
    assert ok.status_code == 200 and "password changed" in ok.text
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account", follow_redirects=False).status_code == 303  # the other not
    with transaction(factory) as s:
        user = service.get_user(s, "me@bank.fr")
        assert service.verify_password(user.password_hash, NEW)
        assert len([r for r in s.scalars(select(LoginSession)) if r.ended_at is None]) == 1


def test_voluntary_totp_then_sign_in_asks_for_it(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        make_user(s, email="me@isp.de", roles=["provider-operator"])
    login(client, "me@isp.de")
    page = client.get("/account?enrol=1")
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    bad = post_form(client, "/account?enrol=1", "/account/totp", {"code": "000000x"})
    assert bad.status_code == 422
    code = pyotp.TOTP(secret).now()
    assert (
        "authenticator app set up"
        in post_form(client, "/account", "/account/totp", {"code": code}).text
    )
    client.cookies.clear()  # sign in again: now the code step comes
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "email": "me@isp.de", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.headers["location"].startswith("/login/mfa")
