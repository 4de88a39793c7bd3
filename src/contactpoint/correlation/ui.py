"""Campaign pages: the list, one campaign (members, countries, losses, timeline,
indicators with exclude/lift buttons, merge), and the hit/no-hit page of a report.
Everything is computed over the reports the signed-in user may see."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from contactpoint.accounts.deps import require_page
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.web import DB, render
from contactpoint.correlation import actions, follows, notices, service
from contactpoint.correlation import graph as graphs
from contactpoint.taxonomy.vocab import Category

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC = {"campaign-graph.js": "text/javascript", "campaign-graph.css": "text/css"}
Reader = Annotated[Actor, Depends(require_page(service.READ))]
Analyst = Annotated[Actor, Depends(require_page(service.ACT))]


def _int(value: str, default: int | None = None) -> int | None:
    try:
        return int(value) if value.strip() else default
    except ValueError:
        return default


def _date(value: str, end: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` form value as the start (or, ``end``, the end) of that UTC day."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    at = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return at


FILTERS = (
    "country",
    "category",
    "min_size",
    "max_size",
    "growth_days",
    "min_growth",
    "first_from",
    "first_to",
    "last_from",
    "last_to",
    "sort",
    "followed",
    "campaign",
)


@router.get("/campaigns", response_class=HTMLResponse)
def list_page(request: Request, db: DB, actor: Reader, cursor: str | None = None) -> HTMLResponse:
    """The list with its filters (plain GET form: works without JavaScript)."""
    f = {k: request.query_params.get(k, "") for k in FILTERS}
    sort = f["sort"] if f["sort"] in service.SORTS else "last_seen"
    min_growth = max(0, _int(f["min_growth"], 0) or 0)
    growth_days = _int(f["growth_days"])
    error = None
    try:
        items, nxt = service.list_campaigns(
            db,
            actor,
            country=f["country"].strip().upper() or None,
            category=f["category"].strip() or None,
            min_size=max(1, _int(f["min_size"], 2) or 2),
            max_size=_int(f["max_size"]),
            growth_days=max(1, growth_days) if growth_days else None,
            min_growth=min_growth,
            first_seen_from=_date(f["first_from"]),
            first_seen_to=_date(f["first_to"], end=True),
            since=_date(f["last_from"]),
            last_seen_to=_date(f["last_to"], end=True),
            sort=sort,
            cursor=cursor,
            followed=f["followed"] == "1",
            campaign=f["campaign"] or None,
        )
    except InvalidInput as exc:
        items, nxt, error = [], None, exc.detail
    f["min_size"] = f["min_size"] or "2"
    more = urlencode({k: v for k, v in f.items() if v} | {"cursor": nxt}) if nxt else None
    ctx = {
        "notices": notices.unread(db, actor.user_id) if actor.user_id else 0,
        "items": items,
        "more": more,
        "f": f,
        "sort": sort,
        "error": error,
        "categories": [c.value for c in Category],
    }
    return render(request, "correlation/list.html", ctx)


@router.get("/campaigns/hits", response_class=HTMLResponse)
def hits_page(request: Request, db: DB, actor: Reader, report_id: uuid.UUID) -> HTMLResponse:
    found = actions.hits(db, actor, report_id)
    ctx = {
        "report_id": report_id,
        "holders": found,
        "may_request": actor.can("cooperation:manage"),
    }
    return render(request, "correlation/hits.html", ctx)


@router.get("/campaigns-static/{name}")
def static_file(name: str) -> FileResponse:
    """The graph's glue script and style sheet (files, since the CSP forbids inline ones)."""
    if name not in STATIC:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(STATIC_DIR / name, media_type=STATIC[name])


def _detail(
    request: Request, db: DB, actor: Actor, campaign_id: uuid.UUID, error: str | None = None
) -> HTMLResponse:
    c = service.get_campaign(db, actor, campaign_id)
    g = graphs.campaign_graph(db, actor, campaign_id, record=False)  # read audited above
    ctx: dict[str, Any] = {
        "c": c,
        "g": g,
        "error": error,
        "may_act": actor.can(service.ACT),
        "following": follows.is_following(db, actor, campaign_id),
        "held": actions.campaign_hits(db, actor, campaign_id),
        "may_request": actor.can("cooperation:manage"),
    }
    return render(request, "correlation/detail.html", ctx)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def detail_page(request: Request, db: DB, actor: Reader, campaign_id: uuid.UUID) -> HTMLResponse:
    return _detail(request, db, actor, campaign_id)


@router.post("/campaigns/{campaign_id}/follow")
def follow_action(
    db: DB, actor: Reader, campaign_id: uuid.UUID, action: Annotated[str, Form()] = "follow"
) -> RedirectResponse:
    """Follow or stop following (any reader of the campaign)."""
    if action == "unfollow":
        follows.unfollow(db, actor, campaign_id)
    else:
        follows.follow(db, actor, campaign_id)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


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


@router.post("/campaigns/{campaign_id}/split", response_model=None)
def split_action(
    request: Request,
    db: DB,
    actor: Analyst,
    campaign_id: uuid.UUID,
    indicator_ids: Annotated[list[uuid.UUID] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        actions.split(db, actor, campaign_id, indicator_ids or [], reason)
    except InvalidInput as exc:
        return _detail(request, db, actor, campaign_id, exc.detail)
    return _after(db, actor, campaign_id)


def _after(db: DB, actor: Actor, campaign_id: uuid.UUID) -> RedirectResponse:
    """Back to the campaign, or to the list when the action dissolved it."""
    try:
        actions.a_visible_member(db, actor, campaign_id)
    except NotFound:
        return RedirectResponse("/campaigns", status_code=303)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)
