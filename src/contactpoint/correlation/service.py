"""Campaign use cases: plain functions ``(session, actor, ...)`` that never commit.

Everything an actor reads is computed over the member reports they may see
(``core.access.visible`` on Report): counts, countries, categories, losses, indicators. A
campaign with no visible member is not found. Actions need ``reports:triage`` and a reason,
and are audited.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from contactpoint.core import audit
from contactpoint.core.access import visible
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound
from contactpoint.correlation import engine
from contactpoint.correlation.models import CampaignMember, IndicatorLinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.models import Report

READ = "reports:read"
ACT = "reports:triage"
MIN_REASON = 5


def _settings(session: Session) -> Settings:
    found = session.info.get("settings")
    return found if isinstance(found, Settings) else get_settings()


def _cap(session: Session) -> int:
    return _settings(session).correlation_max_campaigns


def link_reports(session: Session, report_ids: Sequence[uuid.UUID]) -> None:
    """Update campaigns for newly stored reports (what the ``correlation.link`` job runs)."""
    engine.link_reports(session, list(report_ids), _cap(session))


def recompute(
    session: Session, actor: Actor, progress: Callable[[int, int], None] | None = None
) -> int:
    n = engine.recompute(session, _cap(session), progress)
    audit.record(session, actor, "campaign.recompute", details={"campaigns": n})
    return n


def _need(actor: Actor, permission: str) -> None:
    if not (actor.can(permission) or "system" in actor.roles):
        raise Forbidden(f"this needs the permission {permission!r}")


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON:
        raise InvalidInput(
            "give a reason for this action",
            errors=[{"field": "reason", "message": f"at least {MIN_REASON} characters"}],
        )
    return text


# ---------------------------------------------------------------------------- reading


def _visible_members(actor: Actor, campaign_ids: Any = None) -> Any:
    stmt = (
        select(CampaignMember.campaign_id, Report)
        .join(Report, Report.id == CampaignMember.report_id)
        .where(visible(Report, actor))
    )
    if campaign_ids is not None:
        stmt = stmt.where(CampaignMember.campaign_id.in_(campaign_ids))
    return stmt


def _cursor(at: datetime, cid: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{cid}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, cid = raw.split("|")
        return datetime.fromisoformat(at), uuid.UUID(cid)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid cursor", errors=[{"field": "cursor", "message": "use next_cursor as given"}]
        ) from None


def list_campaigns(
    session: Session,
    actor: Actor,
    *,
    country: str | None = None,
    category: str | None = None,
    min_size: int = 2,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Campaigns with at least ``min_size`` visible members, latest activity first."""
    _need(actor, READ)
    limit = max(1, min(limit, 200))
    m = CampaignMember
    agg = (
        select(
            m.campaign_id.label("cid"),
            func.count().label("n"),
            func.max(Report.created_at).label("last"),
        )
        .join(Report, Report.id == m.report_id)
        .where(visible(Report, actor))
        .group_by(m.campaign_id)
        .having(func.count() >= max(1, min_size))
    )
    for col, value in ((Report.victim_country, country), (Report.category, category)):
        if value:
            sub = (
                select(m.campaign_id)
                .join(Report, Report.id == m.report_id)
                .where(visible(Report, actor), col == value)
            )
            agg = agg.where(m.campaign_id.in_(sub))
    sq = agg.subquery()
    stmt = select(sq.c.cid, sq.c.n, sq.c.last)
    if since is not None:
        stmt = stmt.where(sq.c.last >= since)
    if cursor:
        at, cid = _uncursor(cursor)
        stmt = stmt.where(or_(sq.c.last < at, and_(sq.c.last == at, sq.c.cid < cid)))
    rows = session.execute(stmt.order_by(sq.c.last.desc(), sq.c.cid.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    summaries = _summaries(session, actor, [r[0] for r in rows])
    items = [summaries[r[0]] for r in rows]
    nxt = _cursor(rows[-1][2], rows[-1][0]) if more and rows else None
    return items, nxt


def _summaries(
    session: Session, actor: Actor, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    out: dict[uuid.UUID, dict[str, Any]] = {
        cid: {
            "id": str(cid),
            "reports": 0,
            "countries": set(),
            "categories": set(),
            "first_seen": None,
            "last_seen": None,
            "losses": {},
        }
        for cid in ids
    }
    if not ids:
        return out
    for cid, r in session.execute(_visible_members(actor, ids)):
        s = out[cid]
        s["reports"] += 1
        s["countries"].add(r.victim_country)
        s["categories"].add(r.category.value)
        s["first_seen"] = min(filter(None, (s["first_seen"], r.created_at)))
        s["last_seen"] = max(filter(None, (s["last_seen"], r.created_at)))
        if r.loss_amount is not None and r.loss_currency:
            s["losses"][r.loss_currency] = s["losses"].get(r.loss_currency, Decimal(0)) + (
                r.loss_amount
            )
    for s in out.values():
        s["countries"] = sorted(s["countries"])
        s["categories"] = sorted(s["categories"])
        s["losses"] = {c: str(v) for c, v in sorted(s["losses"].items())}
    return out


def get_campaign(session: Session, actor: Actor, campaign_id: uuid.UUID) -> dict[str, Any]:
    """One campaign as ``actor`` may see it: members, totals, timeline and indicators."""
    _need(actor, READ)
    members = [r for _, r in session.execute(_visible_members(actor, [campaign_id]))]
    if not members:
        raise NotFound("no such campaign")
    out = _summaries(session, actor, [campaign_id])[campaign_id]
    members.sort(key=lambda r: (r.created_at, r.reference))
    out["members"] = [
        {
            "id": str(r.id),
            "reference": r.reference,
            "country": r.victim_country,
            "category": r.category.value,
            "created_at": r.created_at,
            "occurred_at": r.occurred_at,
            "loss_amount": str(r.loss_amount) if r.loss_amount is not None else None,
            "loss_currency": r.loss_currency,
        }
        for r in members
    ]
    out["timeline"] = [
        {
            "at": (r.occurred_at or r.created_at),
            "reference": r.reference,
            "country": r.victim_country,
        }
        for r in sorted(members, key=lambda r: r.occurred_at or r.created_at)
    ]
    out["indicators"] = _indicators(session, [r.id for r in members])
    audit.record(
        session,
        actor,
        "campaign.read",
        object_type="campaign",
        object_id=campaign_id,
        details={"visible_reports": len(members)},
    )
    return out


def _indicators(session: Session, report_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Indicators the visible members share. Personal-data types show only their safe
    display form (the clear value is not stored in ``value``)."""
    states = {s.indicator_id: s for s in session.scalars(select(IndicatorLinkState))}
    rows = session.execute(
        select(Indicator, func.count(func.distinct(ReportIndicator.report_id)))
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .where(ReportIndicator.report_id.in_(report_ids))
        .group_by(Indicator.id)
    ).all()
    out = []
    for ind, n in rows:
        st = states.get(ind.id)
        state = "warninglisted" if ind.warninglisted else (st.state.value if st else "links")
        out.append(
            {
                "id": str(ind.id),
                "type": ind.type,
                "value": ind.value or ind.display,
                "reports": int(n),
                "state": state,
                "reason": st.reason if st else None,
            }
        )
    out.sort(key=lambda i: (-int(i["reports"] or 0), str(i["type"]), str(i["value"] or "")))
    return out
