"""Staff pages for notices: the list with due-soon / overdue / awaiting-receipt views and
clocks ("due in 42 min", "overdue by 2 h"), the form (fields of the chosen kind with their
articles; no JavaScript needed; prefilled from ``?report_id=`` or ``?url=``), and the notice
page (timeline, signed timestamps, re-check results, the sender's steps).

Plain forms that POST and redirect (303); every read goes through takedown.service and so
through core.access (another organisation's notice is a 404 here too). Providers' operators
have their own pages under /provider (portal.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_page
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import (
    ContactpointError,
    Forbidden,
    InvalidInput,
    NotFound,
    form_errors,
)
from contactpoint.core.web import DB, render
from contactpoint.takedown import service
from contactpoint.takedown.models import CLOSED, Notice
from contactpoint.takedown.notice_clock import ClockState
from contactpoint.takedown.schemas import NoticeIn
from contactpoint.taxonomy.vocab import CrimeKind

router = APIRouter(include_in_schema=False)
Member = Annotated[Actor, Depends(require_page())]
Sender = Annotated[Actor, Depends(require_page("takedown:manage"))]
VIEWS = {
    "all": None,
    "due-soon": ClockState.DUE_SOON,
    "overdue": ClockState.OVERDUE,
    "awaiting": ClockState.AWAITING_RECEIPT,
}


def notice_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"takedown_notice {value} not found") from None


def when_of(value: object) -> datetime | None:
    """A form's "when" (datetime-local, read as UTC), or None for now."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        msg = "not a date and time (YYYY-MM-DDTHH:MM, UTC)"
        raise InvalidInput(
            f"acted_at: {msg}", errors=[{"field": "acted_at", "message": msg}]
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def common(db: Session) -> dict[str, Any]:
    return {
        "providers": service.provider_names(db),
        "orgs": service.org_names(db),
        "kinds": service.rules_for(db).kinds,
        "clock_of": lambda n: service.clock(db, n),
    }


@router.get("/takedown", response_model=None)
def index(request: Request, db: DB, actor: Member, view: str = "all") -> Response:
    if not actor.can("takedown:manage"):
        if actor.can("takedown:respond"):
            return RedirectResponse("/provider", status_code=303)
        raise Forbidden("your roles allow neither 'takedown:manage' nor 'takedown:respond'")
    view = view if view in VIEWS else "all"
    state = VIEWS[view]
    rows: list[Notice]
    if state is None:
        rows, _ = service.page(db, actor, box="sent", limit=200)
    else:
        rows = service.by_clock(db, actor, state, box="sent")
    counts = service.counts(db, actor, box="sent")
    counts["awaiting"] = len(service.by_clock(db, actor, ClockState.AWAITING_RECEIPT, box="sent"))
    ctx = common(db) | {"view": view, "rows": rows, "counts": counts}
    return render(request, "notices/index.html", ctx)


def _form_ctx(db: Session, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    rules = service.rules_for(db)
    return common(db) | {
        "rule": rules.kinds.get(values.get("kind") or ""),
        "v": values,
        "provider_rows": service.providers(db),
        "categories": [c.value for c in CrimeKind],
    }


@router.get("/takedown/new", response_class=HTMLResponse)
def new_form(request: Request, db: DB, actor: Sender) -> HTMLResponse:
    values: dict[str, Any] = dict(request.query_params)
    urls = [u for u in request.query_params.getlist("url") if u.strip()]
    if values.get("report_id"):
        pre = service.prefill_from_report(db, actor, notice_id(values["report_id"]))
        urls = urls + [u for u in pre.urls if u not in urls]
        if pre.category and not values.get("category"):
            values["category"] = pre.category
    if urls:
        values["urls"] = "\n".join(urls)
    return render(request, "notices/new.html", _form_ctx(db, actor, values))


@router.post("/takedown/new", response_model=None)
async def create(request: Request, db: DB, actor: Sender) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    rule = service.rules_for(db).kinds.get(values.get("kind", ""))
    data = {
        "kind": values.get("kind", ""),
        "urls": [u.strip() for u in values.get("urls", "").splitlines() if u.strip()],
        "provider_id": values.get("provider_id") or None,
        "category": values.get("category", ""),
        "fields": {f.name: values.get(f"field_{f.name}", "") for f in rule.fields} if rule else {},
        "notifier_name": values.get("notifier_name") or None,
        "notifier_email": values.get("notifier_email") or None,
        "report_id": values.get("report_id") or None,
    }
    errors: list[dict[str, Any]]
    try:
        with db.begin_nested():  # a refused notice leaves nothing behind
            notice, _ = service.send(db, actor, NoticeIn.model_validate(data))
    except (ValidationError, ContactpointError) as exc:
        errors = form_errors(exc)
    else:
        return RedirectResponse(f"/takedown/notices/{notice.id}", status_code=303)
    ctx = _form_ctx(db, actor, values) | {"errors": {e["field"]: e["message"] for e in errors}}
    return render(request, "notices/new.html", ctx, status_code=422)


def detail_ctx(db: Session, actor: Actor, notice: Notice) -> dict[str, Any]:
    rule = service.kind_rule(db, notice.kind.value)
    return common(db) | {
        "n": notice,
        "rule": rule,
        "clock": service.clock(db, notice),
        "scrutiny_due": service.scrutiny_due(db, notice),
        "stamps": {t.event.id: t for t in service.timestamps_of(db, notice)},
        "is_open": notice.status not in CLOSED,
        "side": "sender" if notice.owner_org_id == actor.org_id else "provider",
        "answers": service.answers_for_provider(db, actor, notice),
        "now": utcnow(),
    }


@router.get("/takedown/notices/{nid}", response_class=HTMLResponse)
def detail(request: Request, nid: str, db: DB, actor: Member) -> HTMLResponse:
    notice = service.get(db, actor, notice_id(nid))
    audit.record(db, actor, "takedown.read", object_type="takedown_notice", object_id=notice.id)
    return render(request, "notices/detail.html", detail_ctx(db, actor, notice))


@router.post("/takedown/notices/{nid}/{step}", response_model=None)
async def step(request: Request, nid: str, step: str, db: DB, actor: Sender) -> Response:
    rid = notice_id(nid)
    form = await request.form()
    reason = str(form.get("reason") or "")
    actions = {
        "withdraw": lambda: service.withdraw(db, actor, rid, reason),
        "pause": lambda: service.pause(db, actor, rid, reason),
        "resume": lambda: service.resume(db, actor, rid, reason),
        # for a provider that is not on the platform, on its behalf
        "acknowledge": lambda: service.acknowledge(db, actor, rid),
        "action": lambda: service.act(
            db, actor, rid, str(form.get("action") or ""), reason, when_of(form.get("acted_at"))
        ),
    }
    if step not in actions:
        raise NotFound(f"no step {step}")
    try:
        with db.begin_nested():
            actions[step]()
    except ContactpointError as exc:
        notice = service.get(db, actor, rid)
        ctx = detail_ctx(db, actor, notice) | {"error": exc.detail}
        return render(request, "notices/detail.html", ctx, status_code=exc.status)
    return RedirectResponse(f"/takedown/notices/{rid}", status_code=303)
