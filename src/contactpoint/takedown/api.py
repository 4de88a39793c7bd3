"""`/api/v1/takedown/notices`: send notices and removal orders, and answer them (bearer
tokens). The same endpoints serve senders (``takedown:manage``) and providers' operators
(``takedown:respond``), who see only the notices addressed to their organisation."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from contactpoint.accounts.deps import api_actor
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import Forbidden
from contactpoint.core.web import DB
from contactpoint.takedown import service, timestamps
from contactpoint.takedown.models import Notice
from contactpoint.takedown.schemas import (
    ActionIn,
    ClockOut,
    EventOut,
    NoticeDetail,
    NoticeIn,
    NoticeOut,
    NoticePage,
    ReasonIn,
    TimestampOut,
    TimestampsOut,
)

router = APIRouter(prefix="/api/v1/takedown", tags=["takedown"])


def _party(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    if not (actor.can("takedown:manage") or actor.can("takedown:respond")):
        raise Forbidden("the token carries neither 'takedown:manage' nor 'takedown:respond'")
    return actor


Party = Annotated[Actor, Depends(_party)]


def detail(db: DB, notice: Notice, *, personal: bool = True) -> NoticeDetail:
    """The notice as the API shows it; lists leave out the notifier's name and e-mail (read
    one notice for them: that read is audited)."""
    c = service.clock(db, notice)
    base = NoticeOut.model_validate(notice).model_dump()
    if not personal:
        base["notifier_name"] = base["notifier_email"] = None
    return NoticeDetail(
        **base,
        clock=ClockOut(
            state=c.state.value,
            text=c.text,
            label=c.label,
            legal=c.legal,
            citation=c.citation,
            due_at=c.due_at,
            remaining_seconds=int(c.remaining.total_seconds()) if c.remaining is not None else None,
            late=c.late,
        ),
        scrutiny_due_at=service.scrutiny_due(db, notice),
        events=[EventOut.model_validate(e) for e in notice.events],
    )


@router.get("/kinds")
def kinds(db: DB, actor: Party) -> list[dict[str, Any]]:
    """Each kind of notice with its source, fields (with articles), clock and issuers."""
    out = []
    for k in service.rules_for(db).kinds.values():
        out.append(
            {
                "code": k.code,
                "title": k.title,
                "citation": k.citation,
                "check": k.check,
                "summary": k.summary,
                "issuers": list(k.issuers) if k.issuers is not None else "any",
                "urls_article": k.urls_article,
                "notifier_required": k.notifier.required,
                "notifier_exempt_categories": list(k.notifier.exempt_categories),
                "fields": [
                    {
                        "name": f.name,
                        "label": f.label,
                        "article": f.article,
                        "required": not f.optional,
                        "choices": list(f.choices),
                    }
                    for f in k.fields
                ],
                "clock": None
                if k.clock is None
                else {
                    "label": k.clock.label,
                    "hours": k.clock.duration.total_seconds() / 3600,
                    "starts_on": k.clock.starts_on,
                    "legal": k.clock.legal,
                    "citation": k.clock.citation,
                    "milestones_days": [m.days for m in k.clock.milestones],
                },
                "pausable": k.pausable,
                "pause_reasons": list(k.pause.reasons) if k.pause else [],
                "scrutiny_hours": k.scrutiny_hours,
            }
        )
    return out


@router.post(
    "/notices",
    status_code=201,
    response_model=NoticeDetail,
    responses={200: {"description": "external_id already sent: the stored notice"}},
)
def create_notice(data: NoticeIn, db: DB, actor: Party, response: Response) -> Any:
    """Send a notice. 422 names each missing field and its article, a URL that does not
    parse or points to a private address, or URLs of different providers; 403 when your
    organisation may not issue this kind (TCO orders: competent authorities only)."""
    notice, created = service.send(db, actor, data)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/takedown/notices/{notice.id}"
    return detail(db, notice)


@router.get("/notices", response_model=NoticePage)
def list_notices(
    db: DB,
    actor: Party,
    box: Literal["all", "sent", "received"] = "all",
    status: str | None = None,
    kind: str | None = None,
    provider_id: uuid.UUID | None = None,
    overdue: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Notices you sent or that are addressed to your organisation, newest first."""
    rows, next_cursor = service.page(
        db,
        actor,
        box=box,
        status=status,
        kind=kind,
        provider_id=provider_id,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )
    return NoticePage(items=[detail(db, n, personal=False) for n in rows], next_cursor=next_cursor)


@router.get("/notices/{notice_id}", response_model=NoticeDetail)
def get_notice(notice_id: uuid.UUID, db: DB, actor: Party) -> Any:
    """One notice with its clock, URLs (and re-check results) and timeline; 404 unless your
    organisation sent it or is its provider."""
    notice = service.get(db, actor, notice_id)
    audit.record(db, actor, "takedown.read", object_type="takedown_notice", object_id=notice.id)
    return detail(db, notice)


@router.post("/notices/{notice_id}/acknowledge", response_model=NoticeDetail)
def acknowledge(notice_id: uuid.UUID, db: DB, actor: Party) -> Any:
    """The provider confirms receipt (signed timestamp); 409 if already done or closed."""
    return detail(db, service.acknowledge(db, actor, notice_id))


@router.post("/notices/{notice_id}/action", response_model=NoticeDetail)
def act(notice_id: uuid.UUID, data: ActionIn, db: DB, actor: Party) -> Any:
    """The provider records removed / disabled / refused (with reason) and when; 409 the
    second time or on a withdrawn notice."""
    return detail(db, service.act(db, actor, notice_id, data.action, data.reason, data.acted_at))


@router.post("/notices/{notice_id}/withdraw", response_model=NoticeDetail)
def withdraw(notice_id: uuid.UUID, data: ReasonIn, db: DB, actor: Party) -> Any:
    """The sender withdraws the notice, with a reason; 409 once the provider answered."""
    return detail(db, service.withdraw(db, actor, notice_id, data.reason))


@router.post("/notices/{notice_id}/pause", response_model=NoticeDetail)
def pause(notice_id: uuid.UUID, data: ReasonIn, db: DB, actor: Party) -> Any:
    """Stop the clock (pausable kinds only: TCO force majeure or clarification)."""
    return detail(db, service.pause(db, actor, notice_id, data.reason))


@router.post("/notices/{notice_id}/resume", response_model=NoticeDetail)
def resume(notice_id: uuid.UUID, data: ReasonIn, db: DB, actor: Party) -> Any:
    """Restart the clock; the due time moves later by the pause."""
    return detail(db, service.resume(db, actor, notice_id, data.reason))


@router.get("/notices/{notice_id}/events", response_model=list[EventOut])
def events(notice_id: uuid.UUID, db: DB, actor: Party) -> Any:
    """The timeline: every step, who and when; sending and receipt carry a signature."""
    notice = service.get(db, actor, notice_id)
    return [EventOut.model_validate(e) for e in notice.events]


@router.get("/notices/{notice_id}/timestamps", response_model=TimestampsOut)
def notice_timestamps(notice_id: uuid.UUID, db: DB, actor: Party) -> Any:
    """The signed sending and receipt timestamps, the exact signed bytes and the node's
    public key, so either party can check them offline."""
    notice = service.get(db, actor, notice_id)
    return TimestampsOut(
        public_key_pem=service.public_key_pem(db).decode(),
        content_sha256_now=service.content_digest(notice),
        timestamps=[
            TimestampOut(
                event_id=t.event.id,
                event=t.event.kind,
                reference=notice.reference,
                at=timestamps.iso(t.event.at),
                content_sha256=t.content_sha256,
                payload=t.payload.decode(),
                signature=t.event.signature or "",
                valid=t.valid,
            )
            for t in service.timestamps_of(db, notice)
        ],
    )
