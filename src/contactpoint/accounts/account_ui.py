"""`/account`: the signed-in user's own page: password change and a voluntary TOTP device."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from contactpoint.accounts import service
from contactpoint.accounts.deps import require_page, session_user
from contactpoint.accounts.models import User
from contactpoint.core.actor import Actor
from contactpoint.core.errors import ContactpointError, NotFound
from contactpoint.core.web import DB, render

router = APIRouter(prefix="/account", include_in_schema=False)
SignedIn = Annotated[Actor, Depends(require_page())]


def _me(db: DB, actor: Actor) -> User:
    if actor.user_id is None:
        raise NotFound("no user account")
    return service.get_user(db, actor.user_id)


def _page(request: Request, db: DB, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    user = _me(db, actor)
    ctx: dict[str, Any] = {
        "user": user,
        "min_password": service.PASSWORD_MIN,
        "mfa_required": service.requires_mfa(db, user),
        **extra,
    }
    if extra.get("enrol") and not user.totp_confirmed:
        ctx["secret"] = service.begin_totp_enrolment(db, actor, user)
        ctx["uri"] = service.totp_uri(user)
    return render(request, "accounts/account.html", ctx, status_code=status_code)


@router.get("")
def account(request: Request, db: DB, actor: SignedIn, enrol: bool = False) -> Response:
    return _page(request, db, actor, enrol=enrol)


@router.post("/password")
def change_password(
    request: Request,
    db: DB,
    actor: SignedIn,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
) -> Response:
    found = session_user(db, request)
    keep = found[0].id if found else None
    try:
        service.change_own_password(db, actor, _me(db, actor), current, new, keep)
    except ContactpointError as exc:
        db.rollback()
        return _page(request, db, actor, exc.status, error=exc.detail)
    return _page(request, db, actor, done="password changed; your other sessions ended")


@router.post("/totp")
def confirm_totp(
    request: Request, db: DB, actor: SignedIn, code: Annotated[str, Form()] = ""
) -> Response:
    user = _me(db, actor)
    if user.totp_confirmed:
        return RedirectResponse("/account", status_code=303)
    if user.totp_secret is None or not service.confirm_totp(db, actor, user, code):
        return _page(request, db, actor, 422, enrol=True, error="invalid or already used code")
    return _page(request, db, actor, done="authenticator app set up; sign-in now asks for a code")
