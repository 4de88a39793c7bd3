"""`/api/v1/campaigns`: campaigns as the caller may see them, analyst actions, hit/no-hit.

Totals and members are computed over the reports the caller may see; a campaign with no
visible member is 404. Actions need ``reports:triage`` and a reason; they are audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from contactpoint.accounts.deps import require_api
from contactpoint.core.actor import Actor
from contactpoint.core.web import DB
from contactpoint.correlation import actions, follows, service
from contactpoint.correlation import graph as graphs

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
Reader = Annotated[Actor, Depends(require_api(service.READ))]
Analyst = Annotated[Actor, Depends(require_api(service.ACT))]


class Reason(BaseModel):
    reason: str = Field(description="why; kept in the audit log")


class MergeIn(Reason):
    other_id: uuid.UUID


class SplitIn(Reason):
    indicator_ids: list[uuid.UUID]


@router.get("")
def list_campaigns(
    db: DB,
    actor: Reader,
    country: Annotated[str | None, Query(max_length=2)] = None,
    category: str | None = None,
    min_size: Annotated[int, Query(ge=1)] = 2,
    max_size: Annotated[int | None, Query(ge=1)] = None,
    growth_days: Annotated[
        int | None, Query(ge=1, le=3650, description="window for `growth` (default 30)")
    ] = None,
    min_growth: Annotated[
        int, Query(ge=0, description="at least this many members received in the window")
    ] = 0,
    first_seen_from: datetime | None = None,
    first_seen_to: datetime | None = None,
    last_seen_from: datetime | None = None,
    last_seen_to: datetime | None = None,
    since: Annotated[datetime | None, Query(description="same as last_seen_from")] = None,
    sort: Annotated[str, Query(pattern="^(last_seen|size|growth)$")] = "last_seen",
    followed: Annotated[bool, Query(description="only the campaigns you follow")] = False,
    campaign: Annotated[
        str | None,
        Query(max_length=36, description="a campaign id, or its last 8 to 12 hex digits"),
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Campaigns you may see, filtered by country, category, size, growth and dates.

    Every figure (size, dates, growth: members received in the last ``growth_days`` days)
    counts only the member reports you may see."""
    items, nxt = service.list_campaigns(
        db,
        actor,
        country=country.upper() if country else None,
        category=category,
        min_size=min_size,
        max_size=max_size,
        since=last_seen_from or since,
        last_seen_to=last_seen_to,
        first_seen_from=first_seen_from,
        first_seen_to=first_seen_to,
        growth_days=growth_days,
        min_growth=min_growth,
        sort=sort,
        cursor=cursor,
        limit=limit,
        followed=followed,
        campaign=campaign,
    )
    return {"items": items, "next_cursor": nxt}


@router.get("/hits")
def hits(db: DB, actor: Reader, report_id: uuid.UUID) -> dict[str, Any]:
    """Other reports you may not see that share an indicator with this one, counted by
    holder organisation. No ids and no content."""
    return {"report_id": str(report_id), "holders": actions.hits(db, actor, report_id)}


@router.get("/{campaign_id}/graph")
def graph(
    db: DB,
    actor: Reader,
    campaign_id: uuid.UUID,
    max_reports: Annotated[int, Query(ge=1, le=graphs.MAX_REPORTS)] = graphs.MAX_REPORTS,
) -> dict[str, Any]:
    """The campaign graph: reports and shared indicators as nodes, holding as edges.

    Only over the reports you may see, at most ``max_reports`` (the latest); ``truncated``
    says when some were left out."""
    return graphs.campaign_graph(db, actor, campaign_id, max_reports=max_reports)


@router.get("/{campaign_id}")
def get_campaign(db: DB, actor: Reader, campaign_id: uuid.UUID) -> dict[str, Any]:
    """One campaign over the reports you may see, and whether you follow it.

    Totals, members, timeline and indicators count only those reports. ``held_elsewhere``
    counts the members you may not see by holder organisation (hit/no-hit), with a link that
    drafts an access request to each."""
    out = service.get_campaign(db, actor, campaign_id)
    out["following"] = follows.is_following(db, actor, campaign_id)
    out["held_elsewhere"] = actions.campaign_hits(db, actor, campaign_id)
    return out


@router.post("/{campaign_id}/follow")
def follow(db: DB, actor: Reader, campaign_id: uuid.UUID) -> dict[str, Any]:
    """Be told when the campaign grows. ``changed`` is false when you already followed it."""
    return {"following": True, "changed": follows.follow(db, actor, campaign_id)}


@router.delete("/{campaign_id}/follow")
def unfollow(db: DB, actor: Reader, campaign_id: uuid.UUID) -> dict[str, Any]:
    """Stop following. ``changed`` is false when you did not follow it."""
    return {"following": False, "changed": follows.unfollow(db, actor, campaign_id)}


@router.post("/{campaign_id}/merge")
def merge(db: DB, actor: Analyst, campaign_id: uuid.UUID, body: MergeIn) -> dict[str, Any]:
    joined = actions.merge(db, actor, campaign_id, body.other_id, body.reason)
    return {"id": str(joined)}


@router.post("/{campaign_id}/split", status_code=204)
def split(db: DB, actor: Analyst, campaign_id: uuid.UUID, body: SplitIn) -> None:
    actions.split(db, actor, campaign_id, body.indicator_ids, body.reason)


@router.post("/indicators/{indicator_id}/exclude", status_code=204)
def exclude(db: DB, actor: Analyst, indicator_id: uuid.UUID, body: Reason) -> None:
    actions.exclude_indicator(db, actor, indicator_id, body.reason)


@router.post("/indicators/{indicator_id}/include", status_code=204)
def include(db: DB, actor: Analyst, indicator_id: uuid.UUID, body: Reason) -> None:
    actions.include_indicator(db, actor, indicator_id, body.reason)


@router.post("/indicators/{indicator_id}/lift", status_code=204)
def lift(db: DB, actor: Analyst, indicator_id: uuid.UUID, body: Reason) -> None:
    actions.lift_over_correlation(db, actor, indicator_id, body.reason)
