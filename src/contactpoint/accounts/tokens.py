"""API tokens: ``cp_<prefix>_<secret>``, shown once, stored as SHA-256, scoped to an
organisation and to a subset of the permissions of the token's user.

The prefix is stored in clear so people can tell tokens apart in lists and revoke one by
prefix; the secret part never touches the database.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import sha256_hex
from contactpoint.accounts.models import ApiToken, Organisation, User
from contactpoint.accounts.permissions import ALL_PERMISSIONS, permissions_for
from contactpoint.core.actor import Actor
from contactpoint.core.audit import record
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound


def _is_admin(actor: Actor) -> bool:
    return "system" in actor.roles or actor.can("admin:manage")


def new_secret() -> tuple[str, str]:
    """(prefix, full token)."""
    prefix = secrets.token_hex(4)
    return prefix, f"cp_{prefix}_{secrets.token_urlsafe(32)}"


def create_token(
    session: Session,
    actor: Actor,
    *,
    org: Organisation,
    user: User,
    name: str,
    permissions: list[str],
    expires_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Returns the row and the token text; the caller shows the text once and forgets it."""
    if not _is_admin(actor) and actor.user_id != user.id:
        raise Forbidden("only an administrator may create tokens for another user")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(
            "name must have 1 to 200 characters",
            errors=[{"field": "name", "message": "1 to 200 characters"}],
        )
    if user.organisation_id != org.id:
        raise InvalidInput(
            f"user {user.email} is not a member of {org.name}",
            errors=[{"field": "user", "message": "not in the organisation"}],
        )
    if not user.active or not org.active:
        raise InvalidInput(
            "tokens can only be created for active users and organisations",
            errors=[{"field": "user", "message": "inactive"}],
        )
    wanted = sorted(set(permissions))
    unknown = [p for p in wanted if p not in ALL_PERMISSIONS]
    if not wanted or unknown:
        raise InvalidInput(
            "permissions must be one or more of: "
            + ", ".join(ALL_PERMISSIONS)
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            errors=[{"field": "permissions", "message": "unknown or empty"}],
        )
    allowed = permissions_for(user.roles)
    if not _is_admin(actor):
        allowed &= actor.permissions
    beyond = [p for p in wanted if p not in allowed]
    if beyond:
        raise InvalidInput(
            f"the roles of {user.email} do not allow: {', '.join(beyond)}",
            errors=[{"field": "permissions", "message": f"not allowed: {', '.join(beyond)}"}],
        )
    expires_at: datetime | None = None
    if expires_days is not None:
        if not 1 <= expires_days <= 3650:
            raise InvalidInput(
                "expires_days must be between 1 and 3650",
                errors=[{"field": "expires_days", "message": "1 to 3650"}],
            )
        expires_at = utcnow() + timedelta(days=expires_days)
    prefix, text = new_secret()
    token = ApiToken(
        name=name,
        prefix=prefix,
        token_hash=sha256_hex(text),
        organisation_id=org.id,
        user_id=user.id,
        permissions=wanted,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "token.create",
        object_type="api_token",
        object_id=token.id,
        details={
            "name": name,
            "prefix": prefix,
            "organisation": org.name,
            "user": user.email,
            "permissions": wanted,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, text


def list_tokens(session: Session, actor: Actor, org: Organisation | None = None) -> list[ApiToken]:
    """Administrators see every token; others only their own."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc())
    if org is not None:
        query = query.where(ApiToken.organisation_id == org.id)
    if not _is_admin(actor):
        query = query.where(ApiToken.user_id == actor.user_id)
    return list(session.scalars(query))


def find_token(session: Session, ref: str | uuid.UUID) -> ApiToken:
    """By id, by prefix, or by the ``cp_<prefix>_`` start of the token text."""
    token = None
    if isinstance(ref, uuid.UUID):
        token = session.get(ApiToken, ref)
    else:
        ref = ref.strip()
        try:
            as_id: uuid.UUID | None = uuid.UUID(ref)
        except ValueError:
            as_id = None
        if as_id is not None:
            token = session.get(ApiToken, as_id)
        else:
            prefix = ref.removeprefix("cp_").split("_")[0]
            found = list(
                session.scalars(
                    select(ApiToken).where(
                        or_(ApiToken.prefix == prefix, ApiToken.token_hash == sha256_hex(ref))
                    )
                )
            )
            if len(found) > 1:
                raise InvalidInput(
                    f"prefix '{prefix}' matches several tokens; use the id",
                    errors=[{"field": "token", "message": "ambiguous"}],
                )
            token = found[0] if found else None
    if token is None:
        raise NotFound(f"token '{ref}' not found")
    return token


def revoke_token(session: Session, actor: Actor, token: ApiToken) -> None:
    if not _is_admin(actor) and token.user_id != actor.user_id:
        raise Forbidden("only an administrator may revoke another user's token")
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    record(
        session,
        actor,
        "token.revoke",
        object_type="api_token",
        object_id=token.id,
        details={"prefix": token.prefix},
    )
    session.flush()


def token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "expired"
    return "active"
