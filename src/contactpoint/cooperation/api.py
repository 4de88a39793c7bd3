"""`/api/v1/cooperation`: request types, legal-basis proposal, requests and their steps,
due-soon and overdue views, certificates, and the directory (bearer tokens)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import BaseModel

from contactpoint.accounts.deps import api_actor, require_api
from contactpoint.cooperation import certificate, directory, service
from contactpoint.cooperation.deadlines import Clock, ClockState
from contactpoint.cooperation.models import CoopRequest
from contactpoint.cooperation.schemas import (
    AnswerIn,
    ClockOut,
    DirectoryOut,
    EventIn,
    EventOut,
    ProposalOut,
    RefuseIn,
    RequestDetail,
    RequestIn,
    RequestOut,
    StepIn,
    TextIn,
)
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import Forbidden, InvalidInput
from contactpoint.core.web import DB

router = APIRouter(prefix="/api/v1/cooperation", tags=["cooperation"])
Officer = Annotated[Actor, Depends(require_api("cooperation:manage"))]
AnyToken = Annotated[Actor, Depends(require_api())]


def _party(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    """Officers, and providers' operators (``cooperation:respond``) for what they receive."""
    if not (actor.can("cooperation:manage") or actor.can("cooperation:respond")):
        raise Forbidden("the token carries neither 'cooperation:manage' nor 'cooperation:respond'")
    return actor


Party = Annotated[Actor, Depends(_party)]


def clock_out(c: Clock) -> ClockOut:
    return ClockOut(
        name=c.name,
        label=c.rule.label,
        state=c.state.value,
        party=c.rule.party,
        started_at=c.started_at,
        due_at=c.due_at,
        remaining_seconds=int(c.remaining.total_seconds()) if c.remaining is not None else None,
        paused_seconds=int(c.paused_for.total_seconds()),
        extensions=c.extensions,
        finished_at=c.finished_at,
        late=c.late,
        citation=c.rule.citation,
        check=c.rule.check,
    )


def detail(db: DB, req: CoopRequest) -> RequestDetail:
    base = RequestOut.model_validate(req).model_dump()
    return RequestDetail(
        **base,
        clocks=[clock_out(c) for c in service.clocks(db, req)],
        timeline=[EventOut.model_validate(e) for e in req.events],
    )


@router.get("/types")
def request_types(db: DB, actor: AnyToken) -> list[dict[str, Any]]:
    """Each request type with its source, required fields (with articles) and clocks."""
    out = []
    for t in service.rules_for(db).types.values():
        out.append(
            {
                "code": t.code,
                "title": t.title,
                "citation": t.citation,
                "check": t.check,
                "not_in_force": t.not_in_force,
                "addressee": t.addressee,
                "treaty": t.treaty,
                "summary": t.summary,
                "may_pause_on_clarification": t.may_pause,
                "fields": [
                    {
                        "name": f.name,
                        "label": f.label,
                        "article": f.article,
                        "required": not f.optional,
                    }
                    for f in t.fields
                ],
                "clocks": [
                    {
                        "name": c.name,
                        "label": c.label,
                        "kind": c.kind,
                        "party": c.party,
                        "hours": c.duration.total_seconds() / 3600,
                        "emergency_hours": c.emergency_duration.total_seconds() / 3600
                        if c.emergency_duration
                        else None,
                        "pausable": c.pausable,
                        "continues_on": c.continues_on,
                        "extension": None
                        if c.extension is None
                        else {"max": c.extension.max, "days": c.extension.days},
                        "citation": c.citation,
                        "check": c.check,
                    }
                    for c in t.clocks
                ],
            }
        )
    return out


@router.get("/proposal", response_model=ProposalOut)
def legal_basis(
    db: DB,
    actor: Officer,
    receiving_country: Annotated[str, Query(min_length=2, max_length=2)],
    emergency: bool = False,
) -> Any:
    """Suggested request types between your country and ``receiving_country``."""
    p = service.proposal(db, actor.country or "", receiving_country.upper(), emergency)
    return ProposalOut(suggested=p.suggested, basis=p.basis, reasons=p.reasons, warnings=p.warnings)


@router.post("/requests", status_code=201, response_model=RequestDetail)
def create_request(data: RequestIn, db: DB, actor: Officer, response: Response) -> Any:
    """Create a draft, or with ``send: true`` send it (422 names each missing field and its
    article, or ``legal_basis`` when no treaty basis is found)."""
    req = service.create(db, actor, data)
    response.headers["Location"] = f"/api/v1/cooperation/requests/{req.id}"
    return detail(db, req)


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


@router.get("/requests", response_model=RequestPage)
def list_requests(
    db: DB,
    actor: Party,
    box: Literal["inbox", "outbox"] = "inbox",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Received (inbox) or sent and draft (outbox) requests, newest first, cursor-paged."""
    rows, next_cursor = service.page(db, actor, box, cursor=cursor, limit=limit)
    return RequestPage(items=[RequestOut.model_validate(r) for r in rows], next_cursor=next_cursor)


class DueItem(BaseModel):
    request: RequestOut
    clocks: list[ClockOut]


@router.get("/requests/due-soon", response_model=list[DueItem])
def due_soon(db: DB, actor: Party) -> Any:
    """Your requests (either side) with a clock due soon."""
    rows = service.by_clock_state(db, actor, ClockState.DUE_SOON)
    return [
        DueItem(request=RequestOut.model_validate(r), clocks=[clock_out(c) for c in cs])
        for r, cs in rows
    ]


@router.get("/requests/overdue", response_model=list[DueItem])
def overdue(db: DB, actor: Party) -> Any:
    """Your requests (either side) with a deadline passed and not met."""
    rows = service.by_clock_state(db, actor, ClockState.OVERDUE)
    return [
        DueItem(request=RequestOut.model_validate(r), clocks=[clock_out(c) for c in cs])
        for r, cs in rows
    ]


@router.get("/requests/{request_id}", response_model=RequestDetail)
def get_request(request_id: uuid.UUID, db: DB, actor: Party) -> Any:
    req = service.get(db, actor, request_id)
    audit.record(db, actor, "cooperation.read", object_type="coop_request", object_id=req.id)
    return detail(db, req)


@router.post("/requests/{request_id}/send", response_model=RequestDetail)
def send(request_id: uuid.UUID, db: DB, actor: Officer) -> Any:
    return detail(db, service.send(db, actor, request_id))


@router.post("/requests/{request_id}/acknowledge", response_model=RequestDetail)
def acknowledge(request_id: uuid.UUID, db: DB, actor: Party, data: StepIn | None = None) -> Any:
    """409 once the request is answered, refused or withdrawn, or already acknowledged."""
    note = data.note if data else None
    return detail(db, service.acknowledge(db, actor, request_id, note))


@router.post("/requests/{request_id}/clarification", response_model=RequestDetail)
def ask_clarification(request_id: uuid.UUID, data: TextIn, db: DB, actor: Party) -> Any:
    """Receiver asks; clocks whose rule allows it pause until the requester answers."""
    return detail(db, service.ask_clarification(db, actor, request_id, data.text))


@router.post("/requests/{request_id}/clarification-answer", response_model=RequestDetail)
def answer_clarification(request_id: uuid.UUID, data: TextIn, db: DB, actor: Party) -> Any:
    return detail(db, service.answer_clarification(db, actor, request_id, data.text))


@router.post("/requests/{request_id}/answer", response_model=RequestDetail)
def answer(request_id: uuid.UUID, data: AnswerIn, db: DB, actor: Party) -> Any:
    return detail(db, service.answer(db, actor, request_id, data.text, data.partial))


@router.post("/requests/{request_id}/refuse", response_model=RequestDetail)
def refuse(request_id: uuid.UUID, data: RefuseIn, db: DB, actor: Party) -> Any:
    return detail(db, service.refuse(db, actor, request_id, data.ground))


@router.post("/requests/{request_id}/events", response_model=RequestDetail)
def add_event(request_id: uuid.UUID, data: EventIn, db: DB, actor: Party) -> Any:
    """Extension (only where the rule allows), validation, withdrawal (requester); MLA
    request received or production request confirmed (receiver)."""
    return detail(db, service.record(db, actor, request_id, data.kind, data.clock, data.note))


@router.get("/requests/{request_id}/certificate.pdf", response_class=Response)
def certificate_pdf(request_id: uuid.UUID, db: DB, actor: Party) -> Response:
    req = service.get(db, actor, request_id)
    cert = certificate.build(db, req)
    audit.record(db, actor, "cooperation.certificate", object_type="coop_request", object_id=req.id)
    return Response(
        certificate.pdf(cert),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{req.reference}.pdf"'},
    )


@router.get("/directory", response_model=list[DirectoryOut])
def list_directory(db: DB, actor: AnyToken) -> Any:
    return [DirectoryOut.model_validate(e) for e in directory.entries(db)]


@router.get("/directory/{country}", response_model=DirectoryOut)
def get_directory(country: str, db: DB, actor: AnyToken) -> Any:
    return DirectoryOut.model_validate(directory.get_entry(db, country))


@router.put("/directory/{country}", response_model=DirectoryOut)
def put_directory(country: str, data: dict[str, str], db: DB, actor: AnyToken) -> Any:
    """Replace one state's entry (the CSV columns as strings; admin or contact-point officer)."""
    return DirectoryOut.model_validate(directory.update_entry(db, actor, country, data))


@router.post("/directory/import")
def import_directory(
    db: DB, actor: AnyToken, body: Annotated[str, Body(media_type="text/csv")]
) -> dict[str, Any]:
    """Import a directory CSV: good rows are taken, each bad row is reported by its line."""
    if not body.strip():
        raise InvalidInput("empty file", errors=[{"field": "body", "message": "empty"}])
    r = directory.import_csv(db, actor, body)
    return {
        "created": r.created,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "errors": r.errors,
    }
