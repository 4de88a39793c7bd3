"""Indicator pages: the search box (defanged input welcome), one indicator with the reports
the user may see, and the bank operators' lookup form.

Report reads go through reports.indicator_links (``related_reports``, ``count_related``,
``lookup``), which filters them with core.access.visible. Indicator pages are addressed by
id, so no personal value (a phone, an IBAN) ends up in a URL or an access log.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contactpoint.accounts.deps import require_page
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, NotFound, RateLimited
from contactpoint.core.i18n import gettext as _
from contactpoint.core.web import DB, render
from contactpoint.indicators import service
from contactpoint.indicators.models import Indicator
from contactpoint.reports import indicator_links

router = APIRouter(include_in_schema=False)
Searcher = Annotated[Actor, Depends(require_page("indicators:search"))]
Looker = Annotated[Actor, Depends(require_page("indicators:lookup"))]


def _shown(actor: Actor, ind: Indicator) -> str:
    value = service.shown_value(ind, may_see_personal=actor.can("indicators:search"))
    return value if value is not None else _("(personal data)")


@router.get("/indicators", response_class=HTMLResponse)
def search_page(request: Request, db: DB, actor: Searcher, q: str = "") -> HTMLResponse:
    q = q.strip()[:2000]
    found = service.search(db, q) if q else []
    personal = [i for i in found if i.token is not None]
    if personal:
        audit.record(
            db,
            actor,
            "indicator.search",
            object_type="indicator",
            details={"indicators": [str(i.id) for i in personal]},
        )
    items = [
        {"ind": i, "value": _shown(actor, i), "count": indicator_links.count_related(db, actor, i)}
        for i in found
    ]
    return render(request, "indicators/search.html", {"q": q, "items": items})


@router.get("/indicators/lookup", response_class=HTMLResponse)
def lookup_form(request: Request, actor: Looker) -> HTMLResponse:
    return render(request, "indicators/lookup.html", _lookup_ctx({}))


def _lookup_ctx(form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"form": form, "types": indicator_links.LOOKUP_TYPES, "answer": None} | extra


@router.post("/indicators/lookup", response_class=HTMLResponse)
async def lookup_submit(request: Request, db: DB, actor: Looker) -> HTMLResponse:
    raw = await request.form()
    form = {k: str(raw.get(k, "")) for k in ("type", "value", "purpose", "country")}
    rate = request.app.state.settings.lookup_rate_per_minute
    try:
        answer = indicator_links.lookup(
            db,
            actor,
            form["type"],
            form["value"],
            form["purpose"],
            rate_per_minute=rate,
            country=form["country"],
        )
    except InvalidInput as exc:
        errors = {str(e.get("field")): str(e.get("message")) for e in exc.errors or []}
        return render(
            request,
            "indicators/lookup.html",
            _lookup_ctx(form, error=exc.detail, errors=errors),
            status_code=422,
        )
    except RateLimited as exc:
        return render(
            request, "indicators/lookup.html", _lookup_ctx(form, error=exc.detail), status_code=429
        )
    form["value"] = ""  # the value is not echoed back into the page
    return render(request, "indicators/lookup.html", _lookup_ctx(form, answer=answer))


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse)
def indicator_page(request: Request, db: DB, actor: Searcher, indicator_id: str) -> HTMLResponse:
    try:
        ind = service.get(db, uuid.UUID(indicator_id))
    except ValueError:
        ind = None
    if ind is None:
        raise NotFound("no such indicator")
    if ind.token is not None:
        audit.record(db, actor, "indicator.read", object_type="indicator", object_id=ind.id)
    reports = indicator_links.related_reports(db, actor, ind)
    return render(
        request,
        "indicators/detail.html",
        {"ind": ind, "value": _shown(actor, ind), "reports": reports},
    )
