"""The public "report a cyber crime" portal: no login, no JavaScript needed, translated.

GET /report chooses the kind of crime; GET/POST /report/{kind} asks its questions and files
the report through reports.service.submit; GET/POST /report/status looks a report up by its
reference and status secret. Both POSTs are rate limited per client address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from contactpoint.accounts.ratelimit import SlidingWindowLimiter
from contactpoint.core.actor import PUBLIC
from contactpoint.core.errors import ContactpointError, NotFound
from contactpoint.core.i18n import current_language
from contactpoint.core.i18n import gettext as _
from contactpoint.core.web import DB, render
from contactpoint.public import advice, forms, intake
from contactpoint.public.questions import COUNTRIES, KINDS, N_, CrimeKind, all_questions, sections
from contactpoint.reports import service as reports
from contactpoint.reports.schemas import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AttachmentIn,
    ReportIn,
    Source,
    field_errors,
)

router = APIRouter(include_in_schema=False)

REPORTS_PER_HOUR = 10  # per client address; a person rarely files more, a script does
LOOKUPS_PER_10_MIN = 20
NO_STORE = {"cache-control": "no-store"}

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "new": (N_("Received"), N_("Your report has been received and is waiting to be assessed.")),
    "triaged": (N_("Assessed"), N_("An analyst has assessed your report and classified it.")),
    "in_case": (
        N_("Under investigation"),
        N_(
            "Your report is part of an investigation. The police will contact you if "
            "they need more information."
        ),
    ),
    "referred": (
        N_("Passed on"),
        N_("Your report has been passed to the competent authority, possibly in another country."),
    ),
    "closed": (
        N_("Closed"),
        N_(
            "The work on your report is finished. It stays on record and helps to link "
            "similar crimes."
        ),
    ),
}


def _limiter(request: Request, name: str, window: float) -> SlidingWindowLimiter:
    """One limiter per app instance (not per module), so each app counts on its own."""
    state = request.app.state
    key = f"public_limiter_{name}"
    if not hasattr(state, key):
        setattr(state, key, SlidingWindowLimiter(window=window))
    limiter: SlidingWindowLimiter = getattr(state, key)
    return limiter


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _kind(slug: str) -> CrimeKind:
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound(f"no report form for {slug!r}; choose one at /report")
    return kind


def _countries() -> list[tuple[str, str]]:
    names = Locale.parse(current_language()).territories
    return sorted(((c, names.get(c, c)) for c in COUNTRIES), key=lambda p: p[1])


def _form_page(
    request: Request,
    kind: CrimeKind,
    raw: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    form_error: str | None = None,
) -> HTMLResponse:
    labels = {q.name: _(q.label) for q in all_questions(kind)}
    labels["attachments"] = _("Screenshots, emails or documents")
    return render(
        request,
        "public/form.html",
        {
            "kind": kind,
            "sections": sections(kind),
            "raw": raw,
            "errors": errors,
            "labels": labels,
            "countries": _countries(),
            "today": date.today().isoformat(),
            "max_files": MAX_ATTACHMENTS,
            "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "form_error": form_error,
        },
        status_code=status_code,
    )


@router.get("/report", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "public/start.html", {"kinds": list(KINDS.values())})


@router.get("/report/status", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    return render(request, "public/status.html", {})


@router.post("/report/status", response_class=HTMLResponse)
async def status_lookup(request: Request, db: DB) -> HTMLResponse:
    form = await request.form()
    reference = str(form.get("reference") or "").strip().upper()
    secret = str(form.get("secret") or "").strip()
    ctx: dict[str, Any] = {"reference": reference}
    if not _limiter(request, "status", 600).hit(_client(request), LOOKUPS_PER_10_MIN):
        ctx["form_error"] = _("Too many attempts from your address. Wait a few minutes.")
        return render(request, "public/status.html", ctx, status_code=429)
    try:
        found = reports.public_status(db, reference, secret) if reference and secret else None
    except NotFound:
        found = None
    if found is None:
        ctx["not_found"] = True
        return render(request, "public/status.html", ctx, status_code=404)
    label, explanation = STATUS_WORDS.get(str(found.status.value), (str(found.status.value), ""))
    ctx["result"] = {
        "reference": found.reference,
        "label": _(label),
        "explanation": _(explanation) if explanation else "",
        "updated": found.last_change_on.isoformat(),
    }
    response = render(request, "public/status.html", ctx)
    response.headers.update(NO_STORE)
    return response


@router.get("/report/{slug}", response_class=HTMLResponse)
def report_form(request: Request, slug: str) -> HTMLResponse:
    kind = _kind(slug)
    # Most reports are about a person; fraud is mostly in euro. Both stay editable.
    raw: dict[str, Any] = {"victim_type": "person"}
    if kind.slug == "fraud":
        raw["currency"] = "EUR"
    return _form_page(request, kind, raw, {})


async def _read_form(request: Request) -> tuple[dict[str, list[str]], list[UploadFile]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    files: list[UploadFile] = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key == "attachments" and value.filename:
                files.append(value)
        else:
            values.setdefault(key, []).append(value)
    return values, files


async def _attachments(files: list[UploadFile]) -> tuple[list[AttachmentIn], str | None]:
    if len(files) > MAX_ATTACHMENTS:
        return [], _("Choose at most %(n)d files.") % {"n": MAX_ATTACHMENTS}
    out = []
    for f in files:
        content = await f.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            return [], _("The file %(name)s is larger than %(mb)d MB.") % {
                "name": f.filename,
                "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            }
        out.append(
            AttachmentIn(
                filename=f.filename or "file", content=content, content_type=f.content_type
            )
        )
    return out, None


@router.post("/report/{slug}", response_class=HTMLResponse)
async def report_submit(request: Request, slug: str, db: DB) -> HTMLResponse:
    kind = _kind(slug)
    values, files = await _read_form(request)
    answers = forms.validate(kind, values, today=date.today())
    if not answers.ok:
        return _form_page(request, kind, answers.raw, answers.errors, status_code=422)
    # Count only complete reports, so a citizen correcting mistakes is never locked out.
    if not _limiter(request, "report", 3600).hit(_client(request), REPORTS_PER_HOUR):
        return _form_page(
            request,
            kind,
            answers.raw,
            {},
            status_code=429,
            form_error=_(
                "Too many reports from your address in the last hour. Please try again later, "
                "or call the police."
            ),
        )
    attachments: list[AttachmentIn] = []
    if kind.allows_attachments:  # never read files for illegal content, whatever is sent
        attachments, problem = await _attachments(files)
        if problem:
            return _form_page(request, kind, answers.raw, {"attachments": problem}, 422)
    try:
        data = ReportIn.model_validate(intake.report_fields(kind, answers.clean))
        result = reports.submit(db, PUBLIC, data, source=Source.CITIZEN, attachments=attachments)
    except ValidationError as exc:
        return _form_page(request, kind, answers.raw, _schema_errors(field_errors(exc)), 422)
    except ContactpointError as exc:
        if exc.status not in (413, 422):
            raise
        errors = _schema_errors(exc.errors) or {"description": exc.detail}
        return _form_page(request, kind, answers.raw, errors, exc.status)
    response = render(
        request,
        "public/confirmation.html",
        {
            "reference": result.report.reference,
            "status_secret": result.status_secret,
            "advice": advice.advice(kind.slug, current_language()),
            "kind": kind,
        },
    )
    response.headers.update(NO_STORE)  # the secret must not sit in a shared cache
    return response


def _schema_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in errors:
        name = intake.form_field(str(err.get("field", "")))
        if name.startswith("attachment"):
            name = "attachments"
        out.setdefault(name, str(err.get("message", "")))
    return out
