"""Cooperation pages: inbox / sent / due soon / overdue, the request form (fields of the
chosen legal basis with their articles), the request page (clocks with their sources,
timeline, the steps this side may take), certificates, the directory and notifications.

Plain forms that POST and redirect (303); every read goes through cooperation.service and so
through core.access (a request of other organisations is a 404 here too).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_page
from contactpoint.cooperation import certificate, deadlines, directory, service
from contactpoint.cooperation.deadlines import ClockState
from contactpoint.cooperation.models import CLOSED, CoopRequest, Status
from contactpoint.cooperation.schemas import RequestIn
from contactpoint.core import audit, notify
from contactpoint.core.actor import Actor
from contactpoint.core.errors import ContactpointError, Forbidden, NotFound, form_errors
from contactpoint.core.web import DB, render

router = APIRouter(include_in_schema=False)
Officer = Annotated[Actor, Depends(require_page("cooperation:manage"))]
Member = Annotated[Actor, Depends(require_page())]


def _party(actor: Annotated[Actor, Depends(require_page())]) -> Actor:
    """Officers, and providers' operators (``cooperation:respond``) for what they receive."""
    if not (actor.can("cooperation:manage") or actor.can("cooperation:respond")):
        raise Forbidden("your roles allow neither 'cooperation:manage' nor 'cooperation:respond'")
    return actor


Party = Annotated[Actor, Depends(_party)]
VIEWS = ("inbox", "sent", "due-soon", "overdue")
CATEGORIES = ("subscriber", "identification", "traffic", "content")


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"coop_request {value} not found") from None


def _common(db: Session, actor: Actor) -> dict[str, Any]:
    return {
        "orgs": service.org_names(db),
        "humanise": deadlines.humanise,
        "unread": notify.unread_count(db, actor.user_id) if actor.user_id else 0,
    }


@router.get("/cooperation", response_class=HTMLResponse)
def index(request: Request, db: DB, actor: Party, view: str = "inbox") -> HTMLResponse:
    view = view if view in VIEWS else "inbox"
    rows: list[tuple[CoopRequest, list[deadlines.Clock]]]
    if view == "inbox":
        rows = [(r, service.clocks(db, r)) for r in service.inbox(db, actor)]
    elif view == "sent":
        rows = [(r, service.clocks(db, r)) for r in service.outbox(db, actor)]
    else:
        state = ClockState.DUE_SOON if view == "due-soon" else ClockState.OVERDUE
        rows = service.by_clock_state(db, actor, state)
    counts = {
        "due-soon": len(service.by_clock_state(db, actor, ClockState.DUE_SOON)),
        "overdue": len(service.by_clock_state(db, actor, ClockState.OVERDUE)),
    }
    ctx = _common(db, actor) | {"view": view, "rows": rows, "counts": counts}
    return render(request, "cooperation/index.html", ctx)


def _form_ctx(db: Session, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    rules = service.rules_for(db)
    code = values.get("type_code") or ""
    rtype = rules.types.get(code)
    country = (values.get("receiving_country") or "").upper()
    proposal = None
    if country and actor.country:
        proposal = service.proposal(db, actor.country, country, bool(values.get("emergency")))
    return _common(db, actor) | {
        "types": list(rules.types.values()),
        "rtype": rtype,
        "v": values,
        "proposal": proposal,
        "receivers": service.receivers(db, actor),
        "states": directory.entries(db),
        "categories": CATEGORIES,
    }


@router.get("/cooperation/new", response_class=HTMLResponse)
def new_form(request: Request, db: DB, actor: Officer) -> HTMLResponse:
    values = dict(request.query_params)
    return render(request, "cooperation/new.html", _form_ctx(db, actor, values))


@router.post("/cooperation/new", response_model=None)
async def create(request: Request, db: DB, actor: Officer) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    rtype = service.rules_for(db).types.get(values.get("type_code", ""))
    data = {
        "type_code": values.get("type_code", ""),
        "subject": values.get("subject", ""),
        "receiving_org_id": values.get("receiving_org_id") or None,
        "receiving_country": (values.get("receiving_country") or "").upper() or None,
        "emergency": bool(values.get("emergency")),
        "fields": {f.name: values.get(f"field_{f.name}", "") for f in rtype.fields}
        if rtype
        else {},
        "legal_basis": values.get("legal_basis") or None,
        "data_categories": [c for c in form.getlist("data_categories") if isinstance(c, str)],
        "send": values.get("action") == "send",
    }
    values["data_categories"] = data["data_categories"]
    errors: list[dict[str, Any]]
    try:
        with db.begin_nested():  # a refused send leaves no draft behind
            req = service.create(db, actor, RequestIn.model_validate(data))
    except (ValidationError, ContactpointError) as exc:
        errors = form_errors(exc)
    else:
        return RedirectResponse(f"/cooperation/requests/{req.id}", status_code=303)
    ctx = _form_ctx(db, actor, values) | {"errors": {e["field"]: e["message"] for e in errors}}
    return render(request, "cooperation/new.html", ctx, status_code=422)


def _detail_ctx(db: Session, actor: Actor, req: CoopRequest) -> dict[str, Any]:
    rtype = service.rules_for(db).get(req.type_code)
    side = "requester" if req.owner_org_id == actor.org_id else "receiver"
    extendable = [c for c in rtype.clocks if c.extension]
    return _common(db, actor) | {
        "r": req,
        "rtype": rtype,
        "clocks": service.clocks(db, req),
        "side": side,
        "is_open": req.status not in CLOSED and req.status is not Status.DRAFT,
        "extendable": extendable,
        "continues": [c.continues_on for c in rtype.clocks if c.continues_on],
        # e.g. an emergency EPOC issued without prior validation: the requester records it.
        "validations": [
            c
            for c in rtype.clocks
            if "validated" in c.met_by
            and c.applies(emergency=req.emergency, notification=req.notify_enforcing_state)
        ],
    }


@router.get("/cooperation/requests/{request_id}", response_class=HTMLResponse)
def detail(request: Request, request_id: str, db: DB, actor: Party) -> HTMLResponse:
    req = service.get(db, actor, _id(request_id))
    audit.record(db, actor, "cooperation.read", object_type="coop_request", object_id=req.id)
    return render(request, "cooperation/detail.html", _detail_ctx(db, actor, req))


@router.post("/cooperation/requests/{request_id}/{step}", response_model=None)
async def step(request: Request, request_id: str, step: str, db: DB, actor: Party) -> Response:
    rid = _id(request_id)
    form = await request.form()
    text = str(form.get("text") or "").strip()
    actions = {
        "send": lambda: service.send(db, actor, rid),
        "acknowledge": lambda: service.acknowledge(db, actor, rid, text),
        "clarification": lambda: service.ask_clarification(db, actor, rid, text),
        "clarification-answer": lambda: service.answer_clarification(db, actor, rid, text),
        "answer": lambda: service.answer(db, actor, rid, text, partial=False),
        "answer-partly": lambda: service.answer(db, actor, rid, text, partial=True),
        "refuse": lambda: service.refuse(db, actor, rid, text),
        "event": lambda: service.record(
            db, actor, rid, str(form.get("kind") or ""), str(form.get("clock") or "") or None, text
        ),
    }
    if step not in actions:
        raise NotFound(f"no step {step}")
    status = 422
    if step in ("clarification", "clarification-answer", "answer", "answer-partly") and not text:
        error = "Write the text of this step first."
    else:
        try:
            with db.begin_nested():
                actions[step]()
        except (ContactpointError, ValueError) as exc:
            error = getattr(exc, "detail", str(exc))
            status = getattr(exc, "status", 422)
        else:
            return RedirectResponse(f"/cooperation/requests/{rid}", status_code=303)
    req = service.get(db, actor, rid)
    ctx = _detail_ctx(db, actor, req) | {"error": error}
    return render(request, "cooperation/detail.html", ctx, status_code=status)


@router.get("/cooperation/requests/{request_id}/certificate", response_class=HTMLResponse)
def certificate_page(request: Request, request_id: str, db: DB, actor: Party) -> HTMLResponse:
    req = service.get(db, actor, _id(request_id))
    audit.record(db, actor, "cooperation.certificate", object_type="coop_request", object_id=req.id)
    ctx = {"cert": certificate.build(db, req), "r": req}
    return render(request, "cooperation/certificate.html", ctx)


CERT_CSS = Path(__file__).resolve().parent / "static" / "certificate.css"


@router.get("/cooperation-static/certificate.css")
def certificate_css() -> FileResponse:
    return FileResponse(CERT_CSS, media_type="text/css")


@router.get("/cooperation/requests/{request_id}/certificate.pdf")
def certificate_pdf(request_id: str, db: DB, actor: Party) -> Response:
    req = service.get(db, actor, _id(request_id))
    audit.record(db, actor, "cooperation.certificate", object_type="coop_request", object_id=req.id)
    return Response(
        certificate.pdf(certificate.build(db, req)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{req.reference}.pdf"'},
    )


@router.get("/cooperation/types", response_class=HTMLResponse)
def types_page(request: Request, db: DB, actor: Member) -> HTMLResponse:
    rules = service.rules_for(db)
    return render(request, "cooperation/types.html", {"rules": rules})


@router.get("/cooperation/directory", response_class=HTMLResponse)
def directory_page(request: Request, db: DB, actor: Member) -> HTMLResponse:
    ctx = {
        "entries": directory.entries(db),
        "orgs": service.org_names(db),
        "may_edit": directory.may_edit(actor),
    }
    return render(request, "cooperation/directory.html", ctx)


@router.post("/cooperation/directory/import", response_class=HTMLResponse)
def directory_import(
    request: Request, db: DB, actor: Member, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    text = file.file.read(2_000_000).decode("utf-8-sig", errors="replace")
    result = directory.import_csv(db, actor, text)
    ctx = {
        "entries": directory.entries(db),
        "orgs": service.org_names(db),
        "may_edit": directory.may_edit(actor),
        "result": result,
    }
    return render(request, "cooperation/directory.html", ctx)


@router.get("/cooperation/directory/{country}", response_class=HTMLResponse)
def directory_edit(request: Request, country: str, db: DB, actor: Member) -> HTMLResponse:
    entry = directory.get_entry(db, country)
    names = service.org_names(db)
    ctx = {
        "e": directory.export_row(entry, names),
        "orgs": sorted(names.values()),
        "may_edit": directory.may_edit(actor),
    }
    return render(request, "cooperation/directory_edit.html", ctx)


@router.post("/cooperation/directory/{country}", response_model=None)
async def directory_save(request: Request, country: str, db: DB, actor: Member) -> Response:
    form = await request.form()
    raw = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    for flag in directory.BOOLS:  # unchecked boxes are absent from the form
        raw[flag] = "yes" if raw.get(flag) else "no"
    try:
        with db.begin_nested():
            directory.update_entry(db, actor, country, raw)
    except ContactpointError as exc:
        ctx = {
            "e": raw | {"country": country.upper()},
            "orgs": sorted(service.org_names(db).values()),
            "may_edit": directory.may_edit(actor),
            "error": exc.detail,
        }
        return render(request, "cooperation/directory_edit.html", ctx, status_code=exc.status)
    return RedirectResponse("/cooperation/directory", status_code=303)


@router.get("/cooperation/notifications", response_class=HTMLResponse)
def notifications(request: Request, db: DB, actor: Member) -> HTMLResponse:
    rows = notify.for_user(db, actor.user_id) if actor.user_id else []
    return render(request, "cooperation/notifications.html", {"rows": rows})


@router.post("/cooperation/notifications/read")
def notifications_read(db: DB, actor: Member) -> RedirectResponse:
    if actor.user_id:
        notify.mark_read(db, actor.user_id)
    return RedirectResponse("/cooperation/notifications", status_code=303)
