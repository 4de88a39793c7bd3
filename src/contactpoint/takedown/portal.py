"""The provider portal (/provider): a provider's operators see the notices and removal
orders addressed to their organisation with their clocks, acknowledge receipt and record
what they did (removed, access disabled, refused with a reason) and when.

Only ``takedown:respond`` users reach it; every read goes through takedown.service and so
through core.access, so another provider's notice is a 404. Buttons disappear once the
notice is answered or withdrawn; a second answer sent anyway is a 409 with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_page
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import ContactpointError, NotFound
from contactpoint.core.web import DB, render
from contactpoint.takedown import service
from contactpoint.takedown.models import Notice, NoticeStatus
from contactpoint.takedown.notice_clock import ClockState
from contactpoint.takedown.ui import common, detail_ctx, notice_id, when_of

router = APIRouter(include_in_schema=False)
Operator = Annotated[Actor, Depends(require_page("takedown:respond"))]
VIEWS = ("open", "due-soon", "overdue", "answered")


def _rows(db: Session, actor: Actor, view: str) -> list[Notice]:
    if view == "due-soon":
        return service.by_clock(db, actor, ClockState.DUE_SOON, box="received")
    if view == "overdue":
        return service.by_clock(db, actor, ClockState.OVERDUE, box="received")
    rows, _ = service.page(db, actor, box="received", limit=200)
    if view == "answered":
        return [n for n in rows if n.status not in (NoticeStatus.SENT, NoticeStatus.RECEIVED)]
    # Most urgent first: orders whose clock waits for your receipt (a TCO hour starts when
    # you acknowledge), then by due time; notices without a clock last.
    open_rows = [n for n in rows if n.status in (NoticeStatus.SENT, NoticeStatus.RECEIVED)]
    far = datetime.max.replace(tzinfo=UTC)

    def urgency(n: Notice) -> tuple[int, datetime, datetime]:
        awaiting = service.clock(db, n).state is ClockState.AWAITING_RECEIPT
        return (0 if awaiting else 1, n.due_at or far, n.sent_at)

    return sorted(open_rows, key=urgency)


@router.get("/provider", response_class=HTMLResponse)
def index(request: Request, db: DB, actor: Operator, view: str = "open") -> HTMLResponse:
    view = view if view in VIEWS else "open"
    ctx = common(db) | {
        "view": view,
        "rows": _rows(db, actor, view),
        "counts": service.counts(db, actor, box="received"),
        "my_providers": [
            p for p in service.providers(db) if p.id in service.provider_org_ids(db, actor)
        ],
    }
    return render(request, "portal/index.html", ctx)


def _notice(db: Session, actor: Actor, nid: str) -> Notice:
    notice = service.get(db, actor, notice_id(nid))
    if notice.provider_id not in service.provider_org_ids(db, actor):
        raise NotFound(f"takedown_notice {nid} not found")  # one's own sent notices: not here
    return notice


@router.get("/provider/notices/{nid}", response_class=HTMLResponse)
def detail(request: Request, nid: str, db: DB, actor: Operator) -> HTMLResponse:
    notice = _notice(db, actor, nid)
    audit.record(db, actor, "takedown.read", object_type="takedown_notice", object_id=notice.id)
    return render(request, "portal/detail.html", _ctx(db, actor, notice))


def _ctx(db: Session, actor: Actor, notice: Notice) -> dict[str, Any]:
    return detail_ctx(db, actor, notice)


@router.post("/provider/notices/{nid}/{step}", response_model=None)
async def step(request: Request, nid: str, step: str, db: DB, actor: Operator) -> Response:
    notice = _notice(db, actor, nid)
    form = await request.form()
    if step not in ("acknowledge", "action"):
        raise NotFound(f"no step {step}")
    try:
        with db.begin_nested():
            if step == "acknowledge":
                service.acknowledge(db, actor, notice.id)
            else:
                service.act(
                    db,
                    actor,
                    notice.id,
                    str(form.get("action") or ""),
                    str(form.get("reason") or ""),
                    when_of(form.get("acted_at")),
                )
    except ContactpointError as exc:
        db.refresh(notice)
        ctx = _ctx(db, actor, notice) | {"error": exc.detail}
        return render(request, "portal/detail.html", ctx, status_code=exc.status)
    return RedirectResponse(f"/provider/notices/{notice.id}", status_code=303)
