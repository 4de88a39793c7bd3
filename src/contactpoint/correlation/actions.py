"""Analyst actions on campaigns (exclude, lift, merge, split) and the hit/no-hit view.
Service functions like those in service.py: ``(session, actor, ...)``, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.core import audit
from contactpoint.core.access import get_visible, visible
from contactpoint.core.actor import Actor
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound
from contactpoint.correlation import engine
from contactpoint.correlation.models import CampaignMember, IndicatorLinkState, ManualLink
from contactpoint.correlation.service import (
    ACT,
    READ,
    _cap,
    _need,
    _reason,
    _settings,
    holder_counts,
)
from contactpoint.correlation.states import LinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.models import Report


def _holders(session: Session, indicator_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(ReportIndicator.report_id)
            .where(ReportIndicator.indicator_id == indicator_id)
            .distinct()
        )
    )


def _seen_indicator(session: Session, actor: Actor, indicator_id: uuid.UUID) -> Indicator:
    """The indicator, if the actor may see a report that holds it; else not found."""
    ind = session.get(Indicator, indicator_id)
    held = session.scalar(
        select(func.count())
        .select_from(ReportIndicator)
        .join(Report, Report.id == ReportIndicator.report_id)
        .where(ReportIndicator.indicator_id == indicator_id, visible(Report, actor))
    )
    if ind is None or not held:
        raise NotFound("no such indicator")
    return ind


def _set_state(
    session: Session, actor: Actor, ind: Indicator, state: LinkState | None, reason: str
) -> None:
    st = session.scalar(select(IndicatorLinkState).where(IndicatorLinkState.indicator_id == ind.id))
    if state is None:
        if st is not None:
            session.delete(st)
    elif st is None:
        session.add(
            IndicatorLinkState(
                indicator_id=ind.id, state=state, reason=reason, changed_by_id=actor.user_id
            )
        )
    else:
        st.state, st.reason, st.changed_by_id = state, reason, actor.user_id
    session.flush()
    engine.link_reports(session, _holders(session, ind.id), _cap(session))


def exclude_indicator(session: Session, actor: Actor, indicator_id: uuid.UUID, reason: str) -> None:
    """The indicator stops linking; the campaigns it joined are split where it was the link."""
    _need(actor, ACT)
    why = _reason(reason)
    ind = _seen_indicator(session, actor, indicator_id)
    _set_state(session, actor, ind, LinkState.EXCLUDED, why)
    audit.record(
        session,
        actor,
        "campaign.exclude_indicator",
        object_type="indicator",
        object_id=ind.id,
        reason=why,
    )


def include_indicator(session: Session, actor: Actor, indicator_id: uuid.UUID, reason: str) -> None:
    """Undo an exclusion: the indicator links again (subject to the cap)."""
    _need(actor, ACT)
    why = _reason(reason)
    ind = _seen_indicator(session, actor, indicator_id)
    _set_state(session, actor, ind, None, why)
    audit.record(
        session,
        actor,
        "campaign.include_indicator",
        object_type="indicator",
        object_id=ind.id,
        reason=why,
    )


def lift_over_correlation(
    session: Session, actor: Actor, indicator_id: uuid.UUID, reason: str
) -> None:
    """An over-correlating indicator links again, whatever the number of reports holding it.
    Only an analyst who may see every report holding it may lift it: lifting links reports,
    and one must be able to judge all of them."""
    _need(actor, ACT)
    why = _reason(reason)
    ind = _seen_indicator(session, actor, indicator_id)
    if holder_counts(session, actor, [ind.id])[1].get(ind.id):
        raise Forbidden(
            "some reports holding this indicator are not visible to you; an analyst who may "
            "see all of them (e.g. at the owning contact point) can lift it"
        )
    _set_state(session, actor, ind, LinkState.LIFTED, why)
    audit.record(
        session,
        actor,
        "campaign.lift_over_correlation",
        object_type="indicator",
        object_id=ind.id,
        reason=why,
    )


def a_visible_member(session: Session, actor: Actor, campaign_id: uuid.UUID) -> uuid.UUID:
    rid = session.scalar(
        select(Report.id)
        .join(CampaignMember, CampaignMember.report_id == Report.id)
        .where(CampaignMember.campaign_id == campaign_id, visible(Report, actor))
        .order_by(Report.created_at, Report.id)
        .limit(1)
    )
    if rid is None:
        raise NotFound("no such campaign")
    return rid


def merge(
    session: Session, actor: Actor, campaign_id: uuid.UUID, other_id: uuid.UUID, reason: str
) -> uuid.UUID:
    """Join two campaigns by a manual link; returns the id of the joined campaign."""
    _need(actor, ACT)
    why = _reason(reason)
    if campaign_id == other_id:
        raise InvalidInput(
            "a campaign cannot be merged with itself",
            errors=[{"field": "other_id", "message": "choose another campaign"}],
        )
    a = a_visible_member(session, actor, campaign_id)
    b = a_visible_member(session, actor, other_id)
    key = f"m:{uuid.uuid4().hex}"
    session.add_all([ManualLink(key=key, report_id=r, reason=why) for r in (a, b)])
    session.flush()
    engine.link_reports(session, [a, b], _cap(session))
    joined = session.scalar(select(CampaignMember.campaign_id).where(CampaignMember.report_id == a))
    assert joined is not None
    audit.record(
        session,
        actor,
        "campaign.merge",
        object_type="campaign",
        object_id=joined,
        reason=why,
        details={"merged": [str(campaign_id), str(other_id)]},
    )
    return joined


def split(
    session: Session,
    actor: Actor,
    campaign_id: uuid.UUID,
    indicator_ids: Sequence[uuid.UUID],
    reason: str,
) -> None:
    """Split a campaign by excluding the indicators that joined its parts."""
    _need(actor, ACT)
    why = _reason(reason)
    a_visible_member(session, actor, campaign_id)
    if not indicator_ids:
        raise InvalidInput(
            "name the indicators to exclude",
            errors=[{"field": "indicator_ids", "message": "at least one"}],
        )
    for iid in indicator_ids:
        exclude_indicator(session, actor, iid, why)
    audit.record(
        session,
        actor,
        "campaign.split",
        object_type="campaign",
        object_id=campaign_id,
        reason=why,
        details={"excluded": [str(i) for i in indicator_ids]},
    )


def hits(session: Session, actor: Actor, report_id: uuid.UUID) -> list[dict[str, Any]]:
    """Hit/no-hit: for the indicators of a report the actor may see, how many OTHER reports
    that the actor may NOT see share one, by holder organisation. Nothing else: no ids, no
    content. Warninglisted, excluded and over-correlating indicators do not count."""
    _need(actor, READ)
    report = get_visible(session, Report, report_id, actor)
    blocked = select(IndicatorLinkState.indicator_id).where(
        IndicatorLinkState.state.in_([LinkState.EXCLUDED, LinkState.OVER])
    )
    mine = (
        select(ReportIndicator.indicator_id)
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(
            ReportIndicator.report_id == report.id,
            Indicator.warninglisted.is_(False),
            ReportIndicator.indicator_id.not_in(blocked),
        )
    )
    others = select(ReportIndicator.report_id).where(
        ReportIndicator.indicator_id.in_(mine), ReportIndicator.report_id != report.id
    )
    hidden = (
        Report.id.in_(others),
        Report.id.not_in(
            # NOT IN rather than NOT visible(): a NULL owner makes visible() NULL, and NOT NULL
            # would drop the row from the count.
            select(Report.id).where(Report.id.in_(others), visible(Report, actor))
        ),
    )
    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.country, Report.id, Indicator.type)
        .select_from(Report)
        .outerjoin(Organisation, Organisation.id == Report.owner_org_id)
        .join(ReportIndicator, ReportIndicator.report_id == Report.id)
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(*hidden, ReportIndicator.indicator_id.in_(mine))
        .distinct()
    ).all()
    # The types named are those of the caller's OWN report's indicators that the hidden
    # reports share; nothing of the hidden reports themselves is given.
    by_org: dict[uuid.UUID | None, dict[str, Any]] = {}
    for org_id, name, country, rid, itype in rows:
        h = by_org.setdefault(
            org_id, _holder(org_id, name, country) | {"ids": set(), "indicator_types": set()}
        )
        h["ids"].add(rid)
        h["indicator_types"].add(itype)
    out = []
    for h in by_org.values():
        item = {
            "holder": h["holder"],
            "holder_org_id": h["holder_org_id"],
            "country": h["country"],
            "reports": len(h["ids"]),
            "indicator_types": sorted(h["indicator_types"]),
        }
        types = ", ".join(item["indicator_types"])
        subject = (
            f"Access request: {item['reports']} report(s) you hold share a {types} indicator "
            f"with our report {report.reference}"
        )
        item["access_request"] = _access_request_url(session, item, subject, report.reference)
        out.append(item)
    out.sort(key=lambda h: (-int(str(h["reports"])), str(h["holder"])))
    audit.record(
        session,
        actor,
        "campaign.hits",
        object_type="report",
        object_id=report.id,
        details={"holders": len(out), "reports": sum(h["reports"] for h in out)},
    )
    return out


def campaign_hits(session: Session, actor: Actor, campaign_id: uuid.UUID) -> list[dict[str, Any]]:
    """Hit/no-hit over a whole campaign: its members the actor may NOT see, counted by holder
    organisation, with the way to ask each holder. Counts only, as contact points' notices
    give them; no ids and no content. 404 when the actor may see none of the campaign."""
    _need(actor, READ)
    anchor = a_visible_member(session, actor, campaign_id)
    m = CampaignMember
    seen = (
        select(Report.id)
        .join(m, m.report_id == Report.id)
        .where(m.campaign_id == campaign_id, visible(Report, actor))
    )
    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.country, func.count())
        .select_from(m)
        .join(Report, Report.id == m.report_id)
        .outerjoin(Organisation, Organisation.id == Report.owner_org_id)
        # NOT IN rather than NOT visible(), as in hits().
        .where(m.campaign_id == campaign_id, m.report_id.not_in(seen))
        .group_by(Organisation.id, Organisation.name, Organisation.country)
    ).all()
    reference = session.scalar(select(Report.reference).where(Report.id == anchor)) or ""
    out: list[dict[str, Any]] = []
    for org_id, name, country, n in rows:
        item = _holder(org_id, name, country) | {"reports": int(n)}
        subject = (
            f"Access request: {n} report(s) you hold are linked with our report {reference} "
            f"in a campaign of shared indicators"
        )
        item["access_request"] = _access_request_url(session, item, subject, reference)
        out.append(item)
    out.sort(key=lambda h: (-int(h["reports"]), str(h["holder"])))
    if out:
        audit.record(
            session,
            actor,
            "campaign.hits",
            object_type="campaign",
            object_id=campaign_id,
            details={"holders": len(out), "reports": sum(h["reports"] for h in out)},
        )
    return out


def _holder(org_id: uuid.UUID | None, name: str | None, country: str | None) -> dict[str, Any]:
    """How hit/no-hit names a holder: its organisation, never a report of it."""
    return {
        "holder": name or "no holder organisation",
        "holder_org_id": str(org_id) if org_id else None,
        "country": country,
    }


def _access_request_url(
    session: Session, holder: dict[str, Any], subject: str, reference: str
) -> str | None:
    """A link to the cooperation form, prefilled to ask ``holder`` for access: receiver, its
    country, the request type for information exchange (a setting) and a subject naming only
    counts, shared indicator types and the caller's OWN report reference."""
    if not holder["country"]:
        return None  # no holder organisation: nobody to ask
    params = {
        "receiving_country": holder["country"],
        "type_code": _settings(session).correlation_access_request_type,
        "receiving_org_id": holder["holder_org_id"] or "",
        "subject": subject[:300],
        "from_report": reference,
    }
    return "/cooperation/new?" + urlencode(params)
