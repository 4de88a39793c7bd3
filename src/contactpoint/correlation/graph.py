"""The graph of one campaign: its reports and their shared indicators as nodes, "this report
holds this indicator" as edges, in the element format cytoscape.js reads.

Computed only over the member reports the actor may see (``core.access.visible``), and at
most ``MAX_REPORTS`` of them (the latest): a browser draws a few hundred nodes well, not tens
of thousands. ``truncated`` and the counts tell the page what was left out. Indicators are
drawn when at least two drawn reports hold them (they are what links), or when they are
excluded or over-correlating, so that an analyst sees what does *not* link.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.core import audit
from contactpoint.core.access import visible
from contactpoint.core.actor import Actor
from contactpoint.core.errors import NotFound
from contactpoint.correlation.models import CampaignMember, IndicatorLinkState
from contactpoint.correlation.service import READ, _need
from contactpoint.correlation.states import LinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.models import Report

MAX_REPORTS = 500
MAX_INDICATORS = 1500
CHUNK = 500
SHOWN_ALONE = {LinkState.EXCLUDED.value, LinkState.OVER.value}


def campaign_graph(
    session: Session,
    actor: Actor,
    campaign_id: uuid.UUID,
    *,
    max_reports: int = MAX_REPORTS,
    record: bool = True,
) -> dict[str, Any]:
    """Nodes and edges of the campaign as ``actor`` may see it; 404 when they see nothing."""
    _need(actor, READ)
    max_reports = max(1, min(max_reports, MAX_REPORTS))
    seen = (
        select(Report)
        .join(CampaignMember, CampaignMember.report_id == Report.id)
        .where(CampaignMember.campaign_id == campaign_id, visible(Report, actor))
    )
    total = int(session.scalar(select(func.count()).select_from(seen.subquery())) or 0)
    if not total:
        raise NotFound("no such campaign")
    reports = list(
        session.scalars(seen.order_by(Report.created_at.desc(), Report.id).limit(max_reports))
    )
    ids = [r.id for r in reports]
    holders: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for i in range(0, len(ids), CHUNK):
        for rid, iid in session.execute(
            select(ReportIndicator.report_id, ReportIndicator.indicator_id)
            .where(ReportIndicator.report_id.in_(ids[i : i + CHUNK]))
            .distinct()
        ):
            holders[iid].add(rid)
    held = list(holders)
    states = {
        s.indicator_id: s.state.value
        for i in range(0, len(held), CHUNK)
        for s in session.scalars(
            select(IndicatorLinkState).where(
                IndicatorLinkState.indicator_id.in_(held[i : i + CHUNK])
            )
        )
    }
    wanted = [iid for iid, rs in holders.items() if len(rs) >= 2 or states.get(iid) in SHOWN_ALONE]
    wanted.sort(key=lambda iid: (-len(holders[iid]), str(iid)))
    cut_indicators = len(wanted) > MAX_INDICATORS
    wanted = wanted[:MAX_INDICATORS]
    indicators = {
        ind.id: ind
        for i in range(0, len(wanted), CHUNK)
        for ind in session.scalars(select(Indicator).where(Indicator.id.in_(wanted[i : i + CHUNK])))
    }
    nodes: list[dict[str, Any]] = [
        {
            "data": {
                "id": f"r-{r.id}",
                "kind": "report",
                "label": r.reference,
                "country": r.victim_country,
                "category": r.category.value,
                "url": f"/reports/{r.id}",
            }
        }
        for r in reports
    ]
    edges: list[dict[str, Any]] = []
    for iid in wanted:
        ind = indicators[iid]
        state = "warninglisted" if ind.warninglisted else states.get(iid, "links")
        value = ind.value or ind.display or "(personal data)"
        nodes.append(
            {
                "data": {
                    "id": f"i-{iid}",
                    "kind": "indicator",
                    "label": f"{ind.type}: {value}"[:80],
                    "type": ind.type,
                    "state": state,
                    "reports": len(holders[iid]),
                    "url": f"/indicators/{iid}",
                }
            }
        )
        edges.extend(
            {"data": {"id": f"e-{rid}-{iid}", "source": f"r-{rid}", "target": f"i-{iid}"}}
            for rid in sorted(holders[iid], key=str)
        )
    if record:
        audit.record(
            session,
            actor,
            "campaign.graph",
            object_type="campaign",
            object_id=campaign_id,
            details={"visible_reports": total, "shown": len(reports)},
        )
    return {
        "campaign_id": str(campaign_id),
        "reports_total": total,
        "reports_shown": len(reports),
        "indicators_shown": len(wanted),
        "truncated": total > len(reports) or cut_indicators,
        "max_reports": max_reports,
        "nodes": nodes,
        "edges": edges,
    }
