"""Sign-in pages: password, then TOTP (or TOTP enrolment) when required; sign-out.

The session cookie is HttpOnly and SameSite=Lax. Strict would be safer against cross-site
requests, but a Strict cookie is not sent on the top-level navigation that follows a link
from another site (a mail client, the intranet), so staff following a link to a report would
look signed out. Lax still withholds the cookie from cross-site POSTs, and every form also
carries a CSRF token (core.web.CSRFMiddleware).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from contactpoint.accounts import login, service
from contactpoint.accounts.account_ui import router as account_router
from contactpoint.accounts.admin_ui import router as admin_router
from contactpoint.accounts.deps import SESSION_COOKIE, PageActor, session_user
from contactpoint.accounts.models import LoginSession, User
from contactpoint.accounts.ratelimit import SlidingWindowLimiter
from contactpoint.core.errors import RateLimited
from contactpoint.core.web import DB, render

router = APIRouter(tags=["pages"], include_in_schema=False)
router.include_router(admin_router)
router.include_router(account_router)


def safe_next(value: str | None) -> str:
    """Only paths on this site: no scheme, no host, no '//' or backslash tricks."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limiter(request: Request) -> SlidingWindowLimiter:
    """One window per app instance (tests build fresh apps; production runs one app)."""
    found: SlidingWindowLimiter | None = getattr(request.app.state, "login_limiter", None)
    if found is None:
        found = SlidingWindowLimiter()
        request.app.state.login_limiter = found
    return found


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.app.state.settings.secure_cookies,
    )


@router.get("/login")
def login_page(request: Request, actor: PageActor, next: str | None = None) -> Response:
    if actor.is_authenticated:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
def login_submit(
    request: Request,
    db: DB,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    target = safe_next(next)
    ctx = {"next": target, "email": email}
    try:
        user = login.authenticate(
            db, settings, email, password, client_ip(request), limiter(request)
        )
    except RateLimited as exc:
        return render(request, "accounts/login.html", {**ctx, "error": exc.detail}, status_code=429)
    except login.LoginFailed as exc:
        # Returned, not raised: the failure counter must commit with this request.
        return render(request, "accounts/login.html", {**ctx, "error": exc.detail}, status_code=401)
    needs_mfa = service.requires_mfa(db, user)
    secret = login.start_session(db, user, mfa_passed=not needs_mfa, client_ip=client_ip(request))
    url = f"/login/mfa?next={quote(target)}" if needs_mfa else target
    response = RedirectResponse(url, status_code=303)
    set_session_cookie(request, response, secret)
    return response


def _pending(db: DB, request: Request) -> tuple[LoginSession, User] | None:
    """The half-signed-in session behind the cookie, if it is still fresh."""
    found = session_user(db, request)
    if found is None or login.pending_expired(found[0]):
        return None
    return found


def _mfa_page(
    request: Request,
    db: DB,
    user: User,
    next: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    ctx: dict[str, object] = {
        "next": safe_next(next),
        "enrol": not user.totp_confirmed,
        "error": error,
    }
    if not user.totp_confirmed:
        # First device: show the secret (stored encrypted) until a code confirms it.
        ctx["secret"] = service.begin_totp_enrolment(db, login.user_actor(user), user)
        ctx["uri"] = service.totp_uri(user)
    return render(request, "accounts/mfa.html", ctx, status_code=status_code)


@router.get("/login/mfa")
def mfa_page(request: Request, db: DB, next: str | None = None) -> Response:
    found = _pending(db, request)
    if found is None:
        return RedirectResponse(f"/login?next={quote(safe_next(next))}", status_code=303)
    if found[0].mfa_passed:
        return RedirectResponse(safe_next(next), status_code=303)
    return _mfa_page(request, db, found[1], next or "/")


@router.post("/login/mfa")
def mfa_submit(
    request: Request,
    db: DB,
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    found = _pending(db, request)
    if found is None:
        return RedirectResponse(f"/login?next={quote(safe_next(next))}", status_code=303)
    row, user = found
    settings = request.app.state.settings
    step = login.enrol_second_factor if not user.totp_confirmed else login.second_factor
    try:
        secret = step(db, settings, row, user, code, client_ip(request), limiter(request))
    except RateLimited as exc:
        return _mfa_page(request, db, user, next, exc.detail, 429)
    except login.LoginFailed as exc:
        return _mfa_page(request, db, user, next, exc.detail, 401)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/logout")
def logout(request: Request, db: DB) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        login.end_session(db, secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
