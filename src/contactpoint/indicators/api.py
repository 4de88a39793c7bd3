"""`/api/v1/indicators`: search by (defanged) value, and the bank lookup.

Related reports come from reports.indicator_links (``related_reports``, ``count_related``,
``lookup``): the reports sit above this area, and every report read there goes through
core.access.visible.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import require_api
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.web import DB
from contactpoint.indicators import service
from contactpoint.indicators.models import Indicator
from contactpoint.reports import indicator_links

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])
Searcher = Annotated[Actor, Depends(require_api("indicators:search"))]
Looker = Annotated[Actor, Depends(require_api("indicators:lookup"))]


class RelatedReport(BaseModel):
    id: uuid.UUID
    reference: str
    victim_country: str
    category: str
    created_at: datetime


class IndicatorOut(BaseModel):
    id: uuid.UUID
    type: str
    value: str | None = Field(description="clear value; personal data only to analysts")
    first_seen: datetime
    last_seen: datetime
    flags: list[str]
    extra: dict[str, Any]
    warninglisted: bool
    warninglist: str | None
    related_reports: int = Field(description="reports with this indicator that you may see")


class IndicatorDetail(IndicatorOut):
    reports: list[RelatedReport]


class SearchOut(BaseModel):
    items: list[IndicatorOut]


class LookupIn(BaseModel):
    type: str = Field(description="one of " + ", ".join(indicator_links.LOOKUP_TYPES))
    value: str = Field(max_length=200)
    purpose: str = Field(
        max_length=500, description="why you ask, e.g. 'fraud check on outgoing transfer'"
    )
    country: str | None = Field(
        None, max_length=2, description="region of a phone number in national format (FR)"
    )


class LookupOut(BaseModel):
    type: str
    reports: int = Field(description="every report with this value, seen or not")
    restricted: bool = Field(description="some reports are hidden from you by their markings")
    visible_reports: int | None = None
    countries: list[str] | None = None
    categories: list[str] | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


def _out(db: Session, actor: Actor, ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "type": ind.type,
        "value": service.shown_value(ind, may_see_personal=actor.can("indicators:search")),
        "first_seen": ind.first_seen,
        "last_seen": ind.last_seen,
        "flags": list(ind.flags or []),
        "extra": dict(ind.extra or {}),
        "warninglisted": ind.warninglisted,
        "warninglist": ind.warninglist,
        "related_reports": indicator_links.count_related(db, actor, ind),
    }


def _audit_read(db: Session, actor: Actor, inds: list[Indicator], action: str) -> None:
    personal = [i for i in inds if i.token is not None]
    if personal:  # reading personal data is logged (Directive 2016/680 Art. 25)
        audit.record(
            db,
            actor,
            action,
            object_type="indicator",
            object_id=personal[0].id if len(personal) == 1 else None,
            details={"indicators": [str(i.id) for i in personal]},
        )


@router.get("", response_model=SearchOut, summary="Search indicators by value (defanged ok)")
def search(
    db: DB, actor: Searcher, q: Annotated[str, Query(min_length=1, max_length=2000)]
) -> dict[str, Any]:
    found = service.search(db, q)
    _audit_read(db, actor, found, "indicator.search")
    return {"items": [_out(db, actor, i) for i in found]}


@router.post("/lookup", response_model=LookupOut, summary="Has this been reported? (banks)")
def lookup(request: Request, db: DB, actor: Looker, body: LookupIn) -> dict[str, Any]:
    rate = request.app.state.settings.lookup_rate_per_minute
    return indicator_links.lookup(
        db, actor, body.type, body.value, body.purpose, rate_per_minute=rate, country=body.country
    )


@router.get(
    "/{type_}/{value:path}",
    response_model=IndicatorDetail,
    summary="One indicator and the reports you may see with it",
)
def get_indicator(
    db: DB,
    actor: Searcher,
    type_: str,
    value: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    if type_ not in service.SEARCH_TYPES:
        raise InvalidInput(
            f"unknown indicator type {type_!r}",
            errors=[{"field": "type", "message": "one of " + ", ".join(service.SEARCH_TYPES)}],
        )
    if type_ == "card":  # a full card number must never sit in a URL (access logs)
        raise InvalidInput(
            "cards are searched by their masked form: GET /api/v1/indicators?q=411111…1111",
            errors=[{"field": "type", "message": "use ?q=BIN…last4, or POST /lookup"}],
        )
    ind = service.find(db, type_, value)
    if ind is None:
        raise NotFound(f"no {type_} indicator with that value")
    _audit_read(db, actor, [ind], "indicator.read")
    reports = indicator_links.related_reports(db, actor, ind, limit=limit)
    return _out(db, actor, ind) | {
        "reports": [
            {
                "id": r.id,
                "reference": r.reference,
                "victim_country": r.victim_country,
                "category": r.category.value,
                "created_at": r.created_at,
            }
            for r in reports
        ]
    }
