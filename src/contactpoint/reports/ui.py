"""Analyst pages: the queue of visible reports, a report's detail, triage, notes, and the
audited reading of the reporter's contact details.

Plain HTML forms that POST and redirect (303), so the pages work without JavaScript. Every
read goes through reports.service, which goes through core.access: a report the analyst may
not see is a 404 here as everywhere.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_page
from contactpoint.accounts.models import Organisation, User
from contactpoint.core.actor import Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.i18n import current_language
from contactpoint.core.i18n import gettext as _
from contactpoint.core.markings import PAP, TLP, HandlingCode
from contactpoint.core.web import DB, render
from contactpoint.reports import indicator_links, service
from contactpoint.reports import triage as triaging
from contactpoint.reports.models import Report, Status
from contactpoint.reports.schemas import NoteIn, ReportFilter, TriageIn, field_errors
from contactpoint.taxonomy import service as taxonomy

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(require_page("reports:read"))]
Triager = Annotated[Actor, Depends(require_page("reports:triage"))]

PAGE_SIZE = 25
FILTERS = (
    "reference",
    "q",
    "category",
    "offence",
    "victim_country",
    "status",
    "date_from",
    "date_to",
)


def N_(message: str) -> str:  # marks a string for extraction; translated where shown
    return message


STATUS_LABELS = {
    Status.NEW.value: N_("New"),
    Status.TRIAGED.value: N_("Triaged"),
    Status.IN_CASE.value: N_("In case"),
    Status.REFERRED.value: N_("Referred"),
    Status.CLOSED.value: N_("Closed"),
}


def _common() -> dict[str, Any]:
    lang = current_language()
    names = Locale.parse(lang).territories
    cats = taxonomy.categories()
    return {
        "status_labels": {k: _(v) for k, v in STATUS_LABELS.items()},
        "categories": cats,
        "category_labels": {c.id.value: c.label(lang) for c in cats},
        "kind_labels": {k.id.value: k.label(lang) for k in taxonomy.crime_kinds()},
        "offences": taxonomy.offences(),
        "countries": sorted((c, names.get(c, c)) for c in taxonomy.countries()),
    }


@router.get("/reports", response_class=HTMLResponse)
def queue(request: Request, db: DB, actor: Reader) -> HTMLResponse:
    params = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    cursor = request.query_params.get("cursor") or None
    ctx: dict[str, Any] = _common() | {
        "f": params,
        "items": [],
        "cursor": cursor,
        "next_url": None,
        "first_url": "/reports",
    }
    kept = {k: v for k, v in params.items() if v}
    ctx["first_url"] = "/reports" + ("?" + urlencode(kept) if kept else "")
    if params["reference"]:
        try:
            ctx["items"] = [service.find_by_reference(db, actor, params["reference"])]
        except NotFound:
            ctx["items"] = []
        return render(request, "reports/queue.html", ctx)
    try:
        filters = ReportFilter.model_validate({k: v for k, v in kept.items() if k != "reference"})
        page = service.list_reports(db, actor, filters, cursor=cursor, limit=PAGE_SIZE)
    except ValidationError as exc:
        ctx["filter_errors"] = field_errors(exc)
        return render(request, "reports/queue.html", ctx, status_code=422)
    except InvalidInput as exc:
        ctx["filter_errors"] = exc.errors or [{"field": "", "message": exc.detail}]
        return render(request, "reports/queue.html", ctx, status_code=422)
    ctx["items"] = page.items
    if page.next_cursor:
        ctx["next_url"] = "/reports?" + urlencode(kept | {"cursor": page.next_cursor})
    return render(request, "reports/queue.html", ctx)


def _parse_id(report_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(report_id)
    except ValueError as exc:
        raise NotFound(f"report {report_id} not found") from exc


def _history(db: Session, report: Report) -> list[AuditEntry]:
    """The audited actions on this report, for the analyst who may see the report."""
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "report", AuditEntry.object_id == str(report.id))
            .order_by(AuditEntry.seq.desc())
            .limit(100)
        )
    )


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    report: Report,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    def org_name(org_id: uuid.UUID | None) -> str | None:
        org = db.get(Organisation, org_id) if org_id else None
        return org.name if org else None

    assignee = db.get(User, report.assigned_to_id) if report.assigned_to_id else None
    users = (
        list(
            db.scalars(
                select(User)
                .where(User.organisation_id == actor.org_id, User.active.is_(True))
                .order_by(User.display_name)
            )
        )
        if actor.org_id
        else []
    )
    offence_label = None
    if report.offence:
        try:
            o = taxonomy.offence(report.offence)
            offence_label = f"{o.citation} — {o.title}"
        except KeyError:
            offence_label = report.offence
    ctx = (
        _common()
        | {
            "r": report,
            "history": _history(db, report),
            "users": users,
            "assignee": assignee.display_name if assignee else None,
            "owner_org": org_name(report.owner_org_id),
            "reporting_org": org_name(report.reporting_org_id),
            "offence_label": offence_label,
            "segments": indicator_links.highlight(db, report),
            "identifier_links": indicator_links.identifier_links(db, report),
            "can_triage": actor.can("reports:triage"),
            # Only the owning organisation may relabel (the service refuses others anyway).
            "can_mark": actor.can("reports:triage") and report.owner_org_id == actor.org_id,
            "tlps": [t.value for t in TLP],
            "paps": [p.value for p in PAP],
            "handling_codes": [h.value for h in HandlingCode],
            "message": {"triaged": _("Triage saved."), "noted": _("Note added.")}.get(
                request.query_params.get("done", "")
            ),
        }
        | extra
    )
    return render(request, "reports/detail.html", ctx, status_code=status_code)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def detail(request: Request, report_id: str, db: DB, actor: Reader) -> HTMLResponse:
    report = service.get_report(db, actor, _parse_id(report_id))
    return _detail(request, db, actor, report)


@router.post("/reports/{report_id}/contact", response_class=HTMLResponse)
async def reveal_contact(request: Request, report_id: str, db: DB, actor: Triager) -> HTMLResponse:
    """Shown in this response only (never after a redirect), so each reading is audited."""
    report = service.get_report(db, actor, _parse_id(report_id))
    reason = str((await request.form()).get("reason") or "").strip()
    if not reason:
        return _detail(
            request,
            db,
            actor,
            report,
            422,
            reason_error=_(
                "Give the reason you need the contact details; it is written to the audit log."
            ),
        )
    contact = service.reporter_contact(db, actor, report, reason)
    response = _detail(request, db, actor, report, contact=contact, reason=reason)
    response.headers["cache-control"] = "no-store"
    return response


def _triage_changes(form: dict[str, str], report: Report) -> dict[str, Any]:
    """Only what the analyst changed: the service audits each change and checks the
    status workflow, so unchanged fields must not be sent as if they were new."""
    current: dict[str, str] = {
        "category": report.category.value,
        "incident_type": report.incident_type or "",
        "offence": report.offence or "",
        "tlp": report.tlp.value,
        "pap": report.pap.value,
        "handling_code": report.handling_code.value if report.handling_code else "",
        "handling_text": report.handling_text or "",
        "assigned_to_id": str(report.assigned_to_id) if report.assigned_to_id else "",
        "status": report.status.value,
        "close_reason": report.close_reason or "",
    }
    changes: dict[str, Any] = {}
    for name, old in current.items():
        new = form.get(name, old).strip()
        if new != old:
            changes[name] = new or None
    if (
        "close_reason" in changes
        and changes.get("status") is None
        and report.status is not Status.CLOSED
    ):
        changes.pop("close_reason")  # a reason without closing is only kept with the close
    return changes


@router.post("/reports/{report_id}/triage", response_class=HTMLResponse, response_model=None)
async def triage(
    request: Request, report_id: str, db: DB, actor: Triager
) -> HTMLResponse | RedirectResponse:
    report = service.get_report(db, actor, _parse_id(report_id))
    form = {k: str(v) for k, v in (await request.form()).items()}
    changes = _triage_changes(form, report)
    if not changes:
        return RedirectResponse(f"/reports/{report.id}", status_code=303)
    try:
        triaging.triage(db, actor, report.id, TriageIn.model_validate(changes))
    except ValidationError as exc:
        errors = field_errors(exc)
        return _detail(
            request,
            db,
            actor,
            report,
            422,
            error="; ".join(f"{e['field']}: {e['message']}" for e in errors),
        )
    except InvalidInput as exc:
        db.rollback()
        report = service.get_report(db, actor, report.id)
        hints = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
        return _detail(
            request,
            db,
            actor,
            report,
            422,
            error=f"{exc.detail} ({hints})" if hints else exc.detail,
        )
    return RedirectResponse(f"/reports/{report.id}?done=triaged#triage", status_code=303)


@router.post("/reports/{report_id}/notes", response_class=HTMLResponse, response_model=None)
async def add_note(
    request: Request, report_id: str, db: DB, actor: Triager
) -> HTMLResponse | RedirectResponse:
    report = service.get_report(db, actor, _parse_id(report_id))
    body = str((await request.form()).get("body") or "")
    try:
        note = NoteIn.model_validate({"body": body})
    except ValidationError:
        return _detail(request, db, actor, report, 422, error=_("A note cannot be empty."))
    triaging.add_note(db, actor, report.id, note)
    return RedirectResponse(f"/reports/{report.id}?done=noted#notes", status_code=303)
