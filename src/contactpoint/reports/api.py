"""`/api/v1/reports`: submit, list, read, triage, notes, attachments (bearer tokens)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from contactpoint.accounts.deps import require_api
from contactpoint.core.actor import Actor
from contactpoint.core.errors import TooLarge
from contactpoint.core.web import DB
from contactpoint.reports import service
from contactpoint.reports import triage as triaging
from contactpoint.reports.models import Source
from contactpoint.reports.schemas import (
    MAX_ATTACHMENT_BYTES,
    AttachmentIn,
    AttachmentOut,
    NoteIn,
    NoteOut,
    ReportFilter,
    ReportIn,
    ReportOut,
    TriageIn,
)

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Submitter = Annotated[Actor, Depends(require_api("reports:submit"))]
Reader = Annotated[Actor, Depends(require_api("reports:read"))]
Triager = Annotated[Actor, Depends(require_api("reports:triage"))]
AnyToken = Annotated[Actor, Depends(require_api())]


class ReportQuery(ReportFilter):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=500)


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None
    total: int = Field(description="reports matching the filters that you may see")


class ContactOut(BaseModel):
    name: str | None
    email: str | None
    phone: str | None
    contact_consent: bool
    share_with_other_authorities: bool


@router.post(
    "",
    status_code=201,
    response_model=ReportOut,
    responses={200: {"description": "external_id already submitted: the stored report"}},
)
def submit_report(data: ReportIn, db: DB, actor: Submitter, response: Response) -> Any:
    """Submit one report. Re-sending the same `external_id` returns the stored report
    with status 200 instead of creating a second one."""
    result = service.submit(db, actor, data, source=Source.API)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = f"/api/v1/reports/{result.report.id}"
    return ReportOut.model_validate(result.report)


@router.get("", response_model=ReportPage)
def list_reports(db: DB, actor: Reader, query: Annotated[ReportQuery, Query()]) -> Any:
    """Reports you may see, newest first, with filters and a cursor."""
    filters = ReportFilter.model_validate(query.model_dump(exclude={"cursor", "limit"}))
    page = service.list_reports(db, actor, filters, cursor=query.cursor, limit=query.limit)
    return ReportPage(
        items=[ReportOut.model_validate(r) for r in page.items],
        next_cursor=page.next_cursor,
        total=service.count_reports(db, actor, filters),
    )


@router.get("/by-reference/{reference}", response_model=ReportOut)
def by_reference(reference: str, db: DB, actor: Reader) -> Any:
    return ReportOut.model_validate(service.find_by_reference(db, actor, reference))


@router.get("/{report_id}", response_model=ReportOut)
def get_report(report_id: uuid.UUID, db: DB, actor: Reader) -> Any:
    return ReportOut.model_validate(service.get_report(db, actor, report_id))


@router.post("/{report_id}/triage", response_model=ReportOut)
def triage(report_id: uuid.UUID, data: TriageIn, db: DB, actor: Triager) -> Any:
    """Classify, set markings, assign, change status (closing needs `close_reason`), note."""
    return ReportOut.model_validate(triaging.triage(db, actor, report_id, data))


@router.post("/{report_id}/notes", status_code=201, response_model=NoteOut)
def add_note(report_id: uuid.UUID, data: NoteIn, db: DB, actor: Triager) -> Any:
    return NoteOut.model_validate(triaging.add_note(db, actor, report_id, data.body))


@router.get("/{report_id}/notes", response_model=list[NoteOut])
def notes(report_id: uuid.UUID, db: DB, actor: Reader) -> Any:
    return [NoteOut.model_validate(n) for n in service.get_report(db, actor, report_id).notes]


@router.get("/{report_id}/contact", response_model=ContactOut)
def contact(
    report_id: uuid.UUID,
    db: DB,
    actor: Triager,
    reason: Annotated[str, Query(min_length=3, max_length=500)],
) -> Any:
    """The reporter's contact details. Each read is in the audit log with your reason."""
    report = service.get_report(db, actor, report_id)
    c = service.reporter_contact(db, actor, report, reason)
    return ContactOut(
        name=c.name,
        email=c.email,
        phone=c.phone,
        contact_consent=c.contact_consent,
        share_with_other_authorities=c.share_with_other_authorities,
    )


@router.post(
    "/{report_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses={
        413: {"description": "file too large"},
        422: {"description": "file type not accepted (detected by content)"},
    },
)
def add_attachment(
    report_id: uuid.UUID, db: DB, actor: AnyToken, file: Annotated[UploadFile, File()]
) -> Any:
    """Attach a file (images, PDF, plain text, e-mail; max 10 MiB). Never for reports of
    child sexual abuse material."""
    content = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise TooLarge(
            f"{file.filename}: larger than {MAX_ATTACHMENT_BYTES // 2**20} MiB",
            errors=[{"field": "file", "message": "file too large"}],
        )
    att = AttachmentIn(file.filename or "attachment", content, file.content_type)
    try:
        row = service.add_attachment(db, actor, report_id, att)
    except Exception as exc:  # name the multipart field, not the service's list index
        for err in getattr(exc, "errors", []) or []:
            if str(err.get("field", "")).startswith("attachments"):
                err["field"] = "file"
        raise
    return AttachmentOut.model_validate(row)


@router.get("/{report_id}/attachments/{attachment_id}", response_class=FileResponse)
def get_attachment(report_id: uuid.UUID, attachment_id: uuid.UUID, db: DB, actor: Reader) -> Any:
    row, path = service.attachment_file(db, actor, attachment_id)
    if row.report_id != report_id:
        from contactpoint.core.errors import NotFound

        raise NotFound(f"attachment {attachment_id} not found")
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.filename,
        content_disposition_type="attachment",
    )
