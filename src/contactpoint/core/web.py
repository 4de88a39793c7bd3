"""Web plumbing shared by every area: DB session per request, templates, CSRF, headers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contactpoint.core import i18n
from contactpoint.core.db import short_id
from contactpoint.core.errors import ContactpointError, problem

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CSRF_COOKIE = "cp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: commit at the edge, roll back on any error."""
    session: Session = request.app.state.session_factory()
    # Services that need a setting (e.g. where attachments live) read it from here.
    session.info["settings"] = request.app.state.settings
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DB = Annotated[Session, Depends(get_db, scope="function")]


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_ROOT / "web" / "templates")]
    for area in sorted(PACKAGE_ROOT.iterdir()):
        tdir = area / "templates"
        if area.name != "web" and tdir.is_dir():
            dirs.append(str(tdir))
    return dirs


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=_template_dirs())
    env = templates.env
    env.loader = ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()])
    i18n.install_jinja(env)
    env.filters["short_id"] = short_id
    return templates


templates = make_templates()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the CSRF token, the language and the signed-in actor in context."""
    ctx: dict[str, Any] = {
        "request": request,
        "csrf_token": csrf_token(request),
        "lang": i18n.current_language(),
        "languages": i18n.LANGUAGES,
        "actor": getattr(request.state, "actor", None),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def csrf_token(request: Request) -> str:
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return str(token)


class CSRFMiddleware:
    """Double-submit check on every unsafe request to a page (not /api, which is bearer-only).

    The form field (or the X-CSRF-Token header that htmx sends) must equal the cookie.
    The body is buffered and replayed so the route still reads it.
    """

    def __init__(self, app: ASGIApp, *, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookie = request.cookies.get(CSRF_COOKIE)
        new_cookie = None if cookie else secrets.token_urlsafe(32)
        if new_cookie:
            scope.setdefault("state", {})["csrf_token"] = new_cookie

        unsafe = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if unsafe and not scope["path"].startswith("/api/"):
            body = await _read_body(receive)
            sent = request.headers.get(CSRF_HEADER) or _form_token(request, body)
            if not cookie or not sent or not hmac.compare_digest(cookie, sent):
                response = JSONResponse(
                    problem(403, "Forbidden", "missing or wrong CSRF token; reload the form"),
                    status_code=403,
                    media_type="application/problem+json",
                )
                await response(scope, receive, send)
                return
            receive = _replay(body, receive)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_cookie:
                flags = "; Path=/; SameSite=Strict; HttpOnly" + ("; Secure" if self.secure else "")
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", f"{CSRF_COOKIE}={new_cookie}{flags}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, upstream: Receive) -> Receive:
    """Hand the buffered body to the route once, then pass through to the server.

    After the body, a receive must wait for the real disconnect: answering
    ``http.disconnect`` at once makes a StreamingResponse (a download) stop after its
    headers, because Starlette cancels a stream when the client seems gone.
    """
    done = False

    async def receive() -> Message:
        nonlocal done
        if done:
            return await upstream()
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _form_token(request: Request, body: bytes) -> str | None:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1")).get(CSRF_FIELD)
        return values[0] if values else None
    if ctype.startswith("multipart/form-data"):
        # The token is the first field of every form (templates put it first).
        marker = f'name="{CSRF_FIELD}"'.encode()
        idx = body.find(marker)
        if idx < 0:
            return None
        start = body.find(b"\r\n\r\n", idx)
        end = body.find(b"\r\n", start + 4)
        if start < 0 or end < 0:
            return None
        return body[start + 4 : end].decode("latin-1")
    return None


SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if docs and name == "content-security-policy":
                        continue  # the OpenAPI page loads its own bundled assets inline
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def problem_response(exc: ContactpointError) -> JSONResponse:
    return JSONResponse(
        problem(exc.status, exc.title, exc.detail, exc.errors),
        status_code=exc.status,
        media_type="application/problem+json",
        headers={"WWW-Authenticate": "Bearer"} if exc.status == 401 else None,
    )
