"""Evidence pages: upload (multipart form), the item's page (a recorded view), download
(a POST with an optional reason, recorded), transfer, and the printable chain of custody
per item and per case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from contactpoint.cases import custody, evidence, service
from contactpoint.cases.models import Case, Evidence
from contactpoint.cases.pages import (
    Investigator,
    case_page,
    errors_text,
    org_names,
    parse_id,
    stream_response,
)
from contactpoint.cases.schemas import EvidenceIn, TransferIn
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import InvalidInput, TooLarge
from contactpoint.core.web import DB, render

router = APIRouter(include_in_schema=False)
PRINT_CSS = Path(__file__).resolve().parent / "static" / "print.css"


@router.get("/cases-static/print.css")
def print_css() -> FileResponse:
    """The custody pages' own style sheet (the CSP allows no inline styles)."""
    return FileResponse(PRINT_CSS, media_type="text/css")


def _acquired_at(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            "acquired_at is not a date and time",
            errors=[{"field": "acquired_at", "message": "use the date and time picker"}],
        ) from exc
    # <input type="datetime-local"> has no zone: the form says the time is UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=utcnow().tzinfo)


@router.post("/cases/{case_id}/evidence", response_class=HTMLResponse, response_model=None)
async def upload(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    cid = parse_id(case_id)
    case = service.get_case(db, actor, cid)
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(
                "choose a file", errors=[{"field": "file", "message": "no file chosen"}]
            )
        meta = EvidenceIn(
            filename=upload.filename,
            acquired_by=fields.get("acquired_by", ""),
            acquisition_method=fields.get("acquisition_method", ""),
            source=fields.get("source", ""),
            acquired_at=_acquired_at(fields.get("acquired_at", "")),
            description=fields.get("description", ""),
            content_type=upload.content_type,
            sha256=fields.get("sha256", "").strip() or None,
        )
        evidence.add_evidence(db, actor, cid, meta, upload.file)
    except (InvalidInput, TooLarge) as exc:
        db.rollback()
        case = service.get_case(db, actor, cid)
        return case_page(
            request, db, actor, case, exc.status, evidence_error=errors_text(exc), form=fields
        )
    return RedirectResponse(f"/cases/{case.id}?done=evidence#evidence", status_code=303)


def _evidence_page(
    request: Request,
    db: Session,
    actor: Actor,
    ev: Evidence,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    case = db.get(Case, ev.case_id)
    assert case is not None
    entries = custody.entries(db, ev.id)
    orgs = org_names(
        db,
        [*service.case_org_ids(case), ev.custodian_org_id]
        + [e.from_org_id for e in entries]
        + [e.to_org_id for e in entries],
    )
    ctx = {
        "c": case,
        "e": ev,
        "entries": entries,
        "check": custody.verify(db, ev.id),
        "orgs": orgs,
        # Only the holding organisation hands the item over.
        "targets": [o for o in service.case_org_ids(case) if o != ev.custodian_org_id]
        if actor.org_id == ev.custodian_org_id
        else [],
        "closed": case.status.value == "closed",
        "message": request.query_params.get("done") == "transferred",
    } | extra
    return render(request, "cases/evidence.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}/evidence/{evidence_id}", response_class=HTMLResponse)
def evidence_page(
    request: Request, case_id: str, evidence_id: str, db: DB, actor: Investigator
) -> HTMLResponse:
    """Opening the item's page is an access: it is recorded in the chain of custody."""
    ev = evidence.view(db, actor, parse_id(case_id), parse_id(evidence_id, "evidence"))
    return _evidence_page(request, db, actor, ev)


@router.post("/cases/{case_id}/evidence/{evidence_id}/download")
async def download(
    request: Request, case_id: str, evidence_id: str, db: DB, actor: Investigator
) -> Response:
    reason = str((await request.form()).get("reason") or "")
    ev, chunks = evidence.download(
        db, actor, parse_id(case_id), parse_id(evidence_id, "evidence"), reason
    )
    return stream_response(ev.filename, ev.size, ev.sha256, chunks)


@router.post(
    "/cases/{case_id}/evidence/{evidence_id}/transfer",
    response_class=HTMLResponse,
    response_model=None,
)
async def transfer(
    request: Request, case_id: str, evidence_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    cid, eid = parse_id(case_id), parse_id(evidence_id, "evidence")
    form = await request.form()
    try:
        data = TransferIn.model_validate(
            {"to_org_id": form.get("to_org_id") or "", "reason": form.get("reason") or ""}
        )
        evidence.transfer(db, actor, cid, eid, data)
    except (ValidationError, InvalidInput) as exc:
        db.rollback()
        ev = evidence.get_evidence(db, actor, cid, eid)
        return _evidence_page(request, db, actor, ev, 422, error=errors_text(exc))
    return RedirectResponse(
        f"/cases/{cid}/evidence/{eid}?done=transferred#custody", status_code=303
    )


def _printable(db: Session, items: list[Evidence]) -> list[dict[str, Any]]:
    out = []
    for ev in items:
        entries = custody.entries(db, ev.id)
        out.append({"e": ev, "entries": entries, "check": custody.verify(db, ev.id)})
    return out


@router.get("/cases/{case_id}/evidence/{evidence_id}/custody", response_class=HTMLResponse)
def custody_print(
    request: Request, case_id: str, evidence_id: str, db: DB, actor: Investigator
) -> HTMLResponse:
    """Printable chain of custody of one item (reading it is not an access to the file)."""
    ev = evidence.get_evidence(db, actor, parse_id(case_id), parse_id(evidence_id, "evidence"))
    return _print_page(request, db, actor, ev.case_id, [ev])


@router.get("/cases/{case_id}/custody", response_class=HTMLResponse)
def case_custody_print(request: Request, case_id: str, db: DB, actor: Investigator) -> HTMLResponse:
    """Printable chain of custody of every evidence item of the case."""
    case = service.get_case(db, actor, parse_id(case_id))
    return _print_page(request, db, actor, case.id, evidence.list_evidence(db, actor, case.id))


def _print_page(
    request: Request, db: Session, actor: Actor, case_id: Any, items: list[Evidence]
) -> HTMLResponse:
    case = service.get_case(db, actor, case_id)
    blocks = _printable(db, items)
    ids: list[Any] = [case.owner_org_id]
    for b in blocks:
        ids += [b["e"].custodian_org_id]
        ids += [x for en in b["entries"] for x in (en.from_org_id, en.to_org_id, en.actor_org_id)]
    ctx = {
        "c": case,
        "blocks": blocks,
        "orgs": org_names(db, ids),
        "printed_at": utcnow(),
        "printed_by": actor.label,
    }
    return render(request, "cases/custody_print.html", ctx)
