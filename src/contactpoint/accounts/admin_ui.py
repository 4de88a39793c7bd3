"""Administration pages (admin:manage): organisations, users, tokens, MFA policy.

Server-rendered forms that work without JavaScript; every POST carries the CSRF token. A
form with bad input is shown again with the message and nothing written (rolled back).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from contactpoint.accounts import service, tokens
from contactpoint.accounts.deps import require_page
from contactpoint.accounts.models import OrgKind, Role
from contactpoint.accounts.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS
from contactpoint.core.actor import Actor
from contactpoint.core.errors import ContactpointError, InvalidInput
from contactpoint.core.web import DB, render

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Actor, Depends(require_page("admin:manage"))]
# Checkbox groups: absent from the form when none is ticked, hence optional.
FormList = Annotated[list[str] | None, Form()]


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _attempt(
    request: Request,
    db: DB,
    template: str,
    context: Callable[[], dict[str, Any]],
    action: Callable[[], Response],
) -> Response:
    """Run ``action``; on bad input roll back and show the form again with the message."""
    try:
        return action()
    except ContactpointError as exc:
        db.rollback()
        return render(request, template, {**context(), "error": exc.detail}, status_code=exc.status)


@router.get("")
def index(request: Request, db: DB, actor: Admin) -> Response:
    return render(
        request,
        "accounts/admin_index.html",
        {
            "orgs": len(service.list_organisations(db)),
            "users": service.count_users(db),
            "tokens": len(tokens.list_tokens(db, actor)),
            "mfa_roles": sorted(service.mfa_required_roles(db)),
        },
    )


# --- organisations -------------------------------------------------------------------------


def _orgs_ctx(db: DB) -> dict[str, Any]:
    return {"orgs": service.list_organisations(db), "kinds": [k.value for k in OrgKind]}


@router.get("/organisations")
def organisations(request: Request, db: DB, actor: Admin) -> Response:
    return render(request, "accounts/admin_orgs.html", _orgs_ctx(db))


@router.post("/organisations")
def create_organisation(
    request: Request,
    db: DB,
    actor: Admin,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
) -> Response:
    def act() -> Response:
        service.create_organisation(db, actor, name, kind, country.strip())
        return _redirect("/admin/organisations")

    return _attempt(
        request,
        db,
        "accounts/admin_orgs.html",
        lambda: {**_orgs_ctx(db), "form": {"name": name, "kind": kind, "country": country}},
        act,
    )


@router.post("/organisations/{org_id}/deactivate")
def deactivate_organisation(db: DB, actor: Admin, org_id: uuid.UUID) -> Response:
    service.deactivate_organisation(db, actor, service.get_organisation(db, org_id))
    return _redirect("/admin/organisations")


# --- users -----------------------------------------------------------------------------------


def _users_ctx(db: DB) -> dict[str, Any]:
    return {
        "users": service.list_users(db),
        "orgs": service.list_organisations(db, include_inactive=False),
        "roles": [r.value for r in Role],
        "min_password": service.PASSWORD_MIN,
    }


@router.get("/users")
def users(request: Request, db: DB, actor: Admin) -> Response:
    return render(request, "accounts/admin_users.html", _users_ctx(db))


@router.post("/users")
def create_user(
    request: Request,
    db: DB,
    actor: Admin,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    roles: FormList = None,
) -> Response:
    def act() -> Response:
        org = service.get_organisation(db, organisation)
        user = service.create_user(db, actor, email, org, roles or [], password, display_name)
        return _redirect(f"/admin/users/{user.id}")

    form = {
        "email": email,
        "display_name": display_name,
        "organisation": organisation,
        "roles": roles,
    }
    return _attempt(
        request, db, "accounts/admin_users.html", lambda: {**_users_ctx(db), "form": form}, act
    )


def _user_ctx(db: DB, actor: Actor, user_id: uuid.UUID) -> dict[str, Any]:
    user = service.get_user(db, user_id)
    return {
        "user": user,
        "roles": [r.value for r in Role],
        "user_tokens": [t for t in tokens.list_tokens(db, actor) if t.user_id == user.id],
        "token_state": tokens.token_state,
        "min_password": service.PASSWORD_MIN,
    }


@router.get("/users/{user_id}")
def user_detail(request: Request, db: DB, actor: Admin, user_id: uuid.UUID) -> Response:
    return render(request, "accounts/admin_user.html", _user_ctx(db, actor, user_id))


@router.post("/users/{user_id}/roles")
def set_roles(
    request: Request, db: DB, actor: Admin, user_id: uuid.UUID, roles: FormList = None
) -> Response:
    def act() -> Response:
        service.set_roles(db, actor, service.get_user(db, user_id), roles or [])
        return _redirect(f"/admin/users/{user_id}")

    return _attempt(
        request, db, "accounts/admin_user.html", lambda: _user_ctx(db, actor, user_id), act
    )


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    db: DB,
    actor: Admin,
    user_id: uuid.UUID,
    password: Annotated[str, Form()] = "",
) -> Response:
    """Empty field: generate one and show it once on the answer page."""

    def act() -> Response:
        user = service.get_user(db, user_id)
        new = service.reset_password(db, actor, user, password or None)
        return render(
            request,
            "accounts/admin_user.html",
            {
                **_user_ctx(db, actor, user_id),
                "done": "password reset; the user's sessions ended",
                "generated": None if password else new,
            },
        )

    return _attempt(
        request, db, "accounts/admin_user.html", lambda: _user_ctx(db, actor, user_id), act
    )


@router.post("/users/{user_id}/totp-reset")
def reset_totp(db: DB, actor: Admin, user_id: uuid.UUID) -> Response:
    service.disable_totp(db, actor, service.get_user(db, user_id))
    return _redirect(f"/admin/users/{user_id}")


@router.post("/users/{user_id}/deactivate")
def deactivate_user(db: DB, actor: Admin, user_id: uuid.UUID) -> Response:
    service.deactivate_user(db, actor, service.get_user(db, user_id))
    return _redirect(f"/admin/users/{user_id}")


# --- tokens ----------------------------------------------------------------------------------


def _tokens_ctx(db: DB, actor: Actor) -> dict[str, Any]:
    users = {u.id: u for u in service.list_users(db)}
    return {
        "tokens": tokens.list_tokens(db, actor),
        "users": users,
        "active_users": [u for u in users.values() if u.active],
        "permissions": ALL_PERMISSIONS,
        "token_state": tokens.token_state,
    }


@router.get("/tokens")
def token_list(request: Request, db: DB, actor: Admin) -> Response:
    return render(request, "accounts/admin_tokens.html", _tokens_ctx(db, actor))


@router.post("/tokens")
def token_create(
    request: Request,
    db: DB,
    actor: Admin,
    user: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    expires_days: Annotated[str, Form()] = "",
    permissions: FormList = None,
) -> Response:
    """The answer page shows the token text once; it is never stored or shown again."""

    def act() -> Response:
        if expires_days.strip() and not expires_days.strip().isdigit():
            raise InvalidInput(
                "expires_days must be a whole number of days",
                errors=[{"field": "expires_days", "message": "number"}],
            )
        owner = service.get_user(db, user)
        token, text = tokens.create_token(
            db,
            actor,
            org=owner.organisation,
            user=owner,
            name=name,
            permissions=permissions or [],
            expires_days=int(expires_days) if expires_days.strip() else None,
        )
        return render(
            request,
            "accounts/admin_tokens.html",
            {**_tokens_ctx(db, actor), "new_token": text, "new_row": token},
        )

    form = {"user": user, "name": name, "expires_days": expires_days, "permissions": permissions}
    return _attempt(
        request,
        db,
        "accounts/admin_tokens.html",
        lambda: {**_tokens_ctx(db, actor), "form": form},
        act,
    )


@router.post("/tokens/{token_id}/revoke")
def token_revoke(db: DB, actor: Admin, token_id: uuid.UUID) -> Response:
    tokens.revoke_token(db, actor, tokens.find_token(db, token_id))
    return _redirect("/admin/tokens")


# --- MFA policy ------------------------------------------------------------------------------


@router.get("/mfa")
def mfa_policy(request: Request, db: DB, actor: Admin) -> Response:
    return render(
        request,
        "accounts/admin_mfa.html",
        {
            "roles": [r.value for r in Role],
            "required": service.mfa_required_roles(db),
            "role_permissions": {r.value: sorted(p) for r, p in ROLE_PERMISSIONS.items()},
        },
    )


@router.post("/mfa")
def mfa_update(db: DB, actor: Admin, required: FormList = None) -> Response:
    """The form lists every role as a checkbox; unchecked roles are relaxed."""
    before = service.mfa_required_roles(db)
    for role in Role:
        want = role.value in (required or [])
        if want != (role.value in before):
            service.set_mfa_required(db, actor, role.value, want)
    return _redirect("/admin/mfa")
