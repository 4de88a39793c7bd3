"""authenticate(): generic failures, lock-out, per-address rate limit, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts import login, service
from contactpoint.accounts.ratelimit import SlidingWindowLimiter
from contactpoint.core.actor import SYSTEM
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import utcnow
from contactpoint.core.errors import RateLimited
from factories import PASSWORD, make_user


def attempt(
    db: Session,
    settings: Settings,
    email: str,
    password: str,
    limiter: SlidingWindowLimiter,
    ip: str = "10.0.0.1",
) -> str:
    """The failure message, or 'ok'."""
    try:
        login.authenticate(db, settings, email, password, ip, limiter)
    except login.LoginFailed as exc:
        return exc.detail
    return "ok"


def test_same_message_for_unknown_user_and_wrong_password(db: Session, settings: Settings) -> None:
    user = make_user(db)
    lim = SlidingWindowLimiter()
    unknown = attempt(db, settings, "ghost@example.org", PASSWORD, lim)
    wrong = attempt(db, settings, user.email, "wrong password!!", lim)
    assert unknown == wrong == "invalid email or password"
    assert attempt(db, settings, user.email.upper(), PASSWORD, lim) == "ok"
    acts = set(db.scalars(select(AuditEntry.action)))
    assert {"login.unknown_user", "login.failure"} <= acts


def test_lockout_after_max_failures(db: Session, settings: Settings) -> None:
    settings.login_max_failures = 3
    user = make_user(db)
    lim = SlidingWindowLimiter()
    for _ in range(3):
        attempt(db, settings, user.email, "wrong password!!", lim)
    assert user.locked_until is not None and user.locked_until > utcnow()
    # Locked: even the right password fails, with the same words.
    assert attempt(db, settings, user.email, PASSWORD, lim) == "invalid email or password"
    # Once the lock has run out, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert attempt(db, settings, user.email, PASSWORD, lim) == "ok"
    assert user.failed_logins == 0


def test_rate_limit_per_address(db: Session, settings: Settings) -> None:
    settings.login_rate_per_minute = 3
    user = make_user(db)
    lim = SlidingWindowLimiter()
    for _ in range(3):
        attempt(db, settings, "ghost@example.org", "whatever password", lim)
    with pytest.raises(RateLimited):
        attempt(db, settings, user.email, PASSWORD, lim)
    # Another address is not affected.
    assert attempt(db, settings, user.email, PASSWORD, lim, ip="10.0.0.2") == "ok"


def test_sliding_window_forgets_old_hits() -> None:
    now = [0.0]
    lim = SlidingWindowLimiter(window=60, clock=lambda: now[0])
    assert lim.hit("a", 2) and lim.hit("a", 2) and not lim.hit("a", 2)
    now[0] = 61.0
    assert lim.hit("a", 2)


def test_deactivated_user_or_organisation_cannot_sign_in(db: Session, settings: Settings) -> None:
    lim = SlidingWindowLimiter()
    user = make_user(db)
    service.deactivate_organisation(db, SYSTEM, user.organisation)
    assert attempt(db, settings, user.email, PASSWORD, lim) == "invalid email or password"
    other = make_user(db)
    service.deactivate_user(db, SYSTEM, other)
    assert attempt(db, settings, other.email, PASSWORD, lim) == "invalid email or password"
