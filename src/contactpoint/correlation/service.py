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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from contactpoint.core import audit, jobs
from contactpoint.core.access import visible
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound
from contactpoint.correlation import delta, engine
from contactpoint.correlation.models import Campaign, CampaignFollow, CampaignMember
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


def link_reports(session: Session, report_ids: Sequence[uuid.UUID]) -> delta.Linked:
    """Update campaigns for newly stored reports (what the ``correlation.link`` job runs):
    the delta path, which reads no campaign's members. Indicators the reports take over the
    cap stop linking at once; what they joined before is taken apart by a
    ``correlation.split`` job queued here. Returns those indicators, and the campaigns of
    two or more countries the reports are now in."""
    linked = delta.link_new(session, list(report_ids), _cap(session))
    if linked.crossed:
        jobs.defer(session, "correlation.split", indicator_ids=[str(i) for i in linked.crossed])
    return linked


def take_apart(session: Session, indicator_ids: Sequence[uuid.UUID]) -> None:
    """What the ``correlation.split`` job runs: split the campaigns that over-correlating
    indicators held together."""
    delta.take_apart(session, indicator_ids)


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


SORTS = ("last_seen", "size", "growth")
DEFAULT_GROWTH_DAYS = 30


def _cursor(sort: str, value: object, cid: uuid.UUID) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else str(int(str(value or 0)))
    return base64.urlsafe_b64encode(f"{sort}|{raw}|{cid}".encode()).decode().rstrip("=")


def _uncursor(cursor: str, sort: str) -> tuple[datetime | int, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value, cid = raw.split("|")
        if kind != sort:
            raise ValueError(kind)
        at: datetime | int = datetime.fromisoformat(value) if sort == "last_seen" else int(value)
        return at, uuid.UUID(cid)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid cursor",
            errors=[{"field": "cursor", "message": "use next_cursor as given, with the same sort"}],
        ) from None


def _campaign_id_filter(value: str) -> Select[uuid.UUID]:
    """The campaigns ``value`` names: a whole id, or the end of one (the short id pages and
    notices print: its last group's hex digits, which read the same on both databases)."""
    text = value.strip().lower()
    try:
        return select(Campaign.id).where(Campaign.id == uuid.UUID(text))
    except ValueError:
        pass
    if not (8 <= len(text) <= 12 and all(c in "0123456789abcdef" for c in text)):
        raise InvalidInput(
            f"campaign {value!r} is not a campaign id",
            errors=[
                {
                    "field": "campaign",
                    "message": "a campaign id, or its last 8 to 12 hex digits (e.g. 1a2b3c4d)",
                }
            ],
        )
    # SQLite keeps a UUID as 32 hex digits, PostgreSQL prints it with dashes; its last group
    # of 12 digits ends both.
    return select(Campaign.id).where(cast(Campaign.id, String).like(f"%{text}"))


def list_campaigns(
    session: Session,
    actor: Actor,
    *,
    country: str | None = None,
    category: str | None = None,
    min_size: int = 2,
    max_size: int | None = None,
    since: datetime | None = None,
    first_seen_from: datetime | None = None,
    first_seen_to: datetime | None = None,
    last_seen_to: datetime | None = None,
    growth_days: int | None = None,
    min_growth: int = 0,
    sort: str = "last_seen",
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
    followed: bool = False,
    campaign: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Campaigns with at least ``min_size`` visible members, filtered and sorted.

    Every figure counts only member reports ``actor`` may see: size, first/last seen
    (``created_at``) and growth, the members received in the last ``growth_days`` days.
    ``since`` is the lower bound of last seen. Sorts: ``last_seen`` (newest activity
    first), ``size`` and ``growth`` (largest first); ties by id, so cursors are stable.
    ``followed``: only the campaigns ``actor`` follows. ``campaign``: a campaign's id, or
    the last 8 to 12 hex digits of it, as pages and notices show it."""
    _need(actor, READ)
    wanted = _campaign_id_filter(campaign) if campaign and campaign.strip() else None
    if sort not in SORTS:
        raise InvalidInput(
            f"unknown sort {sort!r}",
            errors=[{"field": "sort", "message": "one of " + ", ".join(SORTS)}],
        )
    if max_size is not None and max_size < max(1, min_size):
        raise InvalidInput(
            "max_size is below min_size",
            errors=[{"field": "max_size", "message": "at least min_size"}],
        )
    limit = max(1, min(limit, 200))
    # A bare date or a naive time from a query string is read as UTC.
    since, last_seen_to, first_seen_from, first_seen_to = (
        None if d is None else d if d.tzinfo else d.replace(tzinfo=UTC)
        for d in (since, last_seen_to, first_seen_from, first_seen_to)
    )
    if growth_days is None and (min_growth > 0 or sort == "growth"):
        growth_days = DEFAULT_GROWTH_DAYS
    cutoff = (now or utcnow()) - timedelta(days=growth_days) if growth_days else None
    m = CampaignMember
    grown = (
        func.sum(case((Report.created_at >= cutoff, 1), else_=0))
        if cutoff is not None
        else literal(0)
    )
    agg = (
        select(
            m.campaign_id.label("cid"),
            func.count().label("n"),
            func.min(Report.created_at).label("first"),
            func.max(Report.created_at).label("last"),
            grown.label("g"),
        )
        .join(Report, Report.id == m.report_id)
        .where(visible(Report, actor))
        .group_by(m.campaign_id)
        .having(func.count() >= max(1, min_size))
    )
    if max_size is not None:
        agg = agg.having(func.count() <= max_size)
    if cutoff is not None and min_growth > 0:
        agg = agg.having(grown >= min_growth)
    if wanted is not None:
        agg = agg.where(m.campaign_id.in_(wanted))
    if followed:
        # Follows are anchored to a member report: the campaign that report is in now.
        mine = (
            select(CampaignMember.campaign_id)
            .join(CampaignFollow, CampaignFollow.report_id == CampaignMember.report_id)
            .where(CampaignFollow.user_id == actor.user_id)
        )
        agg = agg.where(m.campaign_id.in_(mine))
    for col, value in ((Report.victim_country, country), (Report.category, category)):
        if value:
            sub = (
                select(m.campaign_id)
                .join(Report, Report.id == m.report_id)
                .where(visible(Report, actor), col == value)
            )
            agg = agg.where(m.campaign_id.in_(sub))
    sq = agg.subquery()
    stmt = select(sq.c.cid, sq.c.n, sq.c.last, sq.c.g)
    for lo, hi, bounded in (
        (since, last_seen_to, sq.c.last),
        (first_seen_from, first_seen_to, sq.c.first),
    ):
        if lo is not None:
            stmt = stmt.where(bounded >= lo)
        if hi is not None:
            stmt = stmt.where(bounded <= hi)
    key = {"last_seen": sq.c.last, "size": sq.c.n, "growth": sq.c.g}[sort]
    if cursor:
        at, cid = _uncursor(cursor, sort)
        stmt = stmt.where(or_(key < at, and_(key == at, sq.c.cid < cid)))
    rows = session.execute(stmt.order_by(key.desc(), sq.c.cid.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    summaries = _summaries(session, actor, [r[0] for r in rows])
    items = []
    for r in rows:
        item = summaries[r[0]]
        if cutoff is not None:
            item["growth"] = int(r[3] or 0)
            item["growth_days"] = growth_days
        items.append(item)
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = _cursor(
            sort, {"last_seen": last[2], "size": last[1], "growth": last[3]}[sort], last[0]
        )
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
    out["indicators"] = _indicators(session, actor, [r.id for r in members])
    audit.record(
        session,
        actor,
        "campaign.read",
        object_type="campaign",
        object_id=campaign_id,
        details={"visible_reports": len(members)},
    )
    return out


def _indicators(
    session: Session, actor: Actor, report_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Indicators the visible members share. Personal-data types show only their safe
    display form (the clear value is not stored in ``value``).

    ``reports`` counts the visible members holding it. For an indicator that does not link
    by default (over-correlating, lifted), ``holders`` counts every report the actor may see
    holding it, and ``may_lift`` says whether the actor sees *all* of them: only then may they
    lift it, since lifting links reports they could not judge. The total over reports the
    actor may not see is never given."""
    rows = session.execute(
        select(Indicator, func.count(func.distinct(ReportIndicator.report_id)))
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .where(ReportIndicator.report_id.in_(report_ids))
        .group_by(Indicator.id)
    ).all()
    states = engine.states_of(session, [ind.id for ind, _ in rows])
    special = [ind.id for ind, _ in rows if ind.id in states]
    seen, hidden = holder_counts(session, actor, special)
    out = []
    for ind, n in rows:
        st = states.get(ind.id)
        state = "warninglisted" if ind.warninglisted else (st.state.value if st else "links")
        item: dict[str, Any] = {
            "id": str(ind.id),
            "type": ind.type,
            "value": ind.value or ind.display,
            "reports": int(n),
            "state": state,
            "reason": st.reason if st else None,
        }
        if ind.id in seen:
            item["holders"] = seen[ind.id]
            item["may_lift"] = not hidden.get(ind.id, False)
        out.append(item)
    out.sort(key=lambda i: (-int(i["reports"] or 0), str(i["type"]), str(i["value"] or "")))
    return out


def holder_counts(
    session: Session, actor: Actor, indicator_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, bool]]:
    """Per indicator: how many reports the actor may see hold it, and whether some report
    holding it is hidden from the actor (a yes/no, never a number)."""
    if not indicator_ids:
        return {}, {}
    ri = ReportIndicator
    seen_rows = session.execute(
        select(ri.indicator_id, func.count(func.distinct(ri.report_id)))
        .join(Report, Report.id == ri.report_id)
        .where(ri.indicator_id.in_(indicator_ids), visible(Report, actor))
        .group_by(ri.indicator_id)
    ).all()
    seen = {iid: int(n) for iid, n in seen_rows}
    all_rows = session.execute(
        select(ri.indicator_id, func.count(func.distinct(ri.report_id)))
        .where(ri.indicator_id.in_(indicator_ids))
        .group_by(ri.indicator_id)
    ).all()
    hidden = {iid: int(n) > seen.get(iid, 0) for iid, n in all_rows}
    return seen, hidden
