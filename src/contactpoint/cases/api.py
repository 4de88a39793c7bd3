"""`/api/v1/cases`: cases, participants, tasks, notes, evidence and its chain of custody."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_api
from contactpoint.cases import custody, evidence, service
from contactpoint.cases.models import Case
from contactpoint.cases.pages import stream_response
from contactpoint.cases.schemas import (
    CaseFilter,
    CaseIn,
    CaseOut,
    CustodyEntryOut,
    CustodyOut,
    EvidenceIn,
    EvidenceOut,
    LinkIn,
    NoteIn,
    NoteOut,
    ParticipantIn,
    ParticipantOut,
    StatusIn,
    TaskIn,
    TaskOut,
    TaskUpdate,
    TransferIn,
)
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, TooLarge
from contactpoint.core.web import DB
from contactpoint.reports.service import settings_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
Investigator = Annotated[Actor, Depends(require_api("cases:manage"))]


class CaseQuery(CaseFilter):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=500)


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None
    total: int = Field(description="cases matching the filters that you may see")


def case_out(db: Session, actor: Actor, case: Case) -> CaseOut:
    shown, hidden = service.linked_reports(db, actor, case)
    return CaseOut(
        id=case.id,
        title=case.title,
        summary=case.summary,
        status=case.status,
        status_reason=case.status_reason,
        owner_org_id=case.owner_org_id,
        lead_investigator_id=case.lead_investigator_id,
        tlp=case.tlp,
        created_at=case.created_at,
        updated_at=case.updated_at,
        report_ids=[r.id for r in shown],
        hidden_reports=hidden,
        participants=[ParticipantOut.model_validate(p) for p in case.participants],
    )


@router.post("", status_code=201, response_model=CaseOut)
def create_case(data: CaseIn, db: DB, actor: Investigator, response: Response) -> Any:
    """Open a case owned by your organisation, from reports you may see (`report_ids`)."""
    case = service.create_case(db, actor, data)
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return case_out(db, actor, case)


@router.get("", response_model=CasePage)
def list_cases(db: DB, actor: Investigator, query: Annotated[CaseQuery, Query()]) -> Any:
    """Cases you may see (your organisation's, and those it was invited to), newest first."""
    filters = CaseFilter.model_validate(query.model_dump(exclude={"cursor", "limit"}))
    page = service.list_cases(db, actor, filters, cursor=query.cursor, limit=query.limit)
    return CasePage(
        items=[case_out(db, actor, c) for c in page.items],
        next_cursor=page.next_cursor,
        total=service.count_cases(db, actor, filters),
    )


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    return case_out(db, actor, service.get_case(db, actor, case_id))


@router.post("/{case_id}/status", response_model=CaseOut)
def set_status(case_id: uuid.UUID, data: StatusIn, db: DB, actor: Investigator) -> Any:
    """open, suspended or closed; suspending and closing need a `reason`."""
    return case_out(db, actor, service.set_status(db, actor, case_id, data))


@router.post("/{case_id}/reports", response_model=CaseOut)
def link_reports(case_id: uuid.UUID, data: LinkIn, db: DB, actor: Investigator) -> Any:
    service.link_reports(db, actor, case_id, data.report_ids)
    return case_out(db, actor, service.get_case(db, actor, case_id))


@router.post("/{case_id}/participants", status_code=201, response_model=ParticipantOut)
def invite(case_id: uuid.UUID, data: ParticipantIn, db: DB, actor: Investigator) -> Any:
    """Invite another organisation; it then sees the case and its evidence."""
    return ParticipantOut.model_validate(service.invite(db, actor, case_id, data))


@router.get("/{case_id}/tasks", response_model=list[TaskOut])
def tasks(case_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    return [TaskOut.model_validate(t) for t in service.get_case(db, actor, case_id).tasks]


@router.post("/{case_id}/tasks", status_code=201, response_model=TaskOut)
def add_task(case_id: uuid.UUID, data: TaskIn, db: DB, actor: Investigator) -> Any:
    return TaskOut.model_validate(service.add_task(db, actor, case_id, data))


@router.patch("/{case_id}/tasks/{task_id}", response_model=TaskOut)
def update_task(
    case_id: uuid.UUID, task_id: uuid.UUID, data: TaskUpdate, db: DB, actor: Investigator
) -> Any:
    return TaskOut.model_validate(service.update_task(db, actor, case_id, task_id, data))


@router.delete("/{case_id}/tasks/{task_id}", status_code=204)
def delete_task(case_id: uuid.UUID, task_id: uuid.UUID, db: DB, actor: Investigator) -> Response:
    service.delete_task(db, actor, case_id, task_id)
    return Response(status_code=204)


@router.get("/{case_id}/notes", response_model=list[NoteOut])
def notes(case_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    return [NoteOut.model_validate(n) for n in service.get_case(db, actor, case_id).notes]


@router.post("/{case_id}/notes", status_code=201, response_model=NoteOut)
def add_note(case_id: uuid.UUID, data: NoteIn, db: DB, actor: Investigator) -> Any:
    return NoteOut.model_validate(service.add_note(db, actor, case_id, data))


# --------------------------------------------------------------------------- evidence


def parse_acquired_at(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            "acquired_at is not a date and time",
            errors=[{"field": "acquired_at", "message": "use ISO 8601, e.g. 2026-03-01T10:00Z"}],
        ) from exc


@router.post(
    "/{case_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    responses={
        413: {"description": "larger than CONTACTPOINT_EVIDENCE_MAX_BYTES"},
        422: {"description": "missing details, or the declared sha256 does not match"},
    },
)
def upload_evidence(
    case_id: uuid.UUID,
    request: Request,
    db: DB,
    actor: Investigator,
    file: Annotated[UploadFile, File()],
    acquired_by: Annotated[str, Form()] = "",
    acquisition_method: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    acquired_at: Annotated[str, Form(description="ISO 8601; default now")] = "",
    description: Annotated[str, Form()] = "",
    sha256: Annotated[str, Form(description="your SHA-256 of the file, checked")] = "",
) -> Any:
    """Add an evidence file (multipart). It is hashed as it arrives and stored encrypted;
    who acquired it, how and from where are the first entry of its chain of custody."""
    limit = settings_of(db).evidence_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:  # room for the form fields
        raise TooLarge(
            f"the upload is larger than the limit of {limit} bytes",
            errors=[{"field": "file", "message": f"larger than {limit} bytes"}],
        )
    meta = EvidenceIn(
        filename=file.filename or "evidence",
        acquired_by=acquired_by,
        acquisition_method=acquisition_method,
        source=source,
        acquired_at=parse_acquired_at(acquired_at),
        description=description,
        content_type=file.content_type,
        sha256=sha256.strip() or None,
    )
    ev = evidence.add_evidence(db, actor, case_id, meta, file.file)
    return EvidenceOut.model_validate(ev)


@router.get("/{case_id}/evidence", response_model=list[EvidenceOut])
def list_evidence(case_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    return [EvidenceOut.model_validate(e) for e in evidence.list_evidence(db, actor, case_id)]


@router.get("/{case_id}/evidence/{evidence_id}", response_model=EvidenceOut)
def view_evidence(case_id: uuid.UUID, evidence_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    """The item's details; the reading is recorded in its chain of custody."""
    return EvidenceOut.model_validate(evidence.view(db, actor, case_id, evidence_id))


@router.get("/{case_id}/evidence/{evidence_id}/content", response_class=StreamingResponse)
def download_evidence(
    case_id: uuid.UUID,
    evidence_id: uuid.UUID,
    db: DB,
    actor: Investigator,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The clear bytes. Each download is recorded in the chain of custody and audit log."""
    ev, chunks = evidence.download(db, actor, case_id, evidence_id, reason)
    return stream_response(ev.filename, ev.size, ev.sha256, chunks)


@router.post(
    "/{case_id}/evidence/{evidence_id}/transfers", status_code=201, response_model=CustodyEntryOut
)
def transfer(
    case_id: uuid.UUID, evidence_id: uuid.UUID, data: TransferIn, db: DB, actor: Investigator
) -> Any:
    """Hand the item to another organisation working on the case, with a reason."""
    return CustodyEntryOut.model_validate(evidence.transfer(db, actor, case_id, evidence_id, data))


@router.get("/{case_id}/evidence/{evidence_id}/custody", response_model=CustodyOut)
def custody_log(case_id: uuid.UUID, evidence_id: uuid.UUID, db: DB, actor: Investigator) -> Any:
    """The chain of custody, and whether its hash chain verifies."""
    ev = evidence.get_evidence(db, actor, case_id, evidence_id)
    result = custody.verify(db, ev.id)
    return CustodyOut(
        evidence=EvidenceOut.model_validate(ev),
        entries=[CustodyEntryOut.model_validate(e) for e in custody.entries(db, ev.id)],
        chain_ok=result.ok,
        problem=None if result.ok else f"entry {result.broken_seq}: {result.problem}",
    )
