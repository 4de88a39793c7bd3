"""`/api/v1/accounts`: organisations, users and tokens (bearer tokens with admin:manage)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from contactpoint.accounts import service, tokens
from contactpoint.accounts.deps import require_api
from contactpoint.accounts.models import ApiToken, Organisation, User
from contactpoint.accounts.schemas import (
    Me,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPage,
)
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput
from contactpoint.core.web import DB

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])
Admin = Annotated[Actor, Depends(require_api("admin:manage"))]
AnyToken = Annotated[Actor, Depends(require_api())]
Limit = Annotated[int, Query(ge=1, le=500)]


def _encode(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def _decode(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not one this API gave out",
            errors=[{"field": "cursor", "message": "invalid"}],
        ) from None


def org_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.id, name=org.name, kind=org.kind.value, country=org.country, active=org.active
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        organisation_id=user.organisation_id,
        roles=list(user.roles),
        active=user.active,
        totp_enrolled=user.totp_confirmed,
    )


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        organisation_id=token.organisation_id,
        user_id=token.user_id,
        permissions=list(token.permissions),
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.get("/me", response_model=Me)
def me(db: DB, actor: AnyToken) -> Me:
    """The calling token's organisation and permissions (any valid token)."""
    org = service.get_organisation(db, actor.org_id) if actor.org_id else None
    assert org is not None  # api_actor always sets an organisation
    user = service.get_user(db, actor.user_id) if actor.user_id else None
    return Me(
        organisation=org_out(org),
        user_email=user.email if user else None,
        token_prefix=actor.label.removeprefix("token:"),
        permissions=sorted(actor.permissions),
    )


@router.get("/organisations", response_model=OrganisationPage)
def list_organisations(
    db: DB, actor: Admin, cursor: str | None = None, limit: Limit = 100
) -> OrganisationPage:
    rows = service.list_organisations(db, after=_decode(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return OrganisationPage(
        items=[org_out(o) for o in rows], next_cursor=_encode(rows[-1].name) if more else None
    )


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_organisation(body: OrganisationIn, db: DB, actor: Admin) -> OrganisationOut:
    return org_out(service.create_organisation(db, actor, body.name, body.kind, body.country))


@router.get("/users", response_model=UserPage)
def list_users(
    db: DB,
    actor: Admin,
    organisation: str | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> UserPage:
    org = service.get_organisation(db, organisation) if organisation else None
    rows = service.list_users(db, org, after=_decode(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return UserPage(
        items=[user_out(u) for u in rows], next_cursor=_encode(rows[-1].email) if more else None
    )


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, db: DB, actor: Admin) -> UserOut:
    org = service.get_organisation(db, body.organisation)
    return user_out(
        service.create_user(
            db, actor, body.email, org, body.roles, body.password, body.display_name
        )
    )


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, db: DB, actor: Admin) -> TokenCreated:
    """The answer carries the token text; it is never shown again."""
    org = service.get_organisation(db, body.organisation)
    user = service.get_user(db, body.user)
    token, text = tokens.create_token(
        db,
        actor,
        org=org,
        user=user,
        name=body.name,
        permissions=body.permissions,
        expires_days=body.expires_days,
    )
    return TokenCreated(**token_out(token).model_dump(), token=text)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: uuid.UUID, db: DB, actor: Admin) -> Response:
    tokens.revoke_token(db, actor, tokens.find_token(db, token_id))
    return Response(status_code=204)
