"""FastAPI dependencies that turn a session cookie or a bearer token into an Actor.

Pages authenticate with the session cookie only; the API with bearer tokens only, so a
browser's cookie can never drive the API (and the API needs no CSRF token).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import ApiToken, LoginSession, Organisation, User
from contactpoint.accounts.permissions import permissions_for
from contactpoint.core.actor import PUBLIC, Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Forbidden, NotFound, Unauthorized
from contactpoint.core.web import DB

SESSION_COOKIE = "cp_session"


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_for_user(user: User, org: Organisation) -> Actor:
    return Actor(
        user_id=user.id,
        org_id=org.id,
        label=user.email,
        roles=frozenset(user.roles),
        permissions=permissions_for(user.roles),
        org_kind=org.kind.value,
        country=org.country,
    )


def actor_by_email(session: Session, email: str | None, default: Actor) -> Actor:
    """The CLI's ``--as EMAIL``: that active user as the API would see them; ``default``
    (the system, for operators on the server) when no e-mail is given."""
    if email is None:
        return default
    user = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()
    if user is None or not user.active:
        raise NotFound(f"no active user {email}")
    return actor_for_user(user, user.organisation)


def session_user(session: Session, request: Request) -> tuple[LoginSession, User] | None:
    """The live login session behind the cookie, or None."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    row = session.scalars(
        select(LoginSession).where(LoginSession.token_hash == sha256_hex(secret))
    ).first()
    if row is None or row.ended_at is not None:
        return None
    hours = request.app.state.settings.session_hours
    now = utcnow()
    if row.last_seen_at < now - timedelta(hours=hours):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or not user.organisation.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now  # coarse, so reads do not write on every request
    return row, user


def page_actor(request: Request, db: DB) -> Actor:
    """The signed-in user (MFA completed), or PUBLIC for anonymous visitors."""
    found = session_user(db, request)
    if found is None or not found[0].mfa_passed:
        request.state.actor = PUBLIC
        return PUBLIC
    actor = actor_for_user(found[1], found[1].organisation)
    request.state.actor = actor
    return actor


def require_page(permission: str | None = None) -> Callable[..., Actor]:
    """A page dependency: redirect to /login when signed out, 403 without the permission."""

    def dependency(request: Request, actor: Annotated[Actor, Depends(page_actor)]) -> Actor:
        if not actor.is_authenticated:
            raise LoginRequired(str(request.url.path))
        if permission and not actor.can(permission):
            raise Forbidden(f"your roles do not allow '{permission}'")
        return actor

    return dependency


def api_actor(request: Request, db: DB) -> Actor:
    """The bearer token's actor; 401 as problem+json when missing, unknown, expired, revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("a bearer token is required (Authorization: Bearer <token>)")
    token = db.scalars(
        select(ApiToken).where(ApiToken.token_hash == sha256_hex(secret.strip()))
    ).first()
    now = utcnow()
    if token is None:
        raise Unauthorized("the token is not valid")
    if token.revoked_at is not None:
        raise Unauthorized("the token has been revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("the token has expired")
    org = db.get(Organisation, token.organisation_id)
    if org is None or not org.active:
        raise Unauthorized("the token's organisation is not active")
    user = db.get(User, token.user_id) if token.user_id else None
    if user is not None and not user.active:
        raise Unauthorized("the token's user is not active")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    actor = Actor(
        user_id=token.user_id,
        org_id=org.id,
        label=f"token:{token.prefix}",
        roles=frozenset(user.roles) if user else frozenset(),
        permissions=frozenset(token.permissions),
        org_kind=org.kind.value,
        country=org.country,
        token_id=token.id,
    )
    request.state.actor = actor
    return actor


def require_api(permission: str | None = None) -> Callable[..., Actor]:
    def dependency(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
        if permission and not actor.can(permission):
            raise Forbidden(f"the token does not carry the permission '{permission}'")
        return actor

    return dependency


PageActor = Annotated[Actor, Depends(page_actor)]
