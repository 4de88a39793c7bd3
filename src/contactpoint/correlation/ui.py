"""Campaign pages: the list, one campaign (members, countries, losses, timeline,
indicators with exclude/lift buttons, merge), and the hit/no-hit page of a report.
Everything is computed over the reports the signed-in user may see."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from contactpoint.accounts.deps import require_page
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.web import DB, render
from contactpoint.correlation import actions, service

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(require_page(service.READ))]
Analyst = Annotated[Actor, Depends(require_page(service.ACT))]


@router.get("/campaigns", response_class=HTMLResponse)
def list_page(
    request: Request,
    db: DB,
    actor: Reader,
    country: str = "",
    min_size: int = 2,
    cursor: str | None = None,
) -> HTMLResponse:
    items, nxt = service.list_campaigns(
        db,
        actor,
        country=country.strip().upper() or None,
        min_size=max(1, min_size),
        cursor=cursor,
    )
    ctx = {"items": items, "next_cursor": nxt, "country": country, "min_size": min_size}
    return render(request, "correlation/list.html", ctx)


@router.get("/campaigns/hits", response_class=HTMLResponse)
def hits_page(request: Request, db: DB, actor: Reader, report_id: uuid.UUID) -> HTMLResponse:
    found = actions.hits(db, actor, report_id)
    return render(request, "correlation/hits.html", {"report_id": report_id, "holders": found})


def _detail(
    request: Request, db: DB, actor: Actor, campaign_id: uuid.UUID, error: str | None = None
) -> HTMLResponse:
    c = service.get_campaign(db, actor, campaign_id)
    ctx: dict[str, Any] = {"c": c, "error": error, "may_act": actor.can(service.ACT)}
    return render(request, "correlation/detail.html", ctx)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def detail_page(request: Request, db: DB, actor: Reader, campaign_id: uuid.UUID) -> HTMLResponse:
    return _detail(request, db, actor, campaign_id)


@router.post("/campaigns/{campaign_id}/indicator", response_model=None)
def indicator_action(
    request: Request,
    db: DB,
    actor: Analyst,
    campaign_id: uuid.UUID,
    indicator_id: Annotated[uuid.UUID, Form()],
    action: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    do = {
        "exclude": actions.exclude_indicator,
        "include": actions.include_indicator,
        "lift": actions.lift_over_correlation,
    }.get(action)
    try:
        if do is None:
            raise InvalidInput(f"unknown action {action!r}")
        do(db, actor, indicator_id, reason)
    except InvalidInput as exc:
        return _detail(request, db, actor, campaign_id, exc.detail)
    return _after(db, actor, campaign_id)


@router.post("/campaigns/{campaign_id}/merge", response_model=None)
def merge_action(
    request: Request,
    db: DB,
    actor: Analyst,
    campaign_id: uuid.UUID,
    other_id: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        other = uuid.UUID(other_id.strip())
    except ValueError:
        return _detail(request, db, actor, campaign_id, "give the id of the other campaign")
    try:
        joined = actions.merge(db, actor, campaign_id, other, reason)
    except InvalidInput as exc:
        return _detail(request, db, actor, campaign_id, exc.detail)
    return RedirectResponse(f"/campaigns/{joined}", status_code=303)


def _after(db: DB, actor: Actor, campaign_id: uuid.UUID) -> RedirectResponse:
    """Back to the campaign, or to the list when the action dissolved it."""
    try:
        actions.a_visible_member(db, actor, campaign_id)
    except NotFound:
        return RedirectResponse("/campaigns", status_code=303)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)
