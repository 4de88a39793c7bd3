"""Sign-in: password check with lock-out and rate limit, the second factor, login sessions.

Failures are *returned* to the caller as :class:`LoginFailed` after their counters are
flushed; the page catches it and renders the form, so the request still commits the failed
attempt (raising through the request would roll the counter back).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import sha256_hex
from contactpoint.accounts.models import LoginSession, User
from contactpoint.accounts.ratelimit import SlidingWindowLimiter
from contactpoint.accounts.service import check_totp, confirm_totp, hasher, verify_password
from contactpoint.core.actor import PUBLIC, Actor
from contactpoint.core.audit import record
from contactpoint.core.config import Settings
from contactpoint.core.db import utcnow
from contactpoint.core.errors import RateLimited, Unauthorized

GENERIC_FAILURE = "invalid email or password"
MFA_FAILURE = "invalid or already used code"
PENDING_MFA_MINUTES = 10  # a half-signed-in session must finish the second step quickly

# One process-wide window; the web app keeps its own on app.state (see accounts.ui).
default_limiter = SlidingWindowLimiter()
_DUMMY_HASH: str | None = None


class LoginFailed(Unauthorized):
    """Always the same words, whether the email is unknown, the password wrong or locked."""


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def user_actor(user: User) -> Actor:
    """The user acting on their own account during sign-in (no permissions yet)."""
    return Actor(user_id=user.id, org_id=user.organisation_id, label=user.email)


def check_rate(settings: Settings, client_ip: str, limiter: SlidingWindowLimiter | None) -> None:
    limiter = limiter or default_limiter
    if not limiter.hit(f"login:{client_ip}", settings.login_rate_per_minute):
        raise RateLimited("too many sign-in attempts from your address; wait a minute")


def _fail(session: Session, settings: Settings, user: User, action: str) -> None:
    """Count a failure; at the limit lock the account for the configured minutes."""
    user.failed_logins = (user.failed_logins or 0) + 1
    details: dict[str, object] = {"failures": user.failed_logins}
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = utcnow() + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        details["locked_until"] = user.locked_until.isoformat()
    record(
        session, user_actor(user), action, object_type="user", object_id=user.id, details=details
    )
    session.flush()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def authenticate(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    client_ip: str,
    limiter: SlidingWindowLimiter | None = None,
) -> User:
    """The user behind a correct email and password, or LoginFailed / RateLimited."""
    check_rate(settings, client_ip, limiter)
    email = (email or "").strip().lower()
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        verify_password(_dummy_hash(), password)  # spend the same time as a real check
        record(session, PUBLIC, "login.unknown_user", details={"email": email, "ip": client_ip})
        raise LoginFailed(GENERIC_FAILURE)
    good = verify_password(user.password_hash, password)
    usable = user.active and user.organisation.active
    if is_locked(user):
        record(
            session,
            user_actor(user),
            "login.locked",
            object_type="user",
            object_id=user.id,
            details={"ip": client_ip},
        )
        raise LoginFailed(GENERIC_FAILURE)
    if not good:
        _fail(session, settings, user, "login.failure")
        raise LoginFailed(GENERIC_FAILURE)
    if not usable:
        record(
            session,
            user_actor(user),
            "login.inactive",
            object_type="user",
            object_id=user.id,
            details={"ip": client_ip},
        )
        raise LoginFailed(GENERIC_FAILURE)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    return user


def start_session(session: Session, user: User, *, mfa_passed: bool, client_ip: str) -> str:
    """A new login session; returns the cookie secret (only its SHA-256 is stored)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=sha256_hex(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            mfa_passed=mfa_passed,
        )
    )
    if mfa_passed:
        user.last_login_at = now
    record(
        session,
        user_actor(user),
        "login.password_ok" if not mfa_passed else "login.success",
        object_type="user",
        object_id=user.id,
        details={"ip": client_ip},
    )
    session.flush()
    return secret


def pending_expired(row: LoginSession) -> bool:
    return not row.mfa_passed and row.created_at < utcnow() - timedelta(minutes=PENDING_MFA_MINUTES)


def second_factor(
    session: Session,
    settings: Settings,
    row: LoginSession,
    user: User,
    code: str,
    client_ip: str,
    limiter: SlidingWindowLimiter | None = None,
) -> str:
    """Check the TOTP code of a half-signed-in session; returns a NEW cookie secret.

    The secret is rotated once the session is fully signed in, so a cookie seen before the
    second step is worthless afterwards.
    """
    check_rate(settings, client_ip, limiter)
    if is_locked(user) or not check_totp(user, code):
        _fail(session, settings, user, "login.mfa_failure")
        raise LoginFailed(MFA_FAILURE)
    return finish_mfa(session, row, user, client_ip)


def enrol_second_factor(
    session: Session,
    settings: Settings,
    row: LoginSession,
    user: User,
    code: str,
    client_ip: str,
    limiter: SlidingWindowLimiter | None = None,
) -> str:
    """Confirm a first TOTP device with its first code and finish signing in."""
    check_rate(settings, client_ip, limiter)
    if is_locked(user) or not confirm_totp(session, user_actor(user), user, code):
        _fail(session, settings, user, "login.mfa_failure")
        raise LoginFailed(MFA_FAILURE)
    return finish_mfa(session, row, user, client_ip)


def finish_mfa(session: Session, row: LoginSession, user: User, client_ip: str) -> str:
    secret = secrets.token_urlsafe(32)
    row.token_hash = sha256_hex(secret)
    row.mfa_passed = True
    row.last_seen_at = utcnow()
    user.failed_logins = 0
    user.last_login_at = utcnow()
    record(
        session,
        user_actor(user),
        "login.success",
        object_type="user",
        object_id=user.id,
        details={"ip": client_ip, "mfa": True},
    )
    session.flush()
    return secret


def end_session(session: Session, secret: str) -> None:
    row = session.scalars(
        select(LoginSession).where(LoginSession.token_hash == sha256_hex(secret))
    ).first()
    if row is None or row.ended_at is not None:
        return
    row.ended_at = utcnow()
    user = session.get(User, row.user_id)
    if user is not None:
        record(session, user_actor(user), "logout", object_type="user", object_id=user.id)
    session.flush()
