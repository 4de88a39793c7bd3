"""Helpers shared by the case pages (cases.ui) and the evidence pages (cases.ui_evidence)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_page
from contactpoint.accounts.models import Organisation, User
from contactpoint.cases import evidence, service
from contactpoint.cases.models import Case, CaseStatus
from contactpoint.cases.schemas import field_errors
from contactpoint.core.actor import Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import utcnow
from contactpoint.core.errors import ContactpointError, NotFound
from contactpoint.core.i18n import gettext as _
from contactpoint.core.web import render

Investigator = Annotated[Actor, Depends(require_page("cases:manage"))]


def N_(message: str) -> str:  # marks a string for extraction; translated where shown
    return message


STATUS_LABELS = {
    CaseStatus.OPEN.value: N_("Open"),
    CaseStatus.SUSPENDED.value: N_("Suspended"),
    CaseStatus.CLOSED.value: N_("Closed"),
}


def parse_id(value: str, what: str = "case") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound(f"{what} {value} not found") from exc


def labels() -> dict[str, Any]:
    return {"status_labels": {k: _(v) for k, v in STATUS_LABELS.items()}}


def org_names(db: Session, ids: list[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    return evidence.org_names(db, set(ids))


async def form_of(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}


def errors_text(exc: ValidationError | ContactpointError) -> str:
    if isinstance(exc, ValidationError):
        errs = field_errors(exc)
        return "; ".join(f"{e['field']}: {e['message']}" for e in errs)
    hints = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
    return f"{exc.detail} ({hints})" if hints else exc.detail


MESSAGES = {
    "opened": N_("Case opened."),
    "status": N_("Status changed."),
    "invited": N_("Organisation invited."),
    "task": N_("Task saved."),
    "note": N_("Note added."),
    "linked": N_("Reports linked."),
    "evidence": N_("Evidence added."),
}


def case_page(
    request: Request,
    db: Session,
    actor: Actor,
    case: Case,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    shown, hidden = service.linked_reports(db, actor, case)
    org_ids = service.case_org_ids(case)
    people = (
        list(
            db.scalars(
                select(User)
                .where(User.organisation_id.in_(org_ids), User.active.is_(True))
                .order_by(User.display_name)
            )
        )
        if org_ids
        else []
    )
    others = list(
        db.scalars(
            select(Organisation)
            .where(Organisation.active.is_(True), Organisation.id.not_in(org_ids))
            .order_by(Organisation.name)
        )
    )
    items = evidence.list_evidence(db, actor, case.id)
    history = list(
        db.scalars(
            select(AuditEntry)
            .where(
                or_(
                    and_(AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id)),
                    and_(
                        AuditEntry.object_type == "evidence",
                        AuditEntry.object_id.in_([str(e.id) for e in items]),
                    ),
                )
            )
            .order_by(AuditEntry.seq.desc())
            .limit(100)
        )
    )
    ctx = (
        labels()
        | {
            "c": case,
            "reports": shown,
            "hidden_reports": hidden,
            "orgs": org_names(db, [*org_ids, *(e.custodian_org_id for e in items)]),
            "people": {u.id: u for u in people},
            "invitable": others,
            "tasks": sorted(case.tasks, key=lambda t: (t.done, t.due_on is None, t.due_on)),
            "evidence": items,
            "history": history,
            "today": utcnow().date(),
            "is_owner": case.owner_org_id == actor.org_id,
            "closed": case.status is CaseStatus.CLOSED,
            "message": _(MESSAGES[d])
            if (d := request.query_params.get("done", "")) in MESSAGES
            else None,
        }
        | extra
    )
    return render(request, "cases/detail.html", ctx, status_code=status_code)


def _ascii(name: str) -> str:
    """A fallback file name for clients that ignore ``filename*``."""
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


def stream_response(filename: str, size: int, sha: str, chunks: Iterator[bytes]) -> Response:
    """A decrypted evidence file as a download. The first chunk is read before answering,
    so a file that does not decrypt fails with an error instead of a cut-off download."""
    first = next(chunks, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    return StreamingResponse(
        body(),
        media_type="application/octet-stream",
        headers={
            "content-disposition": f'attachment; filename="{_ascii(filename)}"; '
            f"filename*=utf-8''{quote(filename)}",
            "content-length": str(size),
            "x-content-sha256": sha,
            "cache-control": "no-store",
        },
    )
