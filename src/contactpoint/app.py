"""create_app(): the FastAPI application with every area's routers mounted."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from contactpoint import __version__
from contactpoint.accounts.deps import LoginRequired
from contactpoint.core import crypto, i18n, warmup
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import make_engine, make_session_factory
from contactpoint.core.errors import ContactpointError, problem
from contactpoint.core.web import (
    CSRFMiddleware,
    SecurityHeadersMiddleware,
    problem_response,
    render,
)

# Each area that serves HTTP exposes `router` in api.py and/or ui.py; listed here in mount order.
ROUTER_MODULES = [
    "contactpoint.accounts.api",
    "contactpoint.accounts.ui",
    "contactpoint.core.audit_api",
    "contactpoint.taxonomy.api",
    "contactpoint.indicators.api",
    "contactpoint.indicators.ui",
    "contactpoint.reports.api",
    "contactpoint.reports.ui",
    "contactpoint.correlation.api",
    "contactpoint.correlation.ui",
    "contactpoint.cases.api",
    "contactpoint.cases.ui",
    "contactpoint.cooperation.api",
    "contactpoint.cooperation.ui",
    "contactpoint.takedown.directory_api",
    "contactpoint.takedown.directory_ui",
    "contactpoint.takedown.api",
    "contactpoint.takedown.ui",
    "contactpoint.takedown.portal",
    "contactpoint.blocking.api",
    "contactpoint.blocking.ui",
    "contactpoint.public.ui",
    "contactpoint.web.ui",
]

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Tables loaded and the heap frozen before the first request (core/warmup.py).
        await run_in_threadpool(warmup.settle)
        # On SQLite (by default) the web process runs the background jobs itself.
        runner = None
        if app.state.settings.jobs_in_process:
            from contactpoint.core.jobs_runner import JobRunner

            runner = JobRunner(app.state.settings, app.state.session_factory)
            runner.start()
        app.state.job_runner = runner
        yield
        if runner is not None:
            runner.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="contactpoint",
        version=__version__,
        description="API of the EU cyber crime contact point platform. "
        "Authenticate with `Authorization: Bearer <token>`.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)

    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that area has no HTTP surface yet
            raise
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _install_error_handlers(app)

    @app.middleware("http")
    async def language(request: Request, call_next):  # type: ignore[no-untyped-def]
        lang = i18n.negotiate(
            request.query_params.get("lang"),
            request.cookies.get("cp_lang"),
            request.headers.get("accept-language"),
            request.app.state.settings.default_language,
        )
        i18n.set_language(lang)
        response: Response = await call_next(request)
        if request.query_params.get("lang") == lang:
            response.set_cookie("cp_lang", lang, samesite="lax", max_age=365 * 86400)
        return response

    app.add_middleware(CSRFMiddleware, secure=settings.secure_cookies)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    return app


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ContactpointError)
    async def domain_error(request: Request, exc: ContactpointError) -> Response:
        if _wants_html(request):
            return render(
                request,
                "error.html",
                {"status": exc.status, "title": exc.title, "detail": exc.detail},
                status_code=exc.status,
            )
        return problem_response(exc)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p not in ("body", "query")),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            problem(422, "Invalid input", detail, errors),
            status_code=422,
            media_type="application/problem+json",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        if _wants_html(request):
            return render(
                request,
                "error.html",
                {"status": exc.status_code, "title": title, "detail": str(exc.detail)},
                status_code=exc.status_code,
            )
        return JSONResponse(
            problem(exc.status_code, title, str(exc.detail)),
            status_code=exc.status_code,
            media_type="application/problem+json",
        )
